"""Parsing and validation of Indonesian civil-servant identity numbers.

Two 18-digit formats are supported (pure Python, stdlib only):

* **NIP PNS** — layout ``YYYYMMDD YYYYMM G NNN`` as set out in Peraturan
  Kepala BKN Nomor 22 Tahun 2007 (Perka BKN 22/2007): digits 1–8 are the
  date of birth, digits 9–14 the year and month of TMT CPNS, digit 15 the
  gender (1 = male, 2 = female) and digits 16–18 a serial number.
* **NI PPPK** — layout ``YYYYMMDD YYYY CC G NNN``: date of birth, the year of
  first appointment as PPPK, a two-digit code ``CC``, gender and serial.
  PPPK exists since PP 49/2018, so the year cannot precede
  :data:`PPPK_FIRST_YEAR`. The meaning of digits 13–14 (``CC``) is
  **unverified**; it is kept as a raw string and only checked to be digits.

Validation reports only the first problem found, in the fixed order
characters/length, birth date, start, gender, serial. Error messages are in
Indonesian because they are shown to end users.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

__all__ = [
    "PPPK_FIRST_YEAR", "NIP_LENGTH", "GENDER_LABELS", "NIPError", "ParsedNIP",
    "normalize", "parse_nip", "parse_ni_pppk", "parse_any", "build_nip",
    "build_ni_pppk",
]

NIP_LENGTH = 18
#: First year PPPK appointments exist (PP 49/2018).
PPPK_FIRST_YEAR = 2019
MIN_BIRTH_YEAR = 1900
ADULT_AGE = 18
GENDER_LABELS = {"M": "Laki-laki", "F": "Perempuan"}
_GENDER_DIGITS = {"1": "M", "2": "F"}
_SEPARATORS = re.compile(r"[\s.\-]+")
_DIGITS = frozenset("0123456789")


class NIPError(ValueError):
    """Invalid NIP / NI PPPK.

    ``code`` is a stable English slug, ``field`` names the offending part
    ("nip", "birth_date", "start", "gender", "serial") and ``message`` is a
    precise Indonesian explanation (also returned by ``str()``).
    """

    def __init__(self, code: str, field: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.field = field
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"NIPError(code={self.code!r}, field={self.field!r}, message={self.message!r})"


@dataclass(frozen=True)
class ParsedNIP:
    """A validated NIP (``kind="pns"``) or NI PPPK (``kind="pppk"``)."""

    nip: str
    kind: str
    birth_date: date
    start_year: int
    start_month: int | None
    pppk_code: str | None
    gender: str
    serial: int

    @property
    def start_date(self) -> date:
        """First day of TMT CPNS (PNS) or of the appointment year (PPPK)."""
        return date(self.start_year, self.start_month or 1, 1)

    @property
    def gender_label(self) -> str:
        return GENDER_LABELS[self.gender]

    def as_dict(self) -> dict:
        """JSON-friendly representation (ISO dates, Indonesian gender label)."""
        return {
            "nip": self.nip,
            "kind": self.kind,
            "birth_date": self.birth_date.isoformat(),
            "start_year": self.start_year,
            "start_month": self.start_month,
            "start_date": self.start_date.isoformat(),
            "pppk_code": self.pppk_code,
            "gender": self.gender,
            "gender_label": self.gender_label,
            "serial": self.serial,
        }


def normalize(value: str) -> str:
    """Strip separators (whitespace, dots, dashes); other characters are kept."""
    if not isinstance(value, str):
        raise TypeError(f"NIP must be a str, not {type(value).__name__}")
    return _SEPARATORS.sub("", value)


def _digits(value: str, label: str) -> str:
    """Normalize and check characters, then length."""
    for pos, char in enumerate(value, start=1):
        if char not in _DIGITS and not _SEPARATORS.fullmatch(char):
            raise NIPError(
                "characters", "nip",
                f'{label} hanya boleh berisi angka (spasi, titik, dan tanda hubung '
                f'diabaikan); karakter "{char}" pada posisi {pos} tidak diperbolehkan.')
    digits = normalize(value)
    if len(digits) != NIP_LENGTH:
        raise NIPError("length", "nip",
                       f"{label} harus {NIP_LENGTH} digit angka; "
                       f"yang dimasukkan {len(digits)} digit.")
    return digits


def _birth_date(digits: str) -> date:
    raw = digits[:8]
    try:
        born = date(int(raw[:4]), int(raw[4:6]), int(raw[6:8]))
    except ValueError:
        raise NIPError("birth_date", "birth_date",
                       "Digit 1–8 harus tanggal lahir yang valid (TTTTBBHH); "
                       f'"{raw}" bukan tanggal yang ada.') from None
    if born.year < MIN_BIRTH_YEAR:
        raise NIPError("birth_date", "birth_date",
                       f'Digit 1–8 (tanggal lahir) "{raw}": tahun {born.year} '
                       f"sebelum {MIN_BIRTH_YEAR} tidak mungkin.")
    return born


def _gender_and_serial(digits: str) -> tuple[str, int]:
    gender = _GENDER_DIGITS.get(digits[14])
    if gender is None:
        raise NIPError("gender", "gender",
                       "Digit 15 (jenis kelamin) harus 1 (laki-laki) atau "
                       f'2 (perempuan), bukan "{digits[14]}".')
    if digits[15:] == "000":
        raise NIPError("serial", "serial",
                       'Digit 16–18 (nomor urut) tidak boleh "000"; '
                       "nomor urut dimulai dari 001.")
    return gender, int(digits[15:])


def parse_nip(value: str, *, today: date | None = None) -> ParsedNIP:
    """Parse and validate a PNS NIP (Perka BKN 22/2007); raise :class:`NIPError`."""
    today = today or date.today()
    digits = _digits(value, "NIP")
    born = _birth_date(digits)
    raw = digits[8:14]
    year, month = int(raw[:4]), int(raw[4:])
    where = f'Digit 9–14 (TMT CPNS) "{raw}"'
    if not 1 <= month <= 12:
        raise NIPError("start_month", "start", f"{where}: bulan {raw[4:]} tidak ada.")
    adult = (born.year + ADULT_AGE, born.month)
    if (year, month) < adult:
        raise NIPError("start_before_adult", "start",
                       f"{where}: sebelum pemilik NIP berusia {ADULT_AGE} tahun "
                       f"(lahir {born:%Y-%m}, TMT paling awal {adult[0]:04d}-{adult[1]:02d}).")
    if (year, month) > (today.year, today.month):
        raise NIPError("start_in_future", "start",
                       f"{where}: masih di masa depan "
                       f"(setelah {today.year:04d}-{today.month:02d}).")
    gender, serial = _gender_and_serial(digits)
    return ParsedNIP(digits, "pns", born, year, month, None, gender, serial)


def parse_ni_pppk(value: str, *, today: date | None = None) -> ParsedNIP:
    """Parse and validate an NI PPPK; digits 13–14 are kept raw (meaning unverified)."""
    today = today or date.today()
    digits = _digits(value, "NI PPPK")
    born = _birth_date(digits)
    raw = digits[8:12]
    year = int(raw)
    where = f'Digit 9–12 (tahun pengangkatan PPPK) "{raw}"'
    if year < PPPK_FIRST_YEAR:
        raise NIPError("pppk_year", "start",
                       f"{where}: PPPK baru ada sejak {PPPK_FIRST_YEAR} (PP 49/2018).")
    if year < born.year + ADULT_AGE:
        raise NIPError("start_before_adult", "start",
                       f"{where}: sebelum pemilik berusia {ADULT_AGE} tahun "
                       f"(lahir {born.year}, paling awal {born.year + ADULT_AGE}).")
    if year > today.year:
        raise NIPError("start_in_future", "start",
                       f"{where}: masih di masa depan (setelah {today.year}).")
    gender, serial = _gender_and_serial(digits)
    return ParsedNIP(digits, "pppk", born, year, None, digits[12:14], gender, serial)


def parse_any(value: str, *, today: date | None = None) -> ParsedNIP:
    """Parse as PNS NIP; if digits 13–14 are no valid month, try NI PPPK.

    When both fail the PNS error is raised (PNS is far more common). Note that
    an NI PPPK whose code is 01–12 is indistinguishable from a PNS NIP.
    """
    try:
        return parse_nip(value, today=today)
    except NIPError as pns_error:
        digits = normalize(value)
        if pns_error.field == "nip" or 1 <= int(digits[12:14]) <= 12:
            raise
        try:
            return parse_ni_pppk(digits, today=today)
        except NIPError:
            raise pns_error from None


def _gender_digit(gender: str | int) -> str:
    for digit, letter in _GENDER_DIGITS.items():
        if str(gender).upper() in (digit, letter):
            return digit
    raise ValueError(f"gender must be 'M'/'F' or 1/2, not {gender!r}")


def _ymd(day: date) -> str:
    # strftime("%Y") does not zero-pad years < 1000 on every platform.
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


def _check_width(name: str, value: int, upper: int) -> None:
    if not 0 <= value <= upper:
        raise ValueError(f"{name} out of range: {value!r}")


def build_nip(birth_date: date, start_year: int, start_month: int,
              gender: str | int, serial: int) -> str:
    """Compose a PNS NIP (inverse of :func:`parse_nip`; formats, does not validate)."""
    _check_width("start_year", start_year, 9999)
    _check_width("start_month", start_month, 99)
    _check_width("serial", serial, 999)
    return (f"{_ymd(birth_date)}{start_year:04d}{start_month:02d}"
            f"{_gender_digit(gender)}{serial:03d}")


def build_ni_pppk(birth_date: date, year: int, code: str | int,
                  gender: str | int, serial: int) -> str:
    """Compose an NI PPPK (inverse of :func:`parse_ni_pppk`; formats, does not validate)."""
    _check_width("year", year, 9999)
    _check_width("serial", serial, 999)
    code = f"{code:02d}" if isinstance(code, int) else code
    if len(code) != 2 or not set(code) <= _DIGITS:
        raise ValueError(f"code must be two digits, not {code!r}")
    return (f"{_ymd(birth_date)}{year:04d}{code}"
            f"{_gender_digit(gender)}{serial:03d}")
