"""Certificates: eligibility, issuing, verification, revocation, forged codes, masking,
the PDF, the streamed ZIP and the participant's own download."""

import io
import zipfile

import pytest
from django.test import Client
from django.urls import reverse

from netral.core.models import AuditLog
from netral.reports import services
from netral.reports.codes import format_nip, mask_nip
from netral.reports.models import Certificate, CertificateSettings
from tests.factories.events import ParticipantFactory, SpeakerFactory

from .conftest import checked_in, flat, pdf_text, submit_test, url

pytestmark = pytest.mark.django_db


def rules(event, **fields):
    row, _ = CertificateSettings.objects.update_or_create(event=event, defaults=fields)
    return row


def holders(event, role="participant"):
    return sorted(Certificate.objects.filter(event=event, role=role).values_list("participant__name", flat=True))


# --- eligibility and issuing ----------------------------------------------------------------


def test_only_present_participants_are_eligible_by_default(event):
    checked_in(event, 2, name="Hadir")
    ParticipantFactory(event=event, name="Tidak Hadir")

    created = services.issue_certificates(event)

    assert [c.name for c in created] == ["Hadir", "Hadir"]


def test_post_test_rule_needs_a_submitted_post_test(event):
    present = checked_in(event, 3)
    submit_test(event, "pre", present)
    submit_test(event, "post", present[:2])
    rules(event, require_present=True, require_post_test=True, include_speakers=False)

    services.issue_certificates(event)

    assert holders(event) == sorted(p.name for p in present[:2])


def test_survey_rule_without_presence_rule(event):
    absent = [ParticipantFactory(event=event) for _ in range(2)]
    present = checked_in(event, 1)
    submit_test(event, "survey", [absent[0], present[0]])
    rules(event, require_present=False, require_survey=True, include_speakers=False)

    services.issue_certificates(event)

    assert holders(event) == sorted([absent[0].name, present[0].name])


def test_issuing_is_idempotent_and_numbers_are_sequential(event):
    people = checked_in(event, 3)
    SpeakerFactory(event=event, name="Titi Rahmawati")

    first = services.issue_certificates(event)
    second = services.issue_certificates(event)
    checked_in(event, 1)
    third = services.issue_certificates(event)

    assert len(first) == 4 and second == [] and len(third) == 1
    numbers = list(Certificate.objects.filter(event=event).order_by("seq").values_list("number", flat=True))
    assert numbers == [f"00{n}/NETRAL/{event.code}/IX/2024" for n in range(1, 6)]
    assert Certificate.objects.filter(event=event, role="speaker").get().name == "Titi Rahmawati, M.Si."
    assert len({c.code for c in Certificate.objects.all()}) == 5
    assert AuditLog.objects.filter(action="netral.certificate.issued").count() == 2
    assert people[0].certificates.count() == 1


def test_organisers_get_certificates_only_when_chosen(event, organiser):
    rules(event, include_organisers=True, include_speakers=False)

    created = services.issue_certificates(event)

    assert [(c.role, c.user_id) for c in created] == [("organiser", organiser.pk)]


def test_custom_number_format(event):
    checked_in(event, 1)
    rules(event, number_format="SRT-{role}{seq:04d}/{code}/{year}")

    (cert,) = [c for c in services.issue_certificates(event) if c.role == "participant"]

    assert cert.number == f"SRT-P0001/{event.code}/2024"


# --- revocation --------------------------------------------------------------------------------


def test_revoke_needs_a_reason_and_is_logged(event, organiser):
    checked_in(event, 1)
    (cert,) = services.issue_certificates(event)

    with pytest.raises(services.ReportError) as excinfo:
        services.revoke_certificate(cert, reason=" ", user=organiser)
    services.revoke_certificate(cert, reason="Nama salah ketik", user=organiser)
    with pytest.raises(services.ReportError) as again:
        services.revoke_certificate(cert, reason="Nama salah ketik", user=organiser)

    assert excinfo.value.code == "reason"
    assert again.value.code == "already_revoked"
    entry = AuditLog.objects.get(action="netral.certificate.revoked")
    assert entry.user == organiser and entry.data["reason"] == "Nama salah ketik"


def test_reissue_after_revocation_gives_a_new_number_and_the_current_name(event, organiser):
    (participant,) = checked_in(event, 1, name="Sitti Rahma")
    (cert,) = services.issue_certificates(event)
    participant.name = "Siti Rahma"
    participant.save()

    with pytest.raises(services.ReportError):
        services.reissue_certificate(cert, user=organiser)
    services.revoke_certificate(cert, reason="Nama salah ketik", user=organiser)
    new = services.reissue_certificate(cert, user=organiser)
    again = services.issue_certificates(event)

    assert (new.seq, new.name, new.is_valid) == (2, "Siti Rahma", True)
    assert again == []


# --- verification --------------------------------------------------------------------------------


@pytest.fixture
def issued(event):
    (participant,) = checked_in(event, 1, name="Dewi Lestari", nip="198001012005012001")
    (cert,) = services.issue_certificates(event)
    return cert


def test_verification_page_shows_name_event_role_and_masked_nip_only(client, issued):
    response = client.get(f"/verify/{issued.code}")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-state="valid"' in html
    assert "Dewi Lestari" in html and issued.event.title in html
    assert "1980**** ****** * 001" in html
    assert "198001012005012001" not in html and format_nip("198001012005012001") not in html


@pytest.mark.parametrize("typed", ["lower", "dashes", "lower-dashes"])
def test_verification_accepts_codes_typed_by_hand(client, issued, typed):
    code = {"lower": issued.code.lower(), "dashes": issued.display_code,
            "lower-dashes": issued.display_code.lower()}[typed]

    response = client.get(f"/verify/{code}", follow=True)

    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == f"/verify/{issued.code}"
    assert "Dewi Lestari" in response.content.decode()


def test_verification_form_redirects_to_the_code(client, issued):
    response = client.get("/verify/", {"code": issued.display_code.lower()})

    assert response.status_code == 302 and response["Location"] == f"/verify/{issued.code}"


@pytest.mark.parametrize("forged", ["ZZZZ-ZZZZ-ZZZZ", "not-a-code", "7KQ3M9XD2HTU"])
def test_forged_or_mistyped_code_is_not_found(client, issued, forged):
    page = client.get(f"/verify/{forged}")
    api = client.get(f"/api/certificates/{forged}")

    assert page.status_code == 404 and 'data-state="unknown"' in page.content.decode()
    assert api.status_code == 404 and set(api.json()) == {"detail", "errors"}


def test_api_confirms_validity_without_personal_data(client, issued):
    response = client.get(f"/api/certificates/{issued.display_code.lower()}")

    body = response.json()
    assert response.status_code == 200
    assert set(body) == {"code", "number", "name", "nip_masked", "role", "role_label", "event", "status",
                         "issued_at", "revoked_at"}
    assert set(body["event"]) == {"title", "organiser", "date", "venue"}
    assert (body["status"], body["name"], body["nip_masked"]) == ("valid", "Dewi Lestari", mask_nip(issued.nip))
    assert "198001012005012001" not in response.content.decode()


def test_revoked_certificate_verifies_as_revoked(client, issued, organiser):
    services.revoke_certificate(issued, reason="Tidak memenuhi syarat kehadiran", user=organiser)

    page = client.get(f"/verify/{issued.code}")
    api = client.get(f"/api/certificates/{issued.code}")

    assert page.status_code == 200 and 'data-state="revoked"' in page.content.decode()
    assert "Tidak memenuhi syarat" not in page.content.decode()  # the reason stays internal
    assert api.json()["status"] == "revoked" and api.json()["revoked_at"]


def test_public_verification_is_rate_limited(client, issued, settings):
    settings.RATELIMIT_ENABLE = True

    statuses = [client.get(f"/verify/{issued.code}").status_code for _ in range(30)]
    page = client.get(f"/verify/{issued.code}")
    api = client.get(f"/api/certificates/{issued.code}")

    assert set(statuses) == {200}
    assert page.status_code == 429 and api.status_code == 429


# --- PDFs, ZIP, participant ---------------------------------------------------------------------


def test_certificate_pdf_has_name_number_role_and_verification_link(organiser_client, issued, tmp_path):
    response = organiser_client.get(url("reports:certificate_pdf", issued.event, cert_pk=issued.pk))

    text = flat(pdf_text(response.content, tmp_path))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert "Dewi Lestari" in text and issued.number in text and issued.display_code in text
    assert f"http://testserver/verify/{issued.code}" in text
    assert format_nip(issued.nip) in text


def test_certificate_pdf_can_mask_the_nip(organiser_client, issued, tmp_path):
    rules(issued.event, mask_nip_on_pdf=True)

    response = organiser_client.get(url("reports:certificate_pdf", issued.event, cert_pk=issued.pk))

    text = flat(pdf_text(response.content, tmp_path))
    assert "1980**** ****** * 001" in text and format_nip(issued.nip) not in text


def test_zip_is_streamed_with_one_pdf_per_valid_certificate(organiser_client, event, organiser):
    checked_in(event, 4)
    certs = services.issue_certificates(event)
    services.revoke_certificate(certs[0], reason="Ganda dengan peserta lain", user=organiser)

    response = organiser_client.get(url("reports:certificates_zip", event))

    assert response.streaming
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = archive.namelist()
    assert len(names) == 3 and archive.testzip() is None
    assert all(archive.read(n).startswith(b"%PDF") for n in names)
    assert sorted(names) == sorted(c.filename for c in certs[1:])


def test_participant_downloads_their_own_certificate_from_the_phone(event, issued):
    phone = Client()
    phone.post(reverse("events:join", kwargs={"code": event.code}), {"nip": issued.nip})

    page = phone.get(reverse("reports:my_certificate", kwargs={"code": event.code}))
    pdf = phone.get(reverse("reports:my_certificate_pdf", kwargs={"code": event.code}))

    assert issued.display_code in page.content.decode()
    assert f"/verify/{issued.code}" in page.content.decode()
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_participant_without_certificate_sees_no_download(event, issued):
    other = ParticipantFactory(event=event)
    phone = Client()
    phone.post(reverse("events:join", kwargs={"code": event.code}), {"nip": other.nip})

    page = phone.get(reverse("reports:my_certificate", kwargs={"code": event.code}))
    pdf = phone.get(reverse("reports:my_certificate_pdf", kwargs={"code": event.code}))

    assert 'id="no-certificate"' in page.content.decode()
    assert issued.code not in page.content.decode()
    assert pdf.status_code == 302


def test_unknown_phone_is_sent_to_join(client, event):
    response = client.get(reverse("reports:my_certificate", kwargs={"code": event.code}))

    assert response.status_code == 302 and "/gabung/" in response["Location"]


def test_staff_api_lists_the_event_certificates(organiser_client, other_client, issued):
    ok = organiser_client.get(f"/api/events/{issued.event.pk}/certificates")
    anonymous = Client().get(f"/api/events/{issued.event.pk}/certificates")
    other = other_client.get(f"/api/events/{issued.event.pk}/certificates")

    assert ok.status_code == 200
    assert [(c["number"], c["status"], c["nip"]) for c in ok.json()] == [(issued.number, "valid", issued.nip)]
    assert anonymous.status_code == 401 and other.status_code == 404


def test_staff_api_issues_idempotently(organiser_client, event):
    checked_in(event, 2)

    first = organiser_client.post(f"/api/events/{event.pk}/certificates")
    second = organiser_client.post(f"/api/events/{event.pk}/certificates")

    assert first.json() == {"issued": 2, "total_valid": 2}
    assert second.json() == {"issued": 0, "total_valid": 2}


def test_bulk_rendering_in_worker_processes_keeps_order(event):
    from netral.reports.certificates import PARALLEL_FROM, CertificateRenderer, certificate_files
    from netral.reports.selectors import certificates_for_event

    checked_in(event, PARALLEL_FROM)
    services.issue_certificates(event)
    renderer = CertificateRenderer(event, base_url="http://testserver")
    certificates = certificates_for_event(event)

    files = list(certificate_files(renderer, certificates, workers=2))

    assert [name for name, _pdf in files] == [c.filename for c in certificates]
    assert all(pdf.startswith(b"%PDF") for _name, pdf in files)
    assert len(files) == PARALLEL_FROM


def test_batched_certificates_are_pixel_identical_to_single_ones(event, tmp_path):
    from PIL import ImageChops

    from netral.reports.certificates import CertificateRenderer, certificate_files
    from netral.reports.selectors import certificates_for_event
    from tests.reports.conftest import page_images

    checked_in(event, 3)
    services.issue_certificates(event)
    renderer = CertificateRenderer(event, base_url="http://testserver")
    certificates = list(certificates_for_event(event))

    batched = dict(certificate_files(renderer, certificates, workers=1))

    assert list(batched) == [c.filename for c in certificates]
    for n, cert in enumerate(certificates):
        (tmp_path / str(n)).mkdir()
        (tmp_path / f"s{n}").mkdir()
        [one] = page_images(batched[cert.filename], tmp_path / str(n), dpi=40)
        [single] = page_images(renderer.pdf(cert), tmp_path / f"s{n}", dpi=40)
        assert ImageChops.difference(one, single).getbbox() is None
