"""JSON API of complaints (DESIGN.md contract).

Public: ``POST /api/complaints`` (multipart, no account) → ``{"tracking_code"}``,
``GET /api/complaints/{tracking_code}`` (status and public history only) and
``POST /api/complaints/{tracking_code}/answers``.

Verifiers (``staff_auth``: bearer token or browser session): the case list and file, the
transitions, notes, questions, assignment, external reference, and the reporter identity
(every call logged). ``GET /api/complaints/dashboard`` for verifiers and organisers
(aggregates only).
"""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError

from netral.api import staff_auth

from . import forms, selectors, services, tracking
from .enums import ComplaintState
from .models import Complaint

router = Router(tags=["complaints"])

_REPORT_FIELDS = {
    "subject_name": {"type": "string"}, "subject_agency": {"type": "string"},
    "subject_position": {"type": "string"}, "subject_nip": {"type": "string", "description": "18 digits, optional"},
    "category": {"type": "string", "description": "behaviour code, e.g. B10"},
    "description": {"type": "string"}, "occurred_on": {"type": "string", "format": "date"},
    "region_code": {"type": "string", "description": "Kemendagri code, regency or below, e.g. 33.29.09.1002"},
    "links": {"type": "string", "description": "one URL per line"},
    "anonymous": {"type": "boolean"}, "reporter_name": {"type": "string"}, "reporter_contact": {"type": "string"},
    "evidence": {"type": "array", "items": {"type": "string", "format": "binary"}},
}
_REPORT_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "properties": _REPORT_FIELDS,
    "required": ["subject_name", "subject_agency", "category", "description", "occurred_on", "region_code"]}}}}}


class TrackingCodeOut(Schema):
    tracking_code: str


class HistoryOut(Schema):
    at: datetime
    kind: str
    status: str
    status_label: str
    note: str


class PublicStatusOut(Schema):
    tracking_code: str
    status: str
    status_label: str
    received_at: datetime
    updated_at: datetime
    awaiting_reply: bool
    question: str
    history: list[HistoryOut]


def _error_dict(form) -> dict:
    return {field: [str(e) for e in errors] for field, errors in form.errors.items()}


def _limited(request, group, setting, default):
    from django.conf import settings  # noqa: PLC0415 -- leaf
    from django_ratelimit import ALL  # noqa: PLC0415 -- leaf
    from django_ratelimit.core import is_ratelimited  # noqa: PLC0415 -- leaf

    if is_ratelimited(request, group=group, key="ip", rate=getattr(settings, setting, default), method=ALL,
                      increment=True):
        raise HttpError(429, _("Too many requests. Wait a minute and try again."))


@router.post("/complaints", response={201: TrackingCodeOut}, auth=None, summary="File a complaint (public)",
             openapi_extra=_REPORT_BODY)
def create_complaint(request):
    """Multipart form; ``evidence`` may be repeated. Errors: ``{detail, errors: {field: [...]}}``."""
    _limited(request, "complaints.report", "NETRAL_COMPLAINTS_RATE", "20/10m")
    form = forms.ComplaintForm(request.POST, request.FILES, web=False)
    if not form.is_valid():
        from netral.api import api  # noqa: PLC0415 -- circular import

        return api.create_response(request, {"detail": _("The request contains invalid fields."),
                                             "errors": _error_dict(form)}, status=400)
    complaint = services.submit_complaint(**form.service_kwargs(), source="api")
    return 201, {"tracking_code": complaint.tracking_display}


# --- staff (registered before /complaints/{tracking_code}) ---------------------------------------

class CountOut(Schema):
    key: str
    label: str
    n: int


class DashboardOut(Schema):
    total: int
    open: int
    overdue: int
    awaiting: int
    median_days: float | None
    duplicate_subjects: int
    by_state: list[CountOut]
    by_category: list[CountOut]
    by_agency: list[CountOut]
    by_regency: list[CountOut]
    by_month: list[CountOut]


@router.get("/complaints/dashboard", response=DashboardOut, auth=staff_auth,
            summary="Dashboard aggregates (verifiers, organisers)")
def dashboard(request, state: str = "", category: str = "", regency: str = "", agency: str = "",
              date_from: date | None = None, date_to: date | None = None):
    if not services.can_see_dashboard(request.user):
        raise PermissionDenied
    filters = {"state": state, "category": category, "regency": regency, "agency": agency,
               "date_from": date_from, "date_to": date_to}
    d = selectors.dashboard(filters=filters, with_subjects=False)
    return {
        **{k: d[k] for k in ("total", "open", "overdue", "awaiting", "median_days", "duplicate_subjects")},
        "by_state": [{"key": s["state"], "label": str(s["label"]), "n": s["n"]} for s in d["by_state"]],
        "by_category": [{"key": c["code"], "label": c["title"], "n": c["n"]} for c in d["by_category"]],
        "by_agency": [{"key": a["key"], "label": a["label"], "n": a["n"]} for a in d["by_agency"]],
        "by_regency": [{"key": r["code"], "label": r["label"], "n": r["n"]} for r in d["by_regency"]],
        "by_month": [{"key": m["month"], "label": "", "n": m["n"]}
                     for m in d["by_month"]],
    }


class CaseSummaryOut(Schema):
    id: int
    number: str
    status: str
    received_at: datetime
    category: str
    subject_name: str
    subject_agency: str
    regency_code: str
    deadline_at: datetime | None
    overdue: bool
    awaiting_reply: bool
    assigned_to: str


class EventOut(Schema):
    at: datetime
    kind: str
    actor: str
    from_state: str
    to_state: str
    note: str
    public: bool


class CaseOut(CaseSummaryOut):
    subject_position: str
    subject_nip: str
    description: str
    occurred_on: date
    region_code: str
    region_path: str
    links: list[str]
    anonymous: bool
    channel: str
    recipient: str
    external_reference: str
    sanction: str
    evidence: list[dict]
    history: list[EventOut]


def _handler(request):
    if not services.can_handle(request.user):
        raise PermissionDenied


def _summary(c: Complaint) -> dict:
    return {"id": c.pk, "number": c.number, "status": c.state, "received_at": c.created_at,
            "category": c.category_id, "subject_name": c.subject_name, "subject_agency": c.subject_agency,
            "regency_code": c.regency_code, "deadline_at": c.deadline_at, "overdue": c.overdue,
            "awaiting_reply": c.awaiting_reply,
            "assigned_to": c.assigned_to.get_username() if c.assigned_to_id else ""}


def _case_out(c: Complaint) -> dict:
    return {**_summary(c), "subject_position": c.subject_position, "subject_nip": c.subject_nip,
            "description": c.description, "occurred_on": c.occurred_on, "region_code": c.region_code,
            "region_path": c.region_path, "links": c.links, "anonymous": c.anonymous, "channel": c.channel,
            "recipient": c.recipient, "external_reference": c.external_reference,
            "sanction": c.sanction.code if c.sanction_id else "",
            "evidence": [{"id": e.pk, "name": e.original_name, "type": e.content_type, "size": e.size,
                          "sha256": e.sha256, "metadata_removed": e.metadata_removed} for e in c.evidence.all()],
            "history": [{"at": e.created_at, "kind": e.kind, "actor": e.actor_name, "from_state": e.from_state,
                         "to_state": e.to_state, "note": e.note, "public": e.public}
                        for e in c.events.order_by("created_at", "id")]}


def _get_case(pk: int) -> Complaint:
    return get_object_or_404(Complaint.objects.select_related("category", "assigned_to", "sanction"), pk=pk)


@router.get("/complaints/cases", response=list[CaseSummaryOut], auth=staff_auth, summary="Case list (verifiers)")
def list_cases(request, state: str = "", category: str = "", regency: str = "", agency: str = "",
               overdue: bool = False, q: str = "", limit: int = 100, offset: int = 0):
    _handler(request)
    filters = {"state": state, "category": category, "regency": regency, "agency": agency, "overdue": overdue,
               "q": q}
    qs = selectors.case_list(filters=filters, user=request.user)
    return [_summary(c) for c in qs[max(0, offset): max(0, offset) + min(max(1, limit), 500)]]


@router.get("/complaints/cases/{case_id}", response=CaseOut, auth=staff_auth, summary="Case file (verifiers)")
def get_case(request, case_id: int):
    _handler(request)
    return _case_out(_get_case(case_id))


class TransitionIn(Schema):
    to: str
    note: str = ""
    public_note: str = ""
    channel: str = ""
    recipient: str = ""
    reference: str = ""
    sanction: str = ""
    sanction_reference: str = ""


@router.post("/complaints/cases/{case_id}/transitions", response=CaseOut, auth=staff_auth,
             summary="Change the status (transition table enforced)")
def transition(request, case_id: int, payload: TransitionIn):
    from netral.knowledge.models import Sanction  # noqa: PLC0415 -- leaf

    _handler(request)
    complaint = _get_case(case_id)
    sanction = Sanction.objects.filter(code=payload.sanction).first() if payload.sanction else None
    services.set_complaint_state(complaint, payload.to, user=request.user, note=payload.note,
                                 public_note=payload.public_note, channel=payload.channel,
                                 recipient=payload.recipient, reference=payload.reference, sanction=sanction,
                                 sanction_reference=payload.sanction_reference)
    return _case_out(_get_case(case_id))


class NoteIn(Schema):
    text: str
    public: bool = False


class QuestionIn(Schema):
    question: str


class AssignIn(Schema):
    assignee: str | None = None


class ReferenceIn(Schema):
    reference: str


@router.post("/complaints/cases/{case_id}/notes", response={201: EventOut}, auth=staff_auth, summary="Add a note")
def add_note(request, case_id: int, payload: NoteIn):
    _handler(request)
    e = services.add_note(_get_case(case_id), user=request.user, text=payload.text, public=payload.public)
    return 201, {"at": e.created_at, "kind": e.kind, "actor": e.actor_name, "from_state": "", "to_state": "",
                 "note": e.note, "public": e.public}


@router.post("/complaints/cases/{case_id}/questions", response={201: EventOut}, auth=staff_auth,
             summary="Ask the reporter for more information")
def ask(request, case_id: int, payload: QuestionIn):
    _handler(request)
    e = services.ask_reporter(_get_case(case_id), user=request.user, question=payload.question)
    return 201, {"at": e.created_at, "kind": e.kind, "actor": e.actor_name, "from_state": "", "to_state": "",
                 "note": e.note, "public": e.public}


@router.post("/complaints/cases/{case_id}/assignment", response=CaseOut, auth=staff_auth,
             summary="Assign to a verifier (username) or unassign (null)")
def assign(request, case_id: int, payload: AssignIn):
    from netral.accounts.models import User  # noqa: PLC0415 -- leaf

    _handler(request)
    assignee = None
    if payload.assignee:
        assignee = User.objects.filter(username=payload.assignee, is_active=True).first()
        if assignee is None:
            raise services.ComplaintError(_("No such verifier."), code="assignee", field="assignee")
    services.assign_complaint(_get_case(case_id), user=request.user, assignee=assignee)
    return _case_out(_get_case(case_id))


@router.post("/complaints/cases/{case_id}/reference", response=CaseOut, auth=staff_auth,
             summary="Record the external reference number of the forwarded case")
def reference(request, case_id: int, payload: ReferenceIn):
    _handler(request)
    services.record_reference(_get_case(case_id), user=request.user, reference=payload.reference)
    return _case_out(_get_case(case_id))


class IdentityOut(Schema):
    anonymous: bool
    name: str
    contact: str


@router.get("/complaints/cases/{case_id}/reporter", response=IdentityOut, auth=staff_auth,
            summary="The reporter's identity (verifiers only; every call is logged)")
def reporter(request, case_id: int, reason: str = ""):
    _handler(request)
    return services.reveal_identity(_get_case(case_id), user=request.user, reason=reason)


# --- public by tracking code ------------------------------------------------------------------------

def _by_code(request, code: str) -> Complaint:
    _limited(request, "complaints.track", "NETRAL_COMPLAINTS_TRACK_RATE", "60/10m")
    normalized = tracking.normalize(code)
    if not normalized:
        raise HttpError(404, _("Not found."))
    return get_object_or_404(Complaint, tracking_code=normalized)


@router.get("/complaints/{tracking_code}", response=PublicStatusOut, auth=None,
            summary="Status and public history of a complaint")
def public_status(request, tracking_code: str):
    c = _by_code(request, tracking_code)
    question = selectors.open_question(c)
    return {"tracking_code": c.tracking_display, "status": c.state, "status_label": str(ComplaintState(c.state).label),
            "received_at": c.created_at, "updated_at": c.updated_at, "awaiting_reply": c.awaiting_reply,
            "question": question.note if question else "",
            "history": [{"at": e.created_at, "kind": e.kind, "status": e.to_state,
                         "status_label": str(ComplaintState(e.to_state).label) if e.to_state else "",
                         "note": e.note} for e in selectors.public_history(c)]}


@router.post("/complaints/{tracking_code}/answers", response={201: dict}, auth=None,
             summary="The reporter answers an open question (multipart: answer, evidence)")
def public_answer(request, tracking_code: str):
    c = _by_code(request, tracking_code)
    form = forms.AnswerForm(request.POST, request.FILES)
    if not form.is_valid():
        from netral.api import api  # noqa: PLC0415 -- circular import

        return api.create_response(request, {"detail": _("The request contains invalid fields."),
                                             "errors": _error_dict(form)}, status=400)
    services.answer_question(c, text=form.cleaned_data["answer"], files=form.checked_files)
    return 201, {"status": c.state}
