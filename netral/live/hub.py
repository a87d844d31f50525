"""The per-process side of live updates: subscriber queues and the pump that feeds them.

Stream handlers (async, in granian's event loop) subscribe per event. Messages arrive:
- from this process, pushed by ``publish.notify`` from a Django thread (no Redis);
- from other processes, through Redis pub/sub when ``REDIS_URL`` is set, else by polling
  the ``LiveEvent`` table a few times a second (embedded mode with several workers).
One pump per process, not per subscriber: threads and queries do not grow with clients."""

import asyncio
import json
import logging
from collections import defaultdict, deque
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings

log = logging.getLogger(__name__)
POLL_SECONDS = 0.25
QUEUE_SIZE = 256
HEARTBEAT_SECONDS = 15.0
FLUSH_SECONDS = 0.1  # a burst of messages within this window becomes one write per client
PING = (0, 0, b": ping\n\n")  # a keep-alive item put into idle queues by the hub


class Hub:
    def __init__(self):
        self.subscribers: dict[int, set[asyncio.Queue]] = defaultdict(set)
        self.loop: asyncio.AbstractEventLoop | None = None
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="live")
        self._pump: asyncio.Task | None = None
        self._seen: deque[int] = deque(maxlen=4096)
        self._seen_set: set[int] = set()
        self._cursor: int | None = None
        self._pending: dict[int, list[dict]] = {}

    # -- subscribers (event loop) -----------------------------------------------------------
    def subscribe(self, event_id: int) -> asyncio.Queue:
        self._ensure_pump()
        queue: asyncio.Queue = asyncio.Queue(maxsize=QUEUE_SIZE)
        self.subscribers[event_id].add(queue)
        return queue

    def unsubscribe(self, event_id: int, queue: asyncio.Queue) -> None:
        queues = self.subscribers.get(event_id)
        if queues is not None:
            queues.discard(queue)
            if not queues:
                del self.subscribers[event_id]

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
        """Encode a burst once and hand the same bytes to every subscriber of the event."""
        from .stream import encode_batch  # noqa: PLC0415 -- circular import

        messages = self._pending.pop(event_id, [])
        if not messages:
            return
        item = (min(m["id"] for m in messages), max(m["id"] for m in messages), encode_batch(messages))
        for queue in list(self.subscribers.get(event_id, ())):
            try:
                queue.put_nowait(item)
            except asyncio.QueueFull:  # a stuck client: close it; it reconnects with Last-Event-ID
                while not queue.empty():
                    queue.get_nowait()
                queue.put_nowait(None)
                self.unsubscribe(event_id, queue)

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
            for queues in list(self.subscribers.values()):
                for queue in list(queues):
                    if queue.empty():
                        queue.put_nowait(PING)

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
