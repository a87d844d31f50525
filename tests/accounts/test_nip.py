"""Tests for netral.accounts.nip (NIP PNS per Perka BKN 22/2007 and NI PPPK)."""
import json
import string
from datetime import date

import pytest
from hypothesis import given, strategies as st

from netral.accounts.nip import (
    PPPK_FIRST_YEAR, NIPError, ParsedNIP, build_ni_pppk, build_nip, normalize,
    parse_any, parse_ni_pppk, parse_nip,
)

TODAY = date(2026, 6, 15)
TODAY_IDX = TODAY.year * 12 + TODAY.month - 1

birth_dates = st.dates(date(1950, 1, 1), date(2007, 12, 31))
genders = st.sampled_from(["M", "F"])
serials = st.integers(1, 999)
codes = st.integers(0, 99).map(lambda n: f"{n:02d}")


def _month_idx(year, month):
    return year * 12 + month - 1


def _adult_idx(born):
    return _month_idx(born.year + 18, born.month)


@st.composite
def pns_fields(draw):
    born = draw(birth_dates)
    idx = draw(st.integers(_adult_idx(born), TODAY_IDX))
    return born, idx // 12, idx % 12 + 1, draw(genders), draw(serials)


@st.composite
def pppk_fields(draw, births=birth_dates):
    born = draw(births)
    year = draw(st.integers(max(PPPK_FIRST_YEAR, born.year + 18), TODAY.year))
    return born, year, draw(codes), draw(genders), draw(serials)


def _raises(parse, value, code, *fragments):
    with pytest.raises(NIPError) as info:
        parse(value, today=TODAY)
    err = info.value
    assert err.code == code, err.message
    assert str(err) == err.message
    for fragment in fragments:
        assert fragment in err.message
    return err


def _replace(nip, start, new):
    return nip[:start] + new + nip[start + len(new):]


# --- examples -------------------------------------------------------------

def test_pns_example():
    p = parse_nip("198609262015051001", today=TODAY)
    assert p == ParsedNIP("198609262015051001", "pns", date(1986, 9, 26), 2015, 5,
                          None, "M", 1)
    assert p.start_date == date(2015, 5, 1)
    assert p.as_dict()["gender_label"] == "Laki-laki"
    json.dumps(p.as_dict())


@pytest.mark.parametrize("raw", ["19860926 201505 1 001", " 19860926.201505.1.001 ",
                                 "19860926-201505-1-001", "19860926\t201505 1\u00a0001"])
def test_pns_example_with_separators(raw):
    assert normalize(raw) == "198609262015051001"
    assert parse_nip(raw, today=TODAY).nip == "198609262015051001"


def test_pppk_example():
    today = date(2026, 1, 1)
    for parse in (parse_ni_pppk, parse_any):
        p = parse("199009132025242014", today=today)
        assert (p.kind, p.birth_date, p.start_year, p.start_month, p.pppk_code,
                p.gender, p.serial) == ("pppk", date(1990, 9, 13), 2025, None, "24", "F", 14)
        assert p.start_date == date(2025, 1, 1)
        assert p.as_dict()["gender_label"] == "Perempuan"
        assert p.as_dict()["birth_date"] == "1990-09-13"


def test_documented_messages():
    assert str(_raises(parse_nip, "198609262015131001", "start_month")) == \
        'Digit 9–14 (TMT CPNS) "201513": bulan 13 tidak ada.'
    assert _raises(parse_nip, "198602312015051001", "birth_date").message == \
        'Digit 1–8 harus tanggal lahir yang valid (TTTTBBHH); "19860231" bukan tanggal yang ada.'
    assert _raises(parse_nip, "198609262015053001", "gender").message == \
        'Digit 15 (jenis kelamin) harus 1 (laki-laki) atau 2 (perempuan), bukan "3".'
    assert _raises(parse_nip, "19860926201505100", "length").message == \
        "NIP harus 18 digit angka; yang dimasukkan 17 digit."


def test_first_problem_only():
    # birth date, start month, gender and serial are all wrong: birth date wins.
    assert _raises(parse_nip, "198613262015139000", "birth_date").field == "birth_date"
    assert _raises(parse_nip, "198609262015139000", "start_month").field == "start"
    assert _raises(parse_nip, "198609262015059000", "gender").field == "gender"


def test_birth_year_before_1900():
    _raises(parse_nip, "189912312015051001", "birth_date", "Digit 1–8", "1899")


def test_parse_any_prefers_pns_error():
    # Digits 13–14 = 13 is no month; the PPPK reading fails too (year 2015 < 2019).
    err = _raises(parse_any, "198609262015131001", "start_month", "Digit 9–14")
    assert err.field == "start"
    # A PNS error with a valid month is not retried as PPPK.
    _raises(parse_any, "198609262015053001", "gender")
    _raises(parse_any, "1986092620150510", "length")


def test_default_today_and_type():
    assert parse_nip("198609262015051001").kind == "pns"
    with pytest.raises(TypeError):
        normalize(198609262015051001)


# --- round trips ----------------------------------------------------------

@given(pns_fields())
def test_pns_round_trip(fields):
    born, year, month, gender, serial = fields
    nip = build_nip(*fields)
    expected = ParsedNIP(nip, "pns", born, year, month, None, gender, serial)
    assert parse_nip(nip, today=TODAY) == expected
    assert parse_any(nip, today=TODAY) == expected
    spaced = f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"
    assert parse_nip(spaced, today=TODAY) == expected


@given(pppk_fields())
def test_pppk_round_trip(fields):
    born, year, code, gender, serial = fields
    nip = build_ni_pppk(*fields)
    expected = ParsedNIP(nip, "pppk", born, year, None, code, gender, serial)
    assert parse_ni_pppk(nip, today=TODAY) == expected
    if not 1 <= int(code) <= 12:
        assert parse_any(nip, today=TODAY) == expected


# --- corrupted fields (PNS) ----------------------------------------------

@given(pns_fields(), st.integers(0, 40).filter(lambda n: n != 18), st.data())
def test_bad_length(fields, length, data):
    nip = build_nip(*fields)
    extra = data.draw(st.text("0123456789", min_size=length, max_size=length))
    value = nip[:length] if length < 18 else nip + extra[18:]
    _raises(parse_nip, value, "length", "18 digit", f"{length} digit")
    _raises(parse_ni_pppk, value, "length", "18 digit", f"{length} digit")


@given(pns_fields(), st.integers(0, 17),
       st.sampled_from(string.ascii_letters + "/_,+O٣"))
def test_letters(fields, pos, char):
    value = _replace(build_nip(*fields), pos, char)
    _raises(parse_nip, value, "characters", f'"{char}"', f"posisi {pos + 1}")


@given(pns_fields(), st.integers(0, 99), st.integers(0, 99))
def test_impossible_birth_date(fields, month, day):
    nip = build_nip(*fields)
    try:
        date(int(nip[:4]), month, day)
    except ValueError:
        pass
    else:
        return  # still a real date: nothing to test
    value = _replace(nip, 4, f"{month:02d}{day:02d}")
    _raises(parse_nip, value, "birth_date", "Digit 1–8", value[:8])


@given(pns_fields(), st.sampled_from(["00", *map(str, range(13, 100))]))
def test_bad_start_month(fields, month):
    value = _replace(build_nip(*fields), 12, month)
    _raises(parse_nip, value, "start_month", "Digit 9–14", f"bulan {month}")


@given(pns_fields(), st.integers(1, 40 * 12))
def test_start_before_adult(fields, months_early):
    born = fields[0]
    idx = _adult_idx(born) - months_early
    value = _replace(build_nip(*fields), 8, f"{idx // 12:04d}{idx % 12 + 1:02d}")
    _raises(parse_nip, value, "start_before_adult", "Digit 9–14", value[8:14])


@given(pns_fields(), st.integers(TODAY_IDX + 1, _month_idx(9999, 12)))
def test_start_in_future(fields, idx):
    value = _replace(build_nip(*fields), 8, f"{idx // 12:04d}{idx % 12 + 1:02d}")
    _raises(parse_nip, value, "start_in_future", "Digit 9–14", value[8:14])


@given(pns_fields(), st.sampled_from("03456789"))
def test_bad_gender(fields, digit):
    value = _replace(build_nip(*fields), 14, digit)
    _raises(parse_nip, value, "gender", "Digit 15", f'"{digit}"')


@given(pns_fields())
def test_serial_zero(fields):
    value = _replace(build_nip(*fields), 15, "000")
    _raises(parse_nip, value, "serial", "Digit 16–18", "000")


# --- corrupted fields (PPPK) ----------------------------------------------

@given(pppk_fields(), st.integers(1900, PPPK_FIRST_YEAR - 1))
def test_pppk_year_before_2019(fields, year):
    value = _replace(build_ni_pppk(*fields), 8, f"{year:04d}")
    _raises(parse_ni_pppk, value, "pppk_year", "Digit 9–12", str(year))


@given(pppk_fields(), st.data())
def test_pppk_before_adult(fields, data):
    born = data.draw(st.dates(date(PPPK_FIRST_YEAR - 17, 1, 1), date(2007, 12, 31)))
    year = data.draw(st.integers(PPPK_FIRST_YEAR, born.year + 17))
    value = build_ni_pppk(born, year, *fields[2:])
    _raises(parse_ni_pppk, value, "start_before_adult", "Digit 9–12", str(year))


@given(pppk_fields(), st.integers(TODAY.year + 1, 9999))
def test_pppk_in_future(fields, year):
    value = _replace(build_ni_pppk(*fields), 8, f"{year:04d}")
    _raises(parse_ni_pppk, value, "start_in_future", "Digit 9–12", str(year))


@given(pppk_fields(), st.sampled_from("03456789"), st.data())
def test_pppk_bad_gender_and_serial(fields, digit, data):
    nip = build_ni_pppk(*fields)
    _raises(parse_ni_pppk, _replace(nip, 14, digit), "gender", "Digit 15", f'"{digit}"')
    _raises(parse_ni_pppk, _replace(nip, 15, "000"), "serial", "Digit 16–18")
    month = data.draw(st.integers(1, 12))
    _raises(parse_ni_pppk, _replace(nip, 4, f"{month:02d}32"), "birth_date", "Digit 1–8")


def test_build_rejects_bad_widths():
    with pytest.raises(ValueError):
        build_nip(date(1986, 9, 26), 2015, 5, "X", 1)
    with pytest.raises(ValueError):
        build_nip(date(1986, 9, 26), 2015, 5, "M", 1000)
    with pytest.raises(ValueError):
        build_ni_pppk(date(1986, 9, 26), 2025, "2a", 2, 1)
    assert build_ni_pppk(date(1990, 9, 13), 2025, 24, 2, 14) == "199009132025242014"
