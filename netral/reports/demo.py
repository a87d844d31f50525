"""The Brebes demo's report: drafted conclusions, three generated documentation photos,
two signatories and certificates for eligible participants and the speakers. Idempotent:
a second run changes nothing (the organiser's edits and uploads are kept)."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from . import services
from .models import CertificateSettings, Photo, Signatory

PHOTOS = [
    ("Narasumber menyampaikan materi netralitas ASN di Aula Kelurahan Brebes", "talk"),
    ("Peserta bertanya dalam sesi diskusi tentang netralitas di media sosial", "discussion"),
    ("Peserta mengerjakan post-test dan survei kepuasan melalui ponsel", "test"),
]
SIGNATORIES = [
    # Fictitious people, like the demo participants.
    {"order": 1, "name": "Dr. Ratna Kusumawati, M.Si.", "position": "Ketua Jurusan Administrasi Publik",
     "nip": "197204122000032001"},
    {"order": 2, "name": "Agus Wibowo, S.STP.", "position": "Lurah Brebes", "nip": "198107152003121002"},
]


def _scene(kind: str, caption: str, seed: int) -> bytes:
    """A simple drawn scene (hall, screen, rows of people) with a caption band: clearly a
    placeholder, but a real JPEG with the proportions of a photo."""
    import random  # noqa: PLC0415 -- leaf

    from PIL import Image, ImageDraw, ImageFont  # noqa: PLC0415 -- slow import

    rng = random.Random(seed)
    w, h = 1200, 800
    img = Image.new("RGB", (w, h), (236, 228, 210))
    d = ImageDraw.Draw(img)
    d.rectangle([0, 520, w, h], fill=(150, 112, 80))  # floor
    d.rectangle([0, 0, w, 60], fill=(210, 200, 180))  # ceiling
    for x in range(60, w, 220):  # windows
        d.rectangle([x, 120, x + 120, 300], fill=(180, 215, 235), outline=(120, 100, 80), width=4)
    try:
        font = ImageFont.truetype("DejaVuSans.ttf", 34)
        small = ImageFont.truetype("DejaVuSans.ttf", 24)
    except OSError:
        font = small = ImageFont.load_default()
    if kind == "talk":
        d.rectangle([380, 90, 820, 360], fill=(250, 250, 250), outline=(60, 60, 60), width=5)  # screen
        d.text((410, 130), "NETRALITAS ASN", fill=(11, 93, 75), font=font)
        for i in range(4):
            d.rectangle([420, 200 + 35 * i, 780 - 60 * (i % 2), 215 + 35 * i], fill=(180, 190, 200))
        d.rectangle([880, 380, 1000, 520], fill=(110, 70, 40))  # lectern
        d.ellipse([905, 250, 975, 320], fill=(205, 160, 120))
        d.rectangle([900, 320, 980, 400], fill=(40, 60, 110))
    rows = 3 if kind != "test" else 2
    for r in range(rows):
        y = 560 + r * 75
        for c in range(9):
            x = 70 + c * 125 + (r % 2) * 40 + rng.randint(-8, 8)
            shirt = rng.choice([(200, 170, 90), (60, 90, 150), (230, 230, 230), (120, 60, 60)])
            d.ellipse([x, y - 70, x + 50, y - 20], fill=(205, 160, 120))
            d.rectangle([x - 10, y - 20, x + 60, y + 40], fill=shirt)
            if kind == "discussion" and (r, c) == (1, 4):
                d.rectangle([x + 55, y - 140, x + 70, y - 20], fill=shirt)  # raised hand
                d.ellipse([x + 50, y - 160, x + 78, y - 132], fill=(205, 160, 120))
            if kind == "test":
                d.rectangle([x + 10, y - 5, x + 40, y + 35], fill=(30, 30, 30))  # phone
                d.rectangle([x + 13, y - 2, x + 37, y + 28], fill=(120, 200, 255))
    d.rectangle([0, h - 70, w, h], fill=(11, 93, 75))
    d.text((24, h - 52), caption[:80], fill=(255, 255, 255), font=small)
    d.text((w - 300, 20), "Dokumentasi (ilustrasi)", fill=(90, 80, 60), font=small)
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=85)
    return out.getvalue()


@transaction.atomic
def load_demo_report(event, *, owner) -> dict:
    rules, _created = CertificateSettings.objects.get_or_create(
        event=event, defaults={"require_present": True, "require_post_test": True, "require_survey": False,
                               "include_speakers": True, "place": "Brebes"})
    if not Signatory.objects.filter(event=event).exists():
        for data in SIGNATORIES:
            services.save_signatory(Signatory(event=event, **data), user=owner)
    if not Photo.objects.filter(event=event).exists():
        for n, (caption, kind) in enumerate(PHOTOS, start=1):
            upload = SimpleUploadedFile("dokumentasi-{}.jpg".format(n), _scene(kind, caption, n),
                                        content_type="image/jpeg")
            services.add_photo(event, upload=upload, caption=caption, user=owner)
    report = services.ensure_report(event)
    issued = services.issue_certificates(event, user=owner)
    return {"photos": Photo.objects.filter(event=event).count(), "certificates_issued": len(issued),
            "certificates": event.certificates.filter(revoked_at__isnull=True).count(),
            "conclusions": bool(report.conclusions)}
