"""Text normalisation shared by matching, search and extraction.

Texts arrive in Simplified or Traditional script, with full-width characters and, after a
careless conversion, inline pinyin such as "事關(guān)". ``normalize`` gives one comparable
form (Simplified, half-width, no pinyin artifacts) and keeps a map from every character of
that form back to the original text, so that whatever is found in the normalised text can
be shown and cited as the user wrote it. ``match_key`` is the stricter form used to compare
names (units, outlets, indicators) script-blind.
"""

import re
import unicodedata
from array import array
from dataclasses import dataclass
from functools import lru_cache

import opencc

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_PINYIN_LETTERS = "a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüêńňǹḿ"
# A bracketed run of pinyin letters (optionally a tone digit) right after a CJK character
# or a "?" (what a failed conversion leaves where a character was lost).
_PINYIN_ARTIFACT = re.compile(rf"(?<=[{_CJK}?？])[(（]([{_PINYIN_LETTERS}]{{1,7}}[1-5]?)[)）]")
_TONE_MARKS = str.maketrans("āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿê", "aaaaeeeeiiiioooouuuuvvvvnnnme")
_SYLLABLE = re.compile(
    r"^(zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
    r"(iang|iong|uang|ueng|ang|eng|ing|ong|ian|iao|uai|uan|van|ai|ei|ao|ou|an|en|in|un|vn"
    r"|ia|ie|iu|ua|uo|ui|ve|ue|er|a|o|e|i|u|v|ng|n|m)[1-5]?$"
)


def is_pinyin_syllable(word: str) -> bool:
    """True for one pinyin syllable, with or without tone marks or a tone digit."""
    plain = word.lower().translate(_TONE_MARKS).replace("ü", "v")
    return bool(_SYLLABLE.match(plain))


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def _fold_char(char: str) -> str:
    """Full-width ASCII forms and the ideographic space to their half-width forms."""
    code = ord(char)
    if 0xFF01 <= code <= 0xFF5E:
        return chr(code - 0xFEE0)
    if code == 0x3000:
        return " "
    return char


# The same folding as one translation table (str.translate is far faster than a loop).
_WIDTH_TABLE = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: " "}


@dataclass(frozen=True)
class Normalized:
    """A normalised text and, for each of its characters, the offset in the original."""

    original: str
    text: str
    offsets: array  # len(text) + 1 entries; the last is len(original)

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a span [start, end) of the normalised text to the original text."""
        if start >= end:
            return self.offsets[start], self.offsets[start]
        return self.offsets[start], self.offsets[end - 1] + 1

    def original_slice(self, start: int, end: int) -> str:
        a, b = self.to_original(start, end)
        return self.original[a:b]


def strip_pinyin_artifacts(text: str) -> str:
    return normalize(text, to_simplified=False, fold_width=False).text


def normalize(
    text: str, *, to_simplified: bool = True, strip_pinyin: bool = True, fold_width: bool = True
) -> Normalized:
    """Normalise ``text`` and keep the map back to it. Never changes the original."""
    kept: list[str] = []
    offsets = array("q")
    position = 0
    if strip_pinyin:
        for match in _PINYIN_ARTIFACT.finditer(text):
            if not is_pinyin_syllable(match.group(1)):
                continue
            kept.append(text[position : match.start()])
            offsets.extend(range(position, match.start()))
            position = match.end()
    kept.append(text[position:])
    offsets.extend(range(position, len(text)))
    result = "".join(kept)
    if fold_width:
        result = result.translate(_WIDTH_TABLE)
    if to_simplified and result:
        converted = _t2s().convert(result)
        if len(converted) != len(result):
            # A phrase conversion changed the length; convert character by character so
            # that the offsets stay one-to-one.
            converted = "".join(
                _t2s().convert(c) if len(_t2s().convert(c)) == 1 else c for c in result
            )
        result = converted
    offsets.append(len(text))
    return Normalized(original=text, text=result, offsets=offsets)


_KEY_DROP = re.compile(r"[\s·・,，、。.;；:：\"'“”‘’《》〈〉<>「」『』\-—_]+")


def match_key(text: str) -> str:
    """A script-blind comparison key for a name: Simplified, half-width, no pinyin
    artifacts, no spaces or separator punctuation, case-folded."""
    normalized = normalize(unicodedata.normalize("NFC", text or "")).text
    return _KEY_DROP.sub("", normalized).casefold()
