"""Check-in at the door: the organiser's screen, the projector QR, scanning, the daftar hadir."""

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from netral.core.permissions import get_managed_event, organiser_required

from .. import selectors
from ..enums import CheckinMethod
from ..exports import attendance_xlsx
from ..models import Participant
from ..services.checkin import check_in, checkin_token, seconds_to_next_token, undo_check_in
from ..urlbuild import absolute
from .participants import XLSX


@require_GET
@organiser_required
def checkin_screen(request, pk):
    event = get_managed_event(request, pk)
    query = request.GET.get("q", "").strip()
    participants = selectors.participants_with_attendance(event, query=query)[:50]
    context = {"event": event, "participants": participants, "query": query,
               "summary": selectors.attendance_summary(event)}
    if request.htmx and request.htmx.target == "checkin-results":
        return render(request, "events/checkin_screen.html#results", context)
    return render(request, "events/checkin_screen.html", context)


@require_GET
@organiser_required
def checkin_counts(request, pk):
    """The live counters (polled by the check-in screen)."""
    event = get_managed_event(request, pk)
    return render(request, "events/checkin_screen.html#counts",
                  {"event": event, "summary": selectors.attendance_summary(event)})


@require_POST
@organiser_required
def checkin_mark(request, pk, participant_pk):
    event = get_managed_event(request, pk)
    participant = get_object_or_404(Participant, pk=participant_pk, event=event)
    if request.POST.get("undo"):
        undo_check_in(participant, user=request.user)
        participant.refresh_from_db()
    else:
        check_in(participant, method=CheckinMethod.MANUAL, user=request.user)
    participant = selectors.participants_with_attendance(event).get(pk=participant.pk)
    if request.htmx:
        return render(request, "events/checkin_screen.html#row", {"event": event, "p": participant})
    return redirect("events:checkin", pk=event.pk)


def _token_from_scan(text: str) -> str:
    """A personal QR holds a URL ending in /presensi/p/<token>/ (or just the token)."""
    text = (text or "").strip().rstrip("/")
    return text.rsplit("/", 1)[-1] if "/" in text else text


@require_POST
@organiser_required
def checkin_scan(request, pk):
    """The organiser's camera decoded a participant's personal QR."""
    event = get_managed_event(request, pk)
    token = _token_from_scan(request.POST.get("code", ""))
    participant = Participant.objects.filter(event=event, token=token).first()
    if not participant:
        return JsonResponse({"ok": False, "message": _("This QR is not a participant of this event.")}, status=404)
    attendance, created = check_in(participant, method=CheckinMethod.ORGANISER_SCAN, user=request.user)
    time = timezone.localtime(attendance.checked_in_at).strftime("%H.%M")
    message = (_("{name} checked in.") if created else _("{name} was already checked in at {time}.")).format(
        name=participant.name, time=time)
    return JsonResponse({"ok": True, "created": created, "message": message, "name": participant.name,
                         "agency": participant.agency})


@require_http_methods(["GET", "POST"])
@organiser_required
def checkin_personal(request, token):
    """Where a participant's personal QR points when scanned with a phone's own camera."""
    participant = get_object_or_404(Participant.objects.select_related("event"), token=token)
    event = get_managed_event(request, participant.event_id)
    if request.method == "POST":
        check_in(participant, method=CheckinMethod.ORGANISER_SCAN, user=request.user)
        messages.success(request, _("{name} checked in.").format(name=participant.name))
        return redirect("events:checkin", pk=event.pk)
    return render(request, "events/checkin_personal.html", {"event": event, "p": participant})


@require_GET
@organiser_required
def checkin_projector(request, pk):
    event = get_managed_event(request, pk)
    return render(request, "events/checkin_projector.html", _projector_context(request, event))


@require_GET
@organiser_required
def checkin_projector_qr(request, pk):
    event = get_managed_event(request, pk)
    return render(request, "events/checkin_projector.html#live", _projector_context(request, event))


def _projector_context(request, event):
    token = checkin_token(event)
    return {
        "event": event,
        "checkin_url": absolute(request, "events:self_checkin", code=event.code, token=token),
        "join_url": absolute(request, "events:join_short", code=event.code),
        "refresh_in": seconds_to_next_token(),
        "summary": selectors.attendance_summary(event),
    }


@require_GET
@organiser_required
def attendance_export(request, pk):
    event = get_managed_event(request, pk)
    response = HttpResponse(attendance_xlsx(event), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="daftar-hadir-{event.code}.xlsx"'
    return response
