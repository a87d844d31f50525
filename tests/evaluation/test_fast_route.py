"""The ASGI route for answers under `netral serve` answers exactly like the ninja view."""

import asyncio
import json

import pytest

from netral.evaluation import fast, services
from netral.evaluation.models import Response
from tests.factories.events import ParticipantFactory

pytestmark = pytest.mark.django_db(transaction=True)


def call(app, method, path, body=b"", headers=()):
    sent, fallback_calls = [], []

    async def receive():
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message):
        sent.append(message)

    asyncio.run(app({"type": "http", "method": method, "path": path, "headers": list(headers)}, receive, send))
    start = next((m for m in sent if m["type"] == "http.response.start"), None)
    data = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return (start["status"] if start else None), (json.loads(data) if data else None), fallback_calls


@pytest.fixture
def setup(event):
    services.load_default_bank()
    test = services.create_test(event, "pre", count=3)
    attempt, _ = services.start_attempt(test, ParticipantFactory(event=event))
    item = test.test_items.first()
    return attempt, item


@pytest.fixture
def app(fast_route):
    return fast_route(fast)


def test_saves_on_the_django_thread_and_reports_like_the_view(app, setup):
    attempt, item = setup
    path = f"/api/attempts/{attempt.pk}/answers"
    headers = [(b"x-attempt-token", attempt.token.encode()), (b"content-type", b"application/json")]

    status, body, _ = call(app, "PUT", path, json.dumps({"answers": {str(item.pk): ["B"]}}).encode(), headers)
    assert status == 200 and body["saved"] == 1 and body["saved_items"] == [item.pk] and body["attempt"] == attempt.pk
    assert Response.objects.get(attempt=attempt).choice == "B"

    status, body, _ = call(app, "PUT", path, json.dumps({"answers": {str(item.pk): ["Z"]}}).encode(), headers)
    assert status == 400 and body["detail"] == "Tidak ada jawaban yang dapat disimpan."
    assert str(item.pk) in body["errors"]

    status, body, _ = call(app, "PUT", path, b"{not json", headers)
    assert status == 400 and "JSON" in body["detail"]

    en = [*headers, (b"cookie", b"netral_lang=en")]
    status, body, _ = call(app, "PUT", path, json.dumps({"answers": {str(item.pk): ["Z"]}}).encode(), en)
    assert body["detail"] == "No answer could be saved."

    status, body, _ = call(app, "PUT", path, b'{"answers": {}}', [(b"x-attempt-token", b"forged")])
    assert status == 404
    status, body, _ = call(app, "PUT", path, b'{"answers": {}}')
    assert status == 401

    services.submit_attempt(attempt)
    status, body, _ = call(app, "PUT", path, json.dumps({"answers": {str(item.pk): ["A"]}}).encode(), headers)
    assert status == 409


def test_other_methods_go_to_django(app, setup):
    attempt, _item = setup

    status, _body, _ = call(app, "GET", f"/api/attempts/{attempt.pk}/answers")

    assert status == 299 and app.calls == ["GET"]


def test_the_route_matches_only_the_answers_path():
    assert fast.PATH.match("/api/attempts/12/answers")
    assert not fast.PATH.match("/api/attempts/12/submit")
    assert not fast.PATH.match("/api/attempts/x/answers")
