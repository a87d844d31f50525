"""Scaled-out mode: cache and rate limits shared through the Redis on 127.0.0.1:6379."""

import uuid

import pytest
from django.core.cache import caches
from django.test import RequestFactory, override_settings
from django_ratelimit.core import is_ratelimited

REDIS = "redis://127.0.0.1:6379/15"


@pytest.fixture
def redis_cache():
    prefix = "netral-test-" + uuid.uuid4().hex[:8]
    config = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS,
                          "KEY_PREFIX": prefix}}
    with override_settings(CACHES=config, RATELIMIT_ENABLE=True):  # Django rebuilds the cache handler
        yield caches["default"]
        caches["default"].clear()


def test_rate_limit_counter_is_shared_in_redis(redis_cache):
    request = RequestFactory().post("/masuk/", REMOTE_ADDR="10.1.2.3")

    results = [is_ratelimited(request, group="t", key="ip", rate="3/m", method="POST", increment=True)
               for _ in range(4)]

    assert results == [False, False, False, True]
    import redis

    keys = redis.Redis.from_url(REDIS).keys("*netral-test-*")
    assert keys, "the rate-limit counter lives in Redis, where other processes see it"


def test_settings_select_redis_from_env(monkeypatch):
    import importlib

    import netral.settings as prod

    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        reloaded = importlib.reload(prod)
        assert reloaded.CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
        assert reloaded.CACHES["default"]["LOCATION"] == "redis://127.0.0.1:6379/0"
    finally:
        monkeypatch.delenv("REDIS_URL")
        importlib.reload(prod)
