"""Test data for complaints: users by role, and reports filed through the service."""

import io
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from netral.accounts.models import Role
from netral.complaints import services
from netral.complaints.evidence import check_uploads
from tests.factories.events import UserFactory


def verifier(username="verifikator_a", **kwargs):
    return UserFactory(username=username, role=Role.VERIFIER, **kwargs)


def organiser(username="panitia_c", **kwargs):
    return UserFactory(username=username, role=Role.ORGANISER, **kwargs)


def behaviour(code="B10"):
    from netral.knowledge.models import Behaviour

    return Behaviour.objects.get(code=code)


def report(**overrides):
    """A complaint filed through ``submit_complaint`` with sensible defaults."""
    data = {
        "subject_name": "Agus Fiktifanto", "subject_agency": "Kelurahan Brebes",
        "subject_position": "Kepala Seksi", "subject_nip": "", "category": behaviour(overrides.pop("code", "B10")),
        "description": "Membagikan unggahan kampanye calon bupati di Facebook pribadinya.",
        "occurred_on": timezone.localdate() - timedelta(days=2), "region_code": "33.29.09.1002",
        "links": ["https://contoh.invalid/post/1"], "anonymous": True, "reporter_name": "", "reporter_contact": "",
        "files": [],
    }
    data.update(overrides)
    return services.submit_complaint(**data)


def jpeg_with_gps(size=(64, 48), name="foto.jpg") -> SimpleUploadedFile:
    """A real JPEG whose EXIF holds a GPS position (Brebes), a camera model and a date."""
    from PIL import Image

    img = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x0110] = "Kamera Uji"  # Model
    exif[0x0132] = "2024:09:17 09:00:00"  # DateTime
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "S", (6.0, 52.0, 30.0)
    gps[3], gps[4] = "E", (109.0, 2.0, 40.0)
    buf = io.BytesIO()
    img.save(buf, format="JPEG", exif=exif)
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


def png(name="bukti.png") -> SimpleUploadedFile:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (10, 10), (0, 0, 255)).save(buf, format="PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def checked(*uploads):
    return check_uploads(list(uploads))


def form_data(**overrides) -> dict:
    """A valid POST of the public form (web)."""
    from netral.complaints.forms import new_started_token

    data = {
        "subject_name": "Sri Contohwati", "subject_agency": "Kecamatan Brebes", "subject_position": "Analis",
        "subject_nip": "", "category": "B11",
        "description": "Aktif di grup WhatsApp tim pemenangan calon bupati dan mengajak pegawai lain bergabung.",
        "occurred_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
        "province": "33", "regency": "33.29", "district": "33.29.09", "village": "33.29.09.1002",
        "links": "https://contoh.invalid/a\nhttps://contoh.invalid/b", "anonymous": "1", "reporter_name": "",
        "reporter_contact": "", "truthful": "on", "website": "", "started": new_started_token(),
    }
    data.update(overrides)
    return data

