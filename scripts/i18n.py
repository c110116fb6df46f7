"""Refresh the message catalogues: collect strings, fill Traditional from Simplified.

    .venv/bin/python scripts/i18n.py          # after changing user-facing strings

Runs `makemessages` for zh_Hans, zh_Hant and en, then fills every zh_Hant entry from its
zh_Hans translation through OpenCC (s2t), so translators write Simplified Chinese once.
English needs no translation (the source strings are English). Prints the zh_Hans entries
still untranslated; the test suite fails while any remain.
"""

import subprocess
import sys
from pathlib import Path

import opencc
import polib

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "campaigndesk"
CAMPAIGNDESK = ROOT / ".venv" / "bin" / "campaigndesk"


def main() -> int:
    subprocess.run(
        [
            str(CAMPAIGNDESK),
            "makemessages",
            "-l",
            "zh_Hans",
            "-l",
            "zh_Hant",
            "-l",
            "en",
            "--no-obsolete",
            "--ignore=tests",
            "--ignore=migrations",
        ],
        cwd=PACKAGE,
        check=True,
    )
    simplified = polib.pofile(str(PACKAGE / "locale/zh_Hans/LC_MESSAGES/django.po"))
    traditional_path = PACKAGE / "locale/zh_Hant/LC_MESSAGES/django.po"
    traditional = polib.pofile(str(traditional_path))
    convert = opencc.OpenCC("s2t").convert
    source = {(e.msgctxt, e.msgid): e for e in simplified}
    for entry in traditional:
        origin = source.get((entry.msgctxt, entry.msgid))
        if origin is None:
            continue
        entry.msgstr = convert(origin.msgstr) if origin.msgstr else ""
        if origin.msgstr_plural:
            entry.msgstr_plural = {k: convert(v) for k, v in origin.msgstr_plural.items()}
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    traditional.save()
    missing = [e.msgid for e in simplified if not e.translated()]
    for msgid in missing:
        print(f"untranslated (zh_Hans): {msgid}")
    print(f"{len(simplified)} messages, {len(missing)} untranslated")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
