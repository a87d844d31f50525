"""Reads that need more than one line."""

from django.db.models import Count, Prefetch, Q

from .enums import PUBLIC_STATUSES
from .models import Event, Material, Participant, Session


def events_for_user(user):
    """The events this staff user may manage: own and co-organised; all for superusers."""
    if not user.is_authenticated or not user.is_active:
        return Event.objects.none()
    if user.is_superuser:
        return Event.objects.all()
    return Event.objects.filter(Q(owner=user) | Q(team=user)).distinct()


def can_manage_event(user, event: Event) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser or event.owner_id == user.pk:
        return True
    return Event.team.through.objects.filter(event_id=event.pk, user_id=user.pk).exists()


def public_events():
    return Event.objects.filter(status__in=PUBLIC_STATUSES)


def sessions_with_programme(event: Event):
    return (
        Session.objects.filter(event=event)
        .prefetch_related("speakers", Prefetch("materials", queryset=Material.objects.order_by("created_at", "id")))
        .order_by("order", "starts_at", "id")
    )


def attendance_summary(event: Event) -> dict:
    """Registered vs present, overall and by agency/unit."""
    participants = Participant.objects.filter(event=event)
    totals = participants.aggregate(registered=Count("id"), present=Count("attendance"))
    by_agency = list(
        participants.values("agency")
        .annotate(registered=Count("id"), present=Count("attendance"))
        .order_by("-present", "agency")
    )
    by_unit = list(
        participants.values("agency", "unit")
        .annotate(registered=Count("id"), present=Count("attendance"))
        .order_by("agency", "unit")
    )
    return {
        "registered": totals["registered"],
        "present": totals["present"],
        "by_agency": by_agency,
        "by_unit": by_unit,
    }


def participants_with_attendance(event: Event, *, query: str = "", present: bool | None = None):
    qs = Participant.objects.filter(event=event).select_related("attendance")
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(nip__startswith=query) | Q(agency__icontains=query)
                       | Q(unit__icontains=query))
    if present is True:
        qs = qs.filter(attendance__isnull=False)
    elif present is False:
        qs = qs.filter(attendance__isnull=True)
    return qs.order_by("name", "id")


def current_event(code: str | None = None):
    """The event to advertise: by code, else the running one, else the next published,
    else the most recent public event."""
    from django.utils import timezone  # noqa: PLC0415 -- leaf

    from .enums import EventStatus  # noqa: PLC0415 -- leaf

    if code:
        return Event.objects.filter(code=code.upper()).first()
    running = Event.objects.filter(status=EventStatus.RUNNING).order_by("-starts_at").first()
    if running:
        return running
    upcoming = public_events().filter(starts_at__gte=timezone.now()).order_by("starts_at").first()
    return upcoming or public_events().order_by("-starts_at").first()
