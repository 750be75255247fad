"""The English catalogue is complete: every text marked for translation has an English text, none is a stale
("fuzzy") guess, and the compiled .mo is what the .po says (`make messages` regenerates both)."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

LOCALE = Path(__file__).resolve().parents[2] / "src/airgrade/platform/locale/en/LC_MESSAGES"
ENTRY = re.compile(r'^(#, [^\n]*\n)?msgid "(.*)"\nmsgstr "(.*)"$', re.MULTILINE)


def _entries() -> list[tuple[str, str, str]]:
    return [(flags or "", msgid, msgstr) for flags, msgid, msgstr in ENTRY.findall((LOCALE / "django.po").read_text())]


def test_every_marked_text_has_an_english_text_and_none_is_fuzzy() -> None:
    entries = [entry for entry in _entries() if entry[1]]
    assert len(entries) > 50
    assert [msgid for _, msgid, msgstr in entries if not msgstr] == []
    assert [msgid for flags, msgid, _ in entries if "fuzzy" in flags] == []


def test_the_compiled_catalogue_matches_the_source() -> None:
    with (LOCALE / "django.mo").open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)
    for _, msgid, msgstr in _entries():
        if msgid:
            assert catalogue.gettext(msgid) == msgstr, msgid
