"""Writes of the complaints app: the only place that changes a complaint.

Every change appends a ``ComplaintEvent`` (who, when, from, to, note, public flag) and a
core ``AuditLog`` entry (``netral.complaint.*``). Every transition goes through
``set_complaint_state`` and the table in ``enums.TRANSITIONS``.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from netral.accounts.models import Role
from netral.core.audit import log_action
from netral.core.errors import NetralError
from netral.core.permissions import has_role

from . import crypto, deadlines, normalize
from .enums import (
    PUBLIC_REASON_REQUIRED,
    QUESTION_STATES,
    TERMINAL_STATES,
    TRANSITIONS,
    Channel,
    ComplaintState as S,
    EventKind,
)
from .models import Complaint, ComplaintEvent, Evidence

MAX_NOTE = 5000


class ComplaintError(NetralError):
    pass


def can_handle(user) -> bool:
    """Verifiers (and superusers) handle cases and are the only ones who see identities."""
    return has_role(user, Role.VERIFIER)


def can_see_dashboard(user) -> bool:
    """Organisers see the aggregates (no reporter identities, no case files); verifiers too."""
    return has_role(user, Role.VERIFIER, Role.ORGANISER)


def _require_handler(user) -> None:
    if not can_handle(user):
        raise ComplaintError(_("Only a verifier may do this."), code="forbidden")


def _event(complaint, kind, *, user=None, note="", public=False, from_state="", to_state="", data=None,
           at=None) -> ComplaintEvent:
    actor = user if getattr(user, "is_authenticated", False) else None
    return ComplaintEvent.objects.create(
        complaint=complaint, kind=kind, actor=actor, actor_name=actor.get_username() if actor else "",
        note=note, public=public, from_state=from_state, to_state=to_state, data=data or {},
        created_at=at or timezone.now())


def _touch(complaint, *fields, at=None) -> None:
    complaint.updated_at = at or timezone.now()
    complaint.save(update_fields=["updated_at", *fields])


def _clean_note(text: str, *, label_required: str | None = None) -> str:
    text = (text or "").strip()
    if len(text) > MAX_NOTE:
        raise ComplaintError(_("A note may have at most {n} characters.").format(n=MAX_NOTE), code="too_long",
                             field="note")
    if label_required and not text:
        raise ComplaintError(label_required, code="note_required", field="public_note")
    return text


@transaction.atomic
def submit_complaint(*, subject_name: str, subject_agency: str, subject_position: str = "", subject_nip: str = "",
                     category, description: str, occurred_on, region_code: str, links: list[str] | None = None,
                     anonymous: bool = True, reporter_name: str = "", reporter_contact: str = "",
                     files=(), source: str = "web", now=None, tracking_code: str | None = None) -> Complaint:
    """Store a validated report (see ``forms.ComplaintForm``) and its checked evidence."""
    now = now or timezone.now()
    complaint = Complaint(
        subject_name=subject_name.strip(), subject_agency=subject_agency.strip(),
        subject_position=subject_position.strip(), subject_nip=subject_nip,
        subject_key=normalize.subject_key(subject_name, subject_agency),
        agency_key=normalize.agency(subject_agency)[:200],
        category=category, description=description.strip(), occurred_on=occurred_on,
        region_code=region_code, province_code=region_code[:2], regency_code=region_code[:5],
        links=list(links or []), anonymous=anonymous,
        reporter_name_enc="" if anonymous else crypto.encrypt(reporter_name.strip()),
        reporter_contact_enc="" if anonymous else crypto.encrypt(reporter_contact.strip()),
        source=source, created_at=now, updated_at=now, state_changed_at=now,
        received_month=timezone.localtime(now).strftime("%Y-%m"),
        deadline_at=deadlines.deadline_for(state=S.RECEIVED, received_at=now, entered_at=now),
    )
    if tracking_code:
        complaint.tracking_code = tracking_code
    for _attempt in range(5):
        try:
            with transaction.atomic():
                complaint.save()
            break
        except IntegrityError:  # a tracking-code collision (50 random bits): draw again
            from . import tracking  # noqa: PLC0415 -- leaf

            complaint.pk = None
            complaint._state.adding = True
            complaint.tracking_code = tracking.new_code()
    else:  # pragma: no cover -- 5 collisions in a row do not happen
        raise ComplaintError(_("The report could not be saved. Please send it again."), code="collision")
    for checked in files:
        _store_evidence(complaint, checked, from_answer=False, at=now)
    _event(complaint, EventKind.CREATED, public=True, to_state=S.RECEIVED, at=now,
           data={"evidence": len(files), "source": source})
    log_action(complaint, "netral.complaint.received", data={"number": complaint.number, "source": source})
    return complaint


def _store_evidence(complaint, checked, *, from_answer: bool, at=None) -> Evidence:
    evidence = Evidence(complaint=complaint, kind=checked.kind, extension=checked.extension,
                        content_type=checked.content_type, size=checked.size, sha256=checked.sha256,
                        original_name=checked.original_name, metadata_removed=checked.metadata_removed,
                        from_answer=from_answer, created_at=at or timezone.now())
    evidence.file.save("bukti", checked.content, save=False)
    evidence.save()
    return evidence


def _locked(complaint) -> Complaint:
    return Complaint.objects.select_for_update().get(pk=complaint.pk)


@transaction.atomic
def set_complaint_state(complaint, to_state: str, *, user, note: str = "", public_note: str = "",
                        channel: str = "", recipient: str = "", reference: str = "", sanction=None,
                        sanction_reference: str = "", now=None) -> Complaint:
    """Move a case along the transition table; refuse anything else.

    ``public_note`` is shown on the tracking page (required to reject or withdraw);
    ``note`` is internal. Forwarding needs a channel; recording a sanction needs a sanction
    from the catalogue."""
    _require_handler(user)
    now = now or timezone.now()
    current = _locked(complaint)
    from_state = current.state
    if to_state not in S.values:
        raise ComplaintError(_("Unknown status."), code="unknown_state", field="to")
    if to_state not in TRANSITIONS[from_state]:
        raise ComplaintError(
            _("A case that is “{current}” cannot become “{target}”.").format(
                current=S(from_state).label, target=S(to_state).label),
            code="illegal_transition", field="to")
    note = _clean_note(note)
    public_note = _clean_note(
        public_note, label_required=_("Write the reason; the reporter reads it on the tracking page.")
        if to_state in PUBLIC_REASON_REQUIRED else None)
    fields = ["state", "state_changed_at", "deadline_at"]
    if to_state == S.VERIFYING and current.assigned_to_id is None:
        current.assigned_to = user
        fields.append("assigned_to")
        _event(current, EventKind.ASSIGNED, user=user, data={"assignee": user.get_username()}, at=now)
    if to_state == S.FORWARDED:
        if channel not in Channel.values:
            raise ComplaintError(_("Choose where the case is forwarded to."), code="channel", field="channel")
        recipient = (recipient or "").strip()[:250]
        if not recipient:
            raise ComplaintError(_("Write the recipient of the letter (e.g. the regent as PPK)."),
                                 code="recipient", field="recipient")
        current.channel, current.recipient, current.forwarded_at = channel, recipient, now
        current.external_reference = (reference or "").strip()[:120]
        fields += ["channel", "recipient", "forwarded_at", "external_reference"]
    if to_state == S.SANCTIONED:
        if sanction is None:
            raise ComplaintError(_("Choose the sanction from the catalogue."), code="sanction", field="sanction")
        current.sanction = sanction
        current.sanction_reference = (sanction_reference or "").strip()[:120]
        fields += ["sanction", "sanction_reference"]
    current.state, current.state_changed_at = to_state, now
    current.deadline_at = None if to_state in TERMINAL_STATES else deadlines.deadline_for(
        state=to_state, received_at=current.created_at, entered_at=now)
    if to_state in TERMINAL_STATES:
        current.closed_at = now
        current.resolution_seconds = max(0, int((now - current.created_at).total_seconds()))
        current.awaiting_reply = False
        fields += ["closed_at", "resolution_seconds", "awaiting_reply"]
    _touch(current, *fields, at=now)
    data = {}
    if to_state == S.FORWARDED:
        data = {"channel": channel, "recipient": recipient, "reference": current.external_reference}
    if to_state == S.SANCTIONED:
        data = {"sanction": sanction.code, "reference": current.sanction_reference}
    _event(current, EventKind.TRANSITION, user=user, from_state=from_state, to_state=to_state, note=public_note,
           public=True, data=data, at=now)
    if note:
        _event(current, EventKind.NOTE, user=user, note=note, public=False, at=now)
    log_action(current, "netral.complaint.state", user=user, data={"from": from_state, "to": to_state, **data})
    complaint.__dict__.update({f: getattr(current, f) for f in
                               ("state", "state_changed_at", "deadline_at", "assigned_to_id", "channel",
                                "recipient", "forwarded_at", "external_reference", "sanction_id",
                                "sanction_reference", "closed_at", "resolution_seconds", "awaiting_reply",
                                "updated_at")})
    return current


@transaction.atomic
def assign_complaint(complaint, *, user, assignee) -> Complaint:
    _require_handler(user)
    if assignee is not None and not can_handle(assignee):
        raise ComplaintError(_("Cases can only be assigned to a verifier."), code="assignee", field="assignee")
    current = _locked(complaint)
    if not current.is_open:
        raise ComplaintError(_("This case is finished."), code="finished")
    previous = current.assigned_to.get_username() if current.assigned_to_id else ""
    current.assigned_to = assignee
    _touch(current, "assigned_to")
    name = assignee.get_username() if assignee else ""
    _event(current, EventKind.ASSIGNED, user=user, data={"from": previous, "assignee": name})
    log_action(current, "netral.complaint.assigned", user=user, data={"from": previous, "to": name})
    complaint.assigned_to = assignee
    return current


@transaction.atomic
def add_note(complaint, *, user, text: str, public: bool = False, now=None) -> ComplaintEvent:
    _require_handler(user)
    text = _clean_note(text, label_required=_("Write the note first."))
    current = _locked(complaint)
    _touch(current, at=now)
    event = _event(current, EventKind.NOTE, user=user, note=text, public=public, at=now)
    log_action(current, "netral.complaint.note", user=user, data={"public": public})
    return event


@transaction.atomic
def ask_reporter(complaint, *, user, question: str, now=None) -> ComplaintEvent:
    """A request for more information; the reporter answers on the tracking page."""
    _require_handler(user)
    question = _clean_note(question, label_required=_("Write the question first."))
    current = _locked(complaint)
    if current.state not in QUESTION_STATES:
        raise ComplaintError(_("The reporter cannot be asked anything in this status."), code="question_state")
    current.awaiting_reply = True
    _touch(current, "awaiting_reply", at=now)
    event = _event(current, EventKind.QUESTION, user=user, note=question, public=True, at=now)
    log_action(current, "netral.complaint.question", user=user)
    complaint.awaiting_reply = True
    return event


@transaction.atomic
def answer_question(complaint, *, text: str, files=(), now=None) -> ComplaintEvent:
    """The reporter's answer, through the tracking code (no account)."""
    text = (text or "").strip()
    if not text and not files:
        raise ComplaintError(_("Write your answer or attach a file."), code="empty", field="answer")
    if len(text) > MAX_NOTE:
        raise ComplaintError(_("A note may have at most {n} characters.").format(n=MAX_NOTE), code="too_long",
                             field="answer")
    current = _locked(complaint)
    if not current.awaiting_reply or current.state not in QUESTION_STATES:
        raise ComplaintError(_("There is no open question on this report."), code="no_question", field="answer")
    current.awaiting_reply = False
    _touch(current, "awaiting_reply", at=now)
    for checked in files:
        _store_evidence(current, checked, from_answer=True, at=now)
    event = _event(current, EventKind.ANSWER, note=text, public=True, data={"evidence": len(files)}, at=now)
    log_action(current, "netral.complaint.answered", data={"evidence": len(files)})
    complaint.awaiting_reply = False
    return event


@transaction.atomic
def record_reference(complaint, *, user, reference: str) -> Complaint:
    """The number the competent channel gave the forwarded case (e.g. an SBT or LAPOR! ticket)."""
    _require_handler(user)
    reference = (reference or "").strip()[:120]
    if not reference:
        raise ComplaintError(_("Write the reference number."), code="reference", field="reference")
    current = _locked(complaint)
    if not current.channel:
        raise ComplaintError(_("Forward the case first."), code="not_forwarded", field="reference")
    previous = current.external_reference
    current.external_reference = reference
    _touch(current, "external_reference")
    _event(current, EventKind.REFERENCE, user=user, note=reference, data={"previous": previous})
    log_action(current, "netral.complaint.reference", user=user, data={"reference": reference, "previous": previous})
    complaint.external_reference = reference
    return current


@transaction.atomic
def reveal_identity(complaint, *, user, reason: str = "") -> dict:
    """Decrypt the reporter's name and contact for a verifier, and record that it happened."""
    _require_handler(user)
    reason = _clean_note(reason)
    _event(complaint, EventKind.IDENTITY_VIEWED, user=user, note=reason)
    log_action(complaint, "netral.complaint.identity_viewed", user=user, data={"reason": reason})
    if complaint.anonymous:
        return {"anonymous": True, "name": "", "contact": ""}
    return {"anonymous": False, "name": crypto.decrypt(complaint.reporter_name_enc),
            "contact": crypto.decrypt(complaint.reporter_contact_enc)}


@transaction.atomic
def record_evidence_opened(evidence, *, user) -> None:
    _require_handler(user)
    _event(evidence.complaint, EventKind.EVIDENCE_VIEWED, user=user, data={"evidence": evidence.pk})
    log_action(evidence.complaint, "netral.complaint.evidence_opened", user=user, data={"evidence": evidence.pk})


@transaction.atomic
def record_export(complaint, *, user, kind: str) -> None:
    _require_handler(user)
    _event(complaint, EventKind.EXPORTED, user=user, data={"format": kind})
    log_action(complaint, "netral.complaint.exported", user=user, data={"format": kind})


__all__ = ["ComplaintError", "add_note", "answer_question", "ask_reporter", "assign_complaint", "can_handle",
           "can_see_dashboard", "record_evidence_opened", "record_export", "record_reference", "reveal_identity",
           "set_complaint_state", "submit_complaint"]
