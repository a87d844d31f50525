import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from netral.accounts.models import ApiToken, Role
from netral.complaints import services
from netral.complaints.enums import ComplaintState as S, EventKind
from netral.complaints.models import Complaint
from netral.core.models import AuditLog
from tests.factories.events import UserFactory

from .factories import jpeg_with_gps, organiser, report

pytestmark = pytest.mark.django_db


def _payload(**overrides):
    from django.utils import timezone

    data = {"subject_name": "Bambang Rekaan", "subject_agency": "Dinas Pendidikan Kabupaten Brebes",
            "subject_position": "Kepala Sekolah", "subject_nip": "", "category": "B06",
            "description": "Mobil dinas dipakai mengantar peserta kampanye ke lapangan.",
            "occurred_on": timezone.localdate().isoformat(), "region_code": "33.29.03",
            "links": "https://contoh.invalid/x", "anonymous": "false", "reporter_name": "Pelapor API",
            "reporter_contact": "pelapor@contoh.invalid"}
    data.update(overrides)
    return data


def _bearer(user):
    _token, raw = ApiToken.issue(user)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_post_complaint_returns_tracking_code_and_stores_evidence():
    response = Client().post("/api/complaints", {**_payload(), "evidence": [jpeg_with_gps(name="a.jpg"),
                                                                            jpeg_with_gps(name="b.jpg")]})

    assert response.status_code == 201
    code = response.json()["tracking_code"]
    complaint = Complaint.objects.get()
    assert code == complaint.tracking_display and len(code) == 11
    assert complaint.evidence.count() == 2
    assert (complaint.anonymous, complaint.source, complaint.regency_code) == (False, "api", "33.29")


def test_post_complaint_errors_use_the_contract_shape():
    response = Client().post("/api/complaints", _payload(category="B99", region_code="99.99", subject_name=""))

    body = response.json()
    assert response.status_code == 400
    assert set(body) == {"detail", "errors"}
    assert {"category", "subject_name", "__all__"} <= set(body["errors"])
    assert Complaint.objects.count() == 0


def test_post_complaint_rejects_php_disguised_as_jpg():
    evil = SimpleUploadedFile("x.jpg", b"<?php phpinfo(); ?>", content_type="image/jpeg")

    response = Client().post("/api/complaints", {**_payload(), "evidence": [evil]})

    assert response.status_code == 400
    assert "x.jpg" in response.json()["errors"]["evidence"][0]


def test_get_complaint_shows_status_and_public_history_only(verifier):
    complaint = report(anonymous=False, reporter_name="Rahasia API", reporter_contact="0800")
    services.set_complaint_state(complaint, S.VERIFYING, user=verifier, note="internal only", public_note="Dicek.")
    services.ask_reporter(complaint, user=verifier, question="Ada foto?")

    response = Client().get(f"/api/complaints/{complaint.tracking_code.lower()}")

    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "verifying" and body["awaiting_reply"] is True and body["question"] == "Ada foto?"
    assert [h["kind"] for h in body["history"]] == ["created", "transition", "question"]
    text = response.content.decode()
    assert "internal only" not in text and "Rahasia API" not in text and verifier.username not in text
    assert "subject" not in text and complaint.subject_name not in text


def test_get_unknown_complaint_is_404():
    assert Client().get("/api/complaints/ABCDEFGHJK").status_code == 404
    assert Client().get("/api/complaints/short").status_code == 404


def test_reporter_answers_through_the_api(verifier, complaint):
    services.ask_reporter(complaint, user=verifier, question="Jam berapa?")

    response = Client().post(f"/api/complaints/{complaint.tracking_display}/answers", {"answer": "Jam 9 pagi."})

    assert response.status_code == 201
    assert complaint.events.filter(kind=EventKind.ANSWER, note="Jam 9 pagi.").exists()


def test_verifier_workflow_through_the_api(verifier, complaint):
    headers = _bearer(verifier)
    client = Client()
    base = f"/api/complaints/cases/{complaint.pk}"

    r1 = client.post(f"{base}/transitions", {"to": "verifying"}, content_type="application/json", **headers)
    r2 = client.post(f"{base}/transitions", {"to": "forwarded", "channel": "bkn", "recipient": "Kepala BKN",
                                             "reference": "SBT-1"}, content_type="application/json", **headers)
    r3 = client.post(f"{base}/transitions", {"to": "received"}, content_type="application/json", **headers)
    r4 = client.post(f"{base}/questions", {"question": "Ada saksi?"}, content_type="application/json", **headers)
    r5 = client.post(f"{base}/notes", {"text": "Catatan", "public": False}, content_type="application/json",
                     **headers)
    r6 = client.post(f"{base}/transitions", {"to": "proven"}, content_type="application/json", **headers)
    r7 = client.post(f"{base}/transitions", {"to": "sanctioned", "sanction": "disiplin_sedang"},
                     content_type="application/json", **headers)
    r8 = client.post(f"{base}/transitions", {"to": "closed"}, content_type="application/json", **headers)

    assert [r.status_code for r in (r1, r2, r3, r4, r5, r6, r7, r8)] == [200, 200, 400, 201, 201, 200, 200, 200]
    assert r3.json()["errors"] == {"to": [r3.json()["detail"]]}
    assert r8.json()["status"] == "closed" and r8.json()["sanction"] == "disiplin_sedang"
    listing = client.get("/api/complaints/cases?state=closed", **headers).json()
    assert [c["id"] for c in listing] == [complaint.pk]


def test_identity_endpoint_is_for_verifiers_and_logged(verifier):
    complaint = report(anonymous=False, reporter_name="Nama API", reporter_contact="0811")

    denied = Client().get(f"/api/complaints/cases/{complaint.pk}/reporter", **_bearer(organiser()))
    anon = Client().get(f"/api/complaints/cases/{complaint.pk}/reporter")
    ok = Client().get(f"/api/complaints/cases/{complaint.pk}/reporter?reason=cek", **_bearer(verifier))

    assert (denied.status_code, anon.status_code, ok.status_code) == (403, 401, 200)
    assert ok.json() == {"anonymous": False, "name": "Nama API", "contact": "0811"}
    assert AuditLog.objects.filter(action="netral.complaint.identity_viewed").count() == 1


@pytest.mark.parametrize("role", [Role.ORGANISER, Role.SPEAKER, Role.EDITOR])
def test_case_endpoints_refuse_other_roles(complaint, role):
    headers = _bearer(UserFactory(username=f"api_{role}", role=role))
    client = Client()

    codes = [client.get("/api/complaints/cases", **headers).status_code,
             client.get(f"/api/complaints/cases/{complaint.pk}", **headers).status_code,
             client.post(f"/api/complaints/cases/{complaint.pk}/transitions", {"to": "verifying"},
                         content_type="application/json", **headers).status_code]

    assert codes == [403, 403, 403]
    complaint.refresh_from_db()
    assert complaint.state == S.RECEIVED


def test_dashboard_endpoint_for_organisers_but_not_speakers(complaint):
    ok = Client().get("/api/complaints/dashboard", **_bearer(organiser()))
    denied = Client().get("/api/complaints/dashboard", **_bearer(UserFactory(username="sp", role=Role.SPEAKER)))

    assert ok.status_code == 200 and ok.json()["total"] == 1
    assert complaint.subject_name not in ok.content.decode()
    assert denied.status_code == 403


def test_session_auth_needs_csrf_for_api_writes(verifier, complaint):
    client = Client(enforce_csrf_checks=True)
    client.force_login(verifier)

    response = client.post(f"/api/complaints/cases/{complaint.pk}/transitions", {"to": "verifying"},
                           content_type="application/json")

    assert response.status_code in (401, 403)
    complaint.refresh_from_db()
    assert complaint.state == S.RECEIVED


def test_api_post_is_rate_limited(settings):
    settings.RATELIMIT_ENABLE = True
    settings.NETRAL_COMPLAINTS_RATE = "1/m"

    first = Client().post("/api/complaints", _payload())
    second = Client().post("/api/complaints", _payload())

    assert (first.status_code, second.status_code) == (201, 429)
