import pytest

from netral.accounts.models import Role
from netral.core.models import AuditLog
from netral.discussion import services
from netral.discussion.models import Question, Vote
from netral.live.models import LiveEvent
from tests.concurrency import run_at_once
from tests.factories.events import ParticipantFactory, SessionFactory, SpeakerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(event):
    return SessionFactory(event=event)


def test_ask_publishes_a_visible_question(session):
    participant = ParticipantFactory(event=session.event, name="Budi")

    question = services.ask_question(participant, session=session, text="  Bagaimana menolak ajakan atasan?  ",
                                     show_name=True)

    assert (question.text, question.status, question.display_name) == (
        "Bagaimana menolak ajakan atasan?", "visible", "Budi")
    live = LiveEvent.objects.get()
    assert (live.kind, live.data["text"], live.data["name"]) == ("question", question.text, "Budi")


def test_name_is_hidden_unless_chosen(session):
    question = services.ask_question(ParticipantFactory(event=session.event, name="Budi"), session=session,
                                     text="Boleh like postingan calon?")

    assert question.public()["name"] == "" and question.display_name == ""
    assert question.participant is not None


def test_fully_anonymous_event_stores_no_link_to_the_asker(session):
    services.update_settings(session.event, user=session.event.owner, moderated=False, fully_anonymous=True,
                             blocked_words="")
    participant = ParticipantFactory(event=session.event, name="Budi Rahasia")

    question = services.ask_question(participant, session=session, text="Pertanyaan sensitif", show_name=True)

    row = Question.objects.values().get(pk=question.pk)
    assert row["participant_id"] is None and row["show_name"] is False and row["display_name"] == ""
    assert "Budi Rahasia" not in str(row) and "Budi Rahasia" not in str(list(LiveEvent.objects.values()))


def test_moderated_event_keeps_question_pending_and_its_text_off_the_stream(session):
    services.update_settings(session.event, user=session.event.owner, moderated=True, fully_anonymous=False,
                             blocked_words="")

    question = services.ask_question(ParticipantFactory(event=session.event), session=session, text="Rahasia dulu")

    assert question.status == "pending"
    assert "Rahasia dulu" not in str(list(LiveEvent.objects.values_list("data", flat=True)))


def test_too_long_question_is_refused_with_counts(session):
    with pytest.raises(services.DiscussionError) as excinfo:
        services.ask_question(ParticipantFactory(event=session.event), session=session, text="x" * 501)

    assert excinfo.value.code == "too_long"
    assert "501" in excinfo.value.message
    assert not Question.objects.exists()


def test_rate_limit_five_a_minute(session):
    participant = ParticipantFactory(event=session.event)
    for n in range(5):
        services.ask_question(participant, session=session, text=f"Pertanyaan {n}")

    with pytest.raises(services.DiscussionError) as excinfo:
        services.ask_question(participant, session=session, text="Pertanyaan keenam")

    assert excinfo.value.code == "rate"
    assert Question.objects.count() == 5


def test_vote_once_and_withdraw(session):
    question = services.ask_question(ParticipantFactory(event=session.event), session=session, text="Q")
    voter = ParticipantFactory(event=session.event)

    assert services.vote(question, voter) is True
    assert services.vote(question, voter) is False
    question.refresh_from_db()
    assert question.votes == 1
    assert services.unvote(question, voter) is True
    question.refresh_from_db()
    assert question.votes == 0


@pytest.mark.django_db(transaction=True)
def test_simultaneous_votes_from_one_participant_count_once(event):
    session = SessionFactory(event=event)
    question = services.ask_question(ParticipantFactory(event=event), session=session, text="Q")
    voter = ParticipantFactory(event=event)
    results, errors = run_at_once(lambda: services.vote(question, voter), 8)

    assert errors == []
    assert sorted(results) == [False] * 7 + [True]
    assert Vote.objects.count() == 1
    question.refresh_from_db()
    assert question.votes == 1


def test_participant_cannot_moderate_and_speaker_only_own_sessions(event):
    speaker_user = UserFactory(username="narasumber", role=Role.SPEAKER)
    own = SessionFactory(event=event)
    own.speakers.add(SpeakerFactory(event=event, user=speaker_user))
    other = SessionFactory(event=event)
    q_own = services.ask_question(ParticipantFactory(event=event), session=own, text="Untuk saya")
    q_other = services.ask_question(ParticipantFactory(event=event), session=other, text="Bukan untuk saya")

    services.moderate(q_own, user=speaker_user, action="answer", summary="Sudah dijawab")
    with pytest.raises(services.DiscussionError):
        services.moderate(q_other, user=speaker_user, action="hide")
    with pytest.raises(services.DiscussionError):
        services.moderate(q_own, user=UserFactory(username="orang_lain"), action="hide")

    q_own.refresh_from_db()
    q_other.refresh_from_db()
    assert q_own.answered and q_own.answer_summary == "Sudah dijawab"
    assert q_other.status == "visible"


def test_moderation_actions_are_logged_and_published(event, organiser):
    session = SessionFactory(event=event)
    a = services.ask_question(ParticipantFactory(event=event), session=session, text="Pertanyaan A")
    b = services.ask_question(ParticipantFactory(event=event), session=session, text="Pertanyaan A juga")
    voter = ParticipantFactory(event=event)
    services.vote(b, voter)

    services.moderate(a, user=organiser, action="pin")
    services.moderate(a, user=organiser, action="edit", text="Pertanyaan A (diperbaiki)")
    services.moderate(b, user=organiser, action="merge", into=a)
    services.moderate(a, user=organiser, action="answer", summary="Jawaban singkat")

    a.refresh_from_db()
    b.refresh_from_db()
    assert a.text == "Pertanyaan A (diperbaiki)" and a.answered and a.votes == 1 and not a.pinned
    assert b.status == "hidden" and b.merged_into == a
    actions = list(AuditLog.objects.filter(action__startswith="netral.discussion.").values_list("action", flat=True))
    assert sorted(actions) == sorted(["netral.discussion.pin", "netral.discussion.edit", "netral.discussion.merge",
                                      "netral.discussion.answer"])
    assert {"question.updated", "question.hidden"} <= set(LiveEvent.objects.values_list("kind", flat=True))


def test_answered_question_becomes_a_faq_entry_with_codes(event, organiser):
    from netral.knowledge.loader import load_content
    from netral.knowledge.models import FAQ

    load_content()
    question = services.ask_question(ParticipantFactory(event=event), session=SessionFactory(event=event),
                                     text="Saya Budi dari kelurahan, atasan minta saya like postingan calon")
    services.moderate(question, user=organiser, action="codes", codes=["b10"])
    services.moderate(question, user=organiser, action="answer", summary="Tolak dengan sopan.")

    faq = services.publish_as_faq(question, user=organiser,
                                  question_text="Bagaimana jika atasan meminta saya menyukai unggahan calon?",
                                  answer_text="Tolak dengan sopan; menyukai unggahan kampanye dilarang (B10).")

    assert FAQ.objects.get(pk=faq.pk).codes == ["B10"] and faq.source == "discussion"
    assert "Budi" not in faq.question
    with pytest.raises(services.DiscussionError):
        services.moderate(question, user=organiser, action="codes", codes=["B99"])


def test_record_counts_and_frequent_words_skip_stop_words_and_blocked_names(event, organiser):
    from netral.discussion.selectors import record

    session = SessionFactory(event=event)
    p1, p2 = ParticipantFactory(event=event), ParticipantFactory(event=event)
    q = services.ask_question(p1, session=session, text="Bagaimana menghadapi tekanan politik dari atasan Zulkarnain?")
    services.ask_question(p2, session=session, text="Apakah tekanan politik di media sosial juga?")
    services.moderate(q, user=organiser, action="answer", summary="Laporkan.")

    rec = record(event, blocked={"zulkarnain"})

    assert (rec["questions"], rec["askers"], rec["answered"]) == (2, 2, 1)
    words = dict(rec["words"])
    assert words["tekanan"] == 2 and words["politik"] == 2
    assert "zulkarnain" not in words and "apakah" not in words and "dari" not in words
