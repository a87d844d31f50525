"""Organiser pages: roles, CSRF, the report text, photos, accountability papers and the
workbook."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext

from netral.core.models import AuditLog
from netral.reports import services
from netral.reports.models import Certificate, Photo, Report, Signatory
from tests.factories.events import ParticipantFactory, SessionFactory

from .conftest import checked_in, flat, is_blank, jpeg_with_exif, page_images, pdf_text, url

pytestmark = pytest.mark.django_db

GET_PAGES = ["reports:report", "reports:report_pdf", "reports:report_docx", "reports:workbook",
             "reports:attendance_pdf", "reports:certificates", "reports:certificates_zip",
             "reports:certificates_list_pdf"]
POST_ACTIONS = ["reports:redraft", "reports:photo_add", "reports:certificates_issue", "reports:signatory_add"]


@pytest.fixture
def with_objects(event, organiser):
    checked_in(event, 1)
    (cert,) = services.issue_certificates(event)
    photo = services.add_photo(event, upload=SimpleUploadedFile("a.jpg", jpeg_with_exif()), caption="Foto",
                               user=organiser)
    signatory = services.save_signatory(Signatory(event=event, name="Lurah", position="Lurah Brebes"))
    return {"cert": cert, "photo": photo, "signatory": signatory}


def object_urls(event, objs):
    return [
        ("get", url("reports:photo", event, photo_pk=objs["photo"].pk)),
        ("get", url("reports:certificate_pdf", event, cert_pk=objs["cert"].pk)),
        ("post", url("reports:photo_edit", event, photo_pk=objs["photo"].pk)),
        ("post", url("reports:photo_delete", event, photo_pk=objs["photo"].pk)),
        ("post", url("reports:certificate_revoke", event, cert_pk=objs["cert"].pk)),
        ("post", url("reports:certificate_reissue", event, cert_pk=objs["cert"].pk)),
        ("post", url("reports:signatory_edit", event, signatory_pk=objs["signatory"].pk)),
        ("post", url("reports:signatory_delete", event, signatory_pk=objs["signatory"].pk)),
    ]


def all_urls(event, objs):
    return ([("get", url(n, event)) for n in GET_PAGES] + [("post", url(n, event)) for n in POST_ACTIONS]
            + object_urls(event, objs))


def test_another_organiser_gets_404_everywhere_and_changes_nothing(other_client, event, with_objects):
    statuses = {path: getattr(other_client, method)(path, {"reason": "apa saja alasannya", "caption": "x",
                                                           "name": "x", "position": "y", "force": "1"}).status_code
                for method, path in all_urls(event, with_objects)}

    assert set(statuses.values()) == {404}, statuses
    assert Photo.objects.filter(event=event).count() == 1
    assert Certificate.objects.get().revoked_at is None
    assert Signatory.objects.filter(event=event).count() == 1


def test_anonymous_is_sent_to_login(event, with_objects):
    anonymous = Client()

    responses = [getattr(anonymous, method)(path) for method, path in all_urls(event, with_objects)]

    assert {r.status_code for r in responses} == {302}
    assert all(r["Location"].startswith(reverse("accounts:login")) for r in responses)


def test_anonymous_api_gets_401_and_other_organiser_404(other_client, event):
    assert Client().get(f"/api/events/{event.pk}/report?format=pdf").status_code == 401
    assert other_client.get(f"/api/events/{event.pk}/report?format=pdf").status_code == 404


def test_posts_need_the_csrf_token(organiser, event):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(organiser)

    response = browser.post(url("reports:report", event), {"conclusions": "X", "recommendations": "Y"})

    assert response.status_code == 403
    assert not Report.objects.filter(event=event, edited=True).exists()


def test_edited_conclusions_are_kept_until_a_new_draft_is_forced(organiser_client, event):
    SessionFactory(event=event, title="Materi netralitas")
    organiser_client.get(url("reports:report", event))
    draft = Report.objects.get(event=event).conclusions

    organiser_client.post(url("reports:report", event), {"conclusions": "Kesimpulan kami <b>sendiri</b>.",
                                                         "recommendations": "Saran kami."})
    services.regenerate_draft(event, force=False)
    kept = Report.objects.get(event=event)
    page = organiser_client.get(url("reports:report", event)).content.decode()
    organiser_client.post(url("reports:redraft", event), {"force": "1"})
    replaced = Report.objects.get(event=event)

    assert draft.startswith("1. ")
    assert (kept.conclusions, kept.recommendations, kept.edited) == ("Kesimpulan kami <b>sendiri</b>.",
                                                                     "Saran kami.", True)
    assert "Kesimpulan kami &lt;b&gt;sendiri&lt;/b&gt;." in page
    assert (replaced.conclusions, replaced.edited) == (draft, False)
    assert AuditLog.objects.filter(action="netral.report.edited").count() == 1


def test_photo_upload_strips_exif_and_is_numbered(organiser_client, event):
    from PIL import Image

    response = organiser_client.post(url("reports:photo_add", event), {
        "image": SimpleUploadedFile("kamera.jpg", jpeg_with_exif((3000, 2000)), content_type="image/jpeg"),
        "caption": "Pembukaan kegiatan"})

    photo = Photo.objects.get(event=event)
    stored = Image.open(photo.image.open("rb"))
    assert response.status_code == 302
    assert stored.format == "JPEG" and dict(stored.getexif()) == {}
    assert max(stored.size) == 2000 and (photo.width, photo.height) == stored.size
    page = organiser_client.get(url("reports:report", event)).content.decode()
    figure = gettext("Figure %(n)s.") % {"n": 1}
    assert f"{figure} Pembukaan kegiatan" in page
    served = organiser_client.get(url("reports:photo", event, photo_pk=photo.pk))
    assert served["Content-Type"] == "image/jpeg" and "private" in served["Cache-Control"]


@pytest.mark.parametrize("name, content", [
    ("foto.jpg", b"%PDF-1.4 not a photo"),
    ("foto.png", b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>"),
    ("foto.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 200),
], ids=["pdf-named-jpg", "svg", "broken-jpeg"])
def test_photo_upload_rejects_what_is_not_a_picture(organiser_client, event, name, content):
    response = organiser_client.post(url("reports:photo_add", event), {
        "image": SimpleUploadedFile(name, content, content_type="image/jpeg"), "caption": "Foto"}, follow=True)

    assert Photo.objects.filter(event=event).count() == 0
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


def test_photo_upload_is_capped(organiser_client, event, settings):
    settings.NETRAL_REPORT_IMAGE_MAX_BYTES = 10_000

    organiser_client.post(url("reports:photo_add", event), {
        "image": SimpleUploadedFile("besar.jpg", jpeg_with_exif((1600, 1200)) + b"\x00" * 20_000),
        "caption": "Terlalu besar"})

    assert Photo.objects.filter(event=event).count() == 0


def test_photo_caption_edit_and_delete(organiser_client, event, organiser, django_capture_on_commit_callbacks):
    photo = services.add_photo(event, upload=SimpleUploadedFile("a.jpg", jpeg_with_exif()), caption="Lama",
                               user=organiser)
    name = photo.image.name

    organiser_client.post(url("reports:photo_edit", event, photo_pk=photo.pk), {"caption": "Baru", "order": "3"})
    photo.refresh_from_db()
    caption = (photo.caption, photo.order)
    with django_capture_on_commit_callbacks(execute=True):
        organiser_client.post(url("reports:photo_delete", event, photo_pk=photo.pk))

    assert caption == ("Baru", 3)
    assert not Photo.objects.filter(pk=photo.pk).exists()
    assert not photo.image.storage.exists(name)


def test_attendance_pdf_lists_everyone_present_and_repeats_the_header(organiser_client, event, tmp_path):
    people = checked_in(event, 45, agency="Kecamatan Brebes")
    ParticipantFactory(event=event, name="Tidak Datang")

    response = organiser_client.get(url("reports:attendance_pdf", event))

    pages = pdf_text(response.content, tmp_path).split("\f")
    pages = [p for p in pages if p.strip()]
    text = flat(" ".join(pages))
    assert response.status_code == 200 and len(pages) >= 2
    assert all(p.name in text for p in people) and "Tidak Datang" not in text
    assert "19" in text and people[0].nip[:8] + " " + people[0].nip[8:14] in text
    header = gettext("Signature")
    assert all(header in page for page in pages), "the table header repeats on every page"
    assert [n for n, img in enumerate(page_images(response.content, tmp_path), 1) if is_blank(img)] == []


def test_certificate_list_pdf(organiser_client, event, tmp_path):
    checked_in(event, 2, name="Budi Santoso")
    certs = services.issue_certificates(event)

    response = organiser_client.get(url("reports:certificates_list_pdf", event))

    text = flat(pdf_text(response.content, tmp_path))
    assert all(c.number in text and c.display_code in text for c in certs)


def test_workbook_has_every_table_and_text_stays_text(organiser_client, event):
    from openpyxl import load_workbook

    checked_in(event, 1, name="=HYPERLINK(\"http://x\",\"klik\")")
    services.issue_certificates(event)

    response = organiser_client.get(url("reports:workbook", event))

    wb = load_workbook(io.BytesIO(response.content))
    expected = {gettext(n) for n in ("Participants", "Attendance by agency", "Questions", "Scores",
                                     "Certificates")}
    assert expected <= set(wb.sheetnames)
    people = wb[gettext("Participants")]
    cell = people.cell(row=2, column=2)
    assert cell.value.startswith("=HYPERLINK") and cell.data_type == "s"
    certs = wb[gettext("Certificates")]
    assert certs.max_row == 2


def test_certificate_settings_page_saves_rules_logo_and_rejects_bad_number_format(organiser_client, event):
    from PIL import Image

    logo = io.BytesIO()
    Image.new("RGBA", (300, 120), (11, 93, 75, 255)).save(logo, format="PNG")
    base = {"require_present": "on", "require_survey": "on", "title": "", "wording": "", "place": "Brebes"}

    bad = organiser_client.post(url("reports:certificates", event), {**base, "number_format": "{code}/{year}"})
    good = organiser_client.post(url("reports:certificates", event), {
        **base, "number_format": "{seq:03d}/UNSOED/{year}",
        "logo_upload": SimpleUploadedFile("logo.png", logo.getvalue(), content_type="image/png")})

    from netral.reports.models import CertificateSettings

    row = CertificateSettings.objects.get(event=event)
    assert bad.status_code == 200 and "number_format" in bad.context["form"].errors
    assert good.status_code == 302
    assert (row.require_present, row.require_post_test, row.require_survey) == (True, False, True)
    assert row.number_format == "{seq:03d}/UNSOED/{year}" and row.logo.name.endswith(".png")
    assert organiser_client.get(url("reports:logo", event))["Content-Type"] == "image/png"


def test_certificates_page_issue_and_revoke_through_the_forms(organiser_client, event):
    checked_in(event, 2)

    organiser_client.post(url("reports:certificates_issue", event))
    cert = Certificate.objects.filter(event=event).first()
    organiser_client.post(url("reports:certificate_revoke", event, cert_pk=cert.pk), {"reason": "x"})
    short = Certificate.objects.get(pk=cert.pk).revoked_at
    organiser_client.post(url("reports:certificate_revoke", event, cert_pk=cert.pk), {"reason": "Data ganda"})
    page = organiser_client.get(url("reports:certificates", event)).content.decode()

    assert Certificate.objects.filter(event=event).count() == 2
    assert short is None
    assert Certificate.objects.get(pk=cert.pk).revoked_reason == "Data ganda"
    assert f'id="cert-{cert.pk}"' in page and "Data ganda" in page
