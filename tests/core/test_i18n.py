"""The translation catalogues in netral/locale are complete, consistent and compiled."""

import re
from collections import Counter
from pathlib import Path

import polib
import pytest
from django.utils import translation

LOCALE = Path(__file__).resolve().parents[2] / "netral" / "locale"
ID_PO = LOCALE / "id" / "LC_MESSAGES" / "django.po"

# {name}, {0}, {} and %(name)s / %s / %d, but not a literal "%%" or "{{".
_PLACEHOLDER = re.compile(r"(?<!\{)\{[A-Za-z0-9_]*\}(?!\})|%\([A-Za-z0-9_]+\)[sdif]|%[sdif]")


def _placeholders(text: str) -> Counter:
    return Counter(_PLACEHOLDER.findall(text.replace("%%", "")))


def _entries(po):
    return [e for e in po if e.msgid]


@pytest.fixture(scope="module")
def id_po():
    return polib.pofile(str(ID_PO))


@pytest.mark.parametrize("lang", ["id", "en"])
def test_catalogue_files_exist(lang):
    assert (LOCALE / lang / "LC_MESSAGES" / "django.po").is_file()
    assert (LOCALE / lang / "LC_MESSAGES" / "django.mo").is_file()


def test_indonesian_header(id_po):
    assert not id_po.metadata_is_fuzzy
    assert id_po.metadata["Language"] == "id"
    assert id_po.metadata["Plural-Forms"].replace(" ", "") == "nplurals=1;plural=0;"
    assert "charset=UTF-8" in id_po.metadata["Content-Type"]


def test_every_indonesian_entry_is_translated(id_po):
    """(a) Nothing untranslated, nothing fuzzy, no obsolete entry without a translation."""
    assert len(_entries(id_po)) > 100
    problems = []
    for entry in _entries(id_po):
        label = repr((entry.msgctxt, entry.msgid))
        if "fuzzy" in entry.flags:
            problems.append("fuzzy: " + label)
        if entry.msgid_plural:
            if not entry.msgstr_plural or not all(v.strip() for v in entry.msgstr_plural.values()):
                problems.append(("obsolete, " if entry.obsolete else "") + "untranslated plural: " + label)
        elif not entry.msgstr.strip():
            problems.append(("obsolete, " if entry.obsolete else "") + "untranslated: " + label)
    assert not problems, "\n".join(problems)


def test_placeholders_survive_translation(id_po):
    """(b) Every {name} and %(name)s of the msgid appears in the msgstr, no more and no less."""
    problems = []
    for entry in _entries(id_po):
        if entry.obsolete:
            continue
        wanted = _placeholders(entry.msgid)
        if entry.msgid_plural:
            translations = list(entry.msgstr_plural.values())
            wanted = _placeholders(entry.msgid_plural) | wanted
        else:
            translations = [entry.msgstr]
        for text in translations:
            if _placeholders(text) != wanted:
                problems.append(f"{entry.msgid!r}: {dict(wanted)} != {dict(_placeholders(text))} in {text!r}")
    assert not problems, "\n".join(problems)


def _mo_pairs(path) -> set:
    return {(e.msgctxt, e.msgid, e.msgstr, tuple(sorted(e.msgstr_plural.items())))
            for e in polib.mofile(str(path)) if e.msgid}


@pytest.mark.parametrize("lang", ["id", "en"])
def test_committed_mo_matches_po(lang, tmp_path):
    """(c) The committed .mo is the compiled .po (compared by content, not bytes)."""
    directory = LOCALE / lang / "LC_MESSAGES"
    fresh = tmp_path / "fresh.mo"
    polib.pofile(str(directory / "django.po")).save_as_mofile(str(fresh))

    assert _mo_pairs(directory / "django.mo") == _mo_pairs(fresh), (
        f"netral/locale/{lang}: run `django-admin compilemessages` from netral/")


@pytest.mark.parametrize("msgid", [
    "Upcoming events",
    "Past events",
    "Join an event",
    "Too many attempts from this device. Wait a minute and try again.",
    "Too many requests. Wait a minute and try again.",
    "Organiser login",
    "Participants",
    "Check-in",
    "Log in",
    "Log out",
])
def test_key_strings_are_indonesian(msgid):
    """(d) The key UI strings really come out translated at runtime."""
    with translation.override("id"):
        text = translation.gettext(msgid)
    assert text and text != msgid


def test_required_wording():
    """Wording other tests and the user guide rely on."""
    with translation.override("id"):
        assert translation.gettext("Upcoming events") == "Kegiatan mendatang"
        assert translation.gettext("Past events") == "Kegiatan yang telah berlalu"
        assert translation.gettext("Join an event") == "Ikuti kegiatan"
        assert translation.gettext("Too many attempts from this device. Wait a minute and try again.") == (
            "Terlalu banyak percobaan dari perangkat ini. Tunggu satu menit lalu coba lagi.")
        assert translation.gettext("Too many requests. Wait a minute and try again.") == (
            "Terlalu banyak permintaan. Tunggu satu menit lalu coba lagi.")
        assert translation.pgettext("event status", "Published") == "Dipublikasikan"
        assert translation.pgettext("event status", "Running") == "Berlangsung"


def test_english_falls_back_to_msgid():
    with translation.override("en"):
        assert translation.gettext("Upcoming events") == "Upcoming events"
        assert translation.pgettext("event status", "Draft") == "Draft"
