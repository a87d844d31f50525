import pytest
from django.conf import settings as django_settings
from django.contrib.auth.hashers import make_password
from django.urls import reverse

from tests.factories.events import UserFactory

pytestmark = pytest.mark.django_db


def test_production_hasher_is_argon2():
    from importlib import reload

    import netral.settings as prod

    reload(prod)
    assert prod.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_argon2_hashes_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]

    assert make_password("rahasia").startswith("argon2$argon2id$")


def test_login_page_logs_in(client):
    UserFactory(username="budi")

    response = client.post(reverse("accounts:login"), {"username": "budi", "password": "rahasia-uji-123"})

    assert response.status_code == 302
    assert response["Location"] == reverse("events:dashboard")


def test_login_is_rate_limited(client, settings):
    settings.RATELIMIT_ENABLE = True
    UserFactory(username="budi")

    codes = [client.post(reverse("accounts:login"), {"username": "budi", "password": "salah"}).status_code
             for _ in range(11)]

    assert codes[:10] == [200] * 10
    assert codes[10] == 429
    assert "Terlalu banyak" in client.post(reverse("accounts:login"), {"username": "budi", "password": "x"}).content.decode()


def test_debug_is_off_by_default():
    assert django_settings.DEBUG is False


def test_a_speaker_lands_on_the_discussion_of_their_latest_event(client):
    from datetime import timedelta

    from django.utils import timezone

    from tests.factories.events import EventFactory, SessionFactory, SpeakerFactory

    speaker = UserFactory(username="narasumber", role="speaker")
    older = EventFactory(starts_at=timezone.now() - timedelta(days=30))
    newer = EventFactory(starts_at=timezone.now())
    for event in (older, newer):
        SessionFactory(event=event).speakers.add(SpeakerFactory(event=event, user=speaker))
    UserFactory(username="narasumber_baru", role="speaker")

    response = client.post(reverse("accounts:login"), {"username": "narasumber", "password": "rahasia-uji-123"})

    assert response["Location"] == reverse("discussion:moderation", kwargs={"pk": newer.pk})
    assert client.get(response["Location"]).status_code == 200
    client.logout()
    response = client.post(reverse("accounts:login"), {"username": "narasumber_baru", "password": "rahasia-uji-123"})
    assert response["Location"] == reverse("core:home")
