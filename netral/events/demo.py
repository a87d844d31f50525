"""The reference case: Sosialisasi Netralitas Birokrasi, Aula Kelurahan Brebes, 17 Sept 2024.

Built through the services, so the demo exercises the same code as real use. Idempotent:
running it again updates the same event and participants. Participants are fictitious."""

import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction

from netral.accounts import nip as nip_parser

from .enums import CheckinMethod, EventStatus, Method, ParticipantSource
from .models import Attendance, Event, Session, Speaker
from .services.checkin import check_in
from .services.participants import clean_identity, register_participant

DEMO_CODE = "BREBES"
WIB = ZoneInfo("Asia/Jakarta")
START = datetime(2024, 9, 17, 9, 0, tzinfo=WIB)

EVENT = {
    "title": "Sosialisasi Netralitas Birokrasi untuk Mensukseskan Pilkada Serentak 2024",
    "theme": "Netralitas ASN dalam Pilkada Serentak 2024",
    "description": (
        "Kegiatan pengabdian kepada masyarakat: sosialisasi netralitas Aparatur Sipil Negara (ASN) "
        "menjelang Pilkada Serentak 2024 bagi ASN di lingkungan Kelurahan Brebes. "
        "Data peserta dalam demo ini fiktif."
    ),
    "methods": [Method.LECTURE, Method.DISCUSSION, Method.EVALUATION],
    "starts_at": START,
    "ends_at": START + timedelta(hours=3),
    "venue_name": "Aula Kelurahan Brebes",
    "venue_address": "Jl. Jenderal A. Yani No. 15, RW 01, Brebes Tengah, Kec. Brebes, Kab. Brebes",
    "organiser_name": "Jurusan Administrasi Publik, Universitas Jenderal Soedirman",
    "partner_name": "Lurah Brebes",
    "audience": "ASN di lingkungan Kelurahan Brebes",
    "expected_participants": 40,
}

SPEAKERS = [
    {"name": "Titi Rahmawati", "title_suffix": "M.Si."},
    {"name": "Khayu Rohmi", "title_suffix": "MPA"},
    {"name": "Thahrina Azriah", "title_suffix": "M.Si."},
]

SESSIONS = [
    ("Menjaga Kepercayaan Masyarakat dengan Netralitas",
     "Mengapa netralitas ASN menentukan kepercayaan masyarakat kepada birokrasi dan pelayanan publik "
     "yang adil bagi semua warga, apa pun pilihan politiknya."),
    ("Hormati Netralitas ASN dengan Mengedepankan Etika",
     "Etika ASN dalam bersikap dan berperilaku selama tahapan Pilkada, termasuk di media sosial, "
     "dan cara menolak ajakan atau tekanan politik dengan santun."),
    ("Netralitas sebagai Komitmen Bersama Birokrasi selama Pemilu",
     "Netralitas sebagai komitmen bersama: peran pimpinan instansi, kerja sama antarinstansi, "
     "serta jalur pelaporan dugaan pelanggaran."),
]

UNITS = [
    ("Kelurahan Brebes", "Sekretariat Kelurahan", ["Sekretaris Kelurahan", "Pengadministrasi Umum", "Bendahara"]),
    ("Kelurahan Brebes", "Seksi Pemerintahan", ["Kepala Seksi Pemerintahan", "Pengelola Data Kependudukan"]),
    ("Kelurahan Brebes", "Seksi Kesejahteraan Sosial", ["Kepala Seksi Kesejahteraan Sosial", "Pengelola Layanan Sosial"]),
    ("Kelurahan Brebes", "Seksi Ekonomi dan Pembangunan", ["Kepala Seksi Ekonomi dan Pembangunan", "Pengawas Pembangunan"]),
    ("Kelurahan Brebes", "Seksi Ketenteraman dan Ketertiban Umum", ["Kepala Seksi Trantibum", "Analis Ketertiban"]),
    ("Kecamatan Brebes", "Sekretariat Kecamatan", ["Analis Kebijakan", "Pengelola Keuangan"]),
    ("Puskesmas Brebes", "Pelayanan Kesehatan", ["Perawat", "Bidan", "Pengelola Program Kesehatan"]),
]
RANKS = ["Penata Muda (III/a)", "Penata Muda Tingkat I (III/b)", "Penata (III/c)", "Penata Tingkat I (III/d)",
         "Pengatur (II/c)", "Pembina (IV/a)"]
GIVEN = ["Adi", "Budi", "Citra", "Dewi", "Eko", "Fitri", "Gilang", "Hana", "Irfan", "Joko", "Kartika", "Lestari",
         "Maya", "Nanda", "Oki", "Putri", "Rizki", "Sari", "Teguh", "Umi", "Vina", "Wahyu", "Yuni", "Zaki"]
FAMILY = ["Prasetyo", "Wulandari", "Santoso", "Rahayu", "Nugroho", "Handayani", "Saputra", "Kurniawati",
          "Hidayat", "Permatasari", "Setiawan", "Anggraini", "Firmansyah", "Utami"]
FEMALE = {"Citra", "Dewi", "Fitri", "Hana", "Kartika", "Lestari", "Maya", "Putri", "Sari", "Umi", "Vina", "Yuni"}


def handout_pdf(title: str, lines: list[str]) -> bytes:
    """A one-page PDF handout (Helvetica, no embedded fonts) for the demo's sessions."""

    def esc(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    ops = ["BT", "/F1 16 Tf", "56 780 Td", f"({esc(title)}) Tj", "/F1 11 Tf", "0 -28 Td"]
    for line in lines:
        ops += [f"({esc(line)}) Tj", "0 -16 Td"]
    ops.append("ET")
    stream = "\n".join(ops).encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> "
        b"/Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _wrap(text: str, width: int = 80) -> list[str]:
    import textwrap  # noqa: PLC0415 -- leaf

    return textwrap.wrap(text, width)


def demo_participants(count: int = 40, seed: int = 17092024) -> list[dict]:
    """Fictitious ASN with NIPs valid by structure (a few PPPK), deterministic."""
    rng = random.Random(seed)
    rows = []
    used = set()
    while len(rows) < count:
        given, family = rng.choice(GIVEN), rng.choice(FAMILY)
        name = f"{given} {family}"
        if name in used:
            continue
        used.add(name)
        agency, unit, positions = rng.choice(UNITS)
        birth = date(rng.randint(1968, 1998), rng.randint(1, 12), rng.randint(1, 28))
        gender = "F" if given in FEMALE else "M"
        serial = rng.randint(1, 9)
        if len(rows) % 8 == 7:  # every eighth one a PPPK
            year = rng.randint(max(2019, birth.year + 18), 2024)
            nip = nip_parser.build_ni_pppk(birth, year, "21", gender, serial)
            kind = "pppk"
        else:
            start_year = rng.randint(birth.year + 20, min(birth.year + 30, 2023))
            nip = nip_parser.build_nip(birth, start_year, rng.randint(1, 12), gender, serial)
            kind = "pns"
        rows.append({"kind": kind, "nip": nip, "name": name, "agency": agency, "unit": unit,
                     "position": rng.choice(positions), "rank": "" if kind == "pppk" else rng.choice(RANKS)})
    return rows


@transaction.atomic
def load_demo(*, owner) -> Event:
    event = Event.objects.filter(code=DEMO_CODE).first()
    if event is None:
        event = Event(code=DEMO_CODE, owner=owner)
    for field, value in EVENT.items():
        setattr(event, field, value)
    event.status = EventStatus.RUNNING
    event.full_clean()
    event.save()

    speakers = []
    for data in SPEAKERS:
        speaker, _ = Speaker.objects.update_or_create(event=event, name=data["name"], defaults=data)
        speakers.append(speaker)
    for order, ((title, summary), speaker) in enumerate(zip(SESSIONS, speakers), start=1):
        starts = START + timedelta(minutes=30 * (order - 1))
        session, _ = Session.objects.update_or_create(
            event=event, order=order,
            defaults={"title": title, "summary": summary, "starts_at": starts, "ends_at": starts + timedelta(minutes=30)},
        )
        session.speakers.set([speaker])
        if not session.materials.exists():
            from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: PLC0415 -- leaf

            from .services.materials import add_material  # noqa: PLC0415 -- leaf

            pdf = handout_pdf(title, [f"Narasumber: {speaker.display_name}", "", *_wrap(summary),
                                      "", "Handout demo Netral - Aula Kelurahan Brebes, 17 September 2024."])
            add_material(session, title=f"Handout: {title}", upload=SimpleUploadedFile("handout.pdf", pdf),
                         user=owner)

    rng = random.Random(42)
    for index, row in enumerate(demo_participants()):
        identity = clean_identity(row, today=date(2024, 9, 17))
        participant, _ = register_participant(event, identity, source=ParticipantSource.IMPORT, update=True)
        if index % 10 != 9 and not Attendance.objects.filter(participant=participant).exists():
            at = START - timedelta(minutes=35) + timedelta(seconds=rng.randint(0, 40 * 60))
            method = rng.choice([CheckinMethod.SELF_QR, CheckinMethod.SELF_QR, CheckinMethod.ORGANISER_SCAN,
                                 CheckinMethod.MANUAL])
            check_in(participant, method=method, at=at, user=owner if method != CheckinMethod.SELF_QR else None)
    return event
