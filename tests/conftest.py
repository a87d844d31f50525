import pytest


@pytest.fixture(autouse=True)
def _fast_settings(settings, tmp_path):
    # Argon2 stays the production hasher (tested in tests/accounts); tests hash fast.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher",
                                 "django.contrib.auth.hashers.Argon2PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    settings.RATELIMIT_ENABLE = False


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def organiser(db):
    from tests.factories.events import UserFactory

    return UserFactory(username="panitia_a")


@pytest.fixture
def other_organiser(db):
    from tests.factories.events import UserFactory

    return UserFactory(username="panitia_b")


@pytest.fixture
def event(organiser):
    from tests.factories.events import EventFactory

    return EventFactory(owner=organiser)


@pytest.fixture
def organiser_client(client, organiser):
    client.force_login(organiser)
    return client


@pytest.fixture
def fast_route():
    """``fast_route(module)``: the module's ASGI route (netral.*.fast) on its own Django
    thread, with a fallback that records the methods it was given (``app.calls``)."""
    from concurrent.futures import ThreadPoolExecutor

    executors = []

    def make(module):
        calls = []

        async def fallback(scope, receive, send):
            calls.append(scope["method"])
            await send({"type": "http.response.start", "status": 299, "headers": []})
            await send({"type": "http.response.body", "body": b""})

        executor = ThreadPoolExecutor(max_workers=1)
        executors.append(executor)
        application = module.make_app(executor, fallback)
        application.calls = calls
        return application

    yield make
    from django.db import connection

    for executor in executors:
        executor.submit(lambda: connection.close()).result()  # the worker thread's own connection
        executor.shutdown()
