"""The organiser's back office: events, speakers, sessions, materials."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from netral.core.permissions import get_managed_event, organiser_required

from .. import selectors
from ..enums import EventStatus
from ..forms import EventForm, MaterialForm, SessionForm, SpeakerForm
from ..models import Material, Session, Speaker
from ..services import events as event_services
from ..services.materials import MaterialError, add_material, delete_material
from ..urlbuild import absolute


@require_GET
@organiser_required
def dashboard(request):
    events = selectors.events_for_user(request.user).order_by("-starts_at")
    return render(request, "events/dashboard.html", {"events": events})


@require_http_methods(["GET", "POST"])
@organiser_required
def event_create(request):
    form = EventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        event = event_services.create_event(owner=request.user, **form.cleaned_data)
        messages.success(request, _("Event created. Now add speakers and sessions."))
        return redirect("events:manage", pk=event.pk)
    return render(request, "events/event_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@organiser_required
def event_edit(request, pk):
    event = get_managed_event(request, pk)
    form = EventForm(request.POST or None, instance=event)
    if request.method == "POST" and form.is_valid():
        event_services.update_event(event, user=request.user, **form.cleaned_data)
        messages.success(request, _("Changes saved."))
        return redirect("events:manage", pk=event.pk)
    return render(request, "events/event_form.html", {"form": form, "event": event})


@require_GET
@organiser_required
def event_manage(request, pk):
    event = get_managed_event(request, pk)
    return render(request, "events/event_manage.html", {
        "event": event,
        "sessions": selectors.sessions_with_programme(event),
        "speakers": event.speakers.all(),
        "summary": selectors.attendance_summary(event),
        "statuses": EventStatus,
        "transitions": event_services.ALLOWED_TRANSITIONS[EventStatus(event.status)],
        "join_url": absolute(request, "events:join_short", code=event.code),
        "material_form": MaterialForm(),
    })


@require_POST
@organiser_required
def event_status(request, pk):
    event = get_managed_event(request, pk)
    try:
        event_services.set_event_status(event, request.POST.get("status", ""), user=request.user)
        messages.success(request, _("Status: {status}.").format(status=event.get_status_display()))
    except (event_services.EventError, ValueError) as exc:
        messages.error(request, str(exc) if isinstance(exc, event_services.EventError) else _("Unknown status."))
    return redirect("events:manage", pk=event.pk)


@require_http_methods(["GET", "POST"])
@organiser_required
def speaker_edit(request, pk, speaker_pk=None):
    event = get_managed_event(request, pk)
    speaker = get_object_or_404(Speaker, pk=speaker_pk, event=event) if speaker_pk else Speaker(event=event)
    form = SpeakerForm(request.POST or None, instance=speaker)
    if request.method == "POST" and form.is_valid():
        event_services.save_speaker(form.instance, user=request.user)
        messages.success(request, _("Speaker saved."))
        return redirect("events:manage", pk=event.pk)
    return render(request, "events/speaker_form.html", {"form": form, "event": event, "speaker": speaker})


@require_http_methods(["GET", "POST"])
@organiser_required
def session_edit(request, pk, session_pk=None):
    event = get_managed_event(request, pk)
    session = get_object_or_404(Session, pk=session_pk, event=event) if session_pk else None
    initial = {} if session else {"order": event.sessions.count() + 1}
    form = SessionForm(request.POST or None, instance=session, event=event, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        event_services.save_session(saved, user=request.user, speakers=form.cleaned_data["speakers"])
        messages.success(request, _("Session saved."))
        return redirect("events:manage", pk=event.pk)
    return render(request, "events/session_form.html", {"form": form, "event": event, "session": session})


@require_POST
@organiser_required
def session_delete(request, pk, session_pk):
    event = get_managed_event(request, pk)
    session = get_object_or_404(Session, pk=session_pk, event=event)
    event_services.delete_session(session, user=request.user)
    messages.success(request, _("Session deleted."))
    return redirect("events:manage", pk=event.pk)


@require_POST
@organiser_required
def material_upload(request, pk, session_pk):
    event = get_managed_event(request, pk)
    session = get_object_or_404(Session, pk=session_pk, event=event)
    form = MaterialForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            material = add_material(session, title=form.cleaned_data["title"], upload=form.cleaned_data["file"],
                                    user=request.user)
            messages.success(request, _("Material “{title}” uploaded.").format(title=material.title))
        except MaterialError as exc:
            messages.error(request, _("“{name}” was not uploaded: {reason}").format(
                name=form.cleaned_data["file"].name, reason=exc.message))
    else:
        messages.error(request, _("Choose a file to upload."))
    return redirect("{}#session-{}".format(reverse("events:manage", kwargs={"pk": event.pk}), session.pk))


@require_POST
@organiser_required
def material_delete(request, pk, material_pk):
    event = get_managed_event(request, pk)
    material = get_object_or_404(Material, pk=material_pk, session__event=event)
    delete_material(material, user=request.user)
    messages.success(request, _("Material deleted."))
    return redirect("events:manage", pk=event.pk)
