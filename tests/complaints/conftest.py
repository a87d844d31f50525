import pytest


@pytest.fixture(autouse=True)
def _complaint_settings(settings, tmp_path):
    from cryptography.fernet import Fernet

    settings.NETRAL_COMPLAINTS_EVIDENCE_DIR = str(tmp_path / "evidence")
    settings.NETRAL_COMPLAINTS_KEYS = [Fernet.generate_key().decode()]
    settings.NETRAL_COMPLAINTS_MIN_FILL_SECONDS = 0


@pytest.fixture
def verifier(db):
    from .factories import verifier

    return verifier()


@pytest.fixture
def verifier_client(client, verifier):
    client.force_login(verifier)
    return client


@pytest.fixture
def complaint(db):
    from .factories import report

    return report()
