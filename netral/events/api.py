from datetime import date, datetime

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError

from netral.accounts import nip as nip_parser
from netral.core.errors import NetralError
from netral.core.permissions import has_role

from . import selectors
from .enums import CheckinMethod, ParticipantSource
from .models import Event, Participant
from .services.checkin import check_in, try_fast_staff_check_in
from .services.participants import clean_identity, register_participant

router = Router(tags=["events"])


def _staff_auth():
    from netral.api import staff_auth  # noqa: PLC0415 -- circular import

    return staff_auth


def _optional_user(request):
    """Bearer token or session if present; anonymous otherwise (public reads)."""
    from netral.api import BearerAuth  # noqa: PLC0415 -- circular import

    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        user = BearerAuth().authenticate(request, header.split(" ", 1)[1].strip())
        if user is None:
            raise HttpError(401, _("Invalid token."))
        return user
    return request.user


def _managed_event(request, event_id: int) -> Event:
    if not has_role(request.user, "organiser"):
        raise HttpError(403, _("Your account may not do this."))
    event = Event.objects.filter(pk=event_id).only("id", "owner_id", "status").first()
    if event is None or not selectors.can_manage_event(request.user, event):
        raise HttpError(404, _("Not found."))
    return event


class SpeakerOut(Schema):
    id: int
    name: str
    display_name: str
    title_prefix: str
    title_suffix: str
    institution: str


class MaterialOut(Schema):
    id: int
    title: str
    kind: str
    size: int
    content_type: str
    url: str


class SessionOut(Schema):
    id: int
    order: int
    title: str
    summary: str
    starts_at: datetime | None
    ends_at: datetime | None
    speakers: list[SpeakerOut]
    materials: list[MaterialOut]


class EventSummary(Schema):
    id: int
    code: str
    title: str
    theme: str
    status: str
    starts_at: datetime
    ends_at: datetime | None
    venue_name: str
    organiser_name: str
    url: str


class EventOut(EventSummary):
    description: str
    methods: list[str]
    venue_address: str
    partner_name: str
    audience: str
    sessions: list[SessionOut]
    speakers: list[SpeakerOut]


def _event_summary(event):
    return {**{f: getattr(event, f) for f in ("id", "code", "title", "theme", "status", "starts_at", "ends_at",
                                              "venue_name", "organiser_name")},
            "url": event.get_absolute_url()}


def _speaker(s):
    return {"id": s.pk, "name": s.name, "display_name": s.display_name, "title_prefix": s.title_prefix,
            "title_suffix": s.title_suffix, "institution": s.institution}


@router.get("/events", response=list[EventSummary], summary="Events: yours when logged in, else the public ones")
def list_events(request):
    user = _optional_user(request)
    if has_role(user, "organiser"):
        events = selectors.events_for_user(user)
    else:
        events = selectors.public_events()
    return [_event_summary(e) for e in events.order_by("-starts_at")[:500]]


@router.get("/events/{event_id}", response=EventOut, summary="One event with its programme")
def get_event(request, event_id: int):
    from django.urls import reverse  # noqa: PLC0415 -- thin view

    user = _optional_user(request)
    event = get_object_or_404(Event, pk=event_id)
    if not event.is_public and not selectors.can_manage_event(user, event):
        raise HttpError(404, _("Not found."))
    sessions = []
    for s in selectors.sessions_with_programme(event):
        sessions.append({
            "id": s.pk, "order": s.order, "title": s.title, "summary": s.summary,
            "starts_at": s.starts_at, "ends_at": s.ends_at,
            "speakers": [_speaker(sp) for sp in s.speakers.all()],
            "materials": [{"id": m.pk, "title": m.title, "kind": m.kind, "size": m.size,
                           "content_type": m.content_type,
                           "url": reverse("events:material", kwargs={"code": event.code, "pk": m.pk})}
                          for m in s.materials.all()],
        })
    return {**_event_summary(event), "description": event.description, "methods": event.methods,
            "venue_address": event.venue_address, "partner_name": event.partner_name,
            "audience": event.audience, "sessions": sessions,
            "speakers": [_speaker(s) for s in event.speakers.all()]}


class NIPOut(Schema):
    nip: str
    kind: str
    birth_date: date
    start_year: int
    start_month: int | None
    start_date: date
    gender: str
    gender_label: str
    serial: int
    pppk_code: str | None


@router.get("/nip/{nip}", response=NIPOut, summary="Parse and validate an 18-digit NIP or NI PPPK", tags=["nip"])
def parse_nip(request, nip: str):
    try:
        parsed = nip_parser.parse_any(nip)
    except nip_parser.NIPError as exc:
        raise NetralError(exc.message, code=exc.code, field="nip") from None
    return {**parsed.as_dict(), "start_date": parsed.start_date}


class RegistrationIn(Schema):
    kind: str = ""
    nip: str = ""
    name: str = ""
    agency: str = ""
    unit: str = ""
    position: str = ""
    rank: str = ""
    phone: str = ""
    email: str = ""


class ParticipantOut(Schema):
    id: int
    kind: str
    nip: str
    name: str
    agency: str
    unit: str
    position: str
    created: bool
    checked_in: bool


def _participant_out(p: Participant, created: bool):
    return {"id": p.pk, "kind": p.kind, "nip": p.nip, "name": p.name, "agency": p.agency, "unit": p.unit,
            "position": p.position, "created": created,
            "checked_in": Participant.objects.filter(pk=p.pk, attendance__isnull=False).exists()}


@router.post("/events/{event_id}/registrations", response={200: ParticipantOut, 201: ParticipantOut},
             auth=_staff_auth(), summary="Register a participant (idempotent by NIP)")
def create_registration(request, event_id: int, payload: RegistrationIn):
    event = _managed_event(request, event_id)
    identity = clean_identity(payload.dict())
    participant, created = register_participant(event, identity, source=ParticipantSource.API)
    return (201 if created else 200), _participant_out(participant, created)


class CheckinIn(Schema):
    participant_id: int | None = None
    nip: str | None = None
    token: str | None = None


class CheckinOut(Schema):
    participant_id: int
    name: str
    checked_in_at: datetime
    method: str
    created: bool


@router.post("/events/{event_id}/checkins", response={200: CheckinOut, 201: CheckinOut}, auth=_staff_auth(),
             summary="Check a participant in (repeat = same attendance)")
def create_checkin(request, event_id: int, payload: CheckinIn):
    if payload.participant_id:
        column, value = "id", payload.participant_id
    elif payload.nip:
        try:
            column, value = "nip", nip_parser.normalize(payload.nip)
        except TypeError:
            column, value = "nip", ""
    elif payload.token:
        column, value = "token", payload.token
    else:
        raise HttpError(400, _("Send participant_id, nip or token."))
    if has_role(request.user, "organiser"):
        fast = try_fast_staff_check_in(event_id, user=request.user, method=CheckinMethod.API, column=column,
                                       value=value)
        if fast is not None:
            participant_id, name, at = fast
            return 201, {"participant_id": participant_id, "name": name, "checked_in_at": at,
                         "method": CheckinMethod.API, "created": True}
    # Not written: find out why (not yours / no such participant / already present).
    event = _managed_event(request, event_id)
    lookup = {"pk" if column == "id" else column: value}
    participant = Participant.objects.filter(event=event, **lookup).only("id", "event_id", "name").first()
    if participant is None:
        raise HttpError(404, _("No such participant in this event."))
    attendance, created = check_in(participant, method=CheckinMethod.API, user=request.user)
    return (201 if created else 200), {"participant_id": participant.pk, "name": participant.name,
                                       "checked_in_at": attendance.checked_in_at, "method": attendance.method,
                                       "created": created}


class AttendanceOut(Schema):
    registered: int
    present: int
    by_agency: list[dict]


@router.get("/events/{event_id}/attendance", response=AttendanceOut, auth=_staff_auth(),
            summary="Registered vs present, by agency")
def attendance(request, event_id: int):
    event = _managed_event(request, event_id)
    summary = selectors.attendance_summary(event)
    return {"registered": summary["registered"], "present": summary["present"], "by_agency": summary["by_agency"]}
