import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from netral.complaints.evidence import EvidenceError, check_upload
from netral.complaints.models import Complaint, Evidence

from .factories import checked, form_data, jpeg_with_gps, png, report

pytestmark = pytest.mark.django_db

PHP = b"<?php echo shell_exec($_GET['c']); ?>\n"


def _exif_of(data: bytes):
    from PIL import Image

    with Image.open(io.BytesIO(data)) as img:
        return img.getexif(), img.info


def test_gps_metadata_is_gone_from_the_stored_image():
    upload = jpeg_with_gps()
    original_exif, _ = _exif_of(upload.read())
    assert original_exif.get_ifd(0x8825)  # the test photo really carries a GPS position
    upload.seek(0)

    complaint = report(files=checked(upload))
    evidence = complaint.evidence.get()
    with evidence.file.open("rb") as fh:
        stored = fh.read()
    exif, info = _exif_of(stored)

    assert dict(exif) == {}
    assert exif.get_ifd(0x8825) == {}
    assert b"Kamera Uji" not in stored
    assert "exif" not in info
    assert evidence.metadata_removed is True
    assert (evidence.kind, evidence.content_type, evidence.extension) == ("image", "image/jpeg", "jpg")


def test_php_renamed_jpg_is_rejected_by_content():
    with pytest.raises(EvidenceError) as excinfo:
        check_upload(SimpleUploadedFile("foto.jpg", PHP, content_type="image/jpeg"))

    assert excinfo.value.code == "type"


def test_pdf_and_mp4_are_accepted_as_they_are():
    pdf = SimpleUploadedFile("surat.pdf", b"%PDF-1.4\n%test\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    mp4 = SimpleUploadedFile("video.mp4", b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64)

    results = [check_upload(pdf), check_upload(mp4)]

    assert [(r.kind, r.extension, r.metadata_removed) for r in results] == [("pdf", "pdf", False),
                                                                               ("video", "mp4", False)]


def test_evidence_is_stored_outside_media_and_has_no_url(settings, complaint):
    from pathlib import Path

    report(files=checked(png()))
    evidence = Evidence.objects.get()
    path = Path(evidence.file.path).resolve()

    assert not str(path).startswith(str(Path(settings.MEDIA_ROOT).resolve()))
    assert str(path).startswith(str(Path(settings.NETRAL_COMPLAINTS_EVIDENCE_DIR).resolve()))
    with pytest.raises(ValueError):
        evidence.file.url  # noqa: B018


def test_50_mb_upload_is_rejected_with_message_and_form_kept(client):
    big = SimpleUploadedFile("video_besar.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * (50 * 1024 * 1024))

    response = client.post(reverse("complaints:report"), {**form_data(subject_name="Nama Tetap Ada"),
                                                          "evidence": [big]})

    assert response.status_code == 400
    assert Complaint.objects.count() == 0
    html = response.content.decode()
    assert "video_besar.mp4" in html
    assert "50,0 MB" in html and "20,0 MB" in html
    assert 'value="Nama Tetap Ada"' in html
    assert "Aktif di grup WhatsApp tim pemenangan" in html
    assert '<option value="33.29.09.1002" selected>' in html


def test_php_renamed_jpg_in_the_form_is_rejected_with_message_and_form_kept(client):
    evil = SimpleUploadedFile("foto.jpg", PHP, content_type="image/jpeg")

    response = client.post(reverse("complaints:report"), {**form_data(subject_agency="Kecamatan Tetap"),
                                                          "evidence": [png(), evil]})

    assert response.status_code == 400
    assert Complaint.objects.count() == 0
    assert Evidence.objects.count() == 0
    html = response.content.decode()
    assert "foto.jpg" in html
    assert 'value="Kecamatan Tetap"' in html


def test_too_many_files_are_refused(settings):
    settings.NETRAL_COMPLAINTS_EVIDENCE_MAX_FILES = 2

    with pytest.raises(EvidenceError) as excinfo:
        checked(png("a.png"), png("b.png"), png("c.png"))

    assert excinfo.value.code == "count"
