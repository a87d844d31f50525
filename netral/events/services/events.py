from django.db import transaction
from django.utils.translation import gettext as _

from netral.core.audit import log_action
from netral.core.errors import NetralError

from ..enums import EventStatus
from ..models import Event, Session, Speaker, new_event_code

ALLOWED_TRANSITIONS = {
    EventStatus.DRAFT: {EventStatus.PUBLISHED},
    EventStatus.PUBLISHED: {EventStatus.DRAFT, EventStatus.RUNNING, EventStatus.FINISHED},
    EventStatus.RUNNING: {EventStatus.PUBLISHED, EventStatus.FINISHED},
    EventStatus.FINISHED: {EventStatus.RUNNING},
}


class EventError(NetralError):
    pass


def touch_event(event_id: int) -> None:
    """Mark the event as changed, so cached renderings of its programme are refreshed."""
    from django.utils import timezone  # noqa: PLC0415 -- leaf

    Event.objects.filter(pk=event_id).update(updated_at=timezone.now())


def _unique_code() -> str:
    for _attempt in range(20):
        code = new_event_code()
        if not Event.objects.filter(code=code).exists():
            return code
    raise EventError(_("Could not generate a unique event code."), code="code")  # pragma: no cover


@transaction.atomic
def create_event(*, owner, **fields) -> Event:
    event = Event(owner=owner, code=_unique_code(), **fields)
    event.full_clean()
    event.save()
    log_action(event, "netral.event.created", user=owner, data={"title": event.title})
    return event


@transaction.atomic
def update_event(event: Event, *, user, **fields) -> Event:
    changed = {}
    for name, value in fields.items():
        if getattr(event, name) != value:
            changed[name] = str(value)
            setattr(event, name, value)
    if changed:
        event.full_clean()
        event.save()
        log_action(event, "netral.event.changed", user=user, data={"fields": sorted(changed)})
    return event


@transaction.atomic
def set_event_status(event: Event, new_status: str, *, user) -> Event:
    """Every status change goes through here: checks the transition, saves, logs."""
    old = EventStatus(event.status)
    new = EventStatus(new_status)
    if new == old:
        return event
    if new not in ALLOWED_TRANSITIONS[old]:
        raise EventError(
            _("An event cannot go from “{old}” to “{new}”.").format(old=old.label, new=new.label),
            code="transition",
        )
    if new == EventStatus.PUBLISHED and not event.sessions.exists():
        raise EventError(_("Add at least one session before publishing."), code="no_sessions")
    event.status = new
    event.save(update_fields=["status", "updated_at"])
    log_action(event, "netral.event.status", user=user, data={"from": old.value, "to": new.value})
    return event


@transaction.atomic
def save_speaker(speaker: Speaker, *, user) -> Speaker:
    created = speaker.pk is None
    speaker.full_clean()
    speaker.save()
    touch_event(speaker.event_id)
    log_action(speaker.event, "netral.speaker.created" if created else "netral.speaker.changed",
               user=user, data={"speaker": speaker.display_name})
    return speaker


@transaction.atomic
def save_session(session: Session, *, user, speakers=None) -> Session:
    created = session.pk is None
    session.full_clean()
    session.save()
    if speakers is not None:
        session.speakers.set(speakers)
    touch_event(session.event_id)
    log_action(session.event, "netral.session.created" if created else "netral.session.changed",
               user=user, data={"session": session.title})
    return session


@transaction.atomic
def delete_session(session: Session, *, user) -> None:
    log_action(session.event, "netral.session.deleted", user=user, data={"session": session.title})
    for material in session.materials.all():
        material.file.delete(save=False)
    session.delete()
    touch_event(session.event_id)
