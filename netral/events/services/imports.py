"""Bulk import of participants from an XLSX or CSV spreadsheet.

Two steps, so nothing reaches the participant list before the organiser has seen the report:

1. :func:`stage_import` parses the upload (:func:`parse_participant_file`) and keeps the
   valid rows and the per-row errors in an :class:`~netral.events.models.ImportBatch`.
2. :func:`confirm_import` registers the valid rows in one transaction (or
   :func:`discard_import` drops the batch).

The format is decided by the file's bytes, never by its name. Row numbers in every report
are the spreadsheet's own (1-based, header and title rows included), as the organiser sees
them in Excel.

``ImportBatch.errors`` (JSON) holds the per-row errors ``{"row": n, "values": {field: text},
"errors": {field: [message]}}``; when there are file-level errors or ignored columns, the
first entry is ``{"row": None, "values": {}, "errors": {"__all__": [...]}, "ignored_columns":
[...]}``. Use :func:`batch_report` rather than reading that list directly.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from itertools import islice

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from netral.core.audit import log_action
from netral.core.errors import NetralError

from ..enums import ParticipantKind, ParticipantSource
from ..models import Event, ImportBatch, Participant
from .participants import CleanIdentity, clean_identity, register_participant

MAX_ROWS = 20_000
HEADER_SEARCH_ROWS = 10
BULK_BATCH_SIZE = 500
#: Reading stops after this many consecutive empty rows (sheets formatted down to row 1048576).
MAX_EMPTY_RUN = 10_000
#: Unpacked size guard for XLSX (a ZIP bomb must not fill the memory).
MAX_UNPACKED_BYTES = 256 * 1024 * 1024

#: Column order of the template and of every report.
FIELDS = ("name", "nip", "kind", "agency", "unit", "position", "rank", "phone", "email")
#: The template's headings (fixed Indonesian words: they are what the parser looks for).
TEMPLATE_HEADERS = ("Nama", "NIP", "Jenis", "Instansi", "Unit Kerja", "Jabatan", "Pangkat/Golongan",
                    "Telepon", "Email")
REQUIRED_FIELDS = ("name",)

_HEADER_ALIASES = {
    "name": ("nama", "name", "nama lengkap", "nama peserta", "nama pegawai", "full name",
             "nama dengan gelar", "nama lengkap dengan gelar", "nama dan gelar"),
    "nip": ("nip", "ni pppk", "nip/ni pppk", "nip / nipppk", "nomor induk", "nomor induk pegawai",
            "no induk", "nip baru", "nip/nik"),
    "kind": ("jenis", "kind", "type", "status kepegawaian", "jenis peserta", "jenis pegawai", "jenis asn",
             "status pegawai", "status asn", "participant type"),
    "agency": ("instansi", "agency", "opd", "institution", "asal instansi", "instansi asal", "nama instansi",
               "perangkat daerah", "skpd", "lembaga", "organisasi"),
    "unit": ("unit", "unit kerja", "satuan kerja", "satker", "bidang", "bagian", "unit organisasi", "work unit"),
    "position": ("jabatan", "position", "nama jabatan", "job title"),
    "rank": ("pangkat", "golongan", "pangkat golongan", "pangkat/golongan", "pangkat/gol", "gol", "golongan ruang",
             "pangkat/golongan ruang", "rank", "grade", "rank/grade"),
    "phone": ("telepon", "telp", "no telp", "no telepon", "nomor telepon", "hp", "no hp", "nomor hp", "no. hp/wa",
              "hp/wa", "handphone", "phone", "telephone", "mobile", "whatsapp", "wa", "no wa", "nomor whatsapp",
              "no whatsapp"),
    "email": ("email", "e-mail", "surel", "alamat email", "email address"),
}

_KIND_ALIASES = {
    "pns": ParticipantKind.PNS, "cpns": ParticipantKind.PNS,
    "pppk": ParticipantKind.PPPK, "p3k": ParticipantKind.PPPK,
    "nonasn": ParticipantKind.OTHER, "bukanasn": ParticipantKind.OTHER, "umum": ParticipantKind.OTHER,
    "lainnya": ParticipantKind.OTHER, "lain": ParticipantKind.OTHER, "other": ParticipantKind.OTHER,
    "masyarakat": ParticipantKind.OTHER, "honorer": ParticipantKind.OTHER,
    "asn": "",  # PNS or PPPK: decided from the NIP
}

_SCIENTIFIC = re.compile(r"[+-]?\d+(?:[.,]\d*)?[eE][+-]?\d+")
_EXCEL_TEXT_FORMULA = re.compile(r'="(.*)"')
_NIP_NOISE = re.compile(r"[\s.\-\u2010-\u2015]+")
_COLUMN_NUMBER = re.compile(r"\(?(\d{1,2})\)?")
_BINARY_SIGNATURES = (b"%PDF-", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"RIFF", b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf")
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls (and .doc)
_CONTROL_BYTES = frozenset(range(0x09)) | frozenset(range(0x0E, 0x20))


class ImportFileError(NetralError):
    """A problem with the whole file (not one row)."""


class ImportBatchError(NetralError):
    """The batch cannot be used any more (discarded)."""


def _norm(text) -> str:
    """Lowercase letters and digits only: "No. HP / WA" -> "nohpwa"."""
    decomposed = unicodedata.normalize("NFKD", str(text)).casefold()
    return "".join(ch for ch in decomposed if ch.isalnum())


_HEADER_INDEX = {_norm(alias): fieldname for fieldname, aliases in _HEADER_ALIASES.items() for alias in aliases}


@dataclass
class ParsedFile:
    """The result of reading one upload. ``rows`` and ``row_errors`` are JSON-serialisable."""

    filename: str = ""
    format: str = ""  # "xlsx" or "csv"
    errors: list[str] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)
    row_errors: list[dict] = field(default_factory=list)
    total_rows: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    header_row: int | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


# --------------------------------------------------------------------------- reading


def _unreadable(hint: str = "") -> ImportFileError:
    message = _("The file is not a readable XLSX or CSV spreadsheet.")
    return ImportFileError(f"{message} {hint}".strip(), code="unreadable")


def _save_as_hint() -> str:
    return _("Open it in Excel or LibreOffice, save it as “Excel Workbook (.xlsx)” or “CSV”, and upload it again.")


def _human_mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".replace(".", ",")


def _read_bytes(upload_or_fileobj) -> bytes:
    limit = settings.NETRAL_IMPORT_MAX_BYTES
    if isinstance(upload_or_fileobj, (bytes, bytearray)):
        data = bytes(upload_or_fileobj)
    else:
        size = getattr(upload_or_fileobj, "size", None)
        if size is not None and size > limit:
            raise ImportFileError(_("The file is {size} MB; the limit is {limit} MB.").format(
                size=_human_mb(size), limit=_human_mb(limit)), code="size")
        if hasattr(upload_or_fileobj, "seek"):
            upload_or_fileobj.seek(0)
        data = upload_or_fileobj.read(limit + 1)
    if len(data) > limit:
        raise ImportFileError(_("The file is larger than the limit of {limit} MB.").format(limit=_human_mb(limit)),
                              code="size")
    if not data.strip():
        raise ImportFileError(_("The file is empty."), code="empty")
    return data


def _guarded(records):
    """Turn any failure of the spreadsheet library while reading into a file-level error."""
    iterator = iter(records)
    try:
        while True:
            try:
                item = next(iterator)
            except StopIteration:
                return
            except ImportFileError:
                raise
            except Exception:  # noqa: BLE001 -- damaged files fail in many ways (zlib, XML, KeyError, ...)
                raise _unreadable(_("The spreadsheet is damaged or incomplete.") + " " + _save_as_hint()) from None
            yield item
    finally:
        close = getattr(iterator, "close", None)
        if close is not None:
            close()


def _xlsx_records(data: bytes):
    """(row number, cell values) of the first worksheet, every row of the sheet in order."""
    from openpyxl import load_workbook  # noqa: PLC0415 -- slow import

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        raise _unreadable(_("It looks like a damaged or incomplete Excel file.") + " " + _save_as_hint()) from None
    names = {info.filename for info in infos}
    if "xl/workbook.xml" not in names:
        if "content.xml" in names and "mimetype" in names:
            raise _unreadable(_("It is an OpenDocument (.ods) spreadsheet.") + " " + _save_as_hint())
        raise _unreadable(_("It is a ZIP archive, not an Excel workbook.") + " " + _save_as_hint())
    if sum(info.file_size for info in infos) > MAX_UNPACKED_BYTES:
        raise ImportFileError(_("The workbook is too large when unpacked. Split it into smaller files."),
                              code="size")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "Workbook contains no default style" and the like
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 -- see _guarded
        raise _unreadable(_("It looks like a damaged or incomplete Excel file.") + " " + _save_as_hint()) from None
    try:
        if not workbook.worksheets:
            raise ImportFileError(_("The workbook has no worksheet."), code="empty")
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some writers declare "A1" and would hide every other column
        yield from enumerate(sheet.iter_rows(values_only=True), start=1)
    finally:
        workbook.close()


def _looks_binary(data: bytes) -> bool:
    head = data[:65536]
    if b"\x00" in head:
        return True
    controls = sum(1 for byte in head if byte in _CONTROL_BYTES)
    return controls > max(8, len(head) // 100)


def _decode_text(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text" is UTF-16 with a BOM
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise _unreadable(_save_as_hint()) from None
    if data.startswith(_BINARY_SIGNATURES) or _looks_binary(data):
        raise _unreadable(_("It is not a spreadsheet (for example a PDF or an image).") + " " + _save_as_hint())
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _csv_rows(text: str, delimiter: str):
    return csv.reader(io.StringIO(text, newline=None), delimiter=delimiter)


def _sniff_delimiter(text: str) -> str:
    """The delimiter under which a header row is recognised best; else the most frequent one."""
    best, best_score = None, None
    for delimiter in (",", ";", "\t"):
        try:
            sample = [row for row in islice(_csv_rows(text, delimiter), 200) if not _is_empty(row)]
        except csv.Error:
            continue
        found = _find_header(sample[:HEADER_SEARCH_ROWS])
        if found is None:
            continue
        _index, columns, _ignored = found
        score = (len(set(columns.values())), len(sample[_index]))
        if best_score is None or score > best_score:
            best, best_score = delimiter, score
    if best is not None:
        return best
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    return max((",", ";", "\t"), key=first_line.count)


def _csv_records(text: str):
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith("<"):
        raise _unreadable(_("It is a web page (HTML/XML) saved with a spreadsheet name.") + " " + _save_as_hint())
    delimiter = _sniff_delimiter(text)
    try:
        yield from enumerate(_csv_rows(text, delimiter), start=1)
    except csv.Error:
        raise _unreadable(_save_as_hint()) from None


def _records(data: bytes) -> tuple[str, object]:
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "xlsx", _guarded(_xlsx_records(data))
    if data.startswith(_OLE2):
        raise _unreadable(_("It is an old Excel 97–2003 (.xls) file.") + " " + _save_as_hint())
    return "csv", _guarded(_csv_records(_decode_text(data)))


# --------------------------------------------------------------------------- cells


def _is_empty(values) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def _excel_number(value: float) -> str:
    return format(value, ".15g").upper()


def _text(value) -> str:
    """A cell as the organiser would read it, whitespace collapsed."""
    if value is None:
        return ""
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return _excel_number(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return " ".join(str(value).split())


def _nip(value) -> tuple[str, bool]:
    """(NIP digits for clean_identity, whether Excel stored it as a number and lost digits)."""
    if isinstance(value, bool) or value is None:
        return _text(value), False
    if isinstance(value, int):  # exact (an integer literal in the XML): fine if it has 18 digits
        return str(value), False
    if isinstance(value, float):
        # A double holds 15-16 significant digits: an 18-digit NIP stored as a number is never exact.
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value)), False
        return _excel_number(value), True
    text = _text(value)
    match = _EXCEL_TEXT_FORMULA.fullmatch(text)
    if match:
        text = match.group(1)
    text = text.lstrip("'’`").strip()
    if _SCIENTIFIC.fullmatch(text):  # "1,98609E+17" in a CSV saved by Excel
        return text, True
    return _NIP_NOISE.sub("", text), False


def _phone(value) -> str:
    text = _text(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and text.startswith("8"):
        return "0" + text  # 0812... typed into a number cell loses its leading zero
    return text


def _kind_index() -> dict[str, str]:
    index = dict(_KIND_ALIASES)
    for language in ("en", translation.get_language() or "en"):
        with translation.override(language):
            for value, label in ParticipantKind.choices:
                index.setdefault(_norm(label), value)
    return index


def _kind(text: str, index: dict[str, str]) -> str:
    key = _norm(text)
    if not key:
        return ""
    return index.get(key, text)  # unknown values reach clean_identity, which names them


# --------------------------------------------------------------------------- header


def _map_header(values) -> tuple[dict[int, str], list[str]]:
    """({column index: field}, ignored headings) for one candidate header row."""
    columns: dict[int, str] = {}
    ignored: list[str] = []
    for index, value in enumerate(values):
        label = _text(value)
        if not label:
            continue
        fieldname = _HEADER_INDEX.get(_norm(label))
        if fieldname is None or fieldname in columns.values():
            ignored.append(label)
        else:
            columns[index] = fieldname
    return columns, ignored


def _find_header(rows) -> tuple[int, dict[int, str], list[str]] | None:
    for position, values in enumerate(rows):
        columns, ignored = _map_header(values)
        if "name" in columns.values():
            return position, columns, ignored
    return None


def _is_column_numbering(values) -> bool:
    """The "1 2 3 4 ..." row that Indonesian forms put under the headings."""
    numbers = []
    for value in values:
        text = _text(value)
        if not text:
            continue
        match = _COLUMN_NUMBER.fullmatch(text)
        if not match:
            return False
        numbers.append(int(match.group(1)))
    return len(numbers) >= 3 and numbers == list(range(1, len(numbers) + 1))


def _missing_columns_error(candidates, missing: str) -> ImportFileError:
    best = max(candidates, key=lambda values: sum(1 for v in values if _text(v)), default=())
    found = [_text(v) for v in best if _text(v)]
    heading = TEMPLATE_HEADERS[FIELDS.index(missing)]
    if found:
        message = _("The required column “{column}” was not found in the first {count} rows. "
                    "Columns found: {columns}.").format(column=heading, count=HEADER_SEARCH_ROWS,
                                                       columns=", ".join(f"“{c}”" for c in found[:30]))
    else:
        message = _("The required column “{column}” was not found: the file has no column headings.").format(
            column=heading)
    return ImportFileError(message, code="columns")


# --------------------------------------------------------------------------- parsing


def _identity_json(identity: CleanIdentity, row: int) -> dict:
    data = {f: str(v) for f, v in identity.as_fields().items() if f != "birth_date"}
    data["birth_date"] = identity.birth_date.isoformat() if identity.birth_date else None
    return {"row": row, **data}


def _process(records, result: ParsedFile) -> None:
    today = timezone.localdate()
    kinds = _kind_index()
    candidates: list = []
    columns: dict[int, str] | None = None
    first_data = False
    empty_run = 0
    seen_nip: dict[str, int] = {}
    seen_name: dict[tuple[str, str], int] = {}
    for rownum, values in records:
        values = tuple(values or ())
        if _is_empty(values):
            empty_run += 1
            if empty_run >= MAX_EMPTY_RUN:
                break
            continue
        empty_run = 0
        if columns is None:
            mapped, ignored = _map_header(values)
            if "name" in mapped.values():
                columns, result.ignored_columns, result.header_row = mapped, ignored, rownum
                first_data = True
                continue
            candidates.append(values)
            if len(candidates) >= HEADER_SEARCH_ROWS:
                break
            continue
        if first_data:
            first_data = False
            if _is_column_numbering(values):
                continue
        result.total_rows += 1
        if result.total_rows > MAX_ROWS:
            raise ImportFileError(
                _("The file has more than {limit} participant rows. Split it into smaller files.").format(
                    limit=f"{MAX_ROWS:,}".replace(",", ".")), code="rows")
        _process_row(rownum, values, columns, result, today=today, kinds=kinds,
                     seen_nip=seen_nip, seen_name=seen_name)
    if columns is None:
        raise _missing_columns_error(candidates, "name")
    if result.total_rows == 0:
        raise ImportFileError(_("The file has a heading row but no participant rows below it."), code="empty")


def _process_row(rownum, values, columns, result, *, today, kinds, seen_nip, seen_name) -> None:
    cells = {fieldname: values[index] if index < len(values) else None for index, fieldname in columns.items()}
    shown = {f: _text(v) for f, v in cells.items()}
    data = {f: _text(v) for f, v in cells.items() if f not in ("nip", "phone", "kind")}
    nip_lost = False
    if "nip" in cells:
        data["nip"], nip_lost = _nip(cells["nip"])
        if nip_lost:
            shown["nip"] = data["nip"]
    if "phone" in cells:
        data["phone"] = _phone(cells["phone"])
    if "kind" in cells:
        data["kind"] = _kind(_text(cells["kind"]), kinds)
    errors: dict[str, list[str]] = {}
    identity = None
    try:
        identity = clean_identity(data, today=today)
    except ValidationError as exc:
        errors = {f: [str(m) for m in messages] for f, messages in exc.message_dict.items()}
    if nip_lost:
        errors["nip"] = [_("NIP stored as a number in Excel and lost digits; format the column as Text "
                           "and type the NIP again.")]
        identity = None
    if identity is not None:
        if identity.nip:
            first = seen_nip.setdefault(identity.nip, rownum)
            if first != rownum:
                errors["nip"] = [_("This NIP already appears in row {row}.").format(row=first)]
        else:
            first = seen_name.setdefault((identity.name.lower(), identity.agency.lower()), rownum)
            if first != rownum:
                errors["name"] = [_("The same name and institution already appear in row {row}.").format(row=first)]
    if errors:
        result.row_errors.append({"row": rownum, "values": shown, "errors": errors})
    else:
        result.rows.append(_identity_json(identity, rownum))


def parse_participant_file(upload_or_fileobj, filename: str = "") -> ParsedFile:
    """Read an XLSX or CSV participant list; never raises for a bad file (see ``errors``)."""
    result = ParsedFile(filename=filename or getattr(upload_or_fileobj, "name", "") or "")
    try:
        data = _read_bytes(upload_or_fileobj)
        result.format, records = _records(data)
        _process(records, result)
    except ImportFileError as exc:
        result.errors = [str(exc.message)]
        result.rows, result.row_errors, result.ignored_columns = [], [], []
    return result


# --------------------------------------------------------------------------- matching


def _name_key(name: str, agency: str) -> tuple[str, str]:
    return name.lower(), agency.lower()


def _existing_keys(event: Event) -> tuple[set[str], set[tuple[str, str]]]:
    nips, names = set(), set()
    for nip, name, agency in Participant.objects.filter(event=event).values_list("nip", "name", "agency"):
        if nip:
            nips.add(nip)
        else:
            names.add(_name_key(name, agency))
    return nips, names


def count_existing(event: Event, rows: list[dict]) -> int:
    """How many valid rows match a participant already registered (they will be updated)."""
    nips, names = _existing_keys(event)
    return sum(1 for r in rows if (r["nip"] in nips if r["nip"] else _name_key(r["name"], r["agency"]) in names))


# --------------------------------------------------------------------------- batches


@dataclass
class BatchReport:
    file_errors: list[str]
    row_errors: list[dict]
    ignored_columns: list[str]
    total_rows: int
    valid_count: int
    error_count: int
    new_count: int
    update_count: int


def batch_report(batch: ImportBatch) -> BatchReport:
    """The stored report of a batch; new / update counts are checked against the list now."""
    file_errors, ignored, row_errors = [], [], []
    for entry in batch.errors:
        if entry.get("row") is None:
            file_errors.extend(entry.get("errors", {}).get("__all__", []))
            ignored.extend(entry.get("ignored_columns", []))
        else:
            row_errors.append(entry)
    valid = len(batch.valid_rows)
    if batch.state == ImportBatch.State.IMPORTED:
        new, update = batch.created_count, batch.updated_count
    else:
        update = count_existing(batch.event, batch.valid_rows) if valid else 0
        new = valid - update
    return BatchReport(file_errors=file_errors, row_errors=row_errors, ignored_columns=ignored,
                       total_rows=batch.total_rows, valid_count=valid, error_count=len(row_errors),
                       new_count=new, update_count=update)


def stage_import(event: Event, *, upload, user) -> ImportBatch:
    """Parse the upload and keep its valid rows and errors for review; no participant is written."""
    filename = (getattr(upload, "name", "") or "")[:255]
    parsed = parse_participant_file(upload, filename)
    errors = list(parsed.row_errors)
    if parsed.errors or parsed.ignored_columns:
        errors.insert(0, {"row": None, "values": {}, "errors": {"__all__": parsed.errors} if parsed.errors else {},
                          "ignored_columns": parsed.ignored_columns})
    return ImportBatch.objects.create(
        event=event, created_by=user if getattr(user, "is_authenticated", False) else None,
        filename=filename, state=ImportBatch.State.PENDING, total_rows=parsed.total_rows,
        valid_rows=parsed.rows, errors=errors,
    )


def _identity(row: dict) -> CleanIdentity:
    birth = row.get("birth_date")
    return CleanIdentity(
        kind=row["kind"], nip=row.get("nip", ""), name=row["name"], agency=row.get("agency", ""),
        unit=row.get("unit", ""), position=row.get("position", ""), rank=row.get("rank", ""),
        phone=row.get("phone", ""), email=row.get("email", ""), gender=row.get("gender", ""),
        birth_date=date.fromisoformat(birth) if birth else None,
    )


def _existing_participants(event: Event):
    return Participant.objects.filter(event=event).order_by("name", "id")  # find_participant's .first()


def _apply_bulk(event: Event, identities: list[CleanIdentity]) -> tuple[int, int]:
    """register_participant(update=True) for every identity, with one read and bulk inserts."""
    by_nip: dict[str, Participant] = {}
    by_name: dict[tuple[str, str], Participant] = {}
    for participant in _existing_participants(event):
        if participant.nip:
            by_nip[participant.nip] = participant
        else:
            by_name.setdefault(_name_key(participant.name, participant.agency), participant)
    new: list[Participant] = []
    dirty: dict[int, tuple[Participant, set[str]]] = {}
    updated = 0
    for identity in identities:
        key = _name_key(identity.name, identity.agency)
        existing = by_nip.get(identity.nip) if identity.nip else by_name.get(key)
        if existing is None:
            participant = Participant(event=event, source=ParticipantSource.IMPORT, **identity.as_fields())
            new.append(participant)
            if identity.nip:
                by_nip[identity.nip] = participant
            else:
                by_name[key] = participant
            continue
        updated += 1
        changed = [f for f, v in identity.as_fields().items() if v and getattr(existing, f) != v]
        for f in changed:
            setattr(existing, f, getattr(identity, f))
        if changed and existing.pk is not None:  # a new row is simply inserted with its final values
            dirty.setdefault(existing.pk, (existing, set()))[1].update(changed)
    for participant, fields in dirty.values():
        participant.save(update_fields=[*sorted(fields), "updated_at"])
    Participant.objects.bulk_create(new, batch_size=BULK_BATCH_SIZE)
    return len(new), updated


def _apply_one_by_one(event: Event, identities: list[CleanIdentity]) -> tuple[int, int]:
    created = updated = 0
    for identity in identities:
        _participant, was_created = register_participant(event, identity, source=ParticipantSource.IMPORT,
                                                         update=True)
        created += was_created
        updated += not was_created
    return created, updated


def confirm_import(batch: ImportBatch, *, user) -> ImportBatch:
    """Register every valid row in one transaction; a second call does nothing."""
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().select_related("event").get(pk=batch.pk)
        if locked.state == ImportBatch.State.IMPORTED:
            return locked
        if locked.state != ImportBatch.State.PENDING:
            raise ImportBatchError(_("This import was discarded; upload the file again."), code="discarded")
        event = locked.event
        identities = [_identity(row) for row in locked.valid_rows]
        try:
            with transaction.atomic():
                created, updated = _apply_bulk(event, identities)
        except IntegrityError:
            # Someone registered one of these NIPs meanwhile: take the careful path.
            created, updated = _apply_one_by_one(event, identities)
        locked.state = ImportBatch.State.IMPORTED
        locked.created_count, locked.updated_count = created, updated
        locked.save(update_fields=["state", "created_count", "updated_count"])
        log_action(event, "netral.participants.imported", user=user, data={
            "batch": locked.pk, "filename": locked.filename, "rows": locked.total_rows,
            "valid": len(identities), "errors": sum(1 for e in locked.errors if e.get("row") is not None),
            "created": created, "updated": updated,
        })
    batch.state, batch.created_count, batch.updated_count = locked.state, created, updated
    return locked


def discard_import(batch: ImportBatch, *, user) -> ImportBatch:
    """Drop a pending batch (its report stays readable). Imported batches are left as they are."""
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.state == ImportBatch.State.PENDING:
            locked.state = ImportBatch.State.DISCARDED
            locked.save(update_fields=["state"])
            log_action(locked.event, "netral.participants.import_discarded", user=user,
                       data={"batch": locked.pk, "filename": locked.filename})
    batch.state = locked.state
    return locked


# --------------------------------------------------------------------------- spreadsheets out


def field_labels() -> dict[str, str]:
    """The participant field names in the active language, for reports."""
    from django.utils.text import capfirst  # noqa: PLC0415 -- leaf

    return {f: str(capfirst(Participant._meta.get_field(f).verbose_name)) for f in FIELDS}


def header_aliases() -> dict[str, tuple[str, ...]]:
    """Other headings accepted for each field (for the upload instructions)."""
    return dict(_HEADER_ALIASES)


def _text_cell(sheet, row: int, column: int, value: str, *, as_text_format=False):
    cell = sheet.cell(row=row, column=column)
    cell.value = value
    cell.data_type = "s"  # never a formula, whatever the text starts with
    if as_text_format:
        cell.number_format = "@"
    return cell


def _workbook_bytes(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_xlsx() -> bytes:
    """An empty participant list: the headings, the NIP and phone columns as Text, one example row."""
    from openpyxl import Workbook  # noqa: PLC0415 -- slow import
    from openpyxl.styles import Font  # noqa: PLC0415
    from openpyxl.worksheet.datavalidation import DataValidation  # noqa: PLC0415

    from netral.accounts.nip import build_nip  # noqa: PLC0415 -- leaf

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Peserta"
    example = ("Budi Santoso", build_nip(date(1986, 9, 26), 2015, 5, "M", 1), "PNS", "Pemerintah Kabupaten Brebes",
               "Kecamatan Brebes", "Analis Kebijakan Ahli Pertama", "Penata Muda (III/a)", "081234567890",
               "budi.santoso@example.com")
    text_columns = {FIELDS.index("nip") + 1, FIELDS.index("phone") + 1}
    widths = (28, 22, 10, 30, 24, 28, 20, 16, 28)
    for column, (heading, value, width) in enumerate(zip(TEMPLATE_HEADERS, example, widths), start=1):
        _text_cell(sheet, 1, column, heading).font = Font(bold=True)
        _text_cell(sheet, 2, column, value, as_text_format=column in text_columns)
        letter = sheet.cell(row=1, column=column).column_letter
        sheet.column_dimensions[letter].width = width
        if column in text_columns:
            sheet.column_dimensions[letter].number_format = "@"
            for row in range(3, 1002):  # cells typed later keep their leading zeros and 18 digits
                sheet.cell(row=row, column=column).number_format = "@"
    kinds = DataValidation(type="list", formula1='"PNS,PPPK,Non-ASN"', allow_blank=True, showErrorMessage=False)
    sheet.add_data_validation(kinds)
    kinds.add("C2:C1001")
    sheet.freeze_panes = "A2"
    return _workbook_bytes(workbook)


def errors_xlsx(batch: ImportBatch) -> bytes:
    """The rows with errors, with the template's headings and a column of reasons: fix and upload."""
    from openpyxl import Workbook  # noqa: PLC0415 -- slow import
    from openpyxl.styles import Font  # noqa: PLC0415

    labels = field_labels()
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Kesalahan"
    headings = (*TEMPLATE_HEADERS, "Kesalahan", "Baris asal")
    for column, heading in enumerate(headings, start=1):
        _text_cell(sheet, 1, column, heading).font = Font(bold=True)
    nip_column = FIELDS.index("nip") + 1
    for line, entry in enumerate(batch_report(batch).row_errors, start=2):
        for column, fieldname in enumerate(FIELDS, start=1):
            _text_cell(sheet, line, column, entry["values"].get(fieldname, ""), as_text_format=column == nip_column)
        reasons = "; ".join(f"{labels.get(f, '')}: {m}".lstrip(": ") for f, messages in entry["errors"].items()
                            for m in messages)
        _text_cell(sheet, line, len(FIELDS) + 1, reasons)
        sheet.cell(row=line, column=len(FIELDS) + 2, value=entry["row"])
    for column, width in enumerate((28, 22, 10, 30, 24, 28, 20, 16, 28, 60, 10), start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=column).column_letter].width = width
    sheet.freeze_panes = "A2"
    return _workbook_bytes(workbook)
