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
