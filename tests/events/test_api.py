import json
from datetime import date

import pytest

from netral.accounts.models import ApiToken
from netral.accounts.nip import build_nip
from netral.events.enums import EventStatus
from netral.events.models import Attendance, Participant
from tests.factories.events import EventFactory, ParticipantFactory, SessionFactory, SpeakerFactory

pytestmark = pytest.mark.django_db
NIP = build_nip(date(1986, 9, 26), 2015, 5, "M", 1)


@pytest.fixture
def token(organiser):
    return ApiToken.issue(organiser)[1]


def _auth(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_health(client):
    response = client.get("/api/health")

    assert response.json() == {"status": "ok", "database": client.get("/api/health").json()["database"],
                               "version": "0.1.0"}
    assert response.json()["database"] in {"sqlite", "postgresql"}


def test_token_from_json_and_form(client, organiser):
    as_json = client.post("/api/auth/token", json.dumps({"username": "panitia_a", "password": "rahasia-uji-123"}),
                          content_type="application/json")
    as_form = client.post("/api/auth/token", {"username": "panitia_a", "password": "rahasia-uji-123"})

    assert as_json.status_code == 200 and as_form.status_code == 200
    raw = as_json.json()["token"]
    assert ApiToken.lookup(raw).user == organiser
    assert not ApiToken.objects.filter(key_hash__contains=raw).exists()


def test_token_wrong_password(client, organiser):
    response = client.post("/api/auth/token", {"username": "panitia_a", "password": "salah"})

    assert response.status_code == 401
    assert set(response.json()) == {"detail", "errors"}


def test_token_endpoint_is_rate_limited(client, organiser, settings):
    settings.RATELIMIT_ENABLE = True
    codes = [client.post("/api/auth/token", {"username": "panitia_a", "password": "salah"}).status_code
             for _ in range(12)]

    assert codes[:10] == [401] * 10
    assert codes[10:] == [429, 429]


def test_events_list_public_vs_organiser(client, event, token, other_organiser):
    EventFactory(owner=event.owner, status=EventStatus.DRAFT, title="Draf Saya")
    EventFactory(owner=other_organiser, status=EventStatus.DRAFT, title="Draf Orang Lain")

    public = [e["title"] for e in client.get("/api/events").json()]
    mine = [e["title"] for e in client.get("/api/events", **_auth(token)).json()]

    assert public == [event.title]
    assert sorted(mine) == sorted([event.title, "Draf Saya"])


def test_event_detail_has_programme(client, event):
    speaker = SpeakerFactory(event=event, name="Khayu Rohmi", title_suffix="MPA")
    SessionFactory(event=event, title="Etika ASN").speakers.add(speaker)

    data = client.get(f"/api/events/{event.pk}").json()

    assert data["sessions"][0]["title"] == "Etika ASN"
    assert data["sessions"][0]["speakers"][0]["display_name"] == "Khayu Rohmi, MPA"
    assert data["venue_name"] == "Aula Kelurahan Brebes"


def test_draft_event_detail_only_for_its_organiser(client, organiser, other_organiser):
    draft = EventFactory(owner=organiser, status=EventStatus.DRAFT)
    other_token = ApiToken.issue(other_organiser)[1]

    assert client.get(f"/api/events/{draft.pk}").status_code == 404
    assert client.get(f"/api/events/{draft.pk}", **_auth(other_token)).status_code == 404
    assert client.get(f"/api/events/{draft.pk}", **_auth(ApiToken.issue(organiser)[1])).status_code == 200


def test_invalid_bearer_token_is_401(client, event):
    assert client.get("/api/events", HTTP_AUTHORIZATION="Bearer nope").status_code == 401


def test_nip_endpoint(client):
    ok = client.get(f"/api/nip/{NIP}")
    bad = client.get("/api/nip/198609262015053001")

    assert ok.json()["birth_date"] == "1986-09-26"
    assert (ok.json()["start_year"], ok.json()["start_month"], ok.json()["gender"], ok.json()["serial"]) == (2015, 5, "M", 1)
    assert bad.status_code == 400
    assert "Digit 15" in bad.json()["detail"]
    assert bad.json()["errors"] == {"nip": [bad.json()["detail"]]}


def test_registration_then_repeat(client, event, token):
    body = {"nip": NIP, "name": "Budi Santoso", "agency": "Kelurahan Brebes"}

    first = client.post(f"/api/events/{event.pk}/registrations", body, content_type="application/json", **_auth(token))
    second = client.post(f"/api/events/{event.pk}/registrations", body, content_type="application/json", **_auth(token))

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert Participant.objects.count() == 1


def test_registration_errors_are_per_field(client, event, token):
    response = client.post(f"/api/events/{event.pk}/registrations", {"nip": "12345", "name": ""},
                           content_type="application/json", **_auth(token))

    errors = response.json()["errors"]
    assert response.status_code == 400
    assert set(errors) == {"nip", "name"}
    assert "18 digit" in errors["nip"][0]


def test_checkin_api_is_idempotent(client, event, token):
    participant = ParticipantFactory(event=event, nip=NIP)
    url = f"/api/events/{event.pk}/checkins"

    first = client.post(url, {"nip": "19860926 201505 1 001"}, content_type="application/json", **_auth(token))
    second = client.post(url, {"participant_id": participant.pk}, content_type="application/json", **_auth(token))
    missing = client.post(url, {"participant_id": 999999}, content_type="application/json", **_auth(token))

    assert (first.status_code, second.status_code, missing.status_code) == (201, 200, 404)
    assert Attendance.objects.count() == 1


@pytest.mark.parametrize("path", ["registrations", "checkins"])
def test_other_organiser_cannot_write_by_api(client, event, other_organiser, path):
    participant = ParticipantFactory(event=event)
    body = {"participant_id": participant.pk, "nip": NIP, "name": "X"}

    response = client.post(f"/api/events/{event.pk}/{path}", body, content_type="application/json",
                           **_auth(ApiToken.issue(other_organiser)[1]))

    assert response.status_code == 404
    assert Attendance.objects.count() == 0 and Participant.objects.count() == 1


def test_staff_endpoints_require_auth(client, event):
    response = client.post(f"/api/events/{event.pk}/checkins", {"participant_id": 1}, content_type="application/json")

    assert response.status_code == 401
    assert client.get(f"/api/events/{event.pk}/attendance").status_code == 401


def test_session_auth_requires_csrf(event, organiser):
    from django.test import Client

    participant = ParticipantFactory(event=event)
    client = Client(enforce_csrf_checks=True)
    client.force_login(organiser)

    response = client.post(f"/api/events/{event.pk}/checkins", {"participant_id": participant.pk},
                           content_type="application/json")

    assert response.status_code in (401, 403)
    assert Attendance.objects.count() == 0


def test_attendance_summary_api(client, event, token):
    from netral.events.services.checkin import check_in

    check_in(ParticipantFactory(event=event, agency="Puskesmas"), method="api")
    ParticipantFactory(event=event, agency="Kelurahan")

    data = client.get(f"/api/events/{event.pk}/attendance", **_auth(token)).json()

    assert (data["registered"], data["present"]) == (2, 1)


def test_openapi_schema_lists_contract(client):
    paths = client.get("/api/openapi.json").json()["paths"]

    for path in ["/api/health", "/api/auth/token", "/api/events", "/api/events/{event_id}", "/api/nip/{nip}",
                 "/api/events/{event_id}/registrations", "/api/events/{event_id}/checkins"]:
        assert path in paths


def test_checkin_api_by_token_and_team_member(client, event, other_organiser):
    participant = ParticipantFactory(event=event)
    event.team.add(other_organiser)
    team_token = ApiToken.issue(other_organiser)[1]

    response = client.post(f"/api/events/{event.pk}/checkins", {"token": participant.token},
                           content_type="application/json", **_auth(team_token))

    assert response.status_code == 201
    assert response.json()["name"] == participant.name
    assert Attendance.objects.get().checked_in_by == other_organiser


def test_checkin_api_participant_of_other_event_is_404(client, event, token, other_organiser):
    elsewhere = ParticipantFactory(event=EventFactory(owner=other_organiser))

    response = client.post(f"/api/events/{event.pk}/checkins", {"participant_id": elsewhere.pk},
                           content_type="application/json", **_auth(token))

    assert response.status_code == 404
    assert Attendance.objects.count() == 0


def test_checkin_api_superuser_may_check_in_anywhere(client, event):
    from tests.factories.events import UserFactory

    admin = UserFactory(username="admin", is_superuser=True, role="verifier")
    participant = ParticipantFactory(event=event)

    response = client.post(f"/api/events/{event.pk}/checkins", {"participant_id": participant.pk},
                           content_type="application/json", **_auth(ApiToken.issue(admin)[1]))

    assert response.status_code == 201
