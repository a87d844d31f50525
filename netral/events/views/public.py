"""Pages for the public and for participants on their phones."""

from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from netral.accounts import nip as nip_parser

from .. import selectors
from ..enums import CheckinMethod, ParticipantKind, ParticipantSource
from ..identity import (
    check_checkin_grant,
    current_participant,
    forget_participant,
    make_checkin_grant,
    remember_participant,
)
from ..forms import JoinForm
from ..models import Event, Material
from ..services.checkin import check_in, verify_checkin_token
from ..services.participants import clean_identity, register_participant
from ..urlbuild import absolute


def _visible_event(request, code: str) -> Event:
    event = get_object_or_404(Event, code=code.upper())
    if not event.is_public and not selectors.can_manage_event(request.user, event):
        raise Http404
    return event


def participant_or_redirect(request, event):
    """(participant, None) for a phone that joined the event, else (None, a redirect to the
    join page that comes back here afterwards)."""
    participant = current_participant(request, event)
    if participant is None:
        return None, redirect("{}?next={}".format(reverse("events:join", kwargs={"code": event.code}),
                                                  request.get_full_path()))
    return participant, None


@require_GET
def event_page(request, code):
    event = _visible_event(request, code)
    return render(request, "events/event_public.html", {
        "event": event,
        "sessions": selectors.sessions_with_programme(event),
        "participant": current_participant(request, event),
        "join_url": absolute(request, "events:join_short", code=event.code),
    })


@require_GET
def event_ics(request, code):
    from ..exports import event_to_ics  # noqa: PLC0415 -- slow import

    event = _visible_event(request, code)
    response = HttpResponse(event_to_ics(event, url=absolute(request, "events:public", code=event.code)),
                            content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="netral-{event.code}.ics"'
    return response


@require_GET
def material_download(request, code, pk):
    event = _visible_event(request, code)
    material = get_object_or_404(Material, pk=pk, session__event=event)
    response = FileResponse(material.file.open("rb"), as_attachment=True, filename=material.download_name,
                            content_type=material.content_type)
    response["Cache-Control"] = "public, max-age=3600"
    return response


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate="30/m", method="POST", block=True)
def join(request, code):
    """Identify once: NIP / NI PPPK, or name + institution. Remembered on this phone."""
    event = _visible_event(request, code)
    me_url = reverse("events:me", kwargs={"code": event.code})
    participant = current_participant(request, event)
    if participant and request.method == "GET":
        return redirect(_safe_next(request, me_url))
    form = JoinForm(request.POST or None)
    need_details = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        participant, error, need_details = _identify(event, data)
        if participant:
            response = redirect(_safe_next(request, me_url))
            remember_participant(response, participant)
            return response
        if error:
            form.add_error(error[0], error[1])
    return render(request, "events/join.html", {
        "event": event, "form": form, "need_details": need_details,
        "next": _safe_next(request, ""),
    })


def _identify(event, data):
    """Return (participant, (field, error) or None, need_details)."""
    raw_nip = (data.get("nip") or "").strip()
    if raw_nip:
        try:
            parsed = nip_parser.parse_any(raw_nip)
        except nip_parser.NIPError as exc:
            return None, ("nip", exc.message), False
        existing = event.participants.filter(nip=parsed.nip).first()
        if existing:
            return existing, None, False
        if not event.allow_self_registration:
            return None, ("nip", _("This NIP is not on the participant list of this event. Ask the organiser.")), False
        if not (data.get("name") and data.get("agency")):
            return None, None, True
        kind = parsed.kind
    else:
        name = (data.get("name") or "").strip()
        if not name:
            return None, ("nip", _("Enter your NIP, or your name and institution.")), False
        matches = event.participants.filter(name__iexact=name)
        if data.get("agency"):
            matches = matches.filter(agency__iexact=data["agency"].strip())
        found = list(matches[:2])
        if len(found) == 1:
            return found[0], None, False
        if len(found) > 1:
            return None, ("name", _("Several participants have this name. Enter your NIP or institution.")), True
        if not event.allow_self_registration:
            return None, ("name", _("This name is not on the participant list of this event. Ask the organiser.")), False
        if not data.get("agency"):
            return None, None, True
        kind = ParticipantKind.OTHER
    try:
        identity = clean_identity({**data, "kind": kind})
    except ValidationError as exc:
        field, messages_ = next(iter(exc.message_dict.items()))
        return None, (field if field in ("nip", "name", "agency", "unit", "position") else None, messages_[0]), True
    participant, _created = register_participant(event, identity, source=ParticipantSource.SELF)
    return participant, None, False


@require_GET
def me(request, code):
    event = _visible_event(request, code)
    participant = current_participant(request, event)
    if not participant:
        return redirect("events:join", code=event.code)
    context = {
        "event": event, "participant": participant, "attendance": getattr(participant, "attendance", None),
        "personal_qr": absolute(request, "events:checkin_personal", token=participant.token),
    }
    # The phone polls its status while not checked in, so an organiser's scan shows at once.
    template = "events/me.html#status" if request.htmx else "events/me.html"
    return render(request, template, context)


@require_POST
def forget(request, code):
    event = _visible_event(request, code)
    response = redirect("events:join", code=event.code)
    forget_participant(response, event)
    return response


@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate="30/m", method="POST", block=True)
def self_checkin(request, code, token):
    """Landing page of the rotating check-in QR shown on the projector."""
    event = _visible_event(request, code)
    grant = request.POST.get("grant") or request.GET.get("g") or ""
    valid = verify_checkin_token(event, token) or check_checkin_grant(event, grant)
    if not valid:
        return render(request, "events/checkin_expired.html", {"event": event}, status=410)
    participant = current_participant(request, event)
    if not participant:
        here = reverse("events:self_checkin", kwargs={"code": event.code, "token": token})
        target = "{}?g={}".format(here, make_checkin_grant(event))
        return redirect("{}?next={}".format(reverse("events:join", kwargs={"code": event.code}),
                                            quote(target)))
    if request.method == "POST":
        attendance, created = check_in(participant, method=CheckinMethod.SELF_QR)
        local = timezone.localtime(attendance.checked_in_at)
        if created:
            messages.success(request, _("You are checked in at {time}. Welcome!").format(time=local.strftime("%H.%M")))
        else:
            messages.info(request, _("You were already checked in at {time}.").format(time=local.strftime("%H.%M")))
        return redirect("events:me", code=event.code)
    return render(request, "events/checkin_confirm.html", {
        "event": event, "participant": participant, "token": token,
        "grant": grant or make_checkin_grant(event),
    })
