"""Writes of the discussion. Every change is published to the event's live stream; every
moderation action is in the audit log."""

import functools

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from netral.core.audit import log_action
from netral.core.errors import NetralError
from netral.events.enums import PUBLIC_STATUSES
from netral.events.models import Event, Participant, Session
from netral.events.selectors import can_manage_event
from netral.live.publish import publish

from .models import MAX_QUESTION_LENGTH, DiscussionSettings, Question, Vote

QUESTIONS_PER_MINUTE = 5


class DiscussionError(NetralError):
    pass


def settings_for(event) -> DiscussionSettings:
    obj, _created = DiscussionSettings.objects.get_or_create(event=event)
    return obj


def can_moderate(user, session: Session) -> bool:
    """Organisers of the event, or a speaker of this session."""
    if can_manage_event(user, session.event):
        return True
    return bool(user.is_authenticated and session.speakers.filter(user=user).exists())


def _check_rate(participant: Participant) -> None:
    # Counted in the cache, never in the database: works in fully anonymous events too.
    key = f"discussion:rate:{participant.pk}"
    count = cache.get_or_set(key, 0, 60)
    if count >= QUESTIONS_PER_MINUTE:
        raise DiscussionError(
            _("You can send at most {n} questions a minute. Wait a moment; your text is kept.").format(
                n=QUESTIONS_PER_MINUTE), code="rate", field="text")
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, 60)


@transaction.atomic
def ask_question(participant: Participant, *, session: Session, text: str, show_name: bool = False,
                 speaker=None) -> Question:
    text = (text or "").strip()
    if not text:
        raise DiscussionError(_("Write your question first."), code="empty", field="text")
    if len(text) > MAX_QUESTION_LENGTH:
        raise DiscussionError(
            _("A question may have at most {limit} characters; yours has {count}. Shorten it; your text is kept.")
            .format(limit=MAX_QUESTION_LENGTH, count=len(text)), code="too_long", field="text")
    if session.event_id != participant.event_id:
        raise DiscussionError(_("This session belongs to another event."), code="session", field="session")
    if speaker is not None and not session.speakers.filter(pk=speaker.pk).exists():
        raise DiscussionError(_("This speaker does not speak in this session."), code="speaker", field="speaker")
    _check_rate(participant)
    conf = settings_for(session.event)
    anonymous = conf.fully_anonymous
    question = Question.objects.create(
        event=session.event, session=session, speaker=speaker,
        participant=None if anonymous else participant,
        show_name=bool(show_name) and not anonymous,
        display_name=participant.name if show_name and not anonymous else "",
        text=text,
        status=Question.Status.PENDING if conf.moderated else Question.Status.VISIBLE,
    )
    if question.status == Question.Status.VISIBLE:
        publish(session.event_id, "question", question.public())
    else:
        publish(session.event_id, "question.pending", {"session": session.pk})
    return question


def _bump(question_id: int, delta: int) -> int:
    """Add to the vote count in one statement and return the new count (votes are counted
    exactly by the Vote rows' unique constraint; this keeps the total in step)."""
    from django.db import connection  # noqa: PLC0415 -- leaf

    table = connection.ops.quote_name(Question._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET votes = votes + %s WHERE id = %s RETURNING votes",  # noqa: S608
                       [delta, question_id])
        return cursor.fetchone()[0]


def _recount(question_id: int) -> int:
    count = Vote.objects.filter(question_id=question_id).count()
    Question.objects.filter(pk=question_id).update(votes=count)
    return count


@functools.cache
def _fast_vote_sql(vendor: str) -> tuple[str, str]:
    """The two statements of ``fast_vote`` (built once per database kind, not per vote)."""
    from django.db import connection  # noqa: PLC0415 -- leaf

    quote = connection.ops.quote_name
    statuses = ", ".join(["%s"] * len(PUBLIC_STATUSES))
    insert = (f"INSERT INTO {quote(Vote._meta.db_table)} (question_id, participant_id, created_at) "  # noqa: S608
              f"SELECT q.id, p.id, %s FROM {quote(Question._meta.db_table)} q "
              f"JOIN {quote(Participant._meta.db_table)} p ON p.event_id = q.event_id "
              f"JOIN {quote(Event._meta.db_table)} e ON e.id = q.event_id "
              f"WHERE q.id = %s AND q.status = %s AND q.event_id = %s AND p.id = %s AND p.token = %s "
              f"AND e.status IN ({statuses}) "
              "ON CONFLICT (question_id, participant_id) DO NOTHING RETURNING participant_id")
    bump = (f"UPDATE {quote(Question._meta.db_table)} SET votes = votes + 1 "  # noqa: S608
            "WHERE id = %s RETURNING votes, session_id")
    return insert, bump


def fast_vote(question_id: int, identities: list[tuple[int, int, str]]) -> int | None:
    """Count a vote in one INSERT that also checks everything ``vote`` checks: the question
    is visible, its event public, and the participant (from a signed cookie: event, id,
    token) belongs to that event. Returns the new count, or None when nothing was counted —
    already voted, or not allowed: the caller then asks ``vote`` why. The phones' hottest
    write (bench/stream_load.py)."""
    from django.db import connection  # noqa: PLC0415 -- leaf

    insert, bump = _fast_vote_sql(connection.vendor)
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        for event_id, participant_id, token in identities:
            cursor.execute(insert, [now, question_id, Question.Status.VISIBLE, event_id, participant_id, token,
                                    *PUBLIC_STATUSES])
            if cursor.fetchone() is not None:
                break
        else:
            return None
        cursor.execute(bump, [question_id])
        votes, session_id = cursor.fetchone()
        publish(event_id, "vote", {"id": question_id, "votes": votes, "session": session_id})
    return votes


def vote(question: Question, participant: Participant) -> bool:
    """One vote per participant per question (a database constraint): True if counted now."""
    if question.event_id != participant.event_id or question.status != Question.Status.VISIBLE:
        raise DiscussionError(_("This question cannot be voted on."), code="vote")
    try:
        with transaction.atomic():
            Vote.objects.create(question=question, participant=participant)
            question.votes = _bump(question.pk, 1)
            publish(question.event_id, "vote", {"id": question.pk, "votes": question.votes,
                                                "session": question.session_id})
    except IntegrityError:
        question.refresh_from_db(fields=["votes"])
        return False
    return True


@transaction.atomic
def unvote(question: Question, participant: Participant) -> bool:
    deleted, _ = Vote.objects.filter(question=question, participant=participant).delete()
    if deleted:
        question.votes = _bump(question.pk, -1)
        publish(question.event_id, "vote", {"id": question.pk, "votes": question.votes,
                                            "session": question.session_id})
    return bool(deleted)


def _moderated(question: Question, user, action: str, data: dict | None = None) -> None:
    if not can_moderate(user, question.session):
        raise DiscussionError(_("Your account may not moderate this session."), code="forbidden")
    log_action(question.event, f"netral.discussion.{action}", user=user, data={"question": question.pk, **(data or {})})


@transaction.atomic
def moderate(question: Question, *, user, action: str, text: str = "", summary: str = "", into=None,
             codes=None) -> Question:
    """approve | hide | pin | unpin | answer | unanswer | edit | merge | codes"""
    _moderated(question, user, action)
    event_id = question.event_id
    if action == "approve":
        question.status = Question.Status.VISIBLE
    elif action == "hide":
        question.status = Question.Status.HIDDEN
        question.pinned = False
    elif action == "pin":
        Question.objects.filter(event_id=event_id, pinned=True).exclude(pk=question.pk).update(pinned=False)
        question.pinned = True
        question.status = Question.Status.VISIBLE
    elif action == "unpin":
        question.pinned = False
    elif action == "answer":
        question.answered_at = question.answered_at or timezone.now()
        question.answered_by = user
        question.answer_summary = summary.strip()[:2000]
        question.pinned = False
    elif action == "unanswer":
        question.answered_at = None
    elif action == "edit":
        text = text.strip()
        if not text or len(text) > MAX_QUESTION_LENGTH:
            raise DiscussionError(_("The text must have 1 to {limit} characters.").format(limit=MAX_QUESTION_LENGTH),
                                  code="text", field="text")
        question.text = text
    elif action == "merge":
        if into is None or into.pk == question.pk or into.event_id != event_id:
            raise DiscussionError(_("Choose another question of this event to merge into."), code="merge")
        for voter in Vote.objects.filter(question=question).values_list("participant_id", flat=True):
            Vote.objects.get_or_create(question=into, participant_id=voter)
        _recount(into.pk)
        question.merged_into = into
        question.status = Question.Status.HIDDEN
        question.pinned = False
        publish(event_id, "question.updated", Question.objects.get(pk=into.pk).public())
    elif action == "codes":
        from netral.knowledge.models import Behaviour  # noqa: PLC0415 -- leaf

        wanted = sorted({c.strip().upper() for c in (codes or []) if c.strip()})
        known = set(Behaviour.objects.filter(code__in=wanted).values_list("code", flat=True))
        if set(wanted) - known:
            raise DiscussionError(_("Unknown behaviour code: {codes}.").format(
                codes=", ".join(sorted(set(wanted) - known))), code="codes", field="codes")
        question.codes = wanted
    else:
        raise DiscussionError(_("Unknown action."), code="action")
    # Never write the vote count from this (possibly stale) object: votes are counted apart.
    question.save(update_fields=[f.name for f in Question._meta.concrete_fields if f.name not in ("id", "votes")])
    question.votes = Question.objects.values_list("votes", flat=True).get(pk=question.pk)
    kind = "question.hidden" if question.status == Question.Status.HIDDEN else "question.updated"
    publish(event_id, kind, question.public() if kind == "question.updated" else {"id": question.pk,
                                                                                    "session": question.session_id})
    return question


@transaction.atomic
def publish_as_faq(question: Question, *, user, question_text: str, answer_text: str):
    """One click from an answered question to a knowledge-base FAQ entry (anonymised, edited)."""
    from netral.knowledge.models import FAQ  # noqa: PLC0415 -- leaf
    from netral.knowledge.services import save_content  # noqa: PLC0415 -- leaf

    _moderated(question, user, "faq")
    if not question.answered:
        raise DiscussionError(_("Answer the question before publishing it."), code="unanswered")
    if not question_text.strip() or not answer_text.strip():
        raise DiscussionError(_("Write the question and the answer as they should appear."), code="faq")
    faq = question.faq or FAQ(source="discussion")
    faq.question = question_text.strip()
    faq.answer = answer_text.strip()
    faq.codes = question.codes
    faq.order = 1000
    save_content(faq, user=user, comment=f"discussion question {question.pk}")
    question.faq = faq
    question.save(update_fields=["faq"])
    return faq


@transaction.atomic
def update_settings(event, *, user, moderated: bool, fully_anonymous: bool, blocked_words: str) -> DiscussionSettings:
    conf = settings_for(event)
    conf.moderated, conf.fully_anonymous, conf.blocked_words = moderated, fully_anonymous, blocked_words
    conf.save()
    log_action(event, "netral.discussion.settings", user=user,
               data={"moderated": moderated, "fully_anonymous": fully_anonymous})
    publish(event.pk, "settings", {"moderated": moderated, "fully_anonymous": fully_anonymous})
    return conf


def askers_count(questions) -> int:
    return questions.exclude(participant=None).aggregate(n=Count("participant", distinct=True))["n"]


__all__ = ["DiscussionError", "ask_question", "can_moderate", "fast_vote", "moderate", "publish_as_faq", "settings_for",
           "unvote", "update_settings", "vote"]
