"""The live stream: delivery, replay after reconnect (Last-Event-ID), and Redis fan-out
between processes."""

import asyncio
import json

import pytest

from netral.live import stream
from netral.live.hub import Hub, hub
from netral.live.publish import publish

pytestmark = pytest.mark.django_db(transaction=True)


class Client:
    """A fake ASGI server connection to the stream handler."""

    def __init__(self, event_id, last_event_id=None):
        headers = [(b"last-event-id", str(last_event_id).encode())] if last_event_id else []
        self.scope = {"type": "http", "method": "GET", "path": f"/api/events/{event_id}/stream",
                      "headers": headers, "query_string": b""}
        self.chunks = []
        self.status = None
        self._disconnect = asyncio.Event()

    async def receive(self):
        await self._disconnect.wait()
        return {"type": "http.disconnect"}

    async def send(self, message):
        if message["type"] == "http.response.start":
            self.status = message["status"]
        else:
            self.chunks.append(message.get("body", b""))

    def text(self):
        return b"".join(self.chunks).decode()

    def ids(self):
        return [int(line[4:]) for line in self.text().splitlines() if line.startswith("id: ")]

    async def run(self, app=stream.app):
        self.task = asyncio.ensure_future(app(self.scope, self.receive, self.send))
        for _ in range(200):
            if self.status is not None and self.chunks:
                return
            await asyncio.sleep(0.01)

    async def wait_for(self, predicate, timeout=5.0):
        for _ in range(int(timeout / 0.02)):
            if predicate(self):
                return True
            await asyncio.sleep(0.02)
        return False

    async def close(self):
        self._disconnect.set()
        await asyncio.wait_for(self.task, 5)


def _publish(event_id, n):
    return publish(event_id, "question", {"id": n, "text": f"pertanyaan {n}"}).pk


def test_a_published_question_reaches_a_connected_client(event):
    async def scenario():
        client = Client(event.pk)
        await client.run()
        assert client.status == 200 and client.text().startswith("retry: 3000")
        await asyncio.to_thread(_publish, event.pk, 1)
        assert await client.wait_for(lambda c: "pertanyaan 1" in c.text())
        await client.close()
        return client

    client = asyncio.run(scenario())
    payloads = [json.loads(line[6:]) for line in client.text().splitlines() if line.startswith("data: ")]
    assert payloads == [{"kind": "hello"}, {"kind": "question", "id": 1, "text": "pertanyaan 1"}]
    assert hub.count() == 0  # unsubscribed on disconnect


def test_reconnect_with_last_event_id_replays_what_was_missed(event):
    first = _publish(event.pk, 1)
    second = _publish(event.pk, 2)
    third = _publish(event.pk, 3)

    async def scenario():
        client = Client(event.pk, last_event_id=first)
        await client.run()
        await client.close()
        return client

    assert asyncio.run(scenario()).ids() == [second, third]


def test_stream_of_a_draft_event_is_404(event):
    event.status = "draft"
    event.save()

    async def scenario():
        client = Client(event.pk)
        await client.run()
        return client.status

    assert asyncio.run(scenario()) == 404


def test_two_processes_share_events_through_redis(event, settings):
    """A second Hub stands for a second `netral serve` process: a message published by one
    process (to Redis) reaches subscribers of both."""
    import redis

    settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    redis.Redis.from_url(settings.REDIS_URL).ping()
    other_process = Hub()

    async def scenario():
        mine = Client(event.pk)
        theirs = Client(event.pk)

        await mine.run()
        await theirs.run(app=stream.make_app(other_process))
        await asyncio.sleep(0.3)  # both pumps subscribed to the channel
        await asyncio.to_thread(_publish, event.pk, 7)
        ok = await mine.wait_for(lambda c: "pertanyaan 7" in c.text()) and \
            await theirs.wait_for(lambda c: "pertanyaan 7" in c.text())
        await mine.close()
        await theirs.close()
        return ok

    assert asyncio.run(scenario())
