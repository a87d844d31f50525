import io
from datetime import date

import pytest
from django.urls import reverse

from netral.accounts.models import Role
from netral.accounts.nip import build_nip
from netral.events.enums import EventStatus
from netral.events.models import Attendance, Participant
from netral.events.services.checkin import checkin_token
from tests.factories.events import ParticipantFactory, SessionFactory, SpeakerFactory, UserFactory

pytestmark = pytest.mark.django_db
NIP = build_nip(date(1986, 9, 26), 2015, 5, "M", 1)

STAFF_GET = ["events:manage", "events:edit", "events:participants", "events:participants_xlsx", "events:checkin",
             "events:checkin_counts", "events:checkin_projector", "events:checkin_projector_qr",
             "events:attendance_xlsx", "events:speaker_create", "events:session_create"]


@pytest.mark.parametrize("name", STAFF_GET)
def test_other_organiser_cannot_open_event_pages(client, event, other_organiser, name):
    ParticipantFactory(event=event, name="Rahasia Peserta")
    client.force_login(other_organiser)

    response = client.get(reverse(name, kwargs={"pk": event.pk}))

    assert response.status_code == 404
    assert b"Rahasia Peserta" not in response.content


@pytest.mark.parametrize("name", STAFF_GET)
def test_anonymous_is_sent_to_login(client, event, name):
    response = client.get(reverse(name, kwargs={"pk": event.pk}))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_verifier_role_gets_403_on_organiser_pages(client, event):
    client.force_login(UserFactory(username="verif", role=Role.VERIFIER))

    assert client.get(reverse("events:dashboard")).status_code == 403
    assert client.get(reverse("events:manage", kwargs={"pk": event.pk})).status_code == 403


def test_other_organiser_cannot_change_status_or_check_in(client, event, other_organiser):
    SessionFactory(event=event)
    participant = ParticipantFactory(event=event)
    client.force_login(other_organiser)

    r1 = client.post(reverse("events:status", kwargs={"pk": event.pk}), {"status": "finished"})
    r2 = client.post(reverse("events:checkin_mark", kwargs={"pk": event.pk, "participant_pk": participant.pk}))
    r3 = client.post(reverse("events:checkin_scan", kwargs={"pk": event.pk}), {"code": participant.token})
    r4 = client.get(reverse("events:checkin_personal", kwargs={"token": participant.token}))

    assert [r.status_code for r in (r1, r2, r3, r4)] == [404, 404, 404, 404]
    event.refresh_from_db()
    assert event.status == EventStatus.PUBLISHED
    assert not Attendance.objects.exists()


def test_co_organiser_in_team_can_manage(client, event, other_organiser):
    event.team.add(other_organiser)
    client.force_login(other_organiser)

    assert client.get(reverse("events:manage", kwargs={"pk": event.pk})).status_code == 200


def test_dashboard_lists_only_own_events(organiser_client, event, other_organiser):
    from tests.factories.events import EventFactory

    EventFactory(owner=other_organiser, title="Kegiatan Orang Lain")

    body = organiser_client.get(reverse("events:dashboard")).content.decode()

    assert event.title in body
    assert "Kegiatan Orang Lain" not in body


def test_organiser_creates_event_via_form(organiser_client, organiser):
    response = organiser_client.post(reverse("events:create"), {
        "title": "Sosialisasi Pilkada", "starts_at": "2024-09-17T09:00", "venue_name": "Aula Kelurahan Brebes",
        "organiser_name": "Unsoed", "methods": ["lecture", "discussion"], "allow_self_registration": "on",
    })

    event = organiser.owned_events.get()
    assert response.status_code == 302
    assert event.methods == ["lecture", "discussion"]
    assert event.starts_at.isoformat() == "2024-09-17T02:00:00+00:00"


def test_event_form_keeps_input_on_error(organiser_client):
    response = organiser_client.post(reverse("events:create"), {
        "title": "Judul yang diketik", "starts_at": "2024-09-17T09:00", "ends_at": "2024-09-17T08:00",
        "venue_name": "", "organiser_name": "Unsoed"})

    body = response.content.decode()
    assert response.status_code == 200
    assert 'value="Judul yang diketik"' in body
    assert 'id="field-venue_name"' in body and "errorlist" in body


def test_draft_event_is_hidden_from_public(client, event):
    event.status = EventStatus.DRAFT
    event.save()

    assert client.get(event.get_absolute_url()).status_code == 404
    assert client.get(reverse("events:join", kwargs={"code": event.code})).status_code == 404


def test_public_page_escapes_user_text(client, event):
    SessionFactory(event=event, title="<script>alert('x')</script>")

    body = client.get(event.get_absolute_url()).content.decode()

    assert "<script>alert" not in body
    assert "&lt;script&gt;alert" in body


def test_public_page_query_count_does_not_grow_with_sessions(client, event, django_assert_max_num_queries):
    def add_session(n):
        s = SessionFactory(event=event)
        s.speakers.add(SpeakerFactory(event=event))

    add_session(1)
    with django_assert_max_num_queries(6) as one:
        client.get(event.get_absolute_url())
    for n in range(3):
        add_session(n)
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(event.get_absolute_url())


def test_ics_download_is_a_calendar(client, event):
    from icalendar import Calendar

    response = client.get(reverse("events:ics", kwargs={"code": event.code}))

    cal = Calendar.from_ical(response.content)
    item = next(iter(cal.walk("VEVENT")))
    assert response["Content-Type"].startswith("text/calendar")
    assert str(item["SUMMARY"]) == event.title
    assert item.decoded("DTSTART").isoformat() == "2024-09-17T09:00:00+07:00"


# --- joining -------------------------------------------------------------------------------

def test_join_with_registered_nip_remembers_the_phone(client, event):
    participant = ParticipantFactory(event=event, nip=NIP, name="Budi Santoso")
    join = reverse("events:join", kwargs={"code": event.code})

    response = client.post(join, {"nip": "19860926 201505 1 001"})

    assert response.status_code == 302
    assert response["Location"] == reverse("events:me", kwargs={"code": event.code})
    me = client.get(response["Location"]).content.decode()
    assert "Budi Santoso" in me
    assert client.get(join)["Location"] == reverse("events:me", kwargs={"code": event.code})
    assert participant.attendance if hasattr(participant, "attendance") else True


def test_join_with_bad_nip_says_which_part(client, event):
    response = client.post(reverse("events:join", kwargs={"code": event.code}), {"nip": "198613262015051001"})

    body = response.content.decode()
    assert response.status_code == 200
    assert "Digit 1–8" in body
    assert 'value="198613262015051001"' in body


def test_join_unknown_nip_asks_details_then_registers(client, event):
    join = reverse("events:join", kwargs={"code": event.code})

    first = client.post(join, {"nip": NIP})
    assert first.status_code == 200 and Participant.objects.count() == 0
    assert first.context["need_details"] is True

    second = client.post(join, {"nip": NIP, "name": "Sari Utami", "agency": "Kecamatan Brebes"})

    assert second.status_code == 302
    p = Participant.objects.get()
    assert (p.nip, p.name, p.kind, p.source) == (NIP, "Sari Utami", "pns", "self")


def test_join_closed_list_refuses_unknown(client, event):
    event.allow_self_registration = False
    event.save()

    response = client.post(reverse("events:join", kwargs={"code": event.code}),
                           {"nip": NIP, "name": "X", "agency": "Y"})

    assert response.status_code == 200
    assert Participant.objects.count() == 0


def test_join_non_asn_by_name_and_institution(client, event):
    response = client.post(reverse("events:join", kwargs={"code": event.code}),
                           {"name": "Warga Contoh", "agency": "Karang Taruna"})

    assert response.status_code == 302
    assert Participant.objects.get().kind == "other"


def test_join_rejects_offsite_next(client, event):
    ParticipantFactory(event=event, nip=NIP)

    response = client.post(reverse("events:join", kwargs={"code": event.code}),
                           {"nip": NIP, "next": "https://evil.example/"})

    assert response["Location"] == reverse("events:me", kwargs={"code": event.code})


def test_tampered_participant_cookie_is_ignored(client, event):
    ParticipantFactory(event=event, nip=NIP)
    client.cookies[f"np_{event.pk}"] = "1:forged"

    response = client.get(reverse("events:me", kwargs={"code": event.code}))

    assert response.status_code == 302


# --- check-in -------------------------------------------------------------------------------

def _joined_client(client, event, participant):
    client.post(reverse("events:join", kwargs={"code": event.code}), {"nip": participant.nip})
    return client


def test_self_checkin_with_current_token(client, event):
    participant = ParticipantFactory(event=event)
    _joined_client(client, event, participant)
    url = reverse("events:self_checkin", kwargs={"code": event.code, "token": checkin_token(event)})

    page = client.get(url)
    response = client.post(url)
    again = client.post(url)

    assert page.status_code == 200 and b"data-autosubmit" in page.content
    assert response.status_code == 302 and again.status_code == 302
    assert Attendance.objects.filter(participant=participant).count() == 1
    assert Attendance.objects.get().method == "self_qr"


def test_self_checkin_with_expired_token_is_refused(client, event):
    participant = ParticipantFactory(event=event)
    _joined_client(client, event, participant)

    response = client.post(reverse("events:self_checkin", kwargs={"code": event.code, "token": "expiredtoken"}))

    assert response.status_code == 410
    assert not Attendance.objects.exists()


def test_self_checkin_new_phone_identifies_then_checks_in(client, event):
    participant = ParticipantFactory(event=event)
    url = reverse("events:self_checkin", kwargs={"code": event.code, "token": checkin_token(event)})

    redirect = client.get(url)
    assert redirect.status_code == 302 and "/gabung/?next=" in redirect["Location"]
    from urllib.parse import parse_qs, urlsplit

    next_url = parse_qs(urlsplit(redirect["Location"]).query)["next"][0]
    joined = client.post(reverse("events:join", kwargs={"code": event.code}), {"nip": participant.nip, "next": next_url})
    assert joined["Location"] == next_url
    confirm = client.get(next_url)
    grant = confirm.context["grant"]
    client.post(url.replace(checkin_token(event), "rotated-away"), {"grant": grant})

    assert Attendance.objects.filter(participant=participant).exists()


def test_organiser_marks_present_and_undoes(organiser_client, event):
    participant = ParticipantFactory(event=event)
    url = reverse("events:checkin_mark", kwargs={"pk": event.pk, "participant_pk": participant.pk})

    organiser_client.post(url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET=f"p-{participant.pk}")
    organiser_client.post(url)
    assert Attendance.objects.count() == 1
    organiser_client.post(url, {"undo": "1"})
    assert Attendance.objects.count() == 0


def test_organiser_scan_of_personal_qr(organiser_client, event):
    participant = ParticipantFactory(event=event, name="Dewi Lestari")
    personal_url = "http://192.168.1.5:8000" + reverse("events:checkin_personal", kwargs={"token": participant.token})

    first = organiser_client.post(reverse("events:checkin_scan", kwargs={"pk": event.pk}), {"code": personal_url})
    second = organiser_client.post(reverse("events:checkin_scan", kwargs={"pk": event.pk}), {"code": personal_url})

    assert first.json()["created"] is True and second.json()["created"] is False
    assert "Dewi Lestari" in second.json()["message"]
    assert Attendance.objects.get().method == "organiser_scan"


def test_checkin_counts_by_agency(organiser_client, event):
    from netral.events.services.checkin import check_in

    a = ParticipantFactory(event=event, agency="Kelurahan Brebes")
    ParticipantFactory(event=event, agency="Kelurahan Brebes")
    ParticipantFactory(event=event, agency="Puskesmas Brebes")
    check_in(a, method="manual")

    response = organiser_client.get(reverse("events:checkin_counts", kwargs={"pk": event.pk}))

    body = response.content.decode()
    assert '<div class="stat" id="present-count">1</div>' in body
    assert '<div class="stat" id="registered-count">3</div>' in body
    assert "<td>Kelurahan Brebes</td><td>1</td><td>2</td>" in body


def test_attendance_export_is_a_daftar_hadir(organiser_client, event):
    from openpyxl import load_workbook

    from netral.events.services.checkin import check_in

    check_in(ParticipantFactory(event=event, name="Budi", nip=NIP), method="manual")
    ParticipantFactory(event=event, name="Absen")

    response = organiser_client.get(reverse("events:attendance_xlsx", kwargs={"pk": event.pk}))

    ws = load_workbook(io.BytesIO(response.content)).active
    values = [[c for c in row] for row in ws.iter_rows(values_only=True)]
    names = [row[1] for row in values[4:]]
    assert names == ["Budi"]
    assert values[4][2] == NIP


def test_participant_export_lists_everyone(organiser_client, event):
    from openpyxl import load_workbook

    ParticipantFactory(event=event, name="Budi")
    ParticipantFactory(event=event, name="Citra")

    response = organiser_client.get(reverse("events:participants_xlsx", kwargs={"pk": event.pk}))

    ws = load_workbook(io.BytesIO(response.content)).active
    assert [row[1] for row in ws.iter_rows(min_row=5, values_only=True)] == ["Budi", "Citra"]


def test_material_download_only_for_visible_events(client, event, organiser):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from netral.events.services.materials import add_material

    material = add_material(SessionFactory(event=event), title="Materi 1",
                            upload=SimpleUploadedFile("m.pdf", b"%PDF-1.4 x"), user=organiser)
    url = reverse("events:material", kwargs={"code": event.code, "pk": material.pk})

    ok = client.get(url)
    event.status = EventStatus.DRAFT
    event.save()
    hidden = client.get(url)

    assert ok.status_code == 200 and ok["Content-Type"] == "application/pdf"
    assert b"".join(ok.streaming_content) == b"%PDF-1.4 x"
    assert hidden.status_code == 404


def test_material_upload_rejects_fake_pdf_with_message(organiser_client, event):
    from django.core.files.uploadedfile import SimpleUploadedFile

    session = SessionFactory(event=event)
    response = organiser_client.post(
        reverse("events:material_upload", kwargs={"pk": event.pk, "session_pk": session.pk}),
        {"title": "x", "file": SimpleUploadedFile("fake.pdf", b"not a pdf")}, follow=True)

    messages = [str(m) for m in response.context["messages"]]
    assert len(messages) == 1 and "fake.pdf" in messages[0]
    assert session.materials.count() == 0


def test_csrf_is_enforced_on_organiser_posts(event, organiser):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(organiser)

    response = client.post(reverse("events:status", kwargs={"pk": event.pk}), {"status": "finished"})

    assert response.status_code == 403


def test_participant_status_fragment_updates_after_organiser_scan(client, event):
    from netral.events.services.checkin import check_in

    participant = ParticipantFactory(event=event)
    _joined_client(client, event, participant)
    me = reverse("events:me", kwargs={"code": event.code})

    before = client.get(me, HTTP_HX_REQUEST="true").content.decode()
    check_in(participant, method="organiser_scan")
    after = client.get(me, HTTP_HX_REQUEST="true").content.decode()

    assert before.lstrip().startswith('<section class="card" id="attendance-status" hx-get=')
    assert "personal-qr" in before and "<html" not in before
    assert "hx-get" not in after and "✓" in after


def test_exports_never_turn_names_into_formulas(organiser_client, event):
    from openpyxl import load_workbook

    ParticipantFactory(event=event, name='=HYPERLINK("http://evil.test","klik")')

    response = organiser_client.get(reverse("events:participants_xlsx", kwargs={"pk": event.pk}))

    cell = load_workbook(io.BytesIO(response.content)).active.cell(row=5, column=2)
    assert cell.value == '=HYPERLINK("http://evil.test","klik")'
    assert cell.data_type == "s"
