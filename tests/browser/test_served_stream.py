"""The long-lived stream of a real ``netral serve`` over plain HTTP (no browser): a client
whose connection drops reconnects with Last-Event-ID and is sent exactly what it missed,
then keeps receiving on the same open connection.

The changes are made through the served JSON API by participants whose signed cookies are
made here (the served process has this process's SECRET_KEY), as their phones would."""

import http.client
import json
import time
from urllib.parse import urlsplit

import pytest

from .conftest import assert_no_server_errors

LIVE_SECONDS = 2.0  # the 3 s reconnection of the fallback would not make it
CSRF = "netralhbcsrftokennetralhbcsrf123"  # 32 characters: a valid unmasked CSRF secret


class Stream:
    """``GET /api/events/{id}/stream`` read message by message, each read bounded."""

    def __init__(self, base_url, event_id, last_event_id=None):
        parts = urlsplit(base_url)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=LIVE_SECONDS + 3)
        headers = {"Accept": "text/event-stream"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = str(last_event_id)
        self.connection.request("GET", f"/api/events/{event_id}/stream", headers=headers)
        self.response = self.connection.getresponse()
        assert self.response.status == 200, self.response.status
        assert self.response.getheader("content-type").startswith("text/event-stream")

    def next(self, timeout=LIVE_SECONDS) -> dict:
        """The next message (id, kind, data); comments, ``retry:`` and pings are skipped."""
        self.connection.sock.settimeout(timeout)
        fields = {}
        while True:
            line = self.response.readline()
            if not line:
                raise AssertionError("the server closed the stream")
            line = line.decode().rstrip("\n")
            if line == "":
                if "data" in fields:
                    data = json.loads(fields["data"])
                    return {"id": int(fields["id"]), "kind": data.pop("kind"), "data": data}
                fields = {}
            elif not line.startswith(":"):
                name, _, value = line.partition(":")
                fields[name] = value.removeprefix(" ")

    def close(self):
        self.connection.close()  # the drop: the socket goes, the server sees a disconnect


def _cookies(participant) -> str:
    from django.http import HttpResponse

    from netral.events.identity import cookie_name, remember_participant

    response = HttpResponse()
    remember_participant(response, participant)
    return f"{cookie_name(participant.event)}={response.cookies[cookie_name(participant.event)].value}; csrftoken={CSRF}"


def _post(base_url, path, participant, payload=None):
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request("POST", path, body=json.dumps(payload or {}), headers={
            "Content-Type": "application/json", "Cookie": _cookies(participant), "X-CSRFToken": CSRF})
        response = connection.getresponse()
        body = response.read()
        assert response.status in (200, 201), (response.status, body)
        return json.loads(body)
    finally:
        connection.close()


@pytest.fixture
def hall(transactional_db):
    from tests.factories.events import EventFactory, ParticipantFactory, SessionFactory

    event = EventFactory(status="running")
    return {"event": event, "session": SessionFactory(event=event, title="Netralitas di media sosial"),
            "p1": ParticipantFactory(event=event), "p2": ParticipantFactory(event=event)}


def test_a_dropped_stream_resumes_with_last_event_id_and_misses_nothing(hall, netral_server):
    from netral.live.models import LiveEvent

    event, session, base = hall["event"], hall["session"], netral_server.url
    ask = f"/api/sessions/{session.pk}/questions"

    first = Stream(base, event.pk)
    hello = first.next()
    assert hello["kind"] == "hello"
    asked_at = time.monotonic()
    q1 = _post(base, ask, hall["p1"], {"text": "Pertanyaan satu: bolehkah hadir kampanye?"})
    received = first.next()
    assert time.monotonic() - asked_at < LIVE_SECONDS
    assert (received["kind"], received["data"]["id"]) == ("question", q1["id"])
    first.close()

    # While the client is away: a question and a vote.
    q2 = _post(base, ask, hall["p2"], {"text": "Pertanyaan dua: bolehkah berfoto dengan calon?"})
    _post(base, f"/api/questions/{q1['id']}/votes", hall["p2"])
    missed = list(LiveEvent.objects.filter(event_id=event.pk, id__gt=received["id"]).order_by("id"))
    assert [m.kind for m in missed] == ["question", "vote"]

    # Back with Last-Event-ID: exactly the missed messages, in order, then the live ones on the
    # same connection (the fallback would close it after the replay).
    second = Stream(base, event.pk, last_event_id=received["id"])
    replayed = [second.next(), second.next()]
    assert [m["id"] for m in replayed] == [m.id for m in missed]
    assert (replayed[0]["kind"], replayed[0]["data"]["id"]) == ("question", q2["id"])
    assert (replayed[1]["kind"], replayed[1]["data"]) == ("vote", {"id": q1["id"], "votes": 1,
                                                                   "session": session.pk})
    asked_at = time.monotonic()
    q3 = _post(base, ask, hall["p1"], {"text": "Pertanyaan tiga: bolehkah memakai atribut partai?"})
    live = second.next()
    assert time.monotonic() - asked_at < LIVE_SECONDS
    assert (live["kind"], live["data"]["id"]) == ("question", q3["id"])
    second.close()

    everything = list(LiveEvent.objects.filter(event_id=event.pk).order_by("id").values_list("id", flat=True))
    assert [received["id"], *(m["id"] for m in replayed), live["id"]] == everything
    assert_no_server_errors(netral_server)
