"""Read the statistical figures out of a published report.

A figure is a count or an amount: a number (Arabic or Chinese numerals, with 万/亿) with
its measure word ("3000人次", "5.6萬余名") or directly with its noun ("10县市"). Dates,
times, ordinals, list numbers, codes and names containing numerals are not figures.

The text is read paragraph by paragraph (long paragraphs in bounded chunks), each piece
normalised (``textnorm.normalize``: Simplified, half-width, no pinyin artifacts) and
scanned with the grammar in ``quantity_grammar``; every span found is mapped back to the
original text, so offsets are code points of the text as the user gave it.
"""

import bisect
import calendar
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass

from . import quantity_grammar as g
from .textnorm import normalize

MAX_CHUNK = 4096  # characters normalised and scanned at a time

_CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_PROTECTED_RE = re.compile(
    r"《[^《》\n]{0,80}》|〔[^〔〕\n]{0,12}〕|【[^【】\n]{0,20}】"
    r"|[“\"「『‘][^“”\"「」『』‘’\n,。;]{0,16}[”\"」』’]"
)
_YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年(?!代)|([〇零一二三四五六七八九]{4})年")
_CN_DIGIT_VALUE = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0}
_ASOF_RE = re.compile(
    r"(?:截至|截止)(?:到|至|于)?\s*"
    r"(?:(?P<rel>今年|本年|当年|去年|上年)|(?P<y>(?:19|20)\d{2})\s*年)?\s*"
    r"(?:(?P<m>\d{1,2}|[一二三四五六七八九十]{1,3})\s*月份?\s*"
    r"(?:(?P<d>\d{1,2}|[一二三四五六七八九十]{1,3})\s*[日号]|(?P<part>底|末|初|上旬|中旬|下旬))?"
    r"|(?P<yend>年底|年末|底|末))?"
)
_ASCII_UNITS = ("km²", "km2", "km", "kg", "m²", "㎡")
_UNIT_MEASURES = {
    "km²": "平方公里",
    "km2": "平方公里",
    "km": "公里",
    "kg": "公斤",
    "m²": "平方米",
    "百分之": "%",
}


@dataclass(frozen=True)
class Figure:
    """One figure: its span in the original text (number and magnitude only), its value
    with the magnitude applied, measure word as written, approximation, the noun counted
    and the date of the nearest earlier 截至 in its paragraph (ISO), if any."""

    start: int
    end: int
    text: str
    value: int | float
    measure: str
    approx: str | None
    counted: str
    as_of: str | None

    def as_dict(self) -> dict:
        return asdict(self)


def extract_figures(text: str) -> list[Figure]:
    """Every figure in ``text``, in reading order."""
    return list(iter_figures(text))


def iter_figures(text: str) -> Iterator[Figure]:
    """Every figure in ``text``, yielded as it is found: the text is scanned one paragraph
    (or bounded chunk of a long paragraph) at a time, so memory stays small."""
    state = _DocumentState()
    for base, chunk, new_paragraph in _chunks(text):
        if new_paragraph:
            state.as_of = None
        yield from _scan_chunk(chunk, base, state)


class _DocumentState:
    """What carries from one chunk to the next: the last year mentioned and the date of
    the last 截至 in the current paragraph."""

    def __init__(self) -> None:
        self.year: int | None = None
        self.as_of: str | None = None


def _chunks(text: str) -> Iterator[tuple[int, str, bool]]:
    """(offset, chunk, starts a paragraph) over the text, without copying it whole."""
    length = len(text)
    start = 0
    while start < length:
        newline = text.find("\n", start)
        end = length if newline < 0 else newline + 1
        first = True
        while end - start > MAX_CHUNK:
            cut = _cut_point(text, start, start + MAX_CHUNK)
            yield start, text[start:cut], first
            first = False
            start = cut
        yield start, text[start:end], first
        start = end


def _cut_point(text: str, start: int, limit: int) -> int:
    """A place to cut a long paragraph: after the last sentence end (else comma, else
    space) before ``limit``, never inside a number."""
    for marks in ("。;；!！?？", ",，、", " \t"):
        best = max(text.rfind(mark, start, limit) for mark in marks)
        if best > start + MAX_CHUNK // 4:
            return best + 1
    cut = limit
    while cut > start + 1 and (text[cut - 1].isdigit() or text[cut - 1] in g.CN_NUMERAL_CHARS):
        cut -= 1
    return cut


def _scan_chunk(chunk: str, base: int, state: _DocumentState) -> Iterator[Figure]:
    norm = normalize(chunk)
    t = norm.text
    if not t.strip():
        return
    protected = [(m.start(), m.end()) for m in _PROTECTED_RE.finditer(t)]
    protected_starts = [a for a, _ in protected]
    years = _year_mentions(t)
    markers = _as_of_markers(t, years, state)
    marker_positions = [p for p, _ in markers]
    if years:
        state.year = years[-1][1]
    consumed = 0
    for match in g.NUMBER_RE.finditer(t):
        s, e = match.span()
        if s < consumed or _is_protected(s, protected, protected_starts):
            continue
        found = _arabic(t, s, e) if match.group("ar") else _chinese(t, s, e)
        if found is None:
            continue
        span_start, span_end, value, m_start, m_end, approx, counted = found
        consumed = max(span_end, m_end)
        a, b = norm.to_original(span_start, span_end)
        measure = "".join(_fold(chunk[norm.offsets[i]]) for i in range(m_start, m_end))
        measure = _UNIT_MEASURES.get(measure, measure)
        index = bisect.bisect_right(marker_positions, span_start) - 1
        as_of = markers[index][1] if index >= 0 else state.as_of
        yield Figure(
            start=base + a,
            end=base + b,
            text=chunk[a:b],
            value=g.as_number(value),
            measure=measure,
            approx=approx,
            counted=counted,
            as_of=as_of,
        )
    if markers:
        state.as_of = markers[-1][1]


def _fold(char: str) -> str:
    code = ord(char)
    return chr(code - 0xFEE0) if 0xFF01 <= code <= 0xFF5E else char


def _is_protected(pos: int, spans: list[tuple[int, int]], starts: list[int]) -> bool:
    index = bisect.bisect_right(starts, pos) - 1
    return index >= 0 and spans[index][0] < pos < spans[index][1]


# --- dates --------------------------------------------------------------------------


def _year_mentions(t: str) -> list[tuple[int, int]]:
    """(position, year) of every "2024年" that is not a comparison ("较2023年")."""
    found = []
    for m in _YEAR_RE.finditer(t):
        if m.start() > 0 and t[m.start() - 1] in "较比":
            continue
        if m.group(1):
            year = int(m.group(1))
        else:
            year = int("".join(str(_CN_DIGIT_VALUE[c]) for c in m.group(2)))
            if not 1900 <= year <= 2100:
                continue
        found.append((m.start(), year))
    return found


def _as_of_markers(
    t: str, years: list[tuple[int, int]], state: _DocumentState
) -> list[tuple[int, str | None]]:
    markers = []
    year_positions = [p for p, _ in years]
    for m in _ASOF_RE.finditer(t):
        index = bisect.bisect_left(year_positions, m.start()) - 1
        context_year = years[index][1] if index >= 0 else state.year
        markers.append((m.start(), _as_of_date(m, context_year)))
    return markers


def _small_number(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    value = g.parse_chinese(text)
    return int(value) if value is not None else None


def _as_of_date(m: re.Match, context_year: int | None) -> str | None:
    if m.group("y"):
        year = int(m.group("y"))
    elif m.group("rel") in ("去年", "上年"):
        year = context_year - 1 if context_year else None
    else:
        year = context_year
    if year is None:
        return None
    if m.group("m"):
        month = _small_number(m.group("m"))
        if month is None or not 1 <= month <= 12:
            return None
        last = calendar.monthrange(year, month)[1]
        if m.group("d"):
            day = _small_number(m.group("d"))
        else:
            part = m.group("part")
            day = {"初": 10, "上旬": 10, "中旬": 20}.get(part or "", last)
        if day is None or not 1 <= day <= last:
            return None
        return f"{year:04d}-{month:02d}-{day:02d}"
    if m.group("y") or m.group("yend"):
        return f"{year:04d}-12-31"  # 截至2023年底
    return None


# --- numbers ------------------------------------------------------------------------

Found = tuple[int, int, float, int, int, str | None, str]


_NONE = "\x00"  # what lies outside the text: in no character class


def _at(t: str, i: int) -> str:
    return t[i] if 0 <= i < len(t) else _NONE


def _is_cjk(char: str) -> bool:
    return bool(char) and bool(_CJK_RE.match(char))


def _alternation(words) -> re.Pattern:
    """A pattern matching the longest of ``words`` (alternatives are tried in order)."""
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))


_MEASURE_RE = _alternation(g.MEASURES)
# 千 and 百 are not magnitudes where they begin a measure word (千米, 百分点).
_MAGNITUDE_RE = re.compile(
    "|".join(
        re.escape(word)
        + (
            f"(?![{g.MAGNITUDE_NOT_BEFORE[word[-1]]}])"
            if word[-1] in g.MAGNITUDE_NOT_BEFORE
            else ""
        )
        for word, _ in g.MAGNITUDES
    )
)
_QUALIFIER_APPROX = dict(g.PREFIX_QUALIFIERS)
_QUALIFIER_BEFORE_RE = re.compile(
    f"({_alternation(_QUALIFIER_APPROX).pattern})(?:{'|'.join(g.QUALIFIER_FILLERS)})?$"
)
_COUNT_WORD_BEFORE_RE = re.compile(f"(?:{_alternation(g.COUNT_WORDS).pattern})$")
_LEFT_VERB_RE = _alternation(g.LEFT_VERBS)
_TRAILING_COUNT_RE = re.compile(f"(?:{_alternation(g.TRAILING_COUNT_WORDS).pattern})+$")
_FOLLOWER_RE = _alternation(g.NON_FIGURE_FOLLOWERS)


def _longest(t: str, pos: int, pattern: re.Pattern) -> str:
    m = pattern.match(t, pos)
    return m.group() if m else ""


def _skip_space(t: str, pos: int) -> int:
    return pos + 1 if _at(t, pos) == " " and _at(t, pos + 1) not in (_NONE, " ") else pos


def _prefix(t: str, s: int) -> tuple[str | None, bool, int]:
    """The approximation written before position ``s``, whether a count word ("达",
    "共计") stands there, and where the words before the number begin."""
    j = s - 1 if _at(t, s - 1) == " " else s
    offset = max(0, j - 8)
    window = t[offset:j]
    m = _QUALIFIER_BEFORE_RE.search(window)
    if m:
        word = m.group(1)
        begin = offset + m.start()
        blocked = g.QUALIFIER_BLOCKED_AFTER.get(word)
        if not (blocked and _at(t, begin - 1) in blocked):
            return _QUALIFIER_APPROX[word], True, begin
    m = _COUNT_WORD_BEFORE_RE.search(window)
    if m:
        return None, True, offset + m.start()
    window = window[-6:]
    for word, approx in g.DISTANT_QUALIFIERS:
        found = window.rfind(word)
        if found >= 0 and not any(c in g.STOP_CHARS or c.isdigit() for c in window[found:]):
            return approx, False, j
    return None, False, j


def _strong_count(t: str, s: int) -> bool:
    j = s - 1 if _at(t, s - 1) == " " else s
    return any(t.endswith(word, 0, j) for word in g.STRONG_COUNT_WORDS)


def _suffix(t: str, pos: int) -> tuple[str | None, int]:
    for word, approx in g.SUFFIX_QUALIFIERS:
        if t.startswith(word, pos):
            return approx, pos + len(word)
    return None, pos


def _measure_at(t: str, pos: int, chinese: bool) -> str | None:
    """The measure word at ``pos``; "" if a noun follows directly; None if what follows
    makes the number a date, time, rank or name."""
    follower = _longest(t, pos, _FOLLOWER_RE)
    measure = _longest(t, pos, _MEASURE_RE)
    if follower and len(measure) <= len(follower):
        return None
    if measure:
        if len(measure) == 1 and t[pos : pos + 2] in g.NOUN_COMPOUNDS:
            return None if chinese else ""
        if chinese and measure in g.CHINESE_EXCLUDED_MEASURES:
            return None
        return measure
    return ""


def _arabic(t: str, s: int, e: int) -> Found | None:
    digits = t[s:e]
    prev, prev2 = _at(t, s - 1), _at(t, s - 2)
    nxt, nxt2 = _at(t, e), _at(t, e + 1)
    letters_before = False
    if prev.isascii() and prev.isalpha():
        j = s
        while j > 0 and t[j - 1].isascii() and t[j - 1].isalpha():
            j -= 1
        if s - j <= 2:  # H5, G56, S214, No
            return None
        letters_before = True
    if prev in "-~–—/·:∶._@#+×*" and prev2.isascii() and prev2.isalnum():
        return None  # ranges, phone numbers, dotted dates, times, versions
    if prev in "至到" and prev2.isdigit():
        return None
    if prev in ("第", "前", "双") or (prev == " " and prev2 in ("第", "前")):
        return None  # ordinals, ranks, 双11
    if prev in "、," and prev2.isdigit() and _ordinal_list(t, s - 1):
        return None  # 第1、2期
    if nxt in "-~–—/·:∶@_×*" and nxt2.isascii() and nxt2.isalnum():
        return None
    if nxt in "至到" and nxt2.isdigit():
        return None
    if nxt in ".+" and nxt2.isascii() and nxt2.isalnum():
        return None  # 2024.1.5, 5+2, 1+N
    if prev in "(（" and nxt in ")）":
        return None  # (1)
    unit = ""
    if (nxt.isascii() and nxt.isalpha()) or nxt in "²㎡":
        unit = next((u for u in _ASCII_UNITS if t.startswith(u, e)), "")
        if not unit or (_at(t, e + len(unit)).isascii() and _at(t, e + len(unit)).isalpha()):
            return None
    value = g.parse_arabic(digits)
    decimal = "." in digits
    approx, count_word, left = _prefix(t, s)
    pos = _skip_space(t, e)
    span_end = e
    magnitude = ""
    inner = None
    q = _at(t, pos)
    if q in g.INNER_QUALIFIERS and q not in "来几":
        magnitude = _magnitude(t, pos + 1)
        if magnitude:
            inner = g.INNER_QUALIFIERS[q]
            span_end = pos + 1 + len(magnitude)
    if not magnitude:
        magnitude = _magnitude(t, pos)
        if magnitude:
            span_end = pos + len(magnitude)
    plus = False
    if magnitude:
        value *= dict(g.MAGNITUDES)[magnitude]
        pos = span_end
        after = _at(t, pos)
        if after in g.AFTER_MAGNITUDE_QUALIFIERS:
            inner = inner or g.AFTER_MAGNITUDE_QUALIFIERS[after]
            plus = after == "+"
            pos += 1
    elif q in g.INNER_QUALIFIERS:
        measure = _longest(t, pos + 1, _MEASURE_RE)
        if q in "余多" or measure:
            inner = g.INNER_QUALIFIERS[q]
            pos += 1
    pos = _skip_space(t, pos)
    if unit:
        m_start, m_end = pos, pos + len(unit)
        measure = unit
    else:
        measure = _measure_at(t, pos, chinese=False)
        if measure is None:
            return None
        m_start, m_end = pos, pos + len(measure)
    after_measure = m_end
    if measure:
        if (value, measure) in g.SET_PHRASES and not magnitude and not (inner or approx):
            return None
        if measure == "分钟" and g.NAME_AFTER_MINUTES.match(t[m_end : m_end + 8]):
            return None
        suffix, after_measure = _suffix(t, m_end)
        approx = inner or approx or suffix
    else:
        approx = inner or approx
        c = _at(t, pos)
        if _is_cjk(c):
            if plus or c in g.FUNCTION_CHARS:
                return None  # "10万+作品" names a class of works
            if not (approx or t.startswith(g.BARE_NOUN_STARTS, pos) or _strong_count(t, s)):
                return None  # "985高校", "110指挥中心": names
            if (decimal and not magnitude) or letters_before:
                return None
            if len(digits) >= 5 and not magnitude:
                return None  # hotlines and codes
        elif not magnitude and not approx:
            if not count_word or len(digits) >= 7:
                return None  # list numbers, table cells, phone numbers
            if 1900 <= value <= 2100 and not decimal:
                return None  # a year
        if letters_before and not magnitude:
            return None
    counted = _counted(t, left, after_measure, measure, m_start)
    return s, span_end, value, m_start, m_end, approx, counted


def _ordinal_list(t: str, end: int) -> bool:
    """Whether the list of numbers ending at ``end`` ("第1、2") begins with 第."""
    i = end
    while i > 0 and (t[i - 1].isdigit() or t[i - 1] in "、,"):
        i -= 1
    return _at(t, i - 1) == "第"


def _magnitude(t: str, pos: int) -> str:
    m = _MAGNITUDE_RE.match(t, pos)
    return m.group() if m else ""


def _chinese(t: str, s: int, e: int) -> Found | None:
    run = t[s:e]
    if run == "一" and _at(t, e) not in "余多":
        return None  # 一个, 一次, 一批: mostly the article, not a count
    value = g.parse_chinese(run)
    if not value:
        return None
    bare = run in g.BARE_MAGNITUDE_RUNS
    if not bare and run[0] in "百千万亿":
        return None
    prev, prev2 = _at(t, s - 1), _at(t, s - 2)
    if prev.isdigit() or prev == "." or (prev in "余多" and prev2.isdigit()):
        return None  # the magnitude of an Arabic number ("5.6万", "20余万")
    if prev in "第前数几周" or t.endswith("星期", 0, s) or t.endswith("礼拜", 0, s):
        return None
    if prev in "至到-~—" and prev2 in g.CN_NUMERAL_CHARS:
        return None
    if prev == "上" and prev2 in "百千万":
        return None  # 成百上千, 成千上万
    if _at(t, e) in "至到-~—" and _at(t, e + 1) in g.CN_NUMERAL_CHARS:
        return None
    percent = t.endswith("百分之", 0, s)
    approx, _count_word, left = _prefix(t, s)
    if bare and not approx:
        approx = g.BARE_MAGNITUDE_PREFIXES.get(prev)
        if approx:
            left = s - 1
    pos = e
    span_end = e
    inner = None
    q = _at(t, pos)
    if q in g.INNER_QUALIFIERS:
        magnitude = _at(t, pos + 1) if _at(t, pos + 1) in "万亿" else ""
        if magnitude:
            value *= g.BARE_MAGNITUDES[magnitude]
            span_end = pos + 2
            inner = g.INNER_QUALIFIERS[q]
            pos += 2
            if _at(t, pos) in "余多":
                pos += 1
        elif q in "余多" or _longest(t, pos + 1, _MEASURE_RE):
            inner = g.INNER_QUALIFIERS[q]
            pos += 1
    if bare and not (approx or inner):
        return None  # 千家万户, 百场演出进基层, 万人宣讲
    if value == 1 and not bare:
        return None
    if percent:
        return s, span_end, value, s - 3, s, None, ""
    measure = _measure_at(t, pos, chinese=True)
    if not measure:
        return None
    m_end = pos + len(measure)
    after = _at(t, m_end)
    if len(measure) == 1 and after in g.CN_DIGITS and after != "零":
        return None  # 五位一体, 四面八方, 四个一
    if prev2 in g.CN_DIGITS and _is_cjk(prev) and prev not in g.CN_NUMERAL_CHARS:
        return None  # 三番五次
    if t[m_end : m_end + 2] in g.STRUCTURAL_NOUNS:
        return None
    if any(t.startswith(slogan, s) for slogan in g.SLOGANS):
        return None
    suffix, after_measure = _suffix(t, m_end)
    approx = inner or approx or suffix
    counted = _counted(t, left, after_measure, measure, pos)
    return s, span_end, value, pos, m_end, approx, counted


# --- the noun counted ------------------------------------------------------------------


def _counted(t: str, left: int, right: int, measure: str, m_start: int) -> str:
    """Best effort: the noun after the measure word ("2个工作组"), else the noun before
    the number ("播出新闻3条")."""
    start = right if measure else m_start
    end = start
    while end < len(t) and end - start < 6 and t[end] not in g.COUNTED_STOP_CHARS:
        if t[end].isdigit():
            break
        end += 1
    noun = t[start:end]
    if noun and _is_cjk(noun[0]):
        return noun
    begin = left
    while begin > 0 and left - begin < 12:
        c = t[begin - 1]
        if c in g.COUNTED_STOP_CHARS or c.isdigit():
            break
        begin -= 1
    phrase = _TRAILING_COUNT_RE.sub("", t[begin:left])
    cut = 0
    for m in _LEFT_VERB_RE.finditer(phrase):
        cut = m.end()
    return phrase[cut:] or phrase
