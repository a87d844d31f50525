"""``GET /api/events/{id}/stream``: server-sent events, a pure async ASGI handler.

It holds no thread per connection (see shared/PERFORMANCE.md): the connection is a
coroutine waiting on its queue. On connect it replays what the client missed
(``Last-Event-ID`` header, or ``?lastEventId=``), then streams; a comment every 15 s keeps
proxies from closing idle connections."""

import asyncio
import json
import re
from urllib.parse import parse_qs

from .hub import Subscriber, completes_now, hub

PATH = re.compile(r"^/api/events/(\d+)/stream/?$")
REPLAY_LIMIT = 1000



def _prepare(event_id: int, last_id: int | None):
    """In the hub's thread: is the event public, and what did the client miss?"""
    from django.db import close_old_connections  # noqa: PLC0415 -- leaf

    from netral.events.enums import PUBLIC_STATUSES  # noqa: PLC0415 -- models load after apps
    from netral.events.models import Event  # noqa: PLC0415 -- models load after apps

    from .models import LiveEvent  # noqa: PLC0415 -- models load after apps

    try:
        if not Event.objects.filter(pk=event_id, status__in=PUBLIC_STATUSES).exists():
            return False, []
        if last_id is None:
            # A first connection gets a baseline id, so that its reconnections can resume.
            latest = LiveEvent.objects.filter(event_id=event_id).order_by("-id").values_list("id", flat=True).first()
            return True, [{"id": latest or 0, "event": event_id, "kind": "hello", "data": {}}]
        rows = LiveEvent.objects.filter(event_id=event_id, id__gt=last_id).order_by("id")[:REPLAY_LIMIT]
        return True, [{"id": r.id, "event": r.event_id, "kind": r.kind, "data": r.data} for r in rows]
    finally:
        close_old_connections()


def format_message(message: dict) -> bytes:
    payload = json.dumps({"kind": message["kind"], **message["data"]}, separators=(",", ":"))
    return f"id: {message['id']}\ndata: {payload}\n\n".encode()


def _last_event_id(scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"last-event-id":
            raw = value.decode("latin1")
            break
    else:
        raw = (parse_qs(scope.get("query_string", b"").decode()).get("lastEventId") or [""])[0]
    return int(raw) if raw.isdigit() else None


def make_app(hub):
    """The stream handler bound to one process's hub (tests bind a second one)."""

    async def app(scope, receive, send):
        event_id = int(PATH.match(scope["path"]).group(1))
        if scope["method"] != "GET":
            await _plain(send, 405, b"GET only")
            return
        last_event_id = _last_event_id(scope)
        del scope  # an idle stream keeps as little as possible (shared/PERFORMANCE.md)
        subscriber = hub.subscribe(event_id, Subscriber(send))  # before the replay query: nothing falls in between
        try:
            _watch_disconnect(receive, subscriber)
            visible, backlog = await hub.run_sync(_prepare, event_id, last_event_id)
            if subscriber.closed:  # gone during the query (or too slow already)
                return
            if not visible:
                await _plain(send, 404, b"Not found")
                return
            started = send({"type": "http.response.start", "status": 200, "headers": [
                (b"content-type", b"text/event-stream; charset=utf-8"), (b"cache-control", b"no-cache"),
                (b"x-accel-buffering", b"no"), (b"connection", b"keep-alive")]})
            direct = completes_now(started)
            if not direct:
                await started
            # What arrived during the replay query and is not in the replay follows it.
            subscriber.floor = max((m["id"] for m in backlog), default=0)
            first = b"retry: 3000\n\n" + b"".join(format_message(m) for m in backlog) + subscriber.take()
            subscriber.direct = direct
            if direct:
                subscriber.push((0, 0, first))
            else:
                await send({"type": "http.response.body", "body": first, "more_body": True})
            del backlog, first, started
            loop = asyncio.get_running_loop()
            # From here the hub writes to the connection itself (granian); this coroutine only
            # sleeps until the client goes away — or, under servers whose send must be
            # awaited, writes what the hub left in the backlog.
            while not subscriber.closed:
                if subscriber.backlog:
                    body = subscriber.take()
                    if body:
                        await send({"type": "http.response.body", "body": body, "more_body": True})
                else:
                    subscriber.wake = loop.create_future()
                    await subscriber.wake
        finally:
            subscriber.closed = True
            hub.unsubscribe(event_id, subscriber)

    return app


app = make_app(hub)


def _watch_disconnect(receive, subscriber):
    """Close the subscriber when the client goes away: a callback on the pending receive, not
    a task per connection (granian's receive returns a future)."""

    def done(future):
        if future.cancelled() or subscriber.closed:
            return
        if future.exception() is not None or future.result()["type"] == "http.disconnect":
            subscriber.close()
        else:  # more of a request body: keep listening
            _watch_disconnect(receive, subscriber)

    asyncio.ensure_future(receive()).add_done_callback(done)


def encode_batch(messages: list[dict]) -> bytes:
    """SSE bytes for a burst; of a question's vote counts only the newest is kept."""
    last_vote = {}
    for index, message in enumerate(messages):
        if message["kind"] == "vote":
            last_vote[message["data"].get("id")] = index
    return b"".join(format_message(m) for i, m in enumerate(messages)
                    if m["kind"] != "vote" or last_vote.get(m["data"].get("id")) == i)


async def _plain(send, status, body):
    await send({"type": "http.response.start", "status": status, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": body})
