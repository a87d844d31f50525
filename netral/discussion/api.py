from datetime import datetime

from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.utils import check_csrf

from netral.core.errors import NetralError
from netral.events.enums import PUBLIC_STATUSES
from netral.events.identity import current_participant, signed_participants
from netral.events.models import Session

from . import selectors, services
from .models import Question

router = Router(tags=["discussion"])


class QuestionOut(Schema):
    id: int
    session: int
    text: str
    votes: int
    name: str
    pinned: bool
    answered: bool
    answer: str
    created_at: datetime


class QuestionIn(Schema):
    text: str
    show_name: bool = False
    speaker: int | None = None


class VoteOut(Schema):
    question: int
    votes: int
    counted: bool


def _out(q: Question) -> dict:
    return {**q.public(), "created_at": q.created_at}


def _participant(request, event):
    """Participants authenticate with their signed cookie (set when they joined); the cookie
    makes this a browser-credential call, so CSRF is checked as for a form."""
    participant = current_participant(request, event)
    if participant is None:
        raise HttpError(401, _("Join the event first (scan its QR code or type its code)."))
    if check_csrf(request, lambda r: None):
        raise HttpError(403, _("CSRF check failed: reload the page and try again."))
    return participant


def _public_session(session_id: int) -> Session:
    return get_object_or_404(Session.objects.select_related("event"), pk=session_id,
                             event__status__in=PUBLIC_STATUSES)


@router.get("/sessions/{session_id}/questions", response=list[QuestionOut], summary="Visible questions of a session")
def list_questions(request, session_id: int, order: str = "votes"):
    session = _public_session(session_id)
    return [_out(q) for q in selectors.visible_questions(session.event, session=session, order=order)[:500]]


@router.post("/sessions/{session_id}/questions", response={201: QuestionOut}, summary="Ask a question (participant)")
def create_question(request, session_id: int, payload: QuestionIn):
    session = _public_session(session_id)
    participant = _participant(request, session.event)
    speaker = session.speakers.filter(pk=payload.speaker).first() if payload.speaker else None
    try:
        question = services.ask_question(participant, session=session, text=payload.text,
                                         show_name=payload.show_name, speaker=speaker)
    except services.DiscussionError as exc:
        if exc.code == "rate":
            raise HttpError(429, exc.message) from None
        raise NetralError(exc.message, code=exc.code, field=exc.field or "text") from None
    return 201, _out(question)


def _vote_target(request, question_id):
    question = get_object_or_404(Question.objects.select_related("event"), pk=question_id,
                                 event__status__in=PUBLIC_STATUSES)
    return question, _participant(request, question.event)


def _error(status: int, detail, errors=None) -> tuple[int, dict]:
    return status, {"detail": str(detail), "errors": errors or {}}


def vote_request(request, question_id: int) -> tuple[int, dict]:
    """``POST /api/questions/{id}/votes`` as (HTTP status, JSON body): shared by the
    django-ninja view and the ASGI route of ``netral serve`` (netral.discussion.fast). The
    common case is one INSERT (``services.fast_vote``); anything else (a second vote, a hidden
    question, a stranger) takes the full path, which says why."""
    identities = signed_participants(request)
    if identities and not check_csrf(request, lambda r: None):
        votes = services.fast_vote(question_id, identities)
        if votes is not None:
            return 200, {"question": question_id, "votes": votes, "counted": True}
    try:
        question, participant = _vote_target(request, question_id)
        counted = services.vote(question, participant)
    except Http404:
        return _error(404, _("Not found."))
    except HttpError as exc:
        return _error(exc.status_code, exc)
    except services.DiscussionError as exc:
        return _error(400, exc.message)
    return 200, {"question": question.pk, "votes": question.votes, "counted": counted}


@router.post("/questions/{question_id}/votes", response=VoteOut, summary="Vote for a question (once)",
             description="The participant's signed cookie authenticates the call; send the CSRF token in "
                         "`X-CSRFToken`. `counted` is false when this participant had already voted. Under "
                         "`netral serve` this path is answered by an ASGI route that skips the page machinery "
                         "(netral/discussion/fast.py).")
def add_vote(request, question_id: int):
    status, body = vote_request(request, question_id)
    return JsonResponse(body, status=status)


@router.delete("/questions/{question_id}/votes", response=VoteOut, summary="Withdraw a vote")
def remove_vote(request, question_id: int):
    question, participant = _vote_target(request, question_id)
    removed = services.unvote(question, participant)
    return {"question": question.pk, "votes": question.votes, "counted": removed}


@router.get("/events/{event_id}/stream", summary="Server-sent events of questions, votes and answers",
            description="Under `netral serve` this path is answered by a pure-async handler that keeps the "
                        "connection open (netral/live/stream.py). Messages: `id:` (send it back as "
                        "`Last-Event-ID` to resume) and `data:` JSON with `kind` (question, question.pending, "
                        "question.updated, question.hidden, vote, settings). Served by Django (tests, "
                        "runserver) it sends what was missed since Last-Event-ID and closes; the browser "
                        "reconnects after `retry`.")
def stream_fallback(request, event_id: int):
    from django.http import HttpResponse  # noqa: PLC0415 -- thin view

    from netral.live.stream import _last_event_id, _prepare, format_message  # noqa: PLC0415 -- leaf

    scope = {"headers": [(b"last-event-id", request.headers.get("Last-Event-ID", "").encode())]
             if request.headers.get("Last-Event-ID") else [],
             "query_string": request.META.get("QUERY_STRING", "").encode()}
    visible, backlog = _prepare(event_id, _last_event_id(scope))
    if not visible:
        raise HttpError(404, _("Not found."))
    body = b"retry: 3000\n\n" + b"".join(format_message(m) for m in backlog)
    return HttpResponse(body, content_type="text/event-stream; charset=utf-8", headers={"Cache-Control": "no-cache"})
