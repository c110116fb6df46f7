"""Every user-facing string is translated: Simplified Chinese by hand, Traditional derived
from it (scripts/i18n.py), and the compiled catalogues are in use."""

from pathlib import Path

import opencc
import polib
from django.utils import translation

import campaigndesk

LOCALE = Path(campaigndesk.__file__).parent / "locale"


def _catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))


def test_every_simplified_message_is_translated():
    untranslated = [e.msgid for e in _catalogue("zh_Hans") if not e.translated()]
    assert untranslated == [], f"untranslated in zh_Hans (run scripts/i18n.py): {untranslated}"


def test_traditional_catalogue_follows_simplified():
    convert = opencc.OpenCC("s2t").convert
    simplified = {(e.msgctxt, e.msgid): e.msgstr for e in _catalogue("zh_Hans")}
    stale = [
        e.msgid
        for e in _catalogue("zh_Hant")
        if simplified.get((e.msgctxt, e.msgid)) is not None
        and e.msgstr != convert(simplified[(e.msgctxt, e.msgid)])
    ]
    assert stale == [], f"zh_Hant out of date (run scripts/i18n.py): {stale}"


def test_compiled_catalogues_are_used():
    with translation.override("zh-hans"):
        simplified = translation.gettext("Campaign Desk")
    with translation.override("zh-hant"):
        traditional = translation.gettext("Campaign Desk")
    with translation.override("en"):
        english = translation.gettext("Campaign Desk")
    assert simplified == "宣传工作台"
    assert traditional == "宣傳工作臺"
    assert english == "Campaign Desk"


def test_every_message_in_the_code_is_in_the_catalogue(tmp_path):
    """The strings marked in the code and templates today, collected by the same
    ``makemessages`` that scripts/i18n.py runs, are all in the Simplified catalogue (a new
    string without a translation would otherwise show in English)."""
    import shutil

    from django.core.management import call_command

    package = Path(campaigndesk.__file__).parent
    copy = tmp_path / "campaigndesk"
    shutil.copytree(
        package,
        copy,
        ignore=shutil.ignore_patterns("locale", "migrations", "__pycache__", "*.mo", "*.po"),
    )
    (copy / "locale").mkdir()
    cwd = Path.cwd()
    try:
        import os

        os.chdir(copy)
        call_command("makemessages", locale=["zh_Hans"], verbosity=0, no_obsolete=True)
    finally:
        os.chdir(cwd)
    collected = polib.pofile(str(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    known = {(e.msgctxt, e.msgid) for e in _catalogue("zh_Hans")}
    missing = sorted(e.msgid for e in collected if (e.msgctxt, e.msgid) not in known)
    assert len(collected) > 500, "makemessages found almost nothing: is gettext installed?"
    assert missing == [], f"not in the catalogue (run scripts/i18n.py): {missing}"
