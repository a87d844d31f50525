"""Demo complaints for Kabupaten Brebes: about 30 clearly fictitious reports in every state,
built through the services (so the history and the audit trail are as in real use).

Idempotent: each demo report has a fixed tracking code; existing ones are left alone.
Names are invented and every description starts with "[DEMO – fiktif]".
"""

import random
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from netral.accounts import nip as nip_parser

from . import services, tracking
from .enums import Channel, ComplaintState as S
from .models import Complaint

PREFIX = "[DEMO – fiktif] "
NAMES = ["Agus Fiktifanto", "Sri Contohwati", "Bambang Rekaan", "Rina Samaran", "Dedi Misalnya", "Wati Umpamani",
         "Hendra Khayalan", "Yanti Contoh", "Joko Andaikan", "Lina Fiksiani", "Teguh Permisalan", "Nur Ilustrasiyah",
         "Slamet Rekayasa", "Dwi Contohningsih", "Eko Andaian", "Ratna Rekaan", "Imam Fiktiv", "Sari Samarani",
         "Bayu Umpama", "Fitri Khayali", "Gunawan Ibaratno", "Heni Rekatama", "Kusnadi Contoh", "Maya Fiksiana",
         "Yusuf Misalnya", "Endang Andaini", "Rudi Samaranto"]
# Repeats (possible duplicates on the dashboard), one with titles to show the name normalisation.
REPEATS = {27: "Drs. Agus Fiktifanto, M.Si.", 28: "Rina Samaran", 29: "Wati Umpamani"}
PLACES = [  # (agency, position, region code): real Brebes places, invented people
    ("Kelurahan Brebes", "Kepala Seksi Pemerintahan", "33.29.09.1002"),
    ("Kecamatan Brebes", "Analis Kebijakan", "33.29.09"),
    ("Dinas Pendidikan Kabupaten Brebes", "Kepala Sekolah", "33.29.03"),
    ("Puskesmas Brebes", "Bidan", "33.29.09.1003"),
    ("Kecamatan Bumiayu", "Sekretaris Kecamatan", "33.29.03"),
    ("Kelurahan Limbangan Wetan", "Lurah", "33.29.09.1012"),
    ("Dinas Kesehatan Kabupaten Brebes", "Pengelola Program", "33.29.16"),
    ("Kecamatan Ketanggungan", "Camat", "33.29.16"),
    ("Kelurahan Pasarbatang", "Pengadministrasi Umum", "33.29.09.1015"),
    ("Sekretariat Daerah Kabupaten Brebes", "Kepala Bagian", "33.29"),
]
STORIES = [
    ("B10", "Menyukai dan membagikan unggahan kampanye salah satu pasangan calon di Facebook pribadi, "
            "lalu menulis komentar ajakan memilih."),
    ("B11", "Tergabung dan aktif mengirim pesan di grup WhatsApp tim pemenangan salah satu calon bupati."),
    ("B13", "Mengunggah foto bersama calon dengan latar baliho partai di akun Instagram."),
    ("B14", "Berpose dua jari bersama relawan calon saat acara di balai desa, foto beredar di media sosial."),
    ("B06", "Mobil dinas berpelat merah dipakai mengantar peserta ke lokasi kampanye."),
    ("B21", "Mengumpulkan ketua RT di kantor kelurahan dan membagikan kalender bergambar calon."),
    ("B17", "Hadir di deklarasi pasangan calon dan ikut meneriakkan yel-yel dukungan."),
    ("B05", "Mengajak pegawai lain di kantornya untuk hadir di kampanye akbar pada hari kerja."),
    ("B16", "Memasang spanduk bakal calon di pagar kantor kecamatan."),
    ("B22", "Mempercepat pencairan bantuan untuk desa yang dianggap mendukung calon tertentu."),
]
# (state, days ago the event happened, extras) — open cases are recent, finished ones from Pilkada 2024.
PLAN = (
    [(S.RECEIVED, d, {}) for d in (1, 2, 3, 9)]
    + [(S.VERIFYING, d, {}) for d in (4, 6, 12, 15, 20)]
    + [(S.FORWARDED, d, {"question": i < 2}) for i, d in enumerate((8, 10, 16, 25, 30, 40))]
    + [(S.PROVEN, d, {}) for d in (45, 60)]
    + [(S.NOT_PROVEN, d, {}) for d in (70, 80)]
    + [(S.SANCTIONED, d, {}) for d in (100, 120, 150)]
    + [(S.CLOSED, d, {}) for d in (200, 230, 260, 290, 320)]
    + [(S.REJECTED, d, {}) for d in (35, 90)]
    + [(S.WITHDRAWN, 50, {})]
)
ROUTES = {
    S.VERIFYING: [S.VERIFYING],
    S.FORWARDED: [S.VERIFYING, S.FORWARDED],
    S.PROVEN: [S.VERIFYING, S.FORWARDED, S.PROVEN],
    S.NOT_PROVEN: [S.VERIFYING, S.FORWARDED, S.NOT_PROVEN],
    S.SANCTIONED: [S.VERIFYING, S.FORWARDED, S.PROVEN, S.SANCTIONED],
    S.CLOSED: [S.VERIFYING, S.FORWARDED, S.PROVEN, S.SANCTIONED, S.CLOSED],
    S.REJECTED: [S.REJECTED],
    S.WITHDRAWN: [S.VERIFYING, S.WITHDRAWN],
}
SANCTIONS = ["moral", "disiplin_sedang", "disiplin_berat"]


def _codes(n: int) -> list[str]:
    rng = random.Random("netral-demo-complaints")
    return ["".join(rng.choice(tracking.ALPHABET) for _ in range(tracking.LENGTH)) for _ in range(n)]


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


@transaction.atomic
def load_demo_complaints(*, verifier) -> int:
    """Create the demo complaints that do not exist yet; return how many demo complaints exist."""
    from netral.knowledge.models import Behaviour, Sanction  # noqa: PLC0415 -- leaf

    codes = _codes(len(PLAN))
    existing = set(Complaint.objects.filter(tracking_code__in=codes).values_list("tracking_code", flat=True))
    behaviours = {b.code: b for b in Behaviour.objects.filter(code__in=[c for c, _ in STORIES])}
    sanctions = {s.code: s for s in Sanction.objects.filter(code__in=SANCTIONS)}
    today = timezone.localdate()
    rng = random.Random(17)
    for i, ((state, days_ago, extra), code) in enumerate(zip(PLAN, codes)):
        if code in existing:
            continue
        # Two people are reported twice (possible duplicates on the dashboard).
        name = REPEATS.get(i) or NAMES[i]
        base = {27: 0, 28: 3, 29: 5}.get(i, i)
        agency, position, region = PLACES[base % len(PLACES)]
        category, story = STORIES[(i * 3) % len(STORIES)]
        occurred = today - timedelta(days=days_ago)
        received = _at(occurred + timedelta(days=1), 9 + i % 7)
        identified = i % 3 == 0
        nip = nip_parser.build_nip(date(1975 + base % 20, 1 + base % 12, 1 + base % 27), 2003 + base % 15,
                                   1 + base % 12, "M" if base % 2 else "F", 1 + base) if base % 4 == 0 else ""
        complaint = services.submit_complaint(
            subject_name=name, subject_agency=agency, subject_position=position, subject_nip=nip,
            category=behaviours[category], description=PREFIX + story, occurred_on=occurred, region_code=region,
            links=[f"https://contoh.invalid/unggahan/{i + 1}"] if category in ("B10", "B11", "B13", "B14") else [],
            anonymous=not identified, reporter_name=f"Pelapor Contoh {i + 1}" if identified else "",
            reporter_contact=f"0812-0000-{i + 1:04d}" if identified else "", source="demo", now=received,
            tracking_code=code)
        step_at = received
        for target in ROUTES.get(state, []):
            step_at += timedelta(days=rng.randint(1, 4), hours=rng.randint(0, 5))
            kwargs = {}
            if target == S.FORWARDED:
                kwargs = {"channel": Channel.PPK if i % 3 else Channel.BKN,
                          "recipient": "Bupati Brebes selaku Pejabat Pembina Kepegawaian" if i % 3
                          else "Kepala BKN c.q. Deputi Bidang Pengawasan dan Pengendalian",
                          "reference": f"DEMO/{occurred.year}/{i + 1:03d}" if i % 2 else ""}
            if target == S.SANCTIONED:
                kwargs = {"sanction": sanctions.get(SANCTIONS[i % len(SANCTIONS)]),
                          "sanction_reference": f"800/DEMO-{i + 1:03d}/{occurred.year}"}
            if target == S.REJECTED:
                kwargs = {"public_note": "Laporan belum memuat waktu dan tempat kejadian yang jelas. "
                                         "Silakan kirim laporan baru dengan keterangan lengkap."}
            if target == S.WITHDRAWN:
                kwargs = {"public_note": "Ditarik: laporan ini sama dengan laporan lain yang sudah diproses."}
            if target in (S.PROVEN, S.NOT_PROVEN):
                kwargs = {"public_note": "Instansi berwenang telah memeriksa laporan ini."}
            services.set_complaint_state(complaint, target, user=verifier, now=min(step_at, timezone.now()),
                                         note="Catatan internal demo.", **kwargs)
        if extra.get("question"):
            asked = min(step_at + timedelta(days=1), timezone.now())
            services.ask_reporter(complaint, user=verifier, now=asked,
                                  question="Apakah Anda memiliki tangkapan layar unggahan tersebut beserta tanggalnya?")
    return Complaint.objects.filter(tracking_code__in=codes).count()
