"""Answer sheets from outside Netral (CSV) → participants × items marks.

Pure parsing and scoring for ``netral analyze``; no database. Text files are decoded as
UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252; the delimiter (``,``,
``;`` or tab) is detected from the header row. Row numbers in messages are the file's own
line numbers (the header is row 1).

Supported layouts (detected from the header)
--------------------------------------------
(a) **Netral layout**: a ``participant`` column (id, NIP or email; also ``peserta``,
    ``nip``, ``email``, ``id``), optionally ``name``/``nama``, then one column per item.
    A column whose values are all numbers is a column of marks (0 … max_marks of the key,
    default 1); otherwise its values are the chosen options (letter or text; several
    choices separated by ``;``).
(b) **Google Forms responses CSV, as downloaded**: first column ``Timestamp`` (Indonesian
    ``Stempel waktu``), maybe ``Email Address``/``Alamat email``, maybe ``Score``/``Skor``
    (``"7 / 10"``), then one column per question (header = question text, values = the
    chosen option text; checkbox answers joined by ``;``). The participant is the email,
    else a column chosen with ``id_column`` (header text or 1-based number), else a column
    named like NIP, email or name. Identity columns (name, NIP, agency, …) are not items.
(c) **Moodle quiz "Responses" report** (``Surname``, ``First name``, ``Email address``,
    ``State``, ``Started on``, ``Completed``, ``Time taken``, ``Grade/10.00``,
    ``Response 1``, ``Right answer 1``, …) and the **Moodle "Grades" report**
    (``Q. 1 /1.00`` per-item marks). Only attempts in state ``Finished`` are used (as
    Moodle's statistics do); the ``Overall average`` row is skipped. With ``Right answer``
    columns no key is needed.

Participants are matched by id, normalised: trimmed, emails lower-cased, NIPs (digits
with spaces, dots or dashes) reduced to their digits, other ids compared case-insensitively
with whitespace collapsed. When an id appears twice in a file, the last submission (by
timestamp when every row has one that parses, else the last row) is kept and reported.

The key (``KEY.csv``): ``item,correct[,max_marks,topic]``. ``item`` is the column header
(question text) or the item number (``1``, ``Q1``, ``Response 1``); ``correct`` the
option text or letter, several correct options separated by ``;`` (all of them must be
chosen, and nothing else: all-or-nothing); ``max_marks`` defaults to 1. With a key, only
the items it names are analysed.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from django.utils.translation import gettext as _

__all__ = [
    "Key",
    "KeyEntry",
    "ScoredSheet",
    "Sheet",
    "SheetError",
    "normalize_id",
    "read_key",
    "read_sheet",
    "score_sheet",
]


class SheetError(ValueError):
    """Bad input; ``str()`` is a precise Indonesian message naming file, row and column."""

    def __init__(self, message: str, *, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return self.message


# --------------------------------------------------------------------------- reading text


def _decode(data: bytes, name: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if data.startswith(b"PK\x03\x04"):
        raise SheetError(_("{file}: this is an Excel workbook; save it as CSV (UTF-8) first."
                           ).format(file=name), code="format")
    if b"\x00" in data[:4096]:
        raise SheetError(_("{file}: this is not a CSV text file.").format(file=name),
                         code="format")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _rows(text: str, name: str) -> list[tuple[int, list[str]]]:
    """(line number, cells) of every non-empty record."""
    first = next((line for line in text.split("\n") if line.strip()), "")
    delimiter = max((",", ";", "\t"), key=lambda d: len(next(csv.reader([first], delimiter=d))))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    out = []
    try:
        for cells in reader:
            if any(c.strip() for c in cells):
                out.append((reader.line_num, [c.strip() for c in cells]))
    except csv.Error as exc:
        raise SheetError(_("{file}, row {row}: the CSV cannot be read ({error}).").format(
            file=name, row=reader.line_num, error=exc), code="format") from None
    return out


def _norm_header(text: str) -> str:
    return " ".join(str(text).replace("\ufeff", "").split()).casefold()


def _norm_answer(text: str) -> str:
    return " ".join(str(text).split()).casefold()


_NIP_LIKE = re.compile(r"^[0-9][0-9 .\-]{6,}[0-9]$")


def normalize_id(value: str) -> str:
    """Participant id for matching: trimmed; emails lower-case; NIP-like values (digits with
    spaces, dots, dashes; at least 8 digits) reduced to digits; else case-folded with
    whitespace collapsed. Spreadsheet-mangled numbers ("1.98E+17") cannot be recovered."""
    text = " ".join(str(value).split())
    if "@" in text:
        return text.lower()
    if _NIP_LIKE.match(text):
        digits = re.sub(r"\D", "", text)
        if len(digits) >= 8:
            return digits
    return text.casefold()


def _number(text: str) -> float | None:
    """A number in either decimal convention ("0.5", "0,5"), or None."""
    t = text.strip().replace("\u00a0", "").replace(" ", "")
    if not t:
        return None
    if re.fullmatch(r"-?\d+,\d+", t):
        t = t.replace(",", ".")
    try:
        value = float(t)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


# --------------------------------------------------------------------------- layout

_TIMESTAMP = {"timestamp", "stempel waktu", "cap waktu", "tanda waktu", "waktu"}
_EMAIL = {"email address", "alamat email", "email", "e-mail", "surel", "alamat surel"}
_SCORE = {"score", "skor", "total score", "nilai", "total nilai", "poin", "jumlah poin"}
_NETRAL_ID = {"participant", "peserta", "participant id", "id peserta", "id", "nip", "email",
              "nip/nik", "nip / nik", "ni pppk"}
_NAME = {"name", "nama", "nama lengkap", "full name", "nama peserta"}
_IDENTITY_WORDS = ("nama", "name", "nip", "email", "e-mail", "instansi", "unit kerja",
                   "jabatan", "nomor hp", "no hp", "no. hp", "whatsapp", "telepon",
                   "jenis kelamin", "alamat", "golongan", "pangkat", "kelurahan", "agency")
_MOODLE_RESPONSE = re.compile(r"^(response|respons|tanggapan|jawaban)\s*(\d+)$")
_MOODLE_RIGHT = re.compile(r"^(right answer|jawaban benar|jawaban yang benar)\s*(\d+)$")
_MOODLE_QUESTION = re.compile(r"^(question|pertanyaan|soal)\s*(\d+)$")
_MOODLE_MARK = re.compile(r"^(?:q|p|s)\.?\s*(\d+)\s*/\s*([0-9]+(?:[.,][0-9]+)?)$")
_MOODLE_GRADE = re.compile(r"^(grade|nilai)\s*/\s*([0-9]+(?:[.,][0-9]+)?)$")
_MOODLE_FINISHED = {"finished", "selesai", "sudah selesai"}
_MOODLE_AVERAGE = ("overall average", "rata-rata keseluruhan", "rata-rata")
_GF_SCORE = re.compile(r"^\s*(-?[0-9]+(?:[.,][0-9]+)?)\s*/\s*([0-9]+(?:[.,][0-9]+)?)\s*$")


@dataclass
class Sheet:
    """One answer sheet as read (before scoring). Rows are the kept submissions."""

    file: str
    layout: str  # "netral" | "google_forms" | "moodle_responses" | "moodle_grades"
    id_header: str
    ids: list[str]
    names: list[str]
    rows: list[int]
    items: list[str]  # item headers (question text, or "1", "2", … for Moodle)
    item_columns: list[int]  # column number (1-based) of each item
    cells: list[list[str]]  # rows × items, raw text ("" = blank)
    item_max: list[float | None]  # from the header (Moodle "Q. 1 /1.00")
    right_answers: list[list[str]] | None = None  # Moodle "Right answer N", rows × items
    question_texts: list[str] | None = None
    totals: list[float | None] | None = None
    total_max: float | None = None
    warnings: list[dict[str, str]] = field(default_factory=list)


def _warn(sheet_or_list, code: str, message: str) -> None:
    target = sheet_or_list.warnings if isinstance(sheet_or_list, Sheet) else sheet_or_list
    target.append({"code": code, "message": message})


def read_sheet(data: bytes | str, *, name: str = "sheet.csv", id_column: str | None = None
               ) -> Sheet:
    """Read one answer sheet (any supported layout); :class:`SheetError` on bad input."""
    text = data if isinstance(data, str) else _decode(data, name)
    records = _rows(text, name)
    if not records:
        raise SheetError(_("{file}: the file is empty.").format(file=name), code="empty")
    header_line, header = records[0]
    body = records[1:]
    if not body:
        raise SheetError(_("{file}: the file has a header but no answer rows.").format(file=name),
                         code="empty")
    norm = [_norm_header(h) for h in header]
    width = len(header)
    for line, cells in body:
        if len(cells) > width and any(c for c in cells[width:]):
            raise SheetError(_("{file}, row {row}: {n} cells but the header has {m} columns.").format(
                file=name, row=line, n=len(cells), m=width), code="format")
    body = [(line, cells + [""] * (width - len(cells))) for line, cells in body]

    if norm and norm[0] in _TIMESTAMP:
        layout = "google_forms"
    elif any(_MOODLE_RESPONSE.match(h) for h in norm):
        layout = "moodle_responses"
    elif any(_MOODLE_MARK.match(h) for h in norm):
        layout = "moodle_grades"
    elif any(h in _NETRAL_ID for h in norm):
        layout = "netral"
    else:
        raise SheetError(_(
            "{file}: the header is not recognised. Expected a \"participant\" column (Netral "
            "layout), a Google Forms export (first column \"Timestamp\"/\"Stempel waktu\") or "
            "a Moodle quiz report (\"Response 1\" or \"Q. 1 /1.00\" columns). Found: {header}."
        ).format(file=name, header=", ".join(header[:6])), code="layout")

    id_col = _pick_id_column(norm, header, layout, id_column, name)
    name_cols = _name_columns(norm, layout)
    sheet = Sheet(file=name, layout=layout, id_header=header[id_col] if id_col is not None else "",
                  ids=[], names=[], rows=[], items=[], item_columns=[], cells=[], item_max=[])
    if layout in ("moodle_responses", "moodle_grades"):
        _moodle_columns(sheet, norm, header)
    else:
        _plain_columns(sheet, norm, header, layout, id_col, name_cols)

    state_col = next((i for i, h in enumerate(norm) if h in ("state", "status")), None)
    time_col = next((i for i, h in enumerate(norm)
                     if h in _TIMESTAMP or h in ("completed", "selesai", "diselesaikan")), None)
    total_col, total_max = _total_column(norm, layout)
    kept: dict[str, int] = {}
    stamps: list[datetime | None] = []
    parsed_rows = []
    for line, cells in body:
        if layout.startswith("moodle"):
            first = _norm_header(cells[0])
            if any(first.startswith(w) for w in _MOODLE_AVERAGE):
                continue
            if state_col is not None and cells[state_col] and \
                    _norm_header(cells[state_col]) not in _MOODLE_FINISHED:
                _warn(sheet, "unfinished_attempt", _(
                    "{file}, row {row}: attempt in state \"{state}\" left out (only finished "
                    "attempts count).").format(file=name, row=line, state=cells[state_col]))
                continue
        raw_id = _row_identity(cells, id_col, norm)
        if not raw_id:
            _warn(sheet, "missing_id", _("{file}, row {row}: no participant id; row left out.").format(
                file=name, row=line))
            continue
        pid = normalize_id(raw_id)
        display = " ".join(cells[c] for c in name_cols if cells[c]) or raw_id
        total = None
        if total_col is not None:
            total, row_max = _parse_total(cells[total_col], layout, total_max)
            if total is None and cells[total_col] and cells[total_col] != "-":
                raise SheetError(_("{file}, row {row}, column \"{column}\": \"{value}\" is not a "
                                   "score.").format(file=name, row=line, column=header[total_col],
                                                    value=cells[total_col]), code="value")
            if row_max is not None:
                total_max = row_max
        parsed_rows.append((pid, display, line, cells, total))
        stamps.append(_parse_time(cells[time_col]) if time_col is not None else None)

    if not parsed_rows:
        raise SheetError(_("{file}: no usable answer row.").format(file=name), code="empty")
    order = list(range(len(parsed_rows)))
    if all(s is not None for s in stamps):
        order.sort(key=lambda i: stamps[i])  # stable: equal times keep file order
    for i in order:
        pid = parsed_rows[i][0]
        if pid in kept:
            _warn(sheet, "duplicate", _(
                "{file}: participant \"{id}\" submitted more than once (rows {first} and "
                "{second}); the last submission is used.").format(
                    file=name, id=parsed_rows[i][1], first=parsed_rows[kept[pid]][2],
                    second=parsed_rows[i][2]))
        kept[pid] = i
    chosen = sorted(kept.values())
    right_cols = getattr(sheet, "_right_cols", None)
    for i in chosen:
        pid, display, line, cells, total = parsed_rows[i]
        sheet.ids.append(pid)
        sheet.names.append(display)
        sheet.rows.append(line)
        sheet.cells.append([cells[c - 1] for c in sheet.item_columns])
        if right_cols is not None:
            sheet.right_answers.append([cells[c] if c is not None else "" for c in right_cols])
        if total_col is not None:
            sheet.totals.append(total)
    if total_col is not None:
        sheet.total_max = total_max
    question_cols = getattr(sheet, "_question_cols", None)
    if question_cols is not None:
        sheet.question_texts = [
            next((parsed_rows[i][3][c] for i in chosen if c is not None and parsed_rows[i][3][c]), "")
            for c in question_cols]
    return sheet


def _pick_id_column(norm, header, layout, id_column, name) -> int | None:
    if id_column:
        wanted = _norm_header(id_column)
        if wanted.isdigit() and 1 <= int(wanted) <= len(norm):
            return int(wanted) - 1
        for i, h in enumerate(norm):
            if h == wanted:
                return i
        for i, h in enumerate(norm):
            if h.startswith(wanted):
                return i
        raise SheetError(_("{file}: no column \"{column}\" (given with --id-column).").format(
            file=name, column=id_column), code="id_column")
    if layout == "netral":
        for preferred in ("participant", "peserta", "participant id", "id peserta", "nip",
                          "email", "id"):
            if preferred in norm:
                return norm.index(preferred)
    candidates = [i for i, h in enumerate(norm) if h in _EMAIL]
    if layout.startswith("moodle"):
        candidates += [i for i, h in enumerate(norm) if h in ("id number", "nomor id", "idnumber")]
    else:
        candidates += [i for i, h in enumerate(norm) if re.search(r"\bnip\b", h)]
        candidates += [i for i, h in enumerate(norm) if h in _NAME or h.startswith("nama")]
    if candidates:
        return candidates[0]
    if layout.startswith("moodle"):
        return None  # surname + first name
    raise SheetError(_(
        "{file}: no column identifies the participants (email, NIP or name). Name one with "
        "--id-column.").format(file=name), code="id_column")


def _name_columns(norm, layout) -> list[int]:
    if layout.startswith("moodle"):
        first = [i for i, h in enumerate(norm) if h in ("first name", "nama depan")]
        last = [i for i, h in enumerate(norm) if h in ("surname", "last name", "nama belakang")]
        return first[:1] + last[:1]
    return [i for i, h in enumerate(norm) if h in _NAME or h.startswith("nama")][:1]


def _row_identity(cells, id_col, norm) -> str:
    if id_col is not None:
        return cells[id_col].strip()
    names = [cells[i] for i, h in enumerate(norm)
             if h in ("surname", "first name", "nama depan", "nama belakang")]
    return " ".join(n for n in names if n).strip()


def _is_identity(h: str) -> bool:
    return any(h == w or h.startswith(w + " ") or h.startswith(w + "/") or h.startswith(w + ":")
               or h.startswith(w + "(") for w in _IDENTITY_WORDS) or h in _EMAIL


def _plain_columns(sheet, norm, header, layout, id_col, name_cols) -> None:
    skip = {id_col, *name_cols}
    for i, h in enumerate(norm):
        if i in skip or not header[i]:
            continue
        if layout == "google_forms" and (i == 0 or h in _SCORE or _is_identity(h)):
            continue
        if layout == "netral" and (h in _NAME or h in _NETRAL_ID or h in _SCORE):
            continue
        sheet.items.append(header[i])
        sheet.item_columns.append(i + 1)
        sheet.item_max.append(None)
    if any(h in _SCORE for h in norm):
        sheet.totals = []


def _moodle_columns(sheet, norm, header) -> None:
    responses, rights, questions, marks = {}, {}, {}, {}
    for i, h in enumerate(norm):
        if m := _MOODLE_RESPONSE.match(h):
            responses[int(m.group(2))] = i
        elif m := _MOODLE_RIGHT.match(h):
            rights[int(m.group(2))] = i
        elif m := _MOODLE_QUESTION.match(h):
            questions[int(m.group(2))] = i
        elif m := _MOODLE_MARK.match(h):
            marks[int(m.group(1))] = (i, float(m.group(2).replace(",", ".")))
    if sheet.layout == "moodle_responses":
        for n in sorted(responses):
            sheet.items.append("Q" + str(n))
            sheet.item_columns.append(responses[n] + 1)
            sheet.item_max.append(marks[n][1] if n in marks else None)
        if rights:
            sheet.right_answers = []
            sheet._right_cols = [rights.get(n) for n in sorted(responses)]  # type: ignore[attr-defined]
    else:
        for n in sorted(marks):
            sheet.items.append("Q" + str(n))
            sheet.item_columns.append(marks[n][0] + 1)
            sheet.item_max.append(marks[n][1])
    if questions:
        # "Question N" columns hold the question text of each attempt (the row's values).
        numbers = [int(label[1:]) for label in sheet.items]
        sheet._question_cols = [questions.get(n) for n in numbers]  # type: ignore[attr-defined]
    if any(_MOODLE_GRADE.match(h) for h in norm):
        sheet.totals = []


def _total_column(norm, layout) -> tuple[int | None, float | None]:
    for i, h in enumerate(norm):
        if m := _MOODLE_GRADE.match(h):
            return i, float(m.group(2).replace(",", "."))
    if layout == "google_forms" or layout == "netral":
        for i, h in enumerate(norm):
            if h in _SCORE:
                return i, None
    return None, None


def _parse_total(text: str, layout: str, total_max: float | None):
    if not text or text == "-":
        return None, None
    m = _GF_SCORE.match(text)
    if m:
        return float(m.group(1).replace(",", ".")), float(m.group(2).replace(",", "."))
    return _number(text), None


_TIME_FORMATS = ("%Y/%m/%d %I:%M:%S %p", "%Y/%m/%d %H:%M:%S", "%d/%m/%Y %H:%M:%S",
                 "%m/%d/%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%d %B %Y %I:%M %p",
                 "%d %B %Y %H:%M", "%d/%m/%Y %H.%M.%S", "%Y-%m-%dT%H:%M:%S")


def _parse_time(text: str) -> datetime | None:
    t = re.sub(r"\s+(GMT|UTC|WIB|WITA|WIT)[+\-0-9:]*$", "", " ".join(text.split()))
    for fmt in _TIME_FORMATS:
        try:
            return datetime.strptime(t, fmt)
        except ValueError:
            continue
    return None


# --------------------------------------------------------------------------- key


@dataclass
class KeyEntry:
    item: str
    correct: tuple[str, ...]
    max_marks: float
    topic: str | None
    row: int


@dataclass
class Key:
    file: str
    entries: list[KeyEntry]


_KEY_HEADERS = {
    "item": {"item", "soal", "butir", "question", "pertanyaan", "no", "nomor"},
    "correct": {"correct", "kunci", "jawaban", "answer", "kunci jawaban", "jawaban benar"},
    "max_marks": {"max_marks", "max marks", "bobot", "skor maks", "nilai maks", "max"},
    "topic": {"topic", "topik"},
}


def read_key(data: bytes | str, *, name: str = "key.csv") -> Key:
    """Read KEY.csv (``item,correct[,max_marks,topic]``); :class:`SheetError` if bad."""
    text = data if isinstance(data, str) else _decode(data, name)
    records = _rows(text, name)
    if not records:
        raise SheetError(_("{file}: the file is empty.").format(file=name), code="empty")
    header = [_norm_header(h) for h in records[0][1]]
    cols = {}
    for key, aliases in _KEY_HEADERS.items():
        for i, h in enumerate(header):
            if h in aliases:
                cols[key] = i
                break
    if "item" not in cols or "correct" not in cols:
        raise SheetError(_("{file}: the key needs the columns \"item\" and \"correct\" (found: "
                           "{header}).").format(file=name, header=", ".join(records[0][1])),
                         code="key")
    entries, seen = [], {}
    for line, cells in records[1:]:
        cells = cells + [""] * (len(header) - len(cells))
        item = cells[cols["item"]]
        if not item:
            raise SheetError(_("{file}, row {row}: the item column is empty.").format(
                file=name, row=line), code="key")
        correct = tuple(p.strip() for p in cells[cols["correct"]].split(";") if p.strip())
        max_marks = 1.0
        if "max_marks" in cols and cells[cols["max_marks"]]:
            value = _number(cells[cols["max_marks"]])
            if value is None or value <= 0:
                raise SheetError(_("{file}, row {row}, column \"max_marks\": \"{value}\" is not a "
                                   "number above 0.").format(file=name, row=line,
                                                            value=cells[cols["max_marks"]]),
                                 code="key")
            max_marks = value
        topic = cells[cols["topic"]] if "topic" in cols and cells[cols["topic"]] else None
        norm = _norm_header(item)
        if norm in seen:
            raise SheetError(_("{file}, row {row}: item \"{item}\" is already in row {first}.").format(
                file=name, row=line, item=item, first=seen[norm]), code="key")
        seen[norm] = line
        entries.append(KeyEntry(item, correct, max_marks, topic, line))
    if not entries:
        raise SheetError(_("{file}: the key has no rows.").format(file=name), code="key")
    return Key(name, entries)


def _item_number(label: str) -> int | None:
    m = re.fullmatch(r"(?:q|p|s|no|nomor|soal|response|respons|item|butir)?\.?\s*(\d+)",
                     _norm_header(label))
    return int(m.group(1)) if m else None


def _match_key(sheet: Sheet, key: Key) -> dict[int, KeyEntry]:
    """Item index in the sheet → key entry."""
    by_header = {_norm_header(h): j for j, h in enumerate(sheet.items)}
    if sheet.question_texts:
        for j, q in enumerate(sheet.question_texts):
            if q:
                by_header.setdefault(_norm_header(q), j)
    out = {}
    for entry in key.entries:
        j = by_header.get(_norm_header(entry.item))
        if j is None:
            n = _item_number(entry.item)
            if n is not None and sheet.layout.startswith("moodle"):
                j = by_header.get("q" + str(n))
            elif n is not None and 1 <= n <= len(sheet.items):
                j = n - 1
        if j is not None:
            out[j] = entry
    return out


# --------------------------------------------------------------------------- scoring


@dataclass
class ScoredSheet:
    """Marks of one sheet: ``marks`` is participants × items (NaN = no mark); ``responses``
    the chosen option labels (None = no response) or None when the sheet holds marks only;
    ``totals`` is used for the learning gain when no item could be scored."""

    sheet: Sheet
    items: list[str]
    marks: np.ndarray
    max_marks: np.ndarray
    responses: list[list[str | None]] | None
    topics: list[str | None]
    totals: np.ndarray
    max_total: float
    item_scored: bool
    warnings: list[dict[str, str]]


def _choices(text: str, multi_hint: bool) -> list[str]:
    parts = [p.strip() for p in text.split(";") if p.strip()]
    if multi_hint and len(parts) == 1 and ", " in parts[0]:
        parts = [p.strip() for p in parts[0].split(", ") if p.strip()]
    return parts


def _label(parts: list[str]) -> str | None:
    return "; ".join(sorted(parts, key=_norm_answer)) if parts else None


def score_sheet(sheet: Sheet, key: Key | None) -> ScoredSheet:
    """Marks for every item of the sheet, from (in this order) the sheet's own marks, the
    key, or Moodle's "Right answer" columns. Raises :class:`SheetError` when nothing can be
    scored."""
    warnings = list(sheet.warnings)
    matched = _match_key(sheet, key) if key else {}
    n = len(sheet.ids)
    item_idx = list(range(len(sheet.items)))
    if key is not None and sheet.layout != "moodle_grades":
        ignored = [sheet.items[j] for j in item_idx if j not in matched]
        item_idx = [j for j in item_idx if j in matched]
        if ignored:
            _warn(warnings, "not_in_key", _(
                "{file}: columns not in the key are not analysed: {columns}.").format(
                    file=sheet.file, columns=", ".join(_short(c) for c in ignored)))
        if not item_idx:
            raise SheetError(_(
                "{file}: no item of the key matches a column of this file. The key's item "
                "column must hold the question text as in the header, or the item number."
            ).format(file=sheet.file), code="key")
    labels, cols_marks, cols_max, cols_resp, topics = [], [], [], [], []
    unscorable = []
    for j in item_idx:
        entry = matched.get(j)
        raw = [row[j] for row in sheet.cells]
        max_mark = entry.max_marks if entry else (sheet.item_max[j] or 1.0)
        marks = np.full(n, np.nan)
        responses: list[str | None] | None = None
        if sheet.layout == "moodle_grades" or (_all_numeric(sheet, j) and not
                                               (entry and not _numeric_key(entry))):
            for r, text in enumerate(raw):
                if not text or text == "-":
                    continue
                value = _number(text)
                if value is None:
                    raise SheetError(_("{file}, row {row}, column \"{column}\": \"{value}\" is not "
                                       "a mark.").format(file=sheet.file, row=sheet.rows[r],
                                                         column=sheet.items[j], value=text),
                                     code="value")
                if value < 0 or value > max_mark + 1e-9:
                    raise SheetError(_(
                        "{file}, row {row}, column \"{column}\": mark {value} is outside 0 … "
                        "{max} (give max_marks in the key).").format(
                            file=sheet.file, row=sheet.rows[r], column=sheet.items[j],
                            value=text, max=_fmt(max_mark)), code="value")
                marks[r] = value
        elif entry is not None and entry.correct:
            responses, marks = _score_with(sheet, j, raw, [set(map(_norm_answer, entry.correct))] * n,
                                           max_mark, len(entry.correct) > 1, entry, key.file)
        elif sheet.right_answers is not None and any(ra[j] and ra[j] != "-"
                                                     for ra in sheet.right_answers):
            rights = [set(map(_norm_answer, _choices(ra[j], False))) if ra[j] and ra[j] != "-"
                      else None for ra in sheet.right_answers]
            responses, marks = _score_with(sheet, j, raw, rights, max_mark, False, None, None)
        else:
            unscorable.append(sheet.items[j])
            continue
        labels.append(sheet.items[j] if not sheet.question_texts or not sheet.question_texts[j]
                      else sheet.question_texts[j])
        cols_marks.append(marks)
        cols_max.append(max_mark)
        cols_resp.append(responses)
        topics.append(entry.topic if entry else None)
    totals = np.full(n, np.nan)
    max_total = float(sum(cols_max))
    item_scored = bool(cols_marks) and not unscorable
    if unscorable and cols_marks:
        raise SheetError(_(
            "{file}: no key for the columns {columns}. Add them to KEY.csv (item,correct) or "
            "remove them.").format(file=sheet.file, columns=", ".join(_short(c) for c in unscorable)),
            code="no_key")
    if not cols_marks:
        if sheet.totals is not None and any(t is not None for t in sheet.totals) and sheet.total_max:
            totals = np.array([np.nan if t is None else t for t in sheet.totals], dtype=float)
            max_total = float(sheet.total_max)
            if np.nanmax(totals) > max_total + 1e-9 or np.nanmin(totals) < 0:
                raise SheetError(_("{file}: a total score lies outside 0 … {max}.").format(
                    file=sheet.file, max=_fmt(max_total)), code="value")
            _warn(warnings, "totals_only", _(
                "{file}: no answer key, so only the total scores are used; item statistics need "
                "KEY.csv.").format(file=sheet.file))
        else:
            raise SheetError(_(
                "{file}: the answers are options but there is no key and no scores. Give the "
                "correct answers with --key KEY.csv (columns item,correct).").format(
                    file=sheet.file), code="no_key")
        marks = np.empty((n, 0))
        responses = None
    else:
        marks = np.column_stack(cols_marks)
        totals = np.where(np.isnan(marks), 0.0, marks).sum(axis=1)
        totals[np.isnan(marks).all(axis=1)] = np.nan
        if sheet.totals is not None and sheet.total_max and item_scored:
            given = np.array([np.nan if t is None else t for t in sheet.totals], dtype=float)
            scale = max_total / sheet.total_max if sheet.total_max else 1.0
            differ = np.isfinite(given) & (np.abs(given * scale - totals) > 1e-6)
            if differ.any():
                r = int(np.argmax(differ))
                _warn(warnings, "score_mismatch", _(
                    "{file}: for {n} participant(s) the score in the file differs from the score "
                    "computed with the key (first: row {row}, {given} in the file, {computed} "
                    "computed). Check the key.").format(
                        file=sheet.file, n=int(differ.sum()), row=sheet.rows[r],
                        given=_fmt(given[r]), computed=_fmt(totals[r] / scale)))
        responses = None
        if any(r is not None for r in cols_resp):
            responses = [[(cols_resp[c][r] if cols_resp[c] is not None else None)
                          for c in range(len(cols_resp))] for r in range(n)]
    return ScoredSheet(sheet=sheet, items=labels, marks=marks,
                       max_marks=np.array(cols_max, dtype=float), responses=responses,
                       topics=topics, totals=totals, max_total=max_total,
                       item_scored=item_scored, warnings=warnings)


def _all_numeric(sheet: Sheet, j: int) -> bool:
    values = [row[j] for row in sheet.cells if row[j] and row[j] != "-"]
    return bool(values) and all(_number(v) is not None for v in values)


def _numeric_key(entry: KeyEntry) -> bool:
    return all(_number(c) is not None for c in entry.correct)


def _score_with(sheet, j, raw, rights, max_mark, multi_hint, entry, key_file):
    n = len(raw)
    marks = np.zeros(n)
    responses: list[str | None] = []
    if entry is not None and all(re.fullmatch(r"[A-Za-z]", c) for c in entry.correct):
        long = [v for v in raw if v and not re.fullmatch(r"[A-Za-z](\s*[;,]\s*[A-Za-z])*", v)]
        if long:
            raise SheetError(_(
                "{key}, row {row}: the key gives a letter for \"{item}\" but {file} holds the "
                "option text (e.g. \"{value}\"); write the option text in the key.").format(
                    key=key_file, row=entry.row, item=_short(sheet.items[j]), file=sheet.file,
                    value=_short(long[0])), code="key")
    for r, text in enumerate(raw):
        if not text or text == "-":
            responses.append(None)
            continue
        parts = _choices(text, multi_hint)
        if len(parts) == 1 and re.fullmatch(r"[A-Za-z](\s*,\s*[A-Za-z])+", parts[0]):
            parts = [p.strip() for p in parts[0].split(",")]
        responses.append(_label(parts))
        right = rights[r]
        if right is not None and {_norm_answer(p) for p in parts} == right:
            marks[r] = max_mark
    return responses, marks


def _short(text: str, width: int = 40) -> str:
    t = " ".join(str(text).split())
    return t if len(t) <= width else t[: width - 1] + "…"


def _fmt(value: float) -> str:
    return "{:g}".format(value)


def sheet_summary(sheet: Sheet) -> dict[str, Any]:
    return {"file": sheet.file, "layout": sheet.layout, "id_column": sheet.id_header,
            "rows": len(sheet.ids)}
