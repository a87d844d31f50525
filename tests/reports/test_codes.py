"""Certificate codes, numbers and NIP masking (pure functions)."""

import pytest

from netral.reports.codes import (
    CODE_ALPHABET,
    DEFAULT_NUMBER_FORMAT,
    NumberFormatError,
    check_number_format,
    display_code,
    format_nip,
    format_number,
    mask_nip,
    new_code,
    normalize_code,
)


def test_new_code_is_twelve_unambiguous_symbols_and_unique():
    codes = {new_code() for _ in range(2000)}

    assert len(codes) == 2000
    assert all(len(c) == 12 and set(c) <= set(CODE_ALPHABET) for c in codes)
    assert not set("ILOU") & set("".join(codes))


@pytest.mark.parametrize("typed", ["7KQ3-M9XD-2HTB", "7kq3m9xd2htb", " 7kq3 m9xd 2htb ", "7KQ3_M9XD.2HTB"])
def test_normalize_code_accepts_what_people_type(typed):
    assert normalize_code(typed) == "7KQ3M9XD2HTB"


def test_normalize_code_maps_confusable_letters_to_digits():
    assert normalize_code("OKQ3-M9XD-2HTI") == "0KQ3M9XD2HT1"
    assert normalize_code("lKQ3-M9XD-2HTB") == "1KQ3M9XD2HTB"


@pytest.mark.parametrize("forged", ["", "ABC", "7KQ3-M9XD-2HT", "7KQ3-M9XD-2HTBB", "7KQ3-M9XD-2HTU", "<script>x",
                                    "7KQ3-M9XD-2HT!"], ids=["empty", "short", "eleven", "thirteen", "letter-u",
                                                            "markup", "symbol"])
def test_normalize_code_rejects_what_cannot_be_a_code(forged):
    assert normalize_code(forged) is None


def test_display_code_groups_by_four():
    assert display_code("7KQ3M9XD2HTB") == "7KQ3-M9XD-2HTB"


def test_mask_nip_keeps_birth_year_and_serial_only():
    assert mask_nip("198001012005011001") == "1980**** ****** * 001"


def test_mask_nip_of_other_identifiers_keeps_last_three():
    assert mask_nip("ABC12345") == "*****345"
    assert mask_nip("") == ""


def test_format_nip_groups_the_parts():
    assert format_nip("198001012005011001") == "19800101 200501 1 001"
    assert format_nip("") == ""


def test_default_number_format():
    assert format_number(DEFAULT_NUMBER_FORMAT, seq=7, code="BREBES", month=9, year=2024) == \
        "007/NETRAL/BREBES/IX/2024"


@pytest.mark.parametrize("pattern", ["{seq.__class__}", "{code}/{year}", "{seq}/{secret}", "{seq:03d", "{0}"],
                         ids=["attribute", "no-seq", "unknown-field", "unclosed", "positional"])
def test_check_number_format_rejects_unsafe_or_ambiguous_patterns(pattern):
    with pytest.raises(NumberFormatError):
        check_number_format(pattern)


def test_check_number_format_accepts_every_field():
    check_number_format("SRT-{role}{seq:04d}/{code}/{month}/{year}")
