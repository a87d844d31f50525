import pytest

pytestmark = pytest.mark.django_db


def test_public_event_page_shows_programme(client, event):
    from tests.factories.events import SessionFactory, SpeakerFactory

    speaker = SpeakerFactory(event=event, name="Titi Rahmawati", title_suffix="M.Si.")
    SessionFactory(event=event, title="Menjaga Kepercayaan Masyarakat").speakers.add(speaker)

    response = client.get(event.get_absolute_url())

    body = response.content.decode()
    assert response.status_code == 200
    assert "Menjaga Kepercayaan Masyarakat" in body
    assert "Titi Rahmawati, M.Si." in body
    assert "Selasa, 17 September 2024, 09.00 WIB" in body
