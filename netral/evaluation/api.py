"""Evaluation API: a participant's test on a phone (attempt, answers saved as they are given,
idempotent submit) and the event's statistics for organisers.

Participants start an attempt with the signed cookie they got when they joined the event
(CSRF-checked, as a form), or an organiser starts one for a participant with a bearer
token. The attempt's own secret token (``X-Attempt-Token``) then authorises its answers
and its submission: a header a foreign site cannot send, so those calls need no CSRF token.
"""

import json
from datetime import datetime

from django.core.serializers.json import DjangoJSONEncoder
from django.http import JsonResponse

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.utils import check_csrf

from netral.core.permissions import has_role
from netral.events.identity import current_participant
from netral.events.models import Event, Participant
from netral.events.selectors import can_manage_event

from . import selectors, services
from .models import Attempt, Test, TestItem

router = Router(tags=["evaluation"])


def _optional_staff(request):
    from netral.events.api import _optional_user  # noqa: PLC0415 -- shared helper

    return _optional_user(request)


class OptionOut(Schema):
    id: str
    text: str


class ItemOut(Schema):
    id: int
    order: int
    type: str
    stem: str
    options: list[OptionOut]


class TestOut(Schema):
    id: int
    event: int
    kind: str
    title: str
    instructions: str
    state: str
    opens_at: datetime | None
    closes_at: datetime | None
    time_limit_minutes: int | None
    items: list[ItemOut]


class AttemptIn(Schema):
    participant_id: int | None = None


class AttemptOut(Schema):
    id: int
    test: int
    participant_id: int
    token: str
    started_at: datetime
    deadline: datetime | None
    server_time: datetime
    submitted_at: datetime | None
    layout: list
    answers: dict[str, str | list[str]]


class AnswersIn(Schema):
    answers: dict[str, str | list[str] | None]


class AnswersOut(Schema):
    attempt: int
    saved: int
    saved_items: list[int]
    removed: int
    errors: dict[str, list[str]]
    deadline: datetime | None
    server_time: datetime


class SubmitIn(Schema):
    answers: dict[str, str | list[str] | None] | None = None


class SubmitOut(Schema):
    id: int
    submitted_at: datetime
    submitted_by: str
    created: bool
    score: float | None
    max_score: float | None
    percent: float | None
    feedback: list[dict] | None


def _items_out(test: Test, layout=None) -> list[dict]:
    items = {ti.pk: ti for ti in TestItem.objects.filter(test=test).select_related("version__item")}
    order = layout or [[pk, "".join(o["id"] for o in ti.version.options)] for pk, ti in
                       sorted(items.items(), key=lambda kv: kv[1].order)]
    out = []
    for position, (pk, option_order) in enumerate(order, start=1):
        ti = items.get(pk)
        if ti is None:
            continue
        options = {o["id"]: o["text"] for o in ti.version.options}
        out.append({"id": pk, "order": position, "type": ti.version.item.type, "stem": ti.version.stem,
                    "options": [{"id": oid, "text": options[oid]} for oid in option_order if oid in options]})
    return out


def _viewer(request, test: Test) -> tuple[Participant | None, bool]:
    participant = current_participant(request, test.event)
    staff = False
    if participant is None:
        user = _optional_staff(request)
        staff = bool(user and user.is_authenticated and can_manage_event(user, test.event))
    return participant, staff


def _test(test_id: int) -> Test:
    return get_object_or_404(Test.objects.select_related("event"), pk=test_id)


@router.get("/tests/{test_id}", response=TestOut, summary="A test with its items (no keys); in the caller's order")
def get_test(request, test_id: int):
    test = _test(test_id)
    participant, staff = _viewer(request, test)
    if participant is None and not staff:
        raise HttpError(401, _("Join the event first (scan its QR code or type its code)."))
    layout = None
    if participant is not None:
        attempt = Attempt.objects.filter(test=test, participant=participant).only("layout").first()
        layout = attempt.layout if attempt else None
    return {"id": test.pk, "event": test.event_id, "kind": test.kind, "title": test.title,
            "instructions": test.instructions, "state": services.test_state(test), "opens_at": test.opens_at,
            "closes_at": test.closes_at, "time_limit_minutes": test.time_limit_minutes,
            "items": _items_out(test, layout)}


def attempt_out(attempt: Attempt) -> dict:
    answers = {}
    for test_item_id, choice, text in attempt.responses.values_list("test_item_id", "choice", "text"):
        answers[str(test_item_id)] = text if text else list(choice)
    return {"id": attempt.pk, "test": attempt.test_id, "participant_id": attempt.participant_id,
            "token": attempt.token, "started_at": attempt.started_at,
            "deadline": attempt.deadline, "server_time": timezone.now(), "submitted_at": attempt.submitted_at,
            "layout": attempt.layout, "answers": answers}


@router.post("/tests/{test_id}/attempts", response={200: AttemptOut, 201: AttemptOut},
             summary="Start (or resume) the caller's attempt: one per participant")
def create_attempt(request, test_id: int, payload: AttemptIn | None = None):
    test = _test(test_id)
    participant = None
    if payload and payload.participant_id:
        user = _optional_staff(request)
        if not (user and user.is_authenticated and has_role(user, "organiser") and can_manage_event(user, test.event)):
            raise HttpError(403, _("Your account may not do this."))
        if not request.headers.get("Authorization") and check_csrf(request, lambda r: None):
            raise HttpError(403, _("CSRF check failed: reload the page and try again."))
        participant = Participant.objects.filter(event=test.event, pk=payload.participant_id).first()
        if participant is None:
            raise HttpError(404, _("No such participant in this event."))
    else:
        participant = current_participant(request, test.event)
        if participant is None:
            raise HttpError(401, _("Join the event first (scan its QR code or type its code)."))
        if check_csrf(request, lambda r: None):
            raise HttpError(403, _("CSRF check failed: reload the page and try again."))
    try:
        attempt, created = services.start_attempt(test, participant)
    except services.EvaluationError as exc:
        raise HttpError(409, exc.message) from None
    return (201 if created else 200), attempt_out(attempt)


def _token(request) -> str:
    token = request.headers.get("X-Attempt-Token", "")
    if not token:
        raise HttpError(401, _("Send the attempt's token in the X-Attempt-Token header."))
    return token


def _clean_answers(answers) -> dict:
    return {k: v for k, v in (answers or {}).items()}


@router.get("/attempts/{attempt_id}", response=AttemptOut, summary="An attempt with its saved answers (resume)")
def get_attempt(request, attempt_id: int):
    attempt = Attempt.objects.filter(pk=attempt_id, token=_token(request)).first()
    if attempt is None:
        raise HttpError(404, _("Not found."))
    return attempt_out(attempt)


def answer_request(attempt_id: int, token: str, body: bytes) -> tuple[int, dict]:
    """The phones' hot path, as (HTTP status, JSON body): shared by the django-ninja view
    below and the ASGI route of ``netral serve`` (netral.evaluation.fast), so both answer
    exactly alike. The body is read without building pydantic models (same shape as
    ``AnswersIn``)."""
    if not token:
        return 401, {"detail": _("Send the attempt's token in the X-Attempt-Token header."), "errors": {}}
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        return 400, {"detail": _("The request body is not valid JSON."), "errors": {}}
    answers = data.get("answers") if isinstance(data, dict) else None
    if not isinstance(answers, dict) or not all(
            v is None or isinstance(v, str) or (isinstance(v, list) and all(isinstance(x, str) for x in v))
            for v in answers.values()):
        message = _("Send the answers as {item id: option ids, text or null}.")
        return 400, {"detail": message, "errors": {"answers": [message]}}
    try:
        result = services.save_answers(attempt_id, token, answers)
    except services.EvaluationError as exc:
        status = {"not_found": 404, "submitted": 409, "time_up": 409}.get(exc.code, 400)
        return status, {"detail": exc.message, "errors": {}}
    if result["errors"] and not result["saved"] and not result["removed"]:
        return 400, {"detail": _("No answer could be saved."), "errors": result["errors"]}
    return 200, {**result, "server_time": timezone.now()}


@router.put("/attempts/{attempt_id}/answers", response=AnswersOut,
            summary="Save answers as they are given: {item id: option ids | text | null}",
            description="Header `X-Attempt-Token`. Valid answers are saved even when others in the same "
                        "request are refused (listed in `errors`). Under `netral serve` this path is answered "
                        "by an ASGI route that skips the page machinery (netral/evaluation/fast.py).",
            openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
                "schema": AnswersIn.model_json_schema()}}}})
def put_answers(request, attempt_id: int):
    status, body = answer_request(attempt_id, request.headers.get("X-Attempt-Token", ""), request.body)
    return JsonResponse(body, status=status, encoder=DjangoJSONEncoder)


def feedback_for(attempt: Attempt) -> list[dict]:
    """Per item: the participant's answer, the key and the explanation, in their order."""
    saved = {r.test_item_id: r for r in attempt.responses.all()}
    items = {ti.pk: ti for ti in TestItem.objects.filter(test_id=attempt.test_id).select_related("version__item")}
    out = []
    for position, (pk, option_order) in enumerate(attempt.layout, start=1):
        ti = items.get(pk)
        if ti is None:
            continue
        v = ti.version
        r = saved.get(pk)
        out.append({"id": pk, "order": position, "type": v.item.type, "stem": v.stem,
                    "options": [{"id": o["id"], "text": o["text"], "correct": bool(o.get("correct"))}
                                for oid in option_order for o in v.options if o["id"] == oid],
                    "answer": (r.text or list(r.choice)) if r else None,
                    "accepted": [a["text"] for a in v.answers],
                    "score": r.score if r else 0.0, "marks": ti.marks,
                    "correct": bool(r and r.score is not None and r.score >= ti.marks - 1e-9),
                    "explanation": v.explanation, "legal_basis": v.legal_basis, "codes": v.item.codes})
    return out


@router.post("/attempts/{attempt_id}/submit", response=SubmitOut,
             summary="Submit (idempotent: a repeat returns the first result); may carry the last answers")
def submit(request, attempt_id: int, payload: SubmitIn | None = None):
    token = _token(request)
    attempt = Attempt.objects.select_related("test").filter(pk=attempt_id, token=token).first()
    if attempt is None:
        raise HttpError(404, _("Not found."))
    if payload and payload.answers and attempt.submitted_at is None:
        try:
            services.save_answers(attempt_id, token, _clean_answers(payload.answers))
        except services.EvaluationError as exc:
            if exc.code not in ("submitted", "time_up"):
                raise HttpError(400, exc.message) from None
    attempt, created = services.submit_attempt(attempt)
    show = attempt.test.scored and services.feedback_visible(attempt.test)
    return {"id": attempt.pk, "submitted_at": attempt.submitted_at, "submitted_by": attempt.submitted_by,
            "created": created, "score": attempt.score if show else None,
            "max_score": attempt.max_score if show else None, "percent": attempt.percent if show else None,
            "feedback": feedback_for(attempt) if show else None}


@router.get("/events/{event_id}/evaluation", summary="All evaluation statistics of an event (organisers)",
            description="Per participant pre/post/gain; group descriptives, Hake's class-average gain and the "
                        "mean of individual gains with bands, paired t-test, Wilcoxon, Cohen's dz with CI; per "
                        "item Moodle statistics and distractors; KR-20/alpha and SEM; per-topic mastery; survey.")
def event_evaluation(request, event_id: int):
    user = _optional_staff(request)
    event = Event.objects.filter(pk=event_id).first()
    if not (user and user.is_authenticated and has_role(user, "organiser", "speaker")):
        raise HttpError(401 if not (user and user.is_authenticated) else 403,
                        _("Authentication required: log in or send Authorization: Bearer <token>.")
                        if not (user and user.is_authenticated) else _("Your account may not do this."))
    if event is None or not can_manage_event(user, event):
        raise HttpError(404, _("Not found."))
    return selectors.event_evaluation(event)
