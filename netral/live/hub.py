"""The per-process side of live updates: subscribers and the pump that feeds them.

Stream handlers (async, in granian's event loop) subscribe per event. Messages arrive:
- from this process, pushed by ``publish.notify`` from a Django thread (no Redis);
- from other processes, through Redis pub/sub when ``REDIS_URL`` is set, else by polling
  the ``LiveEvent`` table a few times a second (embedded mode with several workers).
One pump per process, not per subscriber: threads and queries do not grow with clients.

A burst of messages of one event (``FLUSH_SECONDS``) is encoded once and written to every
subscriber straight from the hub: granian's ``send`` does its work when called, so an
open stream costs no coroutine wake-up per message and no queue — it is a ``Subscriber``
and one waiting coroutine (shared/PERFORMANCE.md: ≤ 30 KB per idle subscriber). Under an
ASGI server whose ``send`` must be awaited (tests), the subscriber's coroutine writes
what piled up instead, and a client too slow to keep up is closed (it reconnects with
``Last-Event-ID`` and misses nothing)."""

import asyncio
import json
import logging
from collections import defaultdict, deque
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings

log = logging.getLogger(__name__)
POLL_SECONDS = 0.25
BACKLOG_LIMIT = 256  # writes waiting for a slow client (awaited sends only)
HEARTBEAT_SECONDS = 15.0
FLUSH_SECONDS = 0.1  # a burst of messages within this window becomes one write per client
PING = (0, 0, b": ping\n\n")  # a keep-alive comment for idle streams


def completes_now(awaitable) -> bool:
    """True if ``awaitable`` is already finished, i.e. awaiting it would not suspend.

    granian's ``send`` pushes the bytes to the connection when it is called and returns
    such an awaitable; coroutines and futures (other servers, tests) are not driven here."""
    if asyncio.iscoroutine(awaitable) or asyncio.isfuture(awaitable):
        return False
    try:
        next(awaitable.__await__())
    except StopIteration:
        return True
    return False


class Subscriber:
    """One open stream: where its bytes go, and the future its coroutine sleeps on."""

    __slots__ = ("send", "direct", "backlog", "wake", "closed", "floor")

    def __init__(self, send):
        self.send = send
        self.direct = False  # writes go straight to ``send`` (set once the stream has started)
        self.backlog: list[tuple] = []  # until then, or for servers whose send must be awaited
        self.wake: asyncio.Future | None = None
        self.closed = False
        self.floor = 0  # messages up to this id were sent in the replay

    def push(self, item) -> None:
        if self.closed:
            return
        if self.direct:
            _first, last, body = item
            if last and last <= self.floor:
                return
            if not completes_now(self.send({"type": "http.response.body", "body": body, "more_body": True})):
                # granian's buffers for this connection are full (tens of MB: a client that
                # stopped reading long ago). The bytes still go out; the stream is closed and
                # the client, if alive, comes back with Last-Event-ID.
                log.warning("live stream: a client stopped reading; closing its stream")
                self.close()
            return
        self.backlog.append(item)
        if len(self.backlog) > BACKLOG_LIMIT:  # stuck: close it; it reconnects with Last-Event-ID
            self.backlog.clear()
            self.close()
            return
        self._wake()

    def take(self) -> bytes:
        """The bytes waiting in the backlog, without what the replay already sent."""
        items, self.backlog = self.backlog, []
        return b"".join(body for _first, last, body in items if not (last and last <= self.floor))

    def close(self) -> None:
        self.closed = True
        self._wake()

    def _wake(self) -> None:
        if self.wake is not None and not self.wake.done():
            self.wake.set_result(None)


class Hub:
    def __init__(self):
        self.subscribers: dict[int, set[Subscriber]] = defaultdict(set)
        self.loop: asyncio.AbstractEventLoop | None = None
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="live")
        self._pump: asyncio.Task | None = None
        self._seen: deque[int] = deque(maxlen=4096)
        self._seen_set: set[int] = set()
        self._cursor: int | None = None
        self._pending: dict[int, list[dict]] = {}
        self._written: dict[int, float] = {}  # event id -> loop time of its last write

    # -- subscribers (event loop) -----------------------------------------------------------
    def subscribe(self, event_id: int, subscriber: Subscriber) -> Subscriber:
        self._ensure_pump()
        self.subscribers[event_id].add(subscriber)
        return subscriber

    def unsubscribe(self, event_id: int, subscriber: Subscriber) -> None:
        subscribers = self.subscribers.get(event_id)
        if subscribers is not None:
            subscribers.discard(subscriber)
            if not subscribers:
                del self.subscribers[event_id]
                self._written.pop(event_id, None)

    def count(self) -> int:
        return sum(len(q) for q in self.subscribers.values())

    # -- delivery ---------------------------------------------------------------------------
    def deliver_threadsafe(self, message: dict) -> None:
        """From a Django thread of this process."""
        if self.loop is not None and not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self.fanout, message)

    def fanout(self, message: dict) -> None:
        """Collect a message for its event; the event's subscribers get one write per flush."""
        msg_id = (message["event"], message["id"])
        if msg_id in self._seen_set:
            return
        if len(self._seen) == self._seen.maxlen:
            self._seen_set.discard(self._seen[0])
        self._seen.append(msg_id)
        self._seen_set.add(msg_id)
        event_id = message["event"]
        if event_id not in self.subscribers:
            return
        pending = self._pending.setdefault(event_id, [])
        pending.append(message)
        if len(pending) == 1:
            self.loop.call_later(FLUSH_SECONDS, self._flush, event_id)

    def _flush(self, event_id: int) -> None:
        """Encode a burst once and write the same bytes to every subscriber of the event."""
        from .stream import encode_batch  # noqa: PLC0415 -- circular import

        messages = self._pending.pop(event_id, [])
        if not messages:
            return
        self._broadcast(event_id, (min(m["id"] for m in messages), max(m["id"] for m in messages),
                                   encode_batch(messages)))

    def _broadcast(self, event_id: int, item) -> None:
        self._written[event_id] = self.loop.time()
        for subscriber in list(self.subscribers.get(event_id, ())):
            subscriber.push(item)
            if subscriber.closed:
                self.unsubscribe(event_id, subscriber)

    # -- the pump ---------------------------------------------------------------------------
    def _ensure_pump(self) -> None:
        loop = asyncio.get_running_loop()
        if self._pump is None or self._pump.done() or self.loop is not loop:
            self.loop = loop
            self._pump = loop.create_task(self._run())
            self._heartbeat = loop.create_task(self._beat())

    async def _beat(self) -> None:
        """Keep idle streams alive through proxies: one loop for all subscribers."""
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            now = self.loop.time()
            for event_id in list(self.subscribers):
                if now - self._written.get(event_id, 0.0) >= HEARTBEAT_SECONDS:
                    self._broadcast(event_id, PING)

    async def _run(self) -> None:
        while True:
            try:
                if settings.REDIS_URL:
                    await self._listen_redis()
                else:
                    await self._poll_database()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 -- keep streams alive; log and retry
                log.exception("live pump failed; retrying")
                await asyncio.sleep(1)

    async def _listen_redis(self) -> None:
        import redis.asyncio as aioredis  # noqa: PLC0415 -- slow import

        from .publish import channel  # noqa: PLC0415 -- leaf

        client = aioredis.Redis.from_url(settings.REDIS_URL)
        pubsub = client.pubsub()
        await pubsub.subscribe(channel())
        try:
            async for item in pubsub.listen():
                if item.get("type") == "message":
                    self.fanout(json.loads(item["data"]))
        finally:
            await pubsub.aclose()
            await client.aclose()

    async def _poll_database(self) -> None:
        loop = asyncio.get_running_loop()
        if self._cursor is None:
            self._cursor = await loop.run_in_executor(self.executor, _latest_id)
        while True:
            await asyncio.sleep(POLL_SECONDS)
            if not self.subscribers:
                continue
            rows = await loop.run_in_executor(self.executor, _rows_after, self._cursor)
            for message in rows:
                self._cursor = max(self._cursor, message["id"])
                self.fanout(message)

    async def run_sync(self, func, *args):
        return await asyncio.get_running_loop().run_in_executor(self.executor, func, *args)


def _latest_id() -> int:
    from django.db import close_old_connections  # noqa: PLC0415 -- leaf

    from .models import LiveEvent  # noqa: PLC0415 -- models load after apps

    try:
        last = LiveEvent.objects.order_by("-id").values_list("id", flat=True).first()
        return last or 0
    finally:
        close_old_connections()


def _rows_after(cursor: int) -> list[dict]:
    from .models import LiveEvent  # noqa: PLC0415 -- models load after apps

    rows = LiveEvent.objects.filter(id__gt=cursor).order_by("id")[:500]
    return [{"id": r.id, "event": r.event_id, "kind": r.kind, "data": r.data} for r in rows]


hub = Hub()
