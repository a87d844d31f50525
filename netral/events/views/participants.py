"""Participant list of an event: add, search, export."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from netral.core.audit import log_action
from netral.core.permissions import get_managed_event, organiser_required

from .. import selectors
from ..enums import ParticipantSource
from ..exports import participants_xlsx
from ..forms import ParticipantForm
from ..models import Participant
from ..services.participants import register_participant

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_http_methods(["GET", "POST"])
@organiser_required
def participant_list(request, pk):
    event = get_managed_event(request, pk)
    form = ParticipantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        participant, created = register_participant(event, form.identity, source=ParticipantSource.MANUAL)
        if created:
            messages.success(request, _("{name} added.").format(name=participant.name))
        else:
            messages.warning(request, _("{name} is already registered.").format(name=participant.name))
        return redirect("events:participants", pk=event.pk)
    query = request.GET.get("q", "").strip()
    page = Paginator(selectors.participants_with_attendance(event, query=query), 100).get_page(request.GET.get("page"))
    return render(request, "events/participant_list.html", {
        "event": event, "form": form, "page": page, "query": query,
        "summary": selectors.attendance_summary(event),
    })


@require_POST
@organiser_required
def participant_delete(request, pk, participant_pk):
    event = get_managed_event(request, pk)
    participant = get_object_or_404(Participant, pk=participant_pk, event=event)
    log_action(event, "netral.participant.deleted", user=request.user,
               data={"participant": participant.pk, "name": participant.name})
    participant.delete()
    messages.success(request, _("Participant removed."))
    return redirect("events:participants", pk=event.pk)


@require_GET
@organiser_required
def participant_export(request, pk):
    event = get_managed_event(request, pk)
    response = HttpResponse(participants_xlsx(event), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="peserta-{event.code}.xlsx"'
    return response
