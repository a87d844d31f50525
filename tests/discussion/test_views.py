import json

import pytest
from django.urls import reverse

from netral.accounts.models import Role
from netral.discussion import services
from netral.discussion.models import Question
from tests.factories.events import ParticipantFactory, SessionFactory, SpeakerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(event):
    return SessionFactory(event=event, title="Etika ASN")


@pytest.fixture
def phone(client, event):
    participant = ParticipantFactory(event=event, name="Budi")
    client.post(reverse("events:join", kwargs={"code": event.code}), {"nip": participant.nip})
    client.participant = participant
    return client


def test_phone_page_needs_joining(client, event, session):
    response = client.get(reverse("discussion:phone", kwargs={"code": event.code}))

    assert response.status_code == 302 and "/gabung/" in response["Location"]


def test_ask_from_phone_and_see_it_listed(phone, event, session):
    url = reverse("discussion:ask", kwargs={"code": event.code})

    response = phone.post(url, {"session": session.pk, "text": "Bagaimana menolak intervensi politik?",
                                "show_name": "1"}, follow=True)

    body = response.content.decode()
    assert "Bagaimana menolak intervensi politik?" in body and "Budi" in body
    assert Question.objects.get().participant == phone.participant


def test_too_long_question_keeps_the_text(phone, event, session):
    text = "panjang " * 70
    response = phone.post(reverse("discussion:ask", kwargs={"code": event.code}), {"session": session.pk, "text": text})

    body = response.content.decode()
    assert response.status_code == 400
    assert 'id="ask-error"' in body and text.strip() in body
    assert not Question.objects.exists()


def test_anonymous_event_says_so_before_typing(phone, event, session):
    services.update_settings(event, user=event.owner, moderated=False, fully_anonymous=True, blocked_words="")

    body = phone.get(reverse("discussion:phone", kwargs={"code": event.code})).content.decode()

    assert 'id="anonymous-notice"' in body
    assert body.index('id="anonymous-notice"') < body.index('id="id_text"')


def test_anonymous_asker_still_sees_their_answered_question(phone, event, session, organiser):
    services.update_settings(event, user=event.owner, moderated=False, fully_anonymous=True, blocked_words="")
    phone.post(reverse("discussion:ask", kwargs={"code": event.code}), {"session": session.pk, "text": "Soal sensitif"})
    question = Question.objects.get()
    services.moderate(question, user=organiser, action="answer", summary="Dijawab narasumber")

    body = phone.get(reverse("discussion:phone", kwargs={"code": event.code})).content.decode()

    assert question.participant is None
    section = body[body.index('id="pertanyaan-saya"'):]
    assert "Soal sensitif" in section[:600] and "Dijawab narasumber" in section[:800]


def test_vote_button_toggles(phone, event, session):
    question = services.ask_question(ParticipantFactory(event=event), session=session, text="Q")
    url = reverse("discussion:vote", kwargs={"code": event.code, "pk": question.pk})

    phone.post(url)
    phone.post(url)
    question.refresh_from_db()
    assert question.votes == 1
    phone.post(url, {"undo": "1"})
    question.refresh_from_db()
    assert question.votes == 0


def test_board_shows_pinned_and_counters(client, event, session, organiser):
    a = services.ask_question(ParticipantFactory(event=event), session=session, text="Disematkan")
    services.ask_question(ParticipantFactory(event=event), session=session, text="Teratas")
    services.moderate(a, user=organiser, action="pin")

    body = client.get(reverse("discussion:board", kwargs={"code": event.code})).content.decode()

    assert 'id="pinned"' in body and "Disematkan" in body[body.index('id="pinned"'):][:400]
    assert '<span id="count-questions">2</span>' in body
    assert 'data-live-stream="/api/events/%d/stream"' % event.pk in body


def test_moderation_permissions(client, event, session, other_organiser):
    speaker_user = UserFactory(username="nara", role=Role.SPEAKER)
    session.speakers.add(SpeakerFactory(event=event, user=speaker_user))
    url = reverse("discussion:moderation", kwargs={"pk": event.pk})

    assert client.get(url).status_code == 302
    client.force_login(other_organiser)
    assert client.get(url).status_code == 404
    client.force_login(speaker_user)
    response = client.get(url)
    assert response.status_code == 200 and response.context["speaker_only"] is True
    client.post(url, {"form": "settings", "fully_anonymous": "1"})
    assert services.settings_for(event).fully_anonymous is False  # speakers cannot change settings


def test_organiser_answers_from_moderation_page(organiser_client, event, session):
    question = services.ask_question(ParticipantFactory(event=event), session=session, text="Q")

    organiser_client.post(reverse("discussion:moderate", kwargs={"pk": event.pk, "question_pk": question.pk}),
                          {"action": "answer", "summary": "Jawaban"})

    question.refresh_from_db()
    assert question.answered and question.answer_summary == "Jawaban"


def test_exports(organiser_client, event, session):
    import io

    from openpyxl import load_workbook

    services.ask_question(ParticipantFactory(event=event), session=session, text="Pertanyaan ekspor")

    csv_body = organiser_client.get(reverse("discussion:export", kwargs={"pk": event.pk, "fmt": "csv"})).content
    xlsx = organiser_client.get(reverse("discussion:export", kwargs={"pk": event.pk, "fmt": "xlsx"})).content

    assert "Pertanyaan ekspor" in csv_body.decode("utf-8-sig")
    rows = list(load_workbook(io.BytesIO(xlsx)).active.iter_rows(values_only=True))
    assert any("Pertanyaan ekspor" in (cell or "") for row in rows for cell in row if isinstance(cell, str))


def test_api_questions_and_votes(phone, event, session):
    from django.test import Client

    created = phone.post(f"/api/sessions/{session.pk}/questions", json.dumps({"text": "Lewat API"}),
                         content_type="application/json", HTTP_X_CSRFTOKEN=phone.cookies["csrftoken"].value
                         if "csrftoken" in phone.cookies else "")
    assert created.status_code == 201, created.content
    qid = created.json()["id"]
    assert phone.post(f"/api/questions/{qid}/votes").json() == {"question": qid, "votes": 1, "counted": True}
    assert phone.post(f"/api/questions/{qid}/votes").json()["counted"] is False
    assert phone.delete(f"/api/questions/{qid}/votes").json()["votes"] == 0
    listed = Client().get(f"/api/sessions/{session.pk}/questions").json()
    assert [q["text"] for q in listed] == ["Lewat API"]
    assert Client().post(f"/api/sessions/{session.pk}/questions", json.dumps({"text": "x"}),
                         content_type="application/json").status_code == 401


def test_api_stream_fallback_replays_since_last_event_id(client, event, session):
    first = services.ask_question(ParticipantFactory(event=event), session=session, text="Satu")
    services.ask_question(ParticipantFactory(event=event), session=session, text="Dua")
    from netral.live.models import LiveEvent

    first_id = LiveEvent.objects.get(data__id=first.pk).pk

    body = client.get(f"/api/events/{event.pk}/stream", HTTP_LAST_EVENT_ID=str(first_id)).content.decode()

    assert "Dua" in body and "Satu" not in body


def test_api_question_from_participant_cookie_requires_csrf(event, session):
    from django.test import Client

    participant = ParticipantFactory(event=event)
    client = Client(enforce_csrf_checks=True)
    page = client.get(reverse("events:join", kwargs={"code": event.code}))
    token = page.cookies["csrftoken"].value
    client.post(reverse("events:join", kwargs={"code": event.code}), {"nip": participant.nip,
                                                                      "csrfmiddlewaretoken": token})

    without = client.post(f"/api/sessions/{session.pk}/questions", json.dumps({"text": "Q"}),
                          content_type="application/json")
    with_token = client.post(f"/api/sessions/{session.pk}/questions", json.dumps({"text": "Q"}),
                             content_type="application/json", HTTP_X_CSRFTOKEN=token)

    assert without.status_code == 403
    assert with_token.status_code == 201


def test_moderation_log_is_visible_to_organisers(organiser_client, event, session):
    question = services.ask_question(ParticipantFactory(event=event), session=session, text="Q")
    organiser_client.post(reverse("discussion:moderate", kwargs={"pk": event.pk, "question_pk": question.pk}),
                          {"action": "hide"})

    body = organiser_client.get(reverse("discussion:moderation", kwargs={"pk": event.pk})).content.decode()

    log = body[body.index('id="moderation-log"'):]
    assert "hide" in log[:1500] and "panitia_a" in log[:1500]


def test_phone_page_carries_what_its_script_needs_to_apply_live_messages(phone, event, session):
    question = services.ask_question(ParticipantFactory(event=event), session=session, text="Sudah dipilih")
    services.vote(question, phone.participant)

    body = phone.get(reverse("discussion:phone", kwargs={"code": event.code}) + f"?sesi={session.pk}").content.decode()

    assert f'data-session="{session.pk}"' in body and 'data-order="votes"' in body
    item = body[body.index(f'id="q-{question.pk}"'):]
    assert 'data-votes="1"' in item[:200] and 'name="undo" value="1"' in item and "vote voted" in item
    template = body[body.index('<template id="question-template">'):body.index("</template>")]
    assert "/0/suara/" in template and 'data-anonymous="Anonim"' in template and "csrfmiddlewaretoken" in template
    assert "discussion/js/phone" in body and "netral/js/live" in body
