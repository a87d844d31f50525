"""Bulk import of participants from XLSX / CSV: parsing, the report, confirm, the pages."""

import io
import json
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from netral.accounts.nip import build_ni_pppk, build_nip
from netral.core.models import AuditLog
from netral.events.enums import ParticipantKind, ParticipantSource
from netral.events.models import ImportBatch, Participant
from netral.events.services import imports
from netral.events.services.imports import (
    confirm_import,
    discard_import,
    parse_participant_file,
    stage_import,
)
from tests.factories.events import EventFactory, ParticipantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    """Assert on the English msgids, whatever the Indonesian catalogue says."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield

HEADER = ["Nama", "NIP", "Jenis", "Instansi", "Unit Kerja", "Jabatan", "Pangkat/Golongan", "Telepon", "Email"]
NIP_BUDI = build_nip(date(1986, 9, 26), 2015, 5, "M", 1)  # 198609262015051001
NIP_SITI = build_nip(date(1990, 3, 14), 2014, 3, "F", 7)
NIP_AGUS = build_nip(date(1978, 12, 1), 2003, 12, "M", 12)
NI_PPPK_RINI = build_ni_pppk(date(1992, 5, 20), 2022, 21, "F", 3)
UNREADABLE = "not a readable XLSX or CSV spreadsheet"


def numbered_nip(i: int) -> str:
    """A valid, distinct PNS NIP for each i < 11 988."""
    return build_nip(date(1980, 1 + (i // 999) % 12, 1), 2010, 3, "M" if i % 2 else "F", i % 999 + 1)


def xlsx_bytes(rows, *, write_only=False) -> bytes:
    workbook = Workbook(write_only=write_only)
    sheet = workbook.create_sheet() if write_only else workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(lines, *, delimiter=",", encoding="utf-8") -> bytes:
    return "\r\n".join(delimiter.join(cells) for cells in lines).encode(encoding)


def upload(data: bytes, name="peserta.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def good_rows():
    return [
        HEADER,
        ["Budi Santoso", NIP_BUDI, "PNS", "Pemerintah Kabupaten Brebes", "Kecamatan Brebes", "Camat",
         "Pembina (IV/a)", "081234567890", "Budi.Santoso@Example.com"],
        ["Siti Nurhaliza", NIP_SITI, "", "Pemerintah Kabupaten Brebes", "Kelurahan Pasarbatang", "Lurah",
         "Penata (III/c)", "", ""],
        ["Rini Wulandari", NI_PPPK_RINI, "PPPK", "Dinas Pendidikan", "SD Negeri 1 Brebes", "Guru", "IX", "", ""],
        ["Slamet Riyadi", "", "Non-ASN", "Karang Taruna Desa Kaligangsa", "", "Ketua", "", "", ""],
    ]


def staged(event, organiser, rows=None, name="peserta.xlsx"):
    return stage_import(event, upload=upload(xlsx_bytes(rows or good_rows()), name), user=organiser)


# --------------------------------------------------------------------------- parsing


def test_good_xlsx_with_title_row_above_the_header():
    rows = [
        ["DAFTAR PESERTA SOSIALISASI NETRALITAS ASN"],
        ["Kecamatan Brebes, 17 September 2024"],
        [],
        ["No.", "Nama Lengkap", "NIP/NI PPPK", "Status Kepegawaian", "OPD", "Unit Kerja", "Jabatan",
         "Pangkat / Golongan", "No. HP / WA", "E-mail", "Keterangan"],
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],  # the column numbering row of Indonesian forms
        [1, "Budi Santoso", NIP_BUDI, "PNS", "Pemkab Brebes", "Kecamatan Brebes", "Camat", "IV/a",
         81234567890, "budi@example.com", "hadir"],
        [],
        [2, "Rini Wulandari", NI_PPPK_RINI, "P3K", "Dinas Pendidikan", "", "Guru", "IX", "", "", ""],
        [3, "Slamet Riyadi", None, "umum", "Karang Taruna Kaligangsa", "", "", "", "", "", ""],
    ]

    parsed = parse_participant_file(io.BytesIO(xlsx_bytes(rows)), "peserta.xlsx")

    assert parsed.errors == []
    assert parsed.format == "xlsx"
    assert parsed.header_row == 4
    assert parsed.total_rows == 3
    assert parsed.row_errors == []
    assert parsed.ignored_columns == ["No.", "Keterangan"]
    assert [r["row"] for r in parsed.rows] == [6, 8, 9]
    budi, rini, slamet = parsed.rows
    assert budi["kind"] == ParticipantKind.PNS and budi["nip"] == NIP_BUDI
    assert budi["birth_date"] == "1986-09-26" and budi["gender"] == "M"
    assert budi["phone"] == "081234567890"  # the leading zero Excel dropped is back
    assert budi["rank"] == "IV/a" and budi["position"] == "Camat" and budi["unit"] == "Kecamatan Brebes"
    assert rini["kind"] == ParticipantKind.PPPK and rini["nip"] == NI_PPPK_RINI
    assert slamet["kind"] == ParticipantKind.OTHER and slamet["nip"] == "" and slamet["birth_date"] is None
    json.dumps(parsed.rows)  # stored in a JSONField as is


def test_csv_with_semicolons_in_cp1252():
    lines = [
        ["Nama", "NIP", "Instansi", "Unit Kerja", "Jabatan"],
        ["Ma’ruf Hidayat", f"'{NIP_BUDI}", "Pemkab Brebes", "Bagian Umum – Protokol", "Analis"],
        ["Siti Nurhaliza", "", "PKK Desa Kaligangsa", "", "Ketua"],
    ]
    data = csv_bytes(lines, delimiter=";", encoding="cp1252")
    assert "’".encode("cp1252") in data  # really not UTF-8

    parsed = parse_participant_file(io.BytesIO(data), "peserta.csv")

    assert parsed.errors == [] and parsed.row_errors == []
    assert parsed.format == "csv"
    assert [(r["row"], r["name"], r["nip"], r["kind"]) for r in parsed.rows] == [
        (2, "Ma’ruf Hidayat", NIP_BUDI, "pns"),
        (3, "Siti Nurhaliza", "", "other"),
    ]
    assert parsed.rows[0]["unit"] == "Bagian Umum – Protokol"


@pytest.mark.parametrize(("delimiter", "encoding"), [(",", "utf-8-sig"), ("\t", "utf-8"), (";", "utf-16")])
def test_csv_delimiters_and_encodings(delimiter, encoding):
    lines = [["Laporan peserta"], ["Name", "NIP", "Agency"], ["Dewi Lestari", NIP_SITI, "BKPSDM Brebes"]]

    parsed = parse_participant_file(csv_bytes(lines, delimiter=delimiter, encoding=encoding), "x.txt")

    assert parsed.errors == []
    assert [(r["row"], r["name"], r["agency"]) for r in parsed.rows] == [(3, "Dewi Lestari", "BKPSDM Brebes")]


def test_missing_name_column_is_a_file_level_error_listing_the_columns_found():
    rows = [["Daftar hadir"], ["No", "NIP", "Instansi", "Jabatan"], [1, NIP_BUDI, "Pemkab Brebes", "Camat"]]

    parsed = parse_participant_file(io.BytesIO(xlsx_bytes(rows)), "salah.xlsx")

    assert len(parsed.errors) == 1
    message = parsed.errors[0]
    assert "“Nama”" in message
    assert "“No”, “NIP”, “Instansi”, “Jabatan”" in message
    assert parsed.rows == [] and parsed.row_errors == []


def test_broken_xlsx_and_pdf_named_xlsx_give_one_clear_file_error():
    truncated = xlsx_bytes(good_rows())[:1500]
    pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + bytes(range(256)) * 4

    for data in (truncated, pdf):
        parsed = parse_participant_file(io.BytesIO(data), "peserta.xlsx")
        assert len(parsed.errors) == 1
        assert UNREADABLE in parsed.errors[0]
        assert parsed.rows == [] and parsed.row_errors == [] and parsed.total_rows == 0


def test_other_unreadable_files():
    assert parse_participant_file(b"", "kosong.csv").errors == ["The file is empty."]
    assert UNREADABLE in parse_participant_file(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "a.xls").errors[0]
    assert ".xls" in parse_participant_file(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "a.xls").errors[0]
    html = b"<html><body><table><tr><td>Nama</td></tr></table></body></html>"
    assert UNREADABLE in parse_participant_file(html, "export-simpeg.xls").errors[0]
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    assert UNREADABLE in parse_participant_file(png, "foto.csv").errors[0]


def test_bad_nips_each_get_their_own_reason_on_the_right_row():
    rows = [
        ["Daftar peserta"],
        HEADER,
        ["Andi Pratama", "19860926201505100", "PNS", "Pemkab Brebes"],  # 17 digits
        ["Bambang Sutrisno", "19860926X015051001", "PNS", "Pemkab Brebes"],  # a letter
        ["Citra Kirana", "198602302015051001", "", "Pemkab Brebes"],  # 30 February
        ["Dedi Kurniawan", "198609262015131001", "PNS", "Pemkab Brebes"],  # month 13 (and no PPPK)
        ["Eko Prasetyo", "198609262015051000", "PNS", "Pemkab Brebes"],  # serial 000
        ["Fitri Handayani", "", "PNS", "Pemkab Brebes"],  # PNS without NIP
        ["Gilang Ramadhan", NIP_AGUS, "Non-ASN", "Pemkab Brebes"],  # non-ASN with a NIP
        ["Hendra Gunawan", NIP_BUDI, "Kontrak", "Pemkab Brebes"],  # unknown type
        ["", NIP_SITI, "PNS", "Pemkab Brebes"],  # no name
        ["Indah Permatasari", "", "", ""],  # non-ASN without institution
        ["Joko Susilo", NIP_BUDI, "PNS", "Pemkab Brebes", "", "", "", "", "bukan-email"],
        ["Kartika Sari", NIP_SITI, "PNS", "Pemkab Brebes"],  # the only good row
        ["Lukman Hakim", "", "", "Pemkab Brebes", "", "", "", "", "l" * 250 + "@example.com"],
    ]

    parsed = parse_participant_file(io.BytesIO(xlsx_bytes(rows)), "nip.xlsx")

    assert parsed.total_rows == 13
    assert [r["row"] for r in parsed.rows] == [14]
    by_row = {e["row"]: e["errors"] for e in parsed.row_errors}
    assert sorted(by_row) == [*range(3, 14), 15]
    assert "yang dimasukkan 17 digit" in by_row[3]["nip"][0]
    assert 'karakter "X" pada posisi 9' in by_row[4]["nip"][0]
    assert '"19860230" bukan tanggal yang ada' in by_row[5]["nip"][0]
    assert "bulan 13 tidak ada" in by_row[6]["nip"][0]
    assert "tidak boleh \"000\"" in by_row[7]["nip"][0]
    assert by_row[8] == {"nip": ["NIP is required for ASN participants."]}
    assert "non-ASN participant has no NIP" in by_row[9]["nip"][0]
    assert "Unknown participant type “Kontrak”" in by_row[10]["kind"][0]
    assert by_row[11] == {"name": ["Name is required."]}
    assert by_row[12] == {"agency": ["Institution is required for non-ASN participants."]}
    assert "not a valid email address" in by_row[13]["email"][0]
    assert by_row[15] == {"email": ["At most 254 characters (now 262)."]}
    first = parsed.row_errors[0]
    assert first["values"]["name"] == "Andi Pratama" and first["values"]["nip"] == "19860926201505100"


def test_duplicate_nip_in_the_file_names_the_first_row():
    rows = [
        HEADER,
        ["Budi Santoso", NIP_BUDI, "PNS", "Pemkab Brebes"],
        ["Siti Nurhaliza", NIP_SITI, "PNS", "Pemkab Brebes"],
        ["Budi S.", f"{NIP_BUDI[:8]} {NIP_BUDI[8:14]} {NIP_BUDI[14]} {NIP_BUDI[15:]}", "PNS", "Pemkab Brebes"],
        ["Slamet Riyadi", "", "", "Karang Taruna"],
        ["SLAMET RIYADI", "", "", "karang taruna"],
    ]

    parsed = parse_participant_file(io.BytesIO(xlsx_bytes(rows)), "dobel.xlsx")

    assert [r["row"] for r in parsed.rows] == [2, 3, 5]
    assert parsed.row_errors[0]["row"] == 4
    assert parsed.row_errors[0]["errors"] == {"nip": ["This NIP already appears in row 2."]}
    assert parsed.row_errors[1]["row"] == 6
    assert "row 5" in parsed.row_errors[1]["errors"]["name"][0]


def test_nip_stored_as_a_number_is_reported_precisely():
    rows = [
        HEADER,
        ["Budi Santoso", float(NIP_BUDI), "PNS", "Pemkab Brebes"],
        ["Siti Nurhaliza", f"’{NIP_SITI}", "PNS", "Pemkab Brebes"],  # apostrophe prefix is fine
        ["Agus Salim", ".".join([NIP_AGUS[:8], NIP_AGUS[8:14], NIP_AGUS[14], NIP_AGUS[15:]]), "", "Pemkab Brebes"],
    ]

    parsed = parse_participant_file(io.BytesIO(xlsx_bytes(rows)), "angka.xlsx")

    assert [(r["row"], r["nip"]) for r in parsed.rows] == [(3, NIP_SITI), (4, NIP_AGUS)]
    (error,) = parsed.row_errors
    assert error["row"] == 2
    assert error["errors"] == {"nip": [
        "NIP stored as a number in Excel and lost digits; format the column as Text and type the NIP again."]}
    assert error["values"]["nip"] == "1.98609262015051E+17"  # as Excel shows it


def test_nip_in_scientific_notation_in_a_csv_and_exact_integer_cells():
    data = csv_bytes([["Nama", "NIP", "Instansi"], ["Budi Santoso", "1,98609E+17", "Pemkab Brebes"]], delimiter=";")

    parsed = parse_participant_file(data, "dari-excel.csv")

    assert parsed.row_errors[0]["row"] == 2
    assert parsed.row_errors[0]["errors"]["nip"][0].startswith("NIP stored as a number in Excel")
    # An integer cell is exact (some writers store it so): 18 digits round-trip.
    assert imports._nip(int(NIP_BUDI)) == (NIP_BUDI, False)
    assert imports._nip(float(NIP_BUDI))[1] is True


def test_file_and_row_limits(settings, monkeypatch):
    settings.NETRAL_IMPORT_MAX_BYTES = 1000
    too_big = parse_participant_file(upload(xlsx_bytes(good_rows())), "besar.xlsx")
    assert too_big.errors and "the limit is 0,0 MB" in too_big.errors[0]

    settings.NETRAL_IMPORT_MAX_BYTES = 10 * 1024 * 1024
    monkeypatch.setattr(imports, "MAX_ROWS", 3)
    too_long = parse_participant_file(upload(xlsx_bytes(good_rows())), "panjang.xlsx")
    assert too_long.errors == ["The file has more than 3 participant rows. Split it into smaller files."]
    assert too_long.rows == []


# --------------------------------------------------------------------------- stage / confirm


def test_nothing_is_written_before_confirm(event, organiser):
    rows = [*good_rows(), ["", "123", "PNS", "Pemkab Brebes"]]

    batch = staged(event, organiser, rows)

    assert Participant.objects.count() == 0
    assert batch.state == ImportBatch.State.PENDING
    assert batch.filename == "peserta.xlsx" and batch.created_by == organiser
    assert batch.total_rows == 5 and len(batch.valid_rows) == 4
    report = imports.batch_report(batch)
    assert (report.valid_count, report.error_count, report.new_count, report.update_count) == (4, 1, 4, 0)
    assert report.row_errors[0]["row"] == 6


def test_confirm_registers_valid_rows(event, organiser):
    batch = staged(event, organiser)

    batch = confirm_import(batch, user=organiser)

    assert batch.state == ImportBatch.State.IMPORTED
    assert (batch.created_count, batch.updated_count) == (4, 0)
    budi = Participant.objects.get(event=event, nip=NIP_BUDI)
    assert budi.source == ParticipantSource.IMPORT
    assert budi.email == "budi.santoso@example.com"
    assert budi.birth_date == date(1986, 9, 26) and budi.gender == "M"
    assert Participant.objects.get(event=event, nip=NI_PPPK_RINI).kind == ParticipantKind.PPPK
    assert Participant.objects.get(event=event, name="Slamet Riyadi").kind == ParticipantKind.OTHER
    log = AuditLog.objects.get(action="netral.participants.imported")
    assert log.data["created"] == 4 and log.data["updated"] == 0 and log.data["filename"] == "peserta.xlsx"


def test_reimporting_the_same_file_creates_no_duplicates(event, organiser):
    other_event = EventFactory(owner=organiser)
    ParticipantFactory(event=other_event, nip=NIP_BUDI)  # same NIP elsewhere: another event's list
    confirm_import(staged(event, organiser), user=organiser)
    rows = good_rows()
    rows[1][4] = "Sekretariat Daerah"  # Budi moved
    rows[4][3] = "KARANG TARUNA DESA KALIGANGSA"  # same non-ASN, other case

    again = staged(event, organiser, rows)
    report = imports.batch_report(again)
    again = confirm_import(again, user=organiser)

    assert (report.new_count, report.update_count) == (0, 4)
    assert (again.created_count, again.updated_count) == (0, 4)
    assert Participant.objects.filter(event=event).count() == 4
    assert Participant.objects.get(event=event, nip=NIP_BUDI).unit == "Sekretariat Daerah"


def test_existing_participants_are_counted_as_updates(event, organiser):
    ParticipantFactory(event=event, nip=NIP_SITI, name="Siti N.", unit="")
    batch = staged(event, organiser)

    report = imports.batch_report(batch)
    batch = confirm_import(batch, user=organiser)

    assert (report.new_count, report.update_count) == (3, 1)
    assert (batch.created_count, batch.updated_count) == (3, 1)
    siti = Participant.objects.get(event=event, nip=NIP_SITI)
    assert siti.name == "Siti Nurhaliza" and siti.unit == "Kelurahan Pasarbatang"


def test_confirm_is_atomic(event, organiser, monkeypatch):
    ParticipantFactory(event=event, nip=NIP_SITI, name="Siti N.")
    batch = staged(event, organiser)

    def fail(*args, **kwargs):
        raise RuntimeError("audit log down")

    monkeypatch.setattr(imports, "log_action", fail)
    with pytest.raises(RuntimeError):
        confirm_import(batch, user=organiser)

    assert Participant.objects.filter(event=event).count() == 1
    assert Participant.objects.get(event=event, nip=NIP_SITI).name == "Siti N."
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.PENDING and batch.created_count == 0


def test_confirm_is_idempotent(event, organiser):
    batch = staged(event, organiser)

    first = confirm_import(batch, user=organiser)
    second = confirm_import(batch, user=organiser)
    third = confirm_import(ImportBatch.objects.get(pk=batch.pk), user=organiser)

    assert Participant.objects.filter(event=event).count() == 4
    assert (second.created_count, second.updated_count) == (first.created_count, first.updated_count) == (4, 0)
    assert third.state == ImportBatch.State.IMPORTED
    assert AuditLog.objects.filter(action="netral.participants.imported").count() == 1


def test_a_concurrent_registration_falls_back_to_one_by_one(event, organiser, monkeypatch):
    batch = staged(event, organiser)
    ParticipantFactory(event=event, nip=NIP_BUDI, name="Budi (daftar sendiri)")
    # Budi registered himself after the list was read: the bulk insert meets the unique NIP.
    monkeypatch.setattr(imports, "_existing_participants", lambda event: [])

    batch = confirm_import(batch, user=organiser)

    assert (batch.created_count, batch.updated_count) == (3, 1)
    assert Participant.objects.filter(event=event).count() == 4
    assert Participant.objects.get(event=event, nip=NIP_BUDI).name == "Budi Santoso"


def test_discarded_batch_cannot_be_confirmed(event, organiser):
    batch = staged(event, organiser)

    discard_import(batch, user=organiser)

    assert batch.state == ImportBatch.State.DISCARDED
    with pytest.raises(imports.ImportBatchError):
        confirm_import(batch, user=organiser)
    assert Participant.objects.count() == 0


def test_ten_thousand_rows_stage_and_import(event, organiser):
    rows = [["Daftar peserta 10.000"], HEADER]
    rows += [[f"Peserta Nomor {i}", numbered_nip(i), "PNS", "Pemerintah Provinsi Jawa Tengah", f"Unit {i % 40}",
              "Pelaksana", "Pengatur (II/c)", f"0812{i:08d}", f"peserta{i}@example.com"] for i in range(10_000)]
    data = xlsx_bytes(rows, write_only=True)

    batch = stage_import(event, upload=upload(data, "besar.xlsx"), user=organiser)
    assert (batch.total_rows, len(batch.valid_rows), len(batch.errors)) == (10_000, 10_000, 0)
    assert batch.valid_rows[-1]["row"] == 10_002
    assert Participant.objects.count() == 0

    batch = confirm_import(batch, user=organiser)
    assert (batch.created_count, batch.updated_count) == (10_000, 0)
    assert Participant.objects.filter(event=event, source=ParticipantSource.IMPORT).count() == 10_000
    assert Participant.objects.filter(event=event).values("token").distinct().count() == 10_000


def test_exported_participant_list_can_be_imported_again(event, organiser):
    from netral.events.exports import participants_xlsx

    confirm_import(staged(event, organiser), user=organiser)

    again = stage_import(event, upload=upload(participants_xlsx(event), "ekspor.xlsx"), user=organiser)

    report = imports.batch_report(again)
    assert report.file_errors == [] and report.row_errors == []
    assert (report.valid_count, report.new_count, report.update_count) == (4, 0, 4)


# --------------------------------------------------------------------------- pages


def test_upload_review_confirm_flow(organiser_client, event):
    page = organiser_client.get(reverse("events:import", args=[event.pk]))
    assert page.status_code == 200
    assert 'type="file"' in page.content.decode()
    assert reverse("events:import_template", args=[event.pk]) in page.content.decode()

    response = organiser_client.post(reverse("events:import", args=[event.pk]),
                                     {"file": upload(xlsx_bytes(good_rows()), "peserta.xlsx")})
    batch = ImportBatch.objects.get(event=event)
    review_url = reverse("events:import_review", args=[event.pk, batch.pk])
    assert response.status_code == 302 and response.url == review_url
    assert Participant.objects.count() == 0

    body = organiser_client.get(review_url).content.decode()
    assert "Import the 4 valid rows" in body

    response = organiser_client.post(review_url, {"action": "confirm"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("events:participants", args=[event.pk])
    assert "4 added, 0 updated." in response.content.decode()
    assert Participant.objects.filter(event=event).count() == 4

    again = organiser_client.post(review_url, {"action": "confirm"}, follow=True)  # double click
    assert "4 added, 0 updated." in again.content.decode()
    assert Participant.objects.filter(event=event).count() == 4


def test_review_page_lists_bad_rows_with_their_reasons(organiser_client, event, organiser):
    rows = [
        ["Daftar peserta"],
        HEADER,
        ["Budi Santoso", NIP_BUDI, "PNS", "Pemkab Brebes"],
        ["Andi Pratama", "19860926201505100", "PNS", "Pemkab Brebes"],
        ["Budi Lagi", NIP_BUDI, "PNS", "Pemkab Brebes"],
        ["Citra Kirana", float(NIP_SITI), "PNS", "Pemkab Brebes"],
    ]
    batch = staged(event, organiser, [[*r, "catatan"] if r is HEADER else r for r in rows])

    body = organiser_client.get(reverse("events:import_review", args=[event.pk, batch.pk])).content.decode()

    assert 'id="row-4"' in body and 'id="row-5"' in body and 'id="row-6"' in body
    assert "Andi Pratama" in body and "19860926201505100" in body
    assert "yang dimasukkan 17 digit" in body
    assert "This NIP already appears in row 3." in body
    assert "NIP stored as a number in Excel and lost digits" in body
    assert "Import the 1 valid row" in body
    assert "Fix the file and upload again" in body
    assert "catatan" in body  # ignored column listed
    assert "style=" not in body and "<script>" not in body


def test_review_of_an_unreadable_file_offers_no_import(organiser_client, event):
    response = organiser_client.post(reverse("events:import", args=[event.pk]),
                                     {"file": upload(b"%PDF-1.4\n" + bytes(range(256)) * 8, "peserta.xlsx")},
                                     follow=True)

    body = response.content.decode()
    assert UNREADABLE in body
    assert 'value="confirm"' not in body
    assert 'value="discard"' in body


def test_fix_and_upload_again_discards_the_batch(organiser_client, event, organiser):
    batch = staged(event, organiser)
    review_url = reverse("events:import_review", args=[event.pk, batch.pk])

    response = organiser_client.post(review_url, {"action": "discard"})

    assert response.status_code == 302 and response.url == reverse("events:import", args=[event.pk])
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.DISCARDED
    organiser_client.post(review_url, {"action": "confirm"})
    assert Participant.objects.count() == 0


def test_errors_download_lists_bad_rows_as_text(organiser_client, event, organiser):
    data = csv_bytes([HEADER[:4], ['"=HYPERLINK(""http://contoh.test"",""klik"")"', "123", "PNS", "Pemkab"]])
    batch = stage_import(event, upload=upload(data, "peserta.csv"), user=organiser)

    response = organiser_client.get(reverse("events:import_review", args=[event.pk, batch.pk]), {"download": "errors"})

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]][:10] == [*HEADER, "Kesalahan"]
    assert sheet["A2"].data_type != "f" and sheet["A2"].value.startswith("=HYPERLINK")  # text, not a formula
    assert "18 digit" in sheet["J2"].value and sheet["K2"].value == 2


def test_template_download_has_the_headers_and_a_text_nip_column(organiser_client, event):
    response = organiser_client.get(reverse("events:import_template", args=[event.pk]))

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]] == HEADER
    assert sheet["B2"].value == NIP_BUDI and sheet["B2"].number_format == "@"
    assert sheet["B3"].number_format == "@"
    parsed = parse_participant_file(io.BytesIO(response.content), "templat.xlsx")
    assert parsed.errors == [] and parsed.row_errors == [] and [r["nip"] for r in parsed.rows] == [NIP_BUDI]


def test_other_organiser_gets_404_everywhere(client, event, organiser, other_organiser):
    batch = staged(event, organiser)
    client.force_login(other_organiser)
    review_url = reverse("events:import_review", args=[event.pk, batch.pk])

    assert client.get(reverse("events:import", args=[event.pk])).status_code == 404
    assert client.post(reverse("events:import", args=[event.pk]),
                       {"file": upload(xlsx_bytes(good_rows()))}).status_code == 404
    assert client.get(review_url).status_code == 404
    assert client.post(review_url, {"action": "confirm"}).status_code == 404
    assert client.post(review_url, {"action": "discard"}).status_code == 404
    assert client.get(reverse("events:import_template", args=[event.pk])).status_code == 404
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.PENDING
    assert Participant.objects.count() == 0
    assert ImportBatch.objects.count() == 1


def test_batch_must_belong_to_the_event_in_the_url(organiser_client, event, organiser):
    own_other_event = EventFactory(owner=organiser)
    batch = staged(own_other_event, organiser)

    url = reverse("events:import_review", args=[event.pk, batch.pk])
    assert organiser_client.get(url).status_code == 404
    assert organiser_client.post(url, {"action": "confirm"}).status_code == 404
    assert Participant.objects.count() == 0


def test_anonymous_is_sent_to_login(client, event, organiser):
    batch = staged(event, organiser)
    urls = [reverse("events:import", args=[event.pk]), reverse("events:import_template", args=[event.pk]),
            reverse("events:import_review", args=[event.pk, batch.pk])]

    for url in urls:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))
    response = client.post(urls[2], {"action": "confirm"})
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    assert Participant.objects.count() == 0
