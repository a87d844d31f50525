"""Votes through the ASGI route of `netral serve` (netral.discussion.fast): the same answers
as the django-ninja view, with the participant's signed cookie and the CSRF check."""

import asyncio
import json

import pytest
from django.core import signing
from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret

from netral.discussion import fast, services
from netral.discussion.models import Question, Vote
from netral.events.identity import SALT, cookie_name
from netral.live.models import LiveEvent
from tests.concurrency import run_at_once
from tests.factories.events import EventFactory, ParticipantFactory, SessionFactory

pytestmark = pytest.mark.django_db(transaction=True)
CSRF_SECRET = _get_new_csrf_string()


def participant_cookie(participant) -> str:
    name = cookie_name(participant.event)
    value = signing.get_cookie_signer(salt=name + SALT).sign(f"{participant.pk}:{participant.token}")
    return f"{name}={value}"


def call(app, method, path, *, cookies=(), csrf=True, origin=None):
    sent = []
    headers = [(b"host", b"testserver"), (b"content-type", b"application/json")]
    jar = list(cookies) + ([f"csrftoken={CSRF_SECRET}"] if csrf else [])
    if jar:
        headers.append((b"cookie", "; ".join(jar).encode()))
    if csrf:
        headers.append((b"x-csrftoken", _mask_cipher_secret(CSRF_SECRET).encode()))
    if origin:
        headers.append((b"origin", origin.encode()))

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": method, "path": path, "headers": headers, "query_string": b"",
             "server": ("testserver", 80), "client": ("127.0.0.1", 5000)}
    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    data = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], (json.loads(data) if data else None)


@pytest.fixture
def app(fast_route):
    return fast_route(fast)


@pytest.fixture
def question(event):
    event.status = "running"
    event.save()
    session = SessionFactory(event=event)
    return services.ask_question(ParticipantFactory(event=event), session=session, text="Bolehkah like?")


def test_counts_once_and_publishes_the_new_count(app, question):
    voter = participant_cookie(ParticipantFactory(event=question.event))
    url = f"/api/questions/{question.pk}/votes"

    assert call(app, "POST", url, cookies=[voter]) == (200, {"question": question.pk, "votes": 1, "counted": True})
    assert call(app, "POST", url, cookies=[voter]) == (200, {"question": question.pk, "votes": 1, "counted": False})
    assert Vote.objects.filter(question=question).count() == 1
    assert LiveEvent.objects.filter(kind="vote").last().data == {"id": question.pk, "votes": 1,
                                                                 "session": question.session_id}


def test_refused_without_csrf_token_or_from_a_foreign_origin(app, question):
    voter = participant_cookie(ParticipantFactory(event=question.event))
    url = f"/api/questions/{question.pk}/votes"

    assert call(app, "POST", url, cookies=[voter], csrf=False)[0] == 403
    assert call(app, "POST", url, cookies=[voter], origin="https://evil.example")[0] == 403
    assert Vote.objects.count() == 0


def test_strangers_hidden_questions_and_forged_cookies_are_refused(app, question):
    url = f"/api/questions/{question.pk}/votes"
    other_event = EventFactory(status="running")
    stranger = participant_cookie(ParticipantFactory(event=other_event))
    member = ParticipantFactory(event=question.event)
    name = cookie_name(question.event)
    forged = f"{name}=" + signing.get_cookie_signer(salt="wrong" + SALT).sign(f"{member.pk}:{member.token}")

    assert call(app, "POST", url)[0] == 401  # no participant at all
    assert call(app, "POST", url, cookies=[stranger])[0] == 401  # joined another event only
    assert call(app, "POST", url, cookies=[forged])[0] == 401
    Question.objects.filter(pk=question.pk).update(status=Question.Status.HIDDEN)
    status, body = call(app, "POST", url, cookies=[participant_cookie(member)])
    assert status == 400 and body["detail"]
    assert call(app, "POST", "/api/questions/999999/votes", cookies=[participant_cookie(member)])[0] == 404
    assert Vote.objects.count() == 0


def test_a_cookie_for_the_question_s_event_is_found_among_others(app, question):
    member = ParticipantFactory(event=question.event)
    other = participant_cookie(ParticipantFactory(event=EventFactory(status="running")))

    status, body = call(app, "POST", f"/api/questions/{question.pk}/votes", cookies=[other, participant_cookie(member)])

    assert status == 200 and body["counted"] is True
    assert Vote.objects.get().participant_id == member.pk


def test_withdrawal_and_other_methods_go_to_django(app, question):
    assert call(app, "DELETE", f"/api/questions/{question.pk}/votes")[0] == 299
    assert app.calls == ["DELETE"]


def test_simultaneous_fast_votes_from_one_participant_count_once(question):
    voter = ParticipantFactory(event=question.event)
    identity = [(question.event_id, voter.pk, voter.token)]

    results, errors = run_at_once(lambda: services.fast_vote(question.pk, identity), 8)

    assert errors == []
    assert sorted(results, key=lambda r: r is None) == [1] + [None] * 7
    question.refresh_from_db()
    assert question.votes == 1 and Vote.objects.count() == 1
