"""The discussion in the hall: two phones and the projector board, updating without reload.

Under pytest's live server (WSGI) the stream endpoint answers with what was missed and
closes; the browser's EventSource reconnects with Last-Event-ID every 3 s. This exercises
the same client code and the replay; the long-lived async stream of `netral serve` is
tested at the ASGI level in tests/discussion/test_stream.py."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import CHROMIUM, PHONE, SKIP_REASON

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=SKIP_REASON),
]


@pytest.fixture
def hall(transactional_db):
    from tests.factories.events import EventFactory, ParticipantFactory, SessionFactory, SpeakerFactory, UserFactory

    speaker_user = UserFactory(username="narasumber_uji", role="speaker")
    event = EventFactory(status="running")
    session = SessionFactory(event=event, title="Etika ASN di media sosial")
    session.speakers.add(SpeakerFactory(event=event, user=speaker_user, name="Khayu Rohmi"))
    return {"event": event, "session": session, "speaker": speaker_user,
            "p1": ParticipantFactory(event=event, name="Peserta Satu"),
            "p2": ParticipantFactory(event=event, name="Peserta Dua")}


def _join(context, event, participant):
    page = context.new_page()
    page.goto(f"/j/{event.code}/")
    page.locator("#id_nip").fill(participant.nip)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/e/{event.code}/saya/$"))
    page.goto(f"/e/{event.code}/diskusi/")
    return page


def test_question_vote_and_answer_reach_board_and_phones_live(hall, new_context, shot, live_server):
    event = hall["event"]
    phone1 = _join(new_context(**PHONE), event, hall["p1"])
    phone2 = _join(new_context(**PHONE), event, hall["p2"])
    board = new_context().new_page()
    board.goto(f"/e/{event.code}/papan/")
    expect(board.locator("#count-questions")).to_have_text("0")

    # Phone 2 asks first, phone 1 asks second: by time phone 1's question is newer.
    phone2.locator("#id_text").fill("Bagaimana menolak ajakan atasan untuk mendukung calon?")
    phone2.locator("#ask-form button[type=submit]").click()
    phone1.locator("#id_text").fill("Bolehkah saya like postingan calon di Instagram?")
    phone1.locator("#ask-form button[type=submit]").click()
    expect(phone1.locator("#pertanyaan-saya")).to_contain_text("Bolehkah saya like")

    # Board and phone 2 receive it without a reload.
    expect(board.locator("#count-questions")).to_have_text("2", timeout=15_000)
    expect(phone2.locator("#question-list")).to_contain_text("Bolehkah saya like", timeout=15_000)
    shot(board, "discussion01_board_two_questions")

    # Phone 2 votes for phone 1's question: it moves to the top of the board.
    question = phone2.locator(".question", has_text="Bolehkah saya like")
    question.locator("button.vote").click()
    expect(phone2.locator(".question", has_text="Bolehkah saya like").locator(".votes")).to_have_text("1")
    expect(board.locator("#board-top li").first).to_contain_text("Bolehkah saya like", timeout=15_000)
    expect(board.locator("#board-top li").first).to_contain_text("▲ 1")
    shot(phone2, "discussion02_phone_voted")
    shot(board, "discussion03_board_reordered")

    # The speaker marks it answered; phone 1 shows it.
    speaker = new_context().new_page()
    speaker.goto("/masuk/")
    speaker.locator("#id_username").fill("narasumber_uji")
    speaker.locator("#id_password").fill("rahasia-uji-123")
    speaker.locator("main form button[type=submit]").click()
    speaker.goto(f"/panitia/kegiatan/{event.pk}/diskusi/")
    from netral.discussion.models import Question

    liked = Question.objects.get(text__startswith="Bolehkah saya like")
    card = speaker.locator(f"#mod-{liked.pk}")
    card.locator("summary").click()
    card.locator("textarea[name=summary]").fill("Tidak boleh: menyukai konten kampanye dilarang (B10).")
    card.locator("button[value=answer]").click()
    shot(speaker, "discussion04_speaker_answered")
    expect(phone1.locator("#pertanyaan-saya")).to_contain_text("Tidak boleh", timeout=15_000)
    expect(board.locator("#count-answered")).to_have_text("1", timeout=15_000)
    shot(phone1, "discussion05_phone_sees_answer")
    for context in (phone1.context, phone2.context, board.context):
        assert context.js_errors == []
