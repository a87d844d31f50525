"""Bearer-token lookup with a short per-process cache.

A token is checked on every API call; its row rarely changes. Each process keeps the
token hash → user for ``TTL`` seconds, so a revoked token (or a deactivated user) stops
working everywhere within that time."""

import threading
import time

from django.utils import timezone

from .models import ApiToken, _hash_token

TTL = 60.0
_cache: dict[str, tuple[float, object]] = {}
_lock = threading.Lock()


def user_for_token(raw: str):
    key = _hash_token(raw)
    now = time.monotonic()
    hit = _cache.get(key)
    if hit and hit[0] > now:
        return hit[1]
    token = ApiToken.lookup(raw)
    if token is None:
        with _lock:
            _cache.pop(key, None)
        return None
    # Touch last_used at most once per cache period: no write per request on the hot path.
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    with _lock:
        if len(_cache) > 10_000:
            _cache.clear()
        _cache[key] = (now + TTL, token.user)
    return token.user


def forget_tokens() -> None:
    with _lock:
        _cache.clear()
