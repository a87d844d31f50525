import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from netral.accounts.models import Role
from netral.complaints import services
from netral.complaints.enums import Channel, ComplaintState as S, EventKind
from netral.complaints.models import Complaint
from netral.core.models import AuditLog
from tests.factories.events import UserFactory

from .factories import checked, form_data, jpeg_with_gps, organiser, report

pytestmark = pytest.mark.django_db


# --- public form ----------------------------------------------------------------------------------

def test_form_page_renders_with_channels_and_region_lists(client):
    response = client.get(reverse("complaints:report"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "sbt.bkn.go.id" in html and "lapor.go.id" in html and "SIGAPLAPOR" in html
    assert '<option value="33">Jawa Tengah</option>' in html
    assert 'name="website"' in html and 'name="started"' in html
    assert "<script>" not in html and "style=" not in html


def test_anonymous_report_redirects_to_tracking_page_with_code(client):
    response = client.post(reverse("complaints:report"), {**form_data(), "evidence": [jpeg_with_gps()]})

    complaint = Complaint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("complaints:track_detail",
                                           kwargs={"code": complaint.tracking_display}) + "?baru=1"
    assert not client.session.keys()  # nothing about the reporter is kept server-side
    page = client.get(response["Location"]).content.decode()
    assert complaint.tracking_display in page
    assert 'id="filed-notice"' in page
    assert complaint.region_code == "33.29.09.1002" and complaint.regency_code == "33.29"
    assert complaint.links == ["https://contoh.invalid/a", "https://contoh.invalid/b"]
    assert complaint.anonymous is True and complaint.evidence.count() == 1


def test_identified_report_needs_name_and_contact(client):
    response = client.post(reverse("complaints:report"), form_data(anonymous="0", reporter_name=""))

    assert response.status_code == 400
    assert Complaint.objects.count() == 0
    assert 'id="id_reporter_name_error"' in response.content.decode()


def test_invalid_nip_is_explained_and_input_kept(client):
    response = client.post(reverse("complaints:report"), form_data(subject_nip="19860926201505100"))

    html = response.content.decode()
    assert response.status_code == 400
    assert "18 digit" in html
    assert 'value="19860926201505100"' in html


def test_valid_nip_is_stored_normalised(client):
    from netral.accounts.nip import build_nip
    from datetime import date

    nip = build_nip(date(1986, 9, 26), 2015, 5, "M", 1)
    client.post(reverse("complaints:report"), form_data(subject_nip=f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"))

    assert Complaint.objects.get().subject_nip == nip


def test_honeypot_filled_is_refused(client):
    response = client.post(reverse("complaints:report"), form_data(website="http://spam.example"))

    assert response.status_code == 400
    assert Complaint.objects.count() == 0


def test_form_sent_too_fast_is_refused_and_kept(client, settings):
    settings.NETRAL_COMPLAINTS_MIN_FILL_SECONDS = 30

    response = client.post(reverse("complaints:report"), form_data(subject_name="Cepat Sekali"))

    assert response.status_code == 400
    assert Complaint.objects.count() == 0
    assert 'value="Cepat Sekali"' in response.content.decode()


def test_forged_timestamp_is_refused(client):
    response = client.post(reverse("complaints:report"), form_data(started="1700000000"))

    assert response.status_code == 400
    assert Complaint.objects.count() == 0


def test_public_form_is_rate_limited_per_ip(client, settings):
    settings.RATELIMIT_ENABLE = True
    settings.NETRAL_COMPLAINTS_RATE = "2/m"

    codes = [client.post(reverse("complaints:report"), form_data()).status_code for _ in range(3)]

    assert codes == [302, 302, 429]
    assert Complaint.objects.count() == 2


def test_csrf_is_enforced_on_the_public_form():
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(reverse("complaints:report"), form_data())

    assert response.status_code == 403
    assert Complaint.objects.count() == 0


def test_region_reload_without_javascript_keeps_entries(client):
    data = form_data(subject_name="Tetap Ada", regency="", district="", village="")
    data["_region"] = "1"

    response = client.post(reverse("complaints:report"), data)

    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="Tetap Ada"' in html
    assert '<option value="33.29">Kabupaten Brebes</option>' in html
    assert Complaint.objects.count() == 0


def test_region_endpoint_lists_children():
    from django.test import Client

    client = Client()
    provinces = client.get(reverse("complaints:regions")).json()
    villages = client.get(reverse("complaints:regions"), {"induk": "33.29.09"}).json()
    unknown = client.get(reverse("complaints:regions"), {"induk": "99.99"})

    assert len(provinces["items"]) == 38
    assert {"code": "33.29.09.1002", "name": "Brebes"} in villages["items"]
    assert unknown.status_code == 404


# --- tracking page -------------------------------------------------------------------------------

def test_tracking_page_shows_status_and_public_notes_only(client, verifier):
    complaint = report(anonymous=False, reporter_name="Pelapor Rahasia", reporter_contact="0812345")
    services.set_complaint_state(complaint, S.VERIFYING, user=verifier, note="CATATAN INTERNAL",
                                 public_note="Sedang kami periksa.")

    html = client.get(reverse("complaints:track_detail", kwargs={"code": complaint.tracking_code})).content.decode()

    assert "Sedang kami periksa." in html
    assert "CATATAN INTERNAL" not in html
    assert "Pelapor Rahasia" not in html and "0812345" not in html
    assert verifier.username not in html
    assert complaint.subject_name not in html


def test_tracking_code_is_read_forgivingly(client, complaint):
    typed = complaint.tracking_display.lower().replace("0", "o").replace("1", "l")

    response = client.get(reverse("complaints:track"), {"code": typed})

    assert response.status_code == 302
    assert response["Location"] == reverse("complaints:track_detail", kwargs={"code": complaint.tracking_display})


def test_unknown_tracking_code_is_404(client):
    assert client.get(reverse("complaints:track_detail", kwargs={"code": "ZZZZZ-ZZZZZ"})).status_code == 404


def test_reporter_answers_open_question_on_tracking_page(client, verifier, complaint):
    services.ask_reporter(complaint, user=verifier, question="Kapan tepatnya?")
    url = reverse("complaints:track_detail", kwargs={"code": complaint.tracking_display})
    assert "Kapan tepatnya?" in client.get(url).content.decode()

    response = client.post(reverse("complaints:answer", kwargs={"code": complaint.tracking_display}),
                           {"answer": "Minggu malam.", "evidence": [jpeg_with_gps()]})

    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.awaiting_reply is False
    answer = complaint.events.get(kind=EventKind.ANSWER)
    assert (answer.note, answer.public, answer.actor) == ("Minggu malam.", True, None)
    assert complaint.evidence.get().from_answer is True


def test_answer_without_question_is_refused(client, complaint):
    response = client.post(reverse("complaints:answer", kwargs={"code": complaint.tracking_display}),
                           {"answer": "Halo"})

    assert response.status_code == 400
    assert not complaint.events.filter(kind=EventKind.ANSWER).exists()


# --- roles ----------------------------------------------------------------------------------------

def _staff_urls(complaint):
    evidence = complaint.evidence.first()
    return [
        ("get", reverse("complaints:cases")), ("get", reverse("complaints:case", kwargs={"pk": complaint.pk})),
        ("post", reverse("complaints:case_action", kwargs={"pk": complaint.pk})),
        ("post", reverse("complaints:identity", kwargs={"pk": complaint.pk})),
        ("get", reverse("complaints:evidence", kwargs={"pk": complaint.pk, "evidence_pk": evidence.pk})),
        ("get", reverse("complaints:export", kwargs={"pk": complaint.pk, "fmt": "json"})),
        ("get", reverse("complaints:export", kwargs={"pk": complaint.pk, "fmt": "xlsx"})),
    ]


@pytest.fixture
def secret_case(db):
    return report(subject_name="Terlapor Rahasia", anonymous=False, reporter_name="Pelapor Sangat Rahasia",
                  reporter_contact="0819999", files=checked(jpeg_with_gps()))


@pytest.mark.parametrize("role", [Role.ORGANISER, Role.SPEAKER, Role.EDITOR])
def test_non_verifiers_get_403_on_case_pages_and_evidence(client, secret_case, role):
    client.force_login(UserFactory(username=f"user_{role}", role=role))

    for method, url in _staff_urls(secret_case):
        response = getattr(client, method)(url, {"action": "note", "note": "x"} if method == "post" else None)
        assert response.status_code == 403, url
        assert b"Pelapor Sangat Rahasia" not in response.content
    assert secret_case.events.count() == 1


def test_anonymous_visitor_is_sent_to_login_for_case_pages_and_evidence(client, secret_case):
    for method, url in _staff_urls(secret_case):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login"))


def test_verifier_downloads_evidence_and_it_is_logged(verifier_client, verifier, secret_case):
    evidence = secret_case.evidence.get()

    response = verifier_client.get(reverse("complaints:evidence", kwargs={"pk": secret_case.pk,
                                                                         "evidence_pk": evidence.pk}))

    body = b"".join(response.streaming_content)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("attachment")
    assert "sandbox" in response["Content-Security-Policy"]
    assert body[:2] == b"\xff\xd8"
    assert secret_case.events.filter(kind=EventKind.EVIDENCE_VIEWED, actor=verifier).count() == 1


def test_evidence_of_another_case_is_404(verifier_client, secret_case):
    other = report()
    evidence = secret_case.evidence.get()

    response = verifier_client.get(reverse("complaints:evidence", kwargs={"pk": other.pk, "evidence_pk": evidence.pk}))

    assert response.status_code == 404


def test_case_page_hides_identity_until_asked_then_logs_it(verifier_client, verifier, secret_case):
    page = verifier_client.get(reverse("complaints:case", kwargs={"pk": secret_case.pk})).content.decode()
    assert "Pelapor Sangat Rahasia" not in page
    assert secret_case.tracking_code not in page  # the reporter's credential stays theirs

    response = verifier_client.post(reverse("complaints:identity", kwargs={"pk": secret_case.pk}),
                                    {"reason": "Perlu klarifikasi"})

    assert "Pelapor Sangat Rahasia" in response.content.decode()
    entry = AuditLog.objects.get(action="netral.complaint.identity_viewed")
    assert (entry.user, entry.object_id, entry.data) == (verifier, str(secret_case.pk), {"reason": "Perlu klarifikasi"})
    assert entry.content_type == ContentType.objects.get_for_model(Complaint)


def test_identity_page_cannot_be_opened_by_get(verifier_client, secret_case):
    response = verifier_client.get(reverse("complaints:identity", kwargs={"pk": secret_case.pk}))

    assert response.status_code == 405
    assert not AuditLog.objects.filter(action="netral.complaint.identity_viewed").exists()


def test_verifier_moves_a_case_through_the_page(verifier_client, complaint):
    url = reverse("complaints:case_action", kwargs={"pk": complaint.pk})

    verifier_client.post(url, {"action": "transition", "to": "verifying"})
    verifier_client.post(url, {"action": "transition", "to": "forwarded", "channel": Channel.BAWASLU,
                               "recipient": "Bawaslu Kabupaten Brebes", "reference": ""})
    bad = verifier_client.post(url, {"action": "transition", "to": "closed"})
    verifier_client.post(url, {"action": "reference", "reference": "001/LP/PB/Kab/14.29/X/2024"})

    complaint.refresh_from_db()
    assert complaint.state == S.FORWARDED
    assert complaint.external_reference == "001/LP/PB/Kab/14.29/X/2024"
    assert bad.status_code == 400
    page = verifier_client.get(reverse("complaints:case", kwargs={"pk": complaint.pk})).content.decode()
    assert 'id="letter-link"' in page


def test_case_list_marks_overdue_and_finds_by_tracking_code(verifier_client, complaint):
    from datetime import timedelta

    from django.utils import timezone

    Complaint.objects.filter(pk=complaint.pk).update(deadline_at=timezone.now() - timedelta(days=1))
    report(subject_name="Orang Lain")

    listing = verifier_client.get(reverse("complaints:cases")).content.decode()
    found = verifier_client.get(reverse("complaints:cases"), {"q": complaint.tracking_display}).content.decode()
    overdue = verifier_client.get(reverse("complaints:cases"), {"overdue": "on"}).content.decode()

    assert 'class="overdue"' in listing
    assert complaint.number in found and "Orang Lain" not in found
    assert complaint.number in overdue and "Orang Lain" not in overdue


def test_case_list_queries_do_not_grow_with_rows(verifier_client, django_assert_max_num_queries):
    report()
    with django_assert_max_num_queries(12) as one:
        verifier_client.get(reverse("complaints:cases"))
    for i in range(5):
        report(subject_name=f"Terlapor {i}")
    with django_assert_max_num_queries(len(one.captured_queries)):
        verifier_client.get(reverse("complaints:cases"))


# --- dashboard and statistics --------------------------------------------------------------------

def test_organiser_sees_aggregates_but_no_names(client, secret_case):
    client.force_login(organiser())

    response = client.get(reverse("complaints:dashboard"))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="stat-total">1<' in html
    assert "Terlapor Rahasia" not in html and "Pelapor Sangat Rahasia" not in html
    assert 'id="organiser-note"' in html and 'id="duplicates"' not in html


def test_verifier_dashboard_lists_duplicates(verifier_client):
    report(subject_name="Drs. Agus Fiktifanto, M.Si.", subject_agency="Kel. Brebes")
    report(subject_name="agus fiktifanto", subject_agency="Kelurahan Brebes")
    report(subject_name="Orang Berbeda")

    html = verifier_client.get(reverse("complaints:dashboard")).content.decode()

    assert 'id="stat-duplicates">1<' in html
    assert "Agus Fiktifanto" in html.split('id="duplicates"')[1]


@pytest.mark.parametrize("role", [Role.SPEAKER, Role.EDITOR])
def test_other_roles_cannot_see_the_dashboard(client, role):
    client.force_login(UserFactory(username=f"d_{role}", role=role))

    assert client.get(reverse("complaints:dashboard")).status_code == 403
    assert client.get(reverse("complaints:dashboard_xlsx")).status_code == 403
    assert client.get(reverse("complaints:chart", kwargs={"kind": "sosialisasi"})).status_code == 403


def test_public_statistics_show_totals_without_names(client, secret_case):
    html = client.get(reverse("complaints:statistics")).content.decode()

    assert 'id="stat-total">1<' in html
    assert "Terlapor Rahasia" not in html and "Kelurahan Brebes" not in html
    assert "Kabupaten Brebes" in html


def test_public_chart_is_svg(client, complaint):
    response = client.get(reverse("complaints:chart", kwargs={"kind": "bulanan"}), {"publik": "1"})

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.lstrip().startswith(b"<svg") or b"<svg" in response.content[:400]


def test_dashboard_xlsx_for_organiser_has_no_case_sheet_and_text_is_not_formula(verifier_client):
    from io import BytesIO

    from django.test import Client
    from openpyxl import load_workbook

    report(subject_name="=HYPERLINK(\"http://x\")", subject_agency="=1+1")
    client = Client()
    client.force_login(organiser())

    org_book = load_workbook(BytesIO(client.get(reverse("complaints:dashboard_xlsx")).content))
    ver_book = load_workbook(BytesIO(verifier_client.get(reverse("complaints:dashboard_xlsx")).content))

    assert len(org_book.sheetnames) == 1
    assert len(ver_book.sheetnames) == 2
    cases = ver_book.worksheets[1]
    assert cases.cell(row=2, column=5).value == "=HYPERLINK(\"http://x\")"
    assert cases.cell(row=2, column=5).data_type == "s"
    agencies = [c.value for c in org_book.worksheets[0]["A"]]
    assert "=1+1" in agencies
    assert all(c.data_type != "f" for row in org_book.worksheets[0].iter_rows() for c in row)
