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
