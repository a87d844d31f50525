from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from netral.events.selectors import public_events


@require_GET
def home(request):
    from django.utils import timezone  # noqa: PLC0415 -- thin view

    today = timezone.localdate()
    upcoming = public_events().filter(starts_at__date__gte=today).order_by("starts_at")[:10]
    recent = public_events().filter(starts_at__date__lt=today).order_by("-starts_at")[:10]
    return render(request, "core/home.html", {"upcoming": upcoming, "recent": recent})


def ratelimited(request, exception=None):
    """429 with a clear Indonesian message (the form's input is kept by the browser's Back)."""
    body = render_to_string(
        "core/error.html",
        {"status": 429, "title": _("Too many attempts"),
         "message": _("Too many attempts from this device. Wait a minute and try again.")},
        request=request,
    )
    if request.path.startswith("/api/"):
        from django.http import JsonResponse  # noqa: PLC0415 -- thin view

        return JsonResponse({"detail": _("Too many requests. Wait a minute and try again."), "errors": {}}, status=429)
    return HttpResponse(body, status=429)


def error_404(request, exception=None):
    return render(request, "core/error.html", {"status": 404, "title": _("Page not found"),
                  "message": _("The page does not exist or you may not see it.")}, status=404)


def error_403(request, exception=None):
    return render(request, "core/error.html", {"status": 403, "title": _("Access denied"),
                  "message": _("Your account may not open this page.")}, status=403)


def error_500(request):
    return render(request, "core/error.html", {"status": 500, "title": _("Something went wrong"),
                  "message": _("The error was recorded. Please try again.")}, status=500)


def csrf_failure(request, reason=""):
    return render(request, "core/error.html", {"status": 403, "title": _("Form expired"),
                  "message": _("The form has expired. Go back, reload the page and send it again.")}, status=403)


def join_by_code(request):
    code = (request.GET.get("code") or "").strip().upper().replace(" ", "")
    if code:
        return redirect("events:join", code=code)
    return redirect("core:home")
