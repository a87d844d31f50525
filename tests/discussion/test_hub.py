"""The hub writes to open streams itself when the server's send completes at once (granian),
and keeps a backlog for servers whose send must be awaited."""

import asyncio

import pytest

from netral.live import stream
from netral.live.hub import BACKLOG_LIMIT, Hub, Subscriber, completes_now
from netral.live.publish import publish

pytestmark = pytest.mark.django_db(transaction=True)


class Done:
    """What granian's send returns: the work is done when send is called."""

    def __await__(self):
        return iter(())


def test_completes_now_tells_finished_awaitables_from_coroutines():
    async def coroutine():
        return None

    pending = coroutine()
    assert completes_now(Done()) is True
    assert completes_now(pending) is False
    pending.close()


def test_subscriber_skips_what_the_replay_sent_and_closes_when_stuck():
    subscriber = Subscriber(send=None)
    subscriber.floor = 10
    for item in [(9, 10, b"old"), (11, 11, b"new"), (0, 0, b": ping")]:
        subscriber.push(item)
    assert subscriber.take() == b"new: ping"

    for n in range(BACKLOG_LIMIT + 1):
        subscriber.push((20 + n, 20 + n, b"x"))
    assert subscriber.closed and subscriber.backlog == []


def test_direct_writes_reach_the_connection_without_waking_its_coroutine(event):
    event.status = "running"
    event.save()
    written, wakes = [], []
    own_hub = Hub()
    app = stream.make_app(own_hub)

    async def scenario():
        loop = asyncio.get_running_loop()
        disconnect = loop.create_future()

        def receive():
            return disconnect  # a future, as granian's receive returns

        def send(message):
            written.append(message)
            return Done()

        task = asyncio.ensure_future(app({"type": "http", "method": "GET", "path": f"/api/events/{event.pk}/stream",
                                          "headers": [], "query_string": b""}, receive, send))
        for _ in range(200):
            if len(written) >= 2:
                break
            await asyncio.sleep(0.01)
        (subscriber,) = own_hub.subscribers[event.pk]
        assert subscriber.direct
        sleeping_on = subscriber.wake
        await asyncio.to_thread(lambda: publish(event.pk, "question", {"id": 1, "text": "langsung"}))
        for _ in range(300):
            if any(b"langsung" in m.get("body", b"") for m in written):
                break
            await asyncio.sleep(0.01)
        wakes.append(subscriber.wake is sleeping_on and not sleeping_on.done())
        disconnect.set_result({"type": "http.disconnect"})
        await asyncio.wait_for(task, 5)
        return own_hub.count()

    # This hub stands for another process: it learns of the message by polling LiveEvent.
    assert asyncio.run(scenario()) == 0
    bodies = b"".join(m.get("body", b"") for m in written if m["type"] == "http.response.body")
    assert written[0]["type"] == "http.response.start" and written[0]["status"] == 200
    assert b'"kind":"hello"' in bodies and b'"text":"langsung"' in bodies
    assert wakes == [True]  # the message went out while the stream's coroutine slept on


def test_a_direct_subscriber_whose_send_would_wait_is_closed():
    class Waiting:
        def __await__(self):
            yield None  # a full buffer: the server would have to be awaited

    subscriber = Subscriber(send=lambda message: Waiting())
    subscriber.direct = True
    subscriber.push((1, 1, b"data"))

    assert subscriber.closed
