"""Pages of the evaluation: the test on a participant's phone (works without JavaScript;
with it, every answer is saved as it is given and kept on the phone while offline), the
organiser's evaluation page with its statistics and charts, test settings and exports."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from netral.core.permissions import get_managed_event, organiser_required
from netral.events.views.public import _visible_event, participant_or_redirect

from . import selectors, services
from .api import attempt_out, feedback_for
from .models import Attempt, ItemType, Test

KIND_SLUGS = {"pra": Test.Kind.PRE, "pasca": Test.Kind.POST, "survei": Test.Kind.SURVEY}
SLUG_OF = {v: k for k, v in KIND_SLUGS.items()}


def _kind(slug: str) -> str:
    if slug not in KIND_SLUGS:
        raise Http404
    return KIND_SLUGS[slug]




# --------------------------------------------------------------------------------------
# Participant
# --------------------------------------------------------------------------------------

@require_GET
def my_tests(request, code):
    event = _visible_event(request, code)
    participant, response = participant_or_redirect(request, event)
    if response:
        return response
    attempts = {a.test_id: a for a in Attempt.objects.filter(participant=participant)}
    rows = []
    for test in Test.objects.filter(event=event).order_by("kind"):
        rows.append({"test": test, "slug": SLUG_OF[test.kind], "attempt": attempts.get(test.pk),
                     "state": services.test_state(test)})
    rows.sort(key=lambda r: ["pre", "post", "survey"].index(r["test"].kind))
    return render(request, "evaluation/my_tests.html", {"event": event, "participant": participant, "rows": rows})


def _items_for(attempt: Attempt) -> list[dict]:
    saved = attempt_out(attempt)["answers"]
    from .api import _items_out  # noqa: PLC0415 -- shared rendering of the items

    items = _items_out(attempt.test, attempt.layout)
    for item in items:
        value = saved.get(str(item["id"]))
        item["chosen"] = set(value) if isinstance(value, list) else set()
        item["text"] = value if isinstance(value, str) else ""
        item["input"] = "checkbox" if item["type"] == ItemType.MULTIPLE else "radio"
    return items


@require_GET
def take(request, code, kind):
    event = _visible_event(request, code)
    participant, response = participant_or_redirect(request, event)
    if response:
        return response
    test = get_object_or_404(Test, event=event, kind=_kind(kind))
    services.close_expired(test)
    attempt = Attempt.objects.filter(test=test, participant=participant).select_related("test").first()
    context = {"event": event, "participant": participant, "test": test, "slug": kind,
               "state": services.test_state(test), "attempt": attempt}
    if attempt is None:
        context["n_items"] = test.test_items.count()
        return render(request, "evaluation/intro.html", context)
    if attempt.submitted:
        show = test.scored and services.feedback_visible(test)
        context.update(show=show, feedback=feedback_for(attempt) if show else None)
        return render(request, "evaluation/result.html", context)
    context.update(items=_items_for(attempt), now=timezone.now())
    return render(request, "evaluation/take.html", context)


@require_POST
def start(request, code, kind):
    event = _visible_event(request, code)
    participant, response = participant_or_redirect(request, event)
    if response:
        return response
    test = get_object_or_404(Test, event=event, kind=_kind(kind))
    try:
        services.start_attempt(test, participant)
    except services.EvaluationError as exc:
        messages.error(request, exc.message)
    return redirect("evaluation:take", code=event.code, kind=kind)


@require_POST
def submit(request, code, kind):
    """The form's own submit (no JavaScript needed): save every answer, then submit."""
    event = _visible_event(request, code)
    participant, response = participant_or_redirect(request, event)
    if response:
        return response
    test = get_object_or_404(Test, event=event, kind=_kind(kind))
    attempt = Attempt.objects.filter(test=test, participant=participant).first()
    if attempt is None:
        return redirect("evaluation:take", code=event.code, kind=kind)
    if not attempt.submitted:
        answers = {}
        for ti in test.test_items.select_related("version__item"):
            field = f"q{ti.pk}"
            if ti.version.item.type == ItemType.SHORT:
                answers[str(ti.pk)] = request.POST.get(field, "")
            else:
                answers[str(ti.pk)] = request.POST.getlist(field)
        try:
            result = services.save_answers(attempt.pk, attempt.token, answers)
        except services.EvaluationError as exc:
            if exc.code != "time_up":
                messages.error(request, exc.message)
                return redirect("evaluation:take", code=event.code, kind=kind)
        else:
            if result["errors"]:
                messages.error(request, _("Some answers could not be saved; check the marked questions."))
                return redirect("evaluation:take", code=event.code, kind=kind)
        services.submit_attempt(attempt)
    return redirect("evaluation:take", code=event.code, kind=kind)


# --------------------------------------------------------------------------------------
# Organiser
# --------------------------------------------------------------------------------------

class TestSettingsForm(forms.ModelForm):
    class Meta:
        model = Test
        fields = ["title", "instructions", "opens_at", "closes_at", "time_limit_minutes", "shuffle_items",
                  "shuffle_options", "feedback"]
        widgets = {
            "opens_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "closes_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "instructions": forms.Textarea(attrs={"rows": 3}),
        }

    def clean(self):
        data = super().clean()
        if data.get("opens_at") and data.get("closes_at") and data["closes_at"] <= data["opens_at"]:
            self.add_error("closes_at", gettext_lazy("The closing time must be after the opening time."))
        return data


def _data_uri(svg: str) -> str:
    # As an image, not inline: the SVG's own style attributes then need no CSP exception.
    import base64  # noqa: PLC0415 -- leaf

    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _charts(result: dict) -> dict:
    """Server-side charts as SVG data URIs."""
    from .figures import evaluation_charts  # noqa: PLC0415 -- matplotlib loads on first use only

    return {name: _data_uri(svg) for name, svg in evaluation_charts(result, fmt="svg").items()}


@organiser_required
@require_GET
def overview(request, pk):
    event = get_managed_event(request, pk)
    tests = selectors.tests_for(event)
    result = selectors.event_evaluation(event)
    rows = []
    for kind in (Test.Kind.PRE, Test.Kind.POST, Test.Kind.SURVEY):
        test = tests.get(kind)
        rows.append({"kind": kind, "label": Test.Kind(kind).label, "slug": SLUG_OF[kind], "test": test,
                     "summary": result["tests"].get(kind)})
    for kind, analysis in (result.get("items") or {}).items():
        if analysis:
            analysis["slug"] = SLUG_OF[kind]
    context = {"event": event, "rows": rows, "result": result, "charts": _charts(result), "now": timezone.now(),
               "phone_url": request.build_absolute_uri(reverse("evaluation:mine", kwargs={"code": event.code}))}
    return render(request, "evaluation/overview.html", context)


@organiser_required
@require_POST
def create(request, pk, kind):
    event = get_managed_event(request, pk)
    try:
        services.create_test(event, _kind(kind), user=request.user)
        messages.success(request, _("Test created from the default item bank. Check its settings."))
    except services.EvaluationError as exc:
        messages.error(request, exc.message)
    return redirect("evaluation:settings", pk=event.pk, kind=kind)


@organiser_required
@require_http_methods(["GET", "POST"])
def test_settings(request, pk, kind):
    event = get_managed_event(request, pk)
    test = get_object_or_404(Test, event=event, kind=_kind(kind))
    form = TestSettingsForm(request.POST or None, instance=test)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.changed_data}
        services.update_test(test, user=request.user, **fields)
        messages.success(request, _("Saved."))
        return redirect("evaluation:settings", pk=event.pk, kind=kind)
    items = test.test_items.select_related("version__item").order_by("order")
    return render(request, "evaluation/settings.html", {
        "event": event, "test": test, "form": form, "items": items, "slug": kind,
        "started": test.attempts.exists(),
        "phone_url": request.build_absolute_uri(reverse("evaluation:take", kwargs={"code": event.code, "kind": kind})),
    })


@organiser_required
@require_POST
def toggle_open(request, pk, kind):
    """Open now / close now: the two buttons an organiser needs in the hall."""
    event = get_managed_event(request, pk)
    test = get_object_or_404(Test, event=event, kind=_kind(kind))
    now = timezone.now()
    if request.POST.get("action") == "close":
        services.update_test(test, user=request.user, closes_at=now)
        services.close_expired(test, now=now)
        # Attempts still open when the organiser closes the test are submitted as they are.
        for attempt in test.attempts.filter(submitted_at__isnull=True):
            services.submit_attempt(attempt, now=now, by="close")
        messages.success(request, _("The test is closed."))
    else:
        services.update_test(test, user=request.user, opens_at=now,
                             closes_at=None if test.closes_at and test.closes_at <= now else test.closes_at)
        messages.success(request, _("The test is open."))
    return redirect("evaluation:overview", pk=event.pk)


@organiser_required
@require_GET
def results_export(request, pk):
    from .exports import evaluation_workbook  # noqa: PLC0415 -- leaf

    event = get_managed_event(request, pk)
    data = evaluation_workbook(event, selectors.event_evaluation(event))
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="evaluasi-{event.code}.xlsx"'
    return response


@organiser_required
@require_GET
def item_detail(request, pk, kind, test_item):
    """One question's breakdown: who chose what (the index-only count)."""
    event = get_managed_event(request, pk)
    test = get_object_or_404(Test, event=event, kind=_kind(kind))
    ti = get_object_or_404(test.test_items.select_related("version__item"), pk=test_item)
    counts = {row["choice"]: row["n"] for row in selectors.item_breakdown(ti.pk)}
    total = sum(counts.values())
    options = [{"id": o["id"], "text": o["text"], "correct": o.get("correct"), "n": counts.get(o["id"], 0),
                "share": counts.get(o["id"], 0) / total if total else 0} for o in ti.version.options]
    other = {k: v for k, v in counts.items() if k not in {o["id"] for o in ti.version.options}}
    return render(request, "evaluation/item_detail.html", {"event": event, "test": test, "ti": ti, "options": options,
                                                            "other": other, "total": total})

