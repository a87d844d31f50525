"""Publishing from Django code (sync): write the message, then tell the stream handlers.

Called inside the writing service's transaction; the notification goes out on commit, so a
stream never announces a change that was rolled back."""

import json
import threading

from django.conf import settings
from django.db import transaction

from .models import LiveEvent



def channel() -> str:
    """Per installation (NETRAL_CACHE_PREFIX): pub/sub ignores Redis database numbers."""
    return f"{settings.CACHES['default'].get('KEY_PREFIX') or 'netral'}:live"

_local = threading.local()


def _redis():
    client = getattr(_local, "redis", None)
    if client is None:
        import redis  # noqa: PLC0415 -- slow import

        client = _local.redis = redis.Redis.from_url(settings.REDIS_URL)
    return client


def publish(event_id: int, kind: str, data: dict) -> LiveEvent:
    row = LiveEvent.objects.create(event_id=event_id, kind=kind, data=data)
    message = {"id": row.pk, "event": event_id, "kind": kind, "data": data}
    transaction.on_commit(lambda: notify(message))
    return row


def notify(message: dict) -> None:
    if settings.REDIS_URL:
        _redis().publish(channel(), json.dumps(message))
    else:
        from .hub import hub  # noqa: PLC0415 -- leaf

        hub.deliver_threadsafe(message)
