"""Keys that let two reports about the same person be found (pure Python, no Django).

``subject_key("Drs. H. Ahmad Fauzi, M.Si.", "Kec. Brebes")`` and
``subject_key("ahmad fauzi", "Kecamatan  Brebes")`` are equal.
"""

import re
import unicodedata

# Honorifics and academic degrees written before a name.
_PREFIXES = {"dr", "drs", "dra", "h", "hj", "ir", "prof", "kh", "ny", "tn", "bpk", "bapak", "ibu", "sdr", "sdri"}
_AGENCY_ABBREVIATIONS = {
    "kab": "kabupaten", "kec": "kecamatan", "kel": "kelurahan", "prov": "provinsi", "pemkab": "pemerintah kabupaten",
    "pemkot": "pemerintah kota", "pemprov": "pemerintah provinsi", "disdik": "dinas pendidikan",
    "dinkes": "dinas kesehatan", "setda": "sekretariat daerah", "sd": "sd", "smp": "smp", "sma": "sma",
}
_NON_WORD = re.compile(r"[^a-z0-9 ]+")
_SPACES = re.compile(r"\s+")


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode().lower()


def person_name(name: str) -> str:
    """Lower-case name without degrees after a comma and without honorifics before it."""
    text = _ascii(name).split(",", 1)[0]
    words = [w for w in _SPACES.split(_NON_WORD.sub(" ", text.replace(".", ". ")).strip()) if w]
    while words and words[0] in _PREFIXES:
        words.pop(0)
    return " ".join(words)


def agency(name: str) -> str:
    words = [w for w in _SPACES.split(_NON_WORD.sub(" ", _ascii(name).replace(".", " ")).strip()) if w]
    return " ".join(_AGENCY_ABBREVIATIONS.get(w, w) for w in words)


def subject_key(name: str, agency_name: str) -> str:
    person = person_name(name)
    if not person:
        return ""
    return f"{person}|{agency(agency_name)}"[:300]
