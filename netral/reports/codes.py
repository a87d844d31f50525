"""Certificate codes, numbers and NIP masking (pure Python: no Django imports).

**Verification code.** 12 symbols of Crockford's base32 (``0-9 A-Z`` without ``I L O U``):
60 random bits from :mod:`secrets`, so guessing a valid code is hopeless even without the
rate limit, yet it is typeable from paper: it is printed in groups of four
(``7KQ3-M9XD-2HTB``), and :func:`normalize_code` accepts lower case, spaces, dashes and the
usual misreadings (``O``→``0``, ``I``/``L``→``1``).

**Number.** An organiser-chosen pattern such as ``{seq:03d}/NETRAL/{code}/{month}/{year}``
(month in Roman numerals, as in Indonesian letter numbering). Only the fields of
:data:`NUMBER_FIELDS` are allowed; no attribute or index access.

**Masked NIP** (public views: verification page and API). An 18-digit NIP / NI PPPK keeps
only the birth year (digits 1-4) and the serial (digits 16-18):
``19800101 200501 1 001`` → ``1980**** ****** * 001``. The birth date, the start of service
(TMT) and the gender digit stay hidden, while someone who holds the paper certificate can
still match it. Other identifiers keep only their last three characters.
"""

from __future__ import annotations

import re
import secrets
import string

CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32
CODE_LENGTH = 12
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s\-_.]+")

ROMAN_MONTHS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
NUMBER_FIELDS = frozenset({"seq", "code", "month", "year", "role"})
DEFAULT_NUMBER_FORMAT = "{seq:03d}/NETRAL/{code}/{month}/{year}"


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(raw: str) -> str | None:
    """The canonical code for anything typed by hand, or None if it cannot be one."""
    text = _SEPARATORS.sub("", (raw or "").strip().upper()).translate(_CONFUSABLE)
    if len(text) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in text):
        return None
    return text


def display_code(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


class NumberFormatError(ValueError):
    pass


def check_number_format(pattern: str) -> None:
    """Raise NumberFormatError unless ``pattern`` uses only the allowed fields and contains
    ``{seq}`` (so numbers stay unique)."""
    try:
        parsed = list(string.Formatter().parse(pattern))
    except ValueError as exc:
        raise NumberFormatError(str(exc)) from None
    fields = [f for _lit, f, _spec, _conv in parsed if f is not None]
    for field in fields:
        if field not in NUMBER_FIELDS:
            raise NumberFormatError(field)
    if "seq" not in fields:
        raise NumberFormatError("seq")
    try:
        format_number(pattern, seq=1, code="X", month=1, year=2024, role="P")
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise NumberFormatError(str(exc)) from None


def format_number(pattern: str, *, seq: int, code: str, month: int, year: int, role: str = "") -> str:
    return pattern.format(seq=seq, code=code, month=ROMAN_MONTHS[month - 1], year=year, role=role)


def mask_nip(nip: str) -> str:
    digits = re.sub(r"\D", "", nip or "")
    if len(digits) == 18 and digits == (nip or "").replace(" ", ""):
        return "{}**** ****** * {}".format(digits[:4], digits[15:])
    value = (nip or "").strip()
    if not value:
        return ""
    return "*" * max(len(value) - 3, 3) + value[-3:]


def format_nip(nip: str) -> str:
    """``198001012005011001`` → ``19800101 200501 1 001`` (other values unchanged)."""
    if len(nip or "") == 18 and nip.isdigit():
        return "{} {} {} {}".format(nip[:8], nip[8:14], nip[14], nip[15:])
    return nip or ""
