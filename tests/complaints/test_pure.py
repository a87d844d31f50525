"""Pure helpers: no database."""

import pytest

from netral.complaints import normalize, regions, tracking


def test_tracking_codes_are_unambiguous_and_random():
    codes = {tracking.new_code() for _ in range(2000)}

    assert len(codes) == 2000
    assert all(len(c) == 10 and not set(c) & set("ILOU") for c in codes)


@pytest.mark.parametrize(("typed", "stored"), [
    ("abcde-fghjk", "ABCDEFGHJK"), ("ABCDE FGHJK", "ABCDEFGHJK"), ("0O1IL-23456", "00111-23456".replace("-", "")),
    ("ABCDEFGHJ", ""), ("ABCDEFGHJKU", ""), ("ABCDE-FGHJU", ""), ("", ""),
])
def test_tracking_code_normalisation(typed, stored):
    assert tracking.normalize(typed) == stored


def test_tracking_display_groups_in_five():
    assert tracking.display("ABCDEFGHJK") == "ABCDE-FGHJK"


@pytest.mark.parametrize(("a", "b"), [
    (("Drs. H. Ahmad Fauzi, M.Si.", "Kec. Brebes"), ("ahmad  fauzi", "Kecamatan Brebes")),
    (("Hj. Siti Aminah, S.Pd.", "Dinas Pendidikan Kab. Brebes"), ("SITI AMINAH", "dinas pendidikan kabupaten brebes")),
])
def test_subject_key_ignores_titles_case_and_abbreviations(a, b):
    assert normalize.subject_key(*a) == normalize.subject_key(*b)


def test_subject_key_tells_different_people_apart():
    assert normalize.subject_key("Ahmad Fauzi", "Kelurahan Brebes") != normalize.subject_key("Ahmad Fauzan",
                                                                                           "Kelurahan Brebes")


def test_regions_come_from_the_kemendagri_package():
    assert regions.validate("3329091002") == "33.29.09.1002"
    assert regions.validate("99.99") == ""
    assert regions.path("33.29.09.1002") == "Brebes, Brebes, Kabupaten Brebes, Jawa Tengah"
    assert regions.bare_regency_name("33.29.09") == "Brebes"
    assert ("33.29", "Kabupaten Brebes") in regions.children("33")
