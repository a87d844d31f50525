"""Tracking codes: 10 random Crockford base32 characters (50 bits), shown as ``ABCDE-FGHJK``.

No I, L, O or U in the alphabet, so a code read aloud or copied from paper survives: when
typed back, O is read as 0, I and L as 1, and spaces, dashes and case are ignored. Pure
Python (no Django).
"""

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 10
_TYPO = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalize(value: str) -> str:
    """The stored form of a typed code, or "" if it cannot be one."""
    raw = "".join(ch for ch in str(value or "").upper() if ch.isalnum()).translate(_TYPO)
    if len(raw) != LENGTH or any(ch not in ALPHABET for ch in raw):
        return ""
    return raw


def display(code: str) -> str:
    return f"{code[:5]}-{code[5:]}" if len(code) == LENGTH else code
