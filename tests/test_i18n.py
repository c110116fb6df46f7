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
