"""Public pages (report form, tracking page, statistics, region lists) and the verifiers'
pages (case list, case file, dashboard, letter and exports). Views parse, check the role,
call a service or selector, render."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit import ALL
from django_ratelimit.core import is_ratelimited

from netral.accounts.models import Role, User
from netral.core.permissions import role_required

from . import deadlines, exports, forms, regions, selectors, services, tracking
from .enums import QUESTION_STATES, TRANSITIONS, Channel, ComplaintState
from .evidence import max_bytes
from .models import Complaint, Evidence

verifier_required = role_required(Role.VERIFIER)
dashboard_required = role_required(Role.VERIFIER, Role.ORGANISER)


def _rate(key: str, default: str) -> str:
    from django.conf import settings  # noqa: PLC0415 -- thin view

    return getattr(settings, key, default)


def _limited(request, group: str, rate: str) -> bool:
    return is_ratelimited(request, group=group, key="ip", rate=rate, method=ALL, increment=True)


# --- public ----------------------------------------------------------------------------------------

def _form_context(form, **extra):
    return {"form": form, "max_bytes": max_bytes(), "bawaslu_days": deadlines.BAWASLU_FILING_DAYS, **extra}


@never_cache
@require_http_methods(["GET", "POST"])
def report(request):
    if request.method == "GET":
        form = forms.ComplaintForm(initial={"started": forms.new_started_token(), "anonymous": "1"})
        return render(request, "complaints/report_form.html", _form_context(form))
    if "_region" in request.POST:  # no-JavaScript region picker: reload the lists, keep the entries
        initial = {k: v for k, v in request.POST.items() if k not in ("csrfmiddlewaretoken", "_region")}
        form = forms.ComplaintForm(initial=initial)
        return render(request, "complaints/report_form.html", _form_context(form, region_refreshed=True))
    if _limited(request, "complaints.report", _rate("NETRAL_COMPLAINTS_RATE", "20/10m")):
        form = forms.ComplaintForm(initial={**request.POST.dict(), "started": forms.new_started_token()})
        return render(request, "complaints/report_form.html", _form_context(form, rate_limited=True), status=429)
    form = forms.ComplaintForm(request.POST, request.FILES)
    if not form.is_valid():
        # A fresh timestamp, so "too fast" clears itself; everything typed is kept.
        data = request.POST.copy()
        data["started"] = forms.new_started_token()
        form.data = data
        return render(request, "complaints/report_form.html", _form_context(form), status=400)
    complaint = services.submit_complaint(**form.service_kwargs(), source="web")
    # No session for the reporter: the "write the code down" notice rides on the redirect.
    return redirect(reverse("complaints:track_detail", kwargs={"code": complaint.tracking_display}) + "?baru=1")


@require_GET
def track(request):
    form = forms.TrackForm(request.GET or None)
    if form.is_bound and form.is_valid():
        code = tracking.normalize(form.cleaned_data["code"])
        if code:
            return redirect("complaints:track_detail", code=tracking.display(code))
        form.add_error("code", _("A tracking code has 10 letters and digits, e.g. ABCDE-FGHJK."))
    return render(request, "complaints/track_form.html", {"form": form})


def _tracked(request, code: str) -> Complaint:
    if _limited(request, "complaints.track", _rate("NETRAL_COMPLAINTS_TRACK_RATE", "60/10m")):
        from django_ratelimit.exceptions import Ratelimited  # noqa: PLC0415 -- thin view

        raise Ratelimited
    normalized = tracking.normalize(code)
    if not normalized:
        raise Http404
    return get_object_or_404(Complaint.objects.select_related("category"), tracking_code=normalized)


def _track_context(request, complaint, answer_form=None):
    return {"c": complaint, "history": selectors.public_history(complaint),
            "question": selectors.open_question(complaint),
            "answer_form": answer_form or forms.AnswerForm(),
            "just_filed": request.GET.get("baru") == "1",
            "states": ComplaintState, "max_bytes": max_bytes()}


@never_cache
@require_GET
def track_detail(request, code):
    complaint = _tracked(request, code)
    response = render(request, "complaints/track.html", _track_context(request, complaint))
    response["X-Robots-Tag"] = "noindex"
    return response


@never_cache
@require_POST
def answer(request, code):
    complaint = _tracked(request, code)
    form = forms.AnswerForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.answer_question(complaint, text=form.cleaned_data["answer"], files=form.checked_files)
        except services.ComplaintError as exc:
            form.add_error("answer", exc.message)
        else:
            messages.success(request, _("Thank you. Your answer was sent to the verifier."))
            return redirect("complaints:track_detail", code=complaint.tracking_display)
    return render(request, "complaints/track.html", _track_context(request, complaint, form), status=400)


@require_GET
@cache_control(public=True, max_age=86400)
def region_children(request):
    """Children of a region as JSON, for the cascading picker: ``?induk=33.29`` (empty: provinces)."""
    parent = (request.GET.get("induk") or "").strip()
    if parent and not regions.is_valid(parent):
        return JsonResponse({"detail": _("Unknown region code."), "errors": {}}, status=404)
    return JsonResponse({"parent": parent, "items": [{"code": c, "name": n} for c, n in regions.children(parent)]})


@require_GET
def statistics(request):
    stats = selectors.public_statistics()
    return render(request, "complaints/statistics.html", {"s": stats, "public": True})


# --- verifiers -------------------------------------------------------------------------------------

def _filters(request):
    form = forms.FilterForm(request.GET or None)
    return form, (form.cleaned_data if form.is_bound and form.is_valid() else {})


@require_GET
@verifier_required
def case_list(request):
    form, filters = _filters(request)
    page = Paginator(selectors.case_list(filters=filters, user=request.user), 50).get_page(request.GET.get("hal"))
    query = request.GET.copy()
    query.pop("hal", None)
    return render(request, "complaints/case_list.html", {
        "filter_form": form, "page": page, "query": query.urlencode(), "now": timezone.now()})


def _case(pk) -> Complaint:
    return get_object_or_404(Complaint.objects.select_related("category", "assigned_to", "sanction"), pk=pk)


def _case_context(request, complaint, **extra):
    from netral.knowledge.models import Sanction  # noqa: PLC0415 -- leaf

    targets = [(s, ComplaintState(s).label) for s in ComplaintState.values if s in TRANSITIONS[complaint.state]]
    return {
        "c": complaint, "events": complaint.events.select_related("actor").order_by("created_at", "id"),
        "evidence": complaint.evidence.all(), "related": selectors.related_cases(complaint),
        "targets": targets, "channels": Channel.choices, "sanctions": Sanction.objects.all(),
        "verifiers": User.objects.filter(is_active=True, role=Role.VERIFIER).order_by("username"),
        "can_ask": complaint.state in QUESTION_STATES, "question": selectors.open_question(complaint),
        "bawaslu_window_end": deadlines.bawaslu_window_end(complaint.occurred_on),
        "now": timezone.now(), "rule": deadlines.rule_for(complaint.state), **extra,
    }


@require_GET
@verifier_required
def case_detail(request, pk):
    complaint = _case(pk)
    return render(request, "complaints/case_detail.html", _case_context(request, complaint))


@require_POST
@verifier_required
def case_action(request, pk):
    from netral.knowledge.models import Sanction  # noqa: PLC0415 -- leaf

    complaint = _case(pk)
    action = request.POST.get("action", "")
    post = request.POST
    try:
        if action == "transition":
            sanction = Sanction.objects.filter(pk=post.get("sanction") or 0).first()
            services.set_complaint_state(
                complaint, post.get("to", ""), user=request.user, note=post.get("note", ""),
                public_note=post.get("public_note", ""), channel=post.get("channel", ""),
                recipient=post.get("recipient", ""), reference=post.get("reference", ""), sanction=sanction,
                sanction_reference=post.get("sanction_reference", ""))
            messages.success(request, _("Status changed to “{state}”.").format(
                state=ComplaintState(post.get("to")).label))
        elif action == "assign":
            assignee = User.objects.filter(pk=post.get("assignee") or 0).first()
            services.assign_complaint(complaint, user=request.user, assignee=assignee)
            messages.success(request, _("Assignment saved."))
        elif action == "note":
            services.add_note(complaint, user=request.user, text=post.get("note", ""),
                              public=post.get("public") == "1")
            messages.success(request, _("Note saved."))
        elif action == "question":
            services.ask_reporter(complaint, user=request.user, question=post.get("question", ""))
            messages.success(request, _("Question sent: the reporter sees it on the tracking page."))
        elif action == "reference":
            services.record_reference(complaint, user=request.user, reference=post.get("reference", ""))
            messages.success(request, _("Reference number saved."))
        else:
            raise Http404
    except services.ComplaintError as exc:
        messages.error(request, exc.message)
        return render(request, "complaints/case_detail.html", _case_context(request, complaint, posted=post),
                      status=400)
    return redirect("complaints:case", pk=complaint.pk)


@never_cache
@require_POST
@verifier_required
def reporter_identity(request, pk):
    complaint = _case(pk)
    identity = services.reveal_identity(complaint, user=request.user, reason=request.POST.get("reason", ""))
    return render(request, "complaints/case_detail.html", _case_context(request, complaint, identity=identity))


@never_cache
@require_GET
@verifier_required
def evidence_file(request, pk, evidence_pk):
    evidence = get_object_or_404(Evidence.objects.select_related("complaint"), pk=evidence_pk, complaint_id=pk)
    services.record_evidence_opened(evidence, user=request.user)
    response = FileResponse(evidence.file.open("rb"), content_type=evidence.content_type, as_attachment=True,
                            filename="bukti-{}-{}.{}".format(evidence.complaint_id, evidence.pk, evidence.extension))
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response


@never_cache
@require_GET
@verifier_required
def case_export(request, pk, fmt):
    complaint = _case(pk)
    if fmt == "pdf":
        if not complaint.channel:
            raise Http404
        body, content_type, name = (exports.letter_pdf(complaint, request=request, signer=request.user),
                                    "application/pdf", "surat-penerusan")
    elif fmt == "json":
        body, content_type, name = exports.case_json(complaint), "application/json", "berkas"
    elif fmt == "xlsx":
        body, content_type, name = (exports.case_xlsx(complaint),
                                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "berkas")
    else:
        raise Http404
    services.record_export(complaint, user=request.user, kind=fmt)
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = 'attachment; filename="{}-{}.{}"'.format(name, complaint.number, fmt)
    return response


@require_GET
@dashboard_required
def dashboard(request):
    form, filters = _filters(request)
    verifier = services.can_handle(request.user)
    data = selectors.dashboard(filters=filters, user=request.user, with_subjects=verifier)
    effect = selectors.socialization_effect()
    query = request.GET.urlencode()
    return render(request, "complaints/dashboard.html", {
        "filter_form": form, "d": data, "verifier": verifier, "effect": effect, "query": query,
        "rules": deadlines.all_rules(), "bawaslu_days": deadlines.BAWASLU_FILING_DAYS,
        "max_count": max([r["n"] for r in data["by_category"]] + [1])})


@require_GET
@dashboard_required
def dashboard_xlsx(request):
    _form, filters = _filters(request)
    verifier = services.can_handle(request.user)
    data = selectors.dashboard(filters=filters, user=request.user, with_subjects=False)
    cases = selectors.case_list(filters=filters, user=request.user) if verifier else None
    response = HttpResponse(exports.dashboard_xlsx(data, with_cases=cases),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="dasbor-pengaduan.xlsx"'
    return response


def _digest(value) -> str:
    import hashlib  # noqa: PLC0415 -- leaf

    return hashlib.sha256(repr(value).encode()).hexdigest()[:32]


@require_GET
def chart(request, kind):
    """SVG charts: ``bulanan`` (public when ``?publik=1``: aggregates only) and ``sosialisasi``."""
    from django.core.cache import cache  # noqa: PLC0415 -- thin view

    from . import charts  # noqa: PLC0415 -- slow import

    public = request.GET.get("publik") == "1" and kind == "bulanan"
    if not public and not services.can_see_dashboard(request.user):
        raise PermissionDenied
    if kind == "bulanan":
        if public:
            months = selectors.public_statistics()["by_month"]
        else:
            _form, filters = _filters(request)
            months = selectors.monthly(selectors.filter_complaints(filters=filters, user=request.user))
        points = [("{}/{}".format(m["month"][5:], m["month"][:4]) if m["month"] else "", m["n"]) for m in months][-24:]
        key = "complaints:chart:m:" + _digest(points)
        svg = cache.get(key) or charts.monthly_svg(points, title=_("Reports per month"))
    elif kind == "sosialisasi":
        kind_filter = request.GET.get("per", "agency")
        rows = [r for r in selectors.socialization_effect() if r["kind"] == kind_filter]
        key = "complaints:chart:s:" + _digest([(r["label"], r["before_rate"], r["after_rate"]) for r in rows])
        svg = cache.get(key) or charts.before_after_svg(
            rows, title=_("Reports per 30 days, before and after the first socialization"),
            before_label=_("before"), after_label=_("after"))
    else:
        raise Http404
    cache.set(key, svg, 300)
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=300" if public else "private, max-age=60"
    return response

