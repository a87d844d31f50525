#!/usr/bin/env python3
"""Certificates for 1,000 participants: issue, then download them all as one streamed ZIP.

    .venv/bin/python bench/certificates_bench.py [--participants 1000] [--keep]

A fresh temporary ``NETRAL_DATA_DIR`` (SQLite; set ``DATABASE_URL`` to use PostgreSQL — the
database is migrated and the bench event deleted afterwards), one organiser, one finished
event with a logo, two signatories (one with a signature image), three speakers and N
participants, all checked in. Then:

1. ``issue``: ``services.issue_certificates`` (N + 3 certificates, one transaction);
2. ``zip``: ``GET /panitia/kegiatan/<id>/sertifikat/semua.zip`` through Django's test client
   (the real view: auth, permission, the streaming response), consuming the stream chunk
   by chunk into a file as a browser would;
3. checks the archive (N + 3 PDFs, CRCs) and one PDF's text.

Memory: the process's resident set (``/proc/self/status`` VmRSS) is sampled every 20 ms by
a thread during the ZIP; the report gives the RSS before, the peak, their difference, and
the largest chunk the response yielded. A response that held every PDF would grow by about
the size of the ZIP; a streamed one grows by one PDF and WeasyPrint's working memory.

Goal (issue #6): N = 1,000 in under 60 s (issue + ZIP), ZIP streamed. Reports PASS/MISS and
exits 0 either way.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
GOAL_S = 60.0


def rss_kb() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class RssSampler(threading.Thread):
    def __init__(self):
        super().__init__(daemon=True)
        self.peak = rss_kb()
        self.running = True

    def run(self):
        while self.running:
            self.peak = max(self.peak, rss_kb())
            time.sleep(0.02)

    def stop(self):
        self.running = False
        self.join()
        self.peak = max(self.peak, rss_kb())


def png(size, color) -> bytes:
    import io

    from PIL import Image, ImageDraw

    img = Image.new("RGBA", size, (255, 255, 255, 0))
    ImageDraw.Draw(img).ellipse([4, 4, size[0] - 4, size[1] - 4], outline=color, width=6)
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def seed(n: int):
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from django.core.files.uploadedfile import SimpleUploadedFile

    from netral.accounts.models import Role, User
    from netral.accounts.nip import build_nip
    from netral.events.enums import CheckinMethod, EventStatus, ParticipantKind
    from netral.events.models import Attendance, Event, Participant, Speaker
    from netral.reports import services
    from netral.reports.models import CertificateSettings, Signatory

    wib = ZoneInfo("Asia/Jakarta")
    start = datetime(2024, 9, 17, 9, 0, tzinfo=wib)
    user, _ = User.objects.get_or_create(username="bench_certificates", defaults={"role": Role.ORGANISER})
    Event.objects.filter(code="BENCHCRT").delete()
    event = Event.objects.create(
        owner=user, code="BENCHCRT", title="Sosialisasi Netralitas Birokrasi untuk Mensukseskan Pilkada Serentak 2024",
        starts_at=start, ends_at=start + timedelta(hours=3), venue_name="Aula Kelurahan Brebes",
        organiser_name="Jurusan Administrasi Publik, Universitas Jenderal Soedirman", partner_name="Lurah Brebes",
        status=EventStatus.FINISHED)
    for name in ("Titi Rahmawati", "Khayu Rohmi", "Thahrina Azriah"):
        Speaker.objects.create(event=event, name=name, title_suffix="M.Si.")
    given = ["Adi", "Budi", "Citra", "Dewi", "Eko", "Fitri", "Gilang", "Hana", "Irfan", "Joko", "Kartika", "Lestari"]
    family = ["Prasetyo", "Wulandari", "Santoso", "Rahayu", "Nugroho", "Handayani", "Saputra", "Kurniawati"]
    people = []
    for i in range(n):
        nip = build_nip(datetime(1970 + i % 28, 1 + i % 12, 1 + i % 28).date(), 2000 + i % 20, 1 + i % 12,
                        "M" if i % 2 else "F", 1 + i % 999)
        people.append(Participant(event=event, kind=ParticipantKind.PNS, nip=nip,
                                  name="{} {} {}".format(given[i % 12], family[i // 12 % 8], i),
                                  agency="Kelurahan Brebes", unit="Unit {}".format(i % 9)))
    Participant.objects.bulk_create(people, batch_size=500)
    people = list(Participant.objects.filter(event=event))
    Attendance.objects.bulk_create([Attendance(event=event, participant=p, method=CheckinMethod.SELF_QR,
                                               checked_in_at=start - timedelta(minutes=30)) for p in people],
                                   batch_size=500)
    rules = CertificateSettings(event=event, place="Brebes")
    services.save_certificate_settings(rules, logo=SimpleUploadedFile("logo.png", png((400, 400), (11, 93, 75))))
    services.save_signatory(Signatory(event=event, order=1, name="Dr. Ratna Kusumawati, M.Si.",
                                      position="Ketua Jurusan Administrasi Publik", nip="197204122000032001"),
                            signature=SimpleUploadedFile("ttd.png", png((600, 240), (20, 20, 120))))
    services.save_signatory(Signatory(event=event, order=2, name="Agus Wibowo, S.STP.", position="Lurah Brebes"))
    return user, event


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=1,
                        help="NETRAL_PDF_WORKERS: PDF worker processes for the ZIP (default 1: in the request)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data folder")
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="netral-certbench-"))
    os.environ["NETRAL_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netral.settings")
    os.environ.setdefault("NETRAL_SECRET_KEY", "bench-only-secret")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    settings.NETRAL_PDF_WORKERS = args.workers
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    call_command("migrate", verbosity=0)
    t = time.perf_counter()
    user, event = seed(args.participants)
    seed_s = time.perf_counter() - t

    from netral.reports import services

    t = time.perf_counter()
    issued = services.issue_certificates(event, user=user)
    issue_s = time.perf_counter() - t

    client = Client()
    client.force_login(user)
    # Warm-up outside the measurement: imports of WeasyPrint and segno (a server pays them once).
    from netral.reports.certificates import CertificateRenderer

    CertificateRenderer(event, base_url="http://testserver").pdf(issued[0])

    zip_path = data_dir / "sertifikat.zip"
    sampler = RssSampler()
    rss_before = rss_kb()
    sampler.start()
    import resource

    def cpu():
        own = resource.getrusage(resource.RUSAGE_SELF)
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime

    cpu0 = cpu()
    t = time.perf_counter()
    response = client.get("/panitia/kegiatan/{}/sertifikat/semua.zip".format(event.pk))
    first_byte = None
    chunks = biggest = 0
    with open(zip_path, "wb") as fh:
        for chunk in response.streaming_content:
            if first_byte is None:
                first_byte = time.perf_counter() - t
            fh.write(chunk)
            chunks += 1
            biggest = max(biggest, len(chunk))
    zip_s = time.perf_counter() - t
    zip_cpu = cpu() - cpu0
    sampler.stop()

    import subprocess
    import zipfile

    with zipfile.ZipFile(zip_path) as archive:
        names = archive.namelist()
        bad = archive.testzip()
        sample = archive.read(names[len(names) // 2])
    sample_path = data_dir / "sample.pdf"
    sample_path.write_bytes(sample)
    text = subprocess.run(["pdftotext", str(sample_path), "-"], capture_output=True).stdout.decode()

    total = issue_s + zip_s
    n = len(issued)
    size = zip_path.stat().st_size
    print("certificates bench: {} participants + 3 speakers ({} certificates), database {}, {} PDF worker(s)".format(
        args.participants, n, django.db.connection.vendor, args.workers))
    print("  seed (not timed)        {:8.2f} s".format(seed_s))
    print("  issue                   {:8.2f} s".format(issue_s))
    print("  zip (streamed)          {:8.2f} s   {:.1f} ms per certificate, first byte after {:.2f} s".format(
        zip_s, 1000 * zip_s / max(n, 1), first_byte or 0))
    print("  zip CPU (all processes) {:8.2f} s   {:.1f} ms per certificate: the figure that does not depend on "
          "what else runs on the machine".format(zip_cpu, 1000 * zip_cpu / max(n, 1)))
    print("  total                   {:8.2f} s   goal < {:.0f} s: {}".format(total, GOAL_S,
                                                                         "PASS" if total < GOAL_S else "MISS"))
    print("  zip size                {:8.1f} MB   {} files, {} chunks, largest chunk {:.0f} KB, CRC {}".format(
        size / 1e6, len(names), chunks, biggest / 1024, "ok" if bad is None else "BAD " + bad))
    print("  RSS before / peak       {:8.1f} / {:.1f} MB   growth {:.1f} MB ({:.1f}% of the ZIP size)".format(
        rss_before / 1024, sampler.peak / 1024, (sampler.peak - rss_before) / 1024,
        100 * (sampler.peak - rss_before) * 1024 / max(size, 1)))
    print("  sample certificate text ok: {}".format(issued[0].event.title[:30] in " ".join(text.split())))
    print("  load average            {}".format(" ".join("{:.2f}".format(x) for x in os.getloadavg())))
    from netral.events.models import Event

    Event.objects.filter(pk=event.pk).delete()
    if args.keep:
        print("  kept", data_dir)
    else:
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
