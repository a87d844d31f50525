"""Public pages of the knowledge base, the self-check, and the editors' screens."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.decorators import ratelimit

from netral.accounts.models import Role
from netral.core.permissions import has_role, role_required

from .enums import Topic, Verdict
from .forms import BehaviourForm, SelfCheckForm, SynonymForm
from .models import FAQ, Article, Behaviour, Page, Regulation, Sanction, Synonym
from .selectors import GUIDED_QUESTIONS, self_check
from .services import save_content

editor_required = role_required(Role.ORGANISER, Role.EDITOR)


def _answers(params) -> dict:
    parsed = {}
    for question in GUIDED_QUESTIONS:
        value = params.get(question)
        if value in ("ya", "tidak"):
            parsed[question] = value == "ya"
    return parsed


GUIDED_LABELS = {
    "candidate": gettext_lazy("Is a candidate, prospective candidate or political party involved?"),
    "campaign": gettext_lazy("Does it happen during a campaign or a campaign activity?"),
    "public": gettext_lazy("Is it public: in a crowd, on social media or where others can see it?"),
    "office": gettext_lazy("Does it use your office, position, authority or state facilities?"),
}


@require_GET
@ratelimit(key="ip", rate="60/m", block=True)
def check(request):
    form = SelfCheckForm(request.GET or None)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    answers = _answers(request.GET)
    outcome, results = (self_check(query, answers=answers) if query else (None, []))
    return render(request, "knowledge/check.html", {
        "form": form, "query": query, "outcome": outcome, "results": results, "answers": answers,
        "questions": [(key, GUIDED_LABELS[key], answers.get(key)) for key in GUIDED_QUESTIONS],
    })


@require_GET
def catalogue(request):
    behaviours = Behaviour.objects.prefetch_related("sanctions").order_by("code")
    topics = [(value, label, [b for b in behaviours if b.topic == value]) for value, label in Topic.choices]
    return render(request, "knowledge/catalogue.html", {
        "topics": [t for t in topics if t[2]], "verdicts": Verdict, "form": SelfCheckForm(),
        "faq": FAQ.objects.all()[:5], "pages": Page.objects.all()})


@require_GET
def behaviour_detail(request, code):
    behaviour = get_object_or_404(Behaviour.objects.prefetch_related("sanctions"), code=code.upper())
    codes = [basis.get("regulation") for basis in behaviour.legal_basis if basis.get("regulation")]
    return render(request, "knowledge/behaviour.html", {
        "b": behaviour, "regulations": {r.code: r for r in Regulation.objects.filter(code__in=codes)},
        "faq": [f for f in FAQ.objects.all() if behaviour.code in f.codes],
        "can_edit": has_role(request.user, Role.ORGANISER, Role.EDITOR)})


@require_GET
def summary_pdf(request):
    """A one-page A4 summary of the catalogue for the hall (printed or projected)."""
    from django.http import HttpResponse  # noqa: PLC0415 -- thin view
    from django.template.loader import render_to_string  # noqa: PLC0415 -- thin view
    from weasyprint import HTML  # noqa: PLC0415 -- slow import

    behaviours = list(Behaviour.objects.prefetch_related("sanctions").order_by("code"))
    groups = [(label, [b for b in behaviours if b.verdict == value]) for value, label in Verdict.choices]
    html = render_to_string("knowledge/summary_print.html", {"groups": groups}, request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="ringkasan-netralitas-asn.pdf"'
    return response


@require_GET
def regulation_list(request):
    return render(request, "knowledge/regulations.html",
                  {"regulations": Regulation.objects.prefetch_related("articles")})


@require_GET
def regulation_detail(request, code):
    regulation = get_object_or_404(Regulation, code=code.upper())
    related = [b for b in Behaviour.objects.order_by("code")
               if any(basis.get("regulation") == regulation.code for basis in b.legal_basis)]
    return render(request, "knowledge/regulation.html",
                  {"r": regulation, "articles": regulation.articles.all(), "related": related})


@require_GET
def sanction_list(request):
    return render(request, "knowledge/sanctions.html", {
        "sanctions": Sanction.objects.prefetch_related("behaviours"),
        "page": Page.objects.filter(slug="tentang-sanksi").first()})


@require_GET
def page_detail(request, slug):
    return render(request, "knowledge/page.html", {"page": get_object_or_404(Page, slug=slug)})


@require_GET
def faq_list(request):
    return render(request, "knowledge/faq.html", {"faq": FAQ.objects.all()})


@require_http_methods(["GET", "POST"])
@editor_required
def behaviour_edit(request, code):
    behaviour = get_object_or_404(Behaviour, code=code.upper())
    form = BehaviourForm(request.POST or None, instance=behaviour)
    if request.method == "POST" and form.is_valid():
        obj = form.save(commit=False)
        save_content(obj, user=request.user, comment=form.cleaned_data.get("comment", ""))
        form.save_m2m()
        messages.success(request, _("Saved. The previous version is kept in the history."))
        return redirect(behaviour.get_absolute_url())
    return render(request, "knowledge/behaviour_edit.html", {"form": form, "b": behaviour})


@require_GET
@editor_required
def behaviour_history(request, code):
    from reversion.models import Version  # noqa: PLC0415 -- leaf

    behaviour = get_object_or_404(Behaviour, code=code.upper())
    versions = Version.objects.get_for_object(behaviour).select_related("revision__user")
    return render(request, "knowledge/behaviour_history.html", {"b": behaviour, "versions": versions})


@require_http_methods(["GET", "POST"])
@editor_required
def synonyms(request):
    form = SynonymForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        existing = Synonym.objects.filter(term=form.cleaned_data["term"]).first()
        obj = existing or form.save(commit=False)
        obj.expansion = form.cleaned_data["expansion"]
        save_content(obj, user=request.user, comment="synonym")
        messages.success(request, _("“{term}” now also searches for “{expansion}”.").format(
            term=obj.term, expansion=obj.expansion))
        return redirect("knowledge:synonyms")
    return render(request, "knowledge/synonyms.html", {"form": form, "synonyms": Synonym.objects.all()})


# Editable content other than behaviours: model, fields, where to go after saving.
EDITABLE = {
    "page": (Page, ["title", "title_en", "body", "body_en"], lambda o: o.get_absolute_url()),
    "faq": (FAQ, ["question", "answer", "answer_en", "codes"], lambda o: reverse("knowledge:faq") + f"#faq-{o.pk}"),
    "regulation": (Regulation, ["short", "title", "summary", "summary_en", "status", "status_note"],
                   lambda o: o.get_absolute_url()),
    "article": (Article, ["ref", "text", "text_en", "verified", "note"], lambda o: o.regulation.get_absolute_url()),
    "sanction": (Sanction, ["name", "name_en", "summary", "summary_en", "legal_basis_text"],
                 lambda o: reverse("knowledge:sanctions") + f"#sanksi-{o.code}"),
}


@require_http_methods(["GET", "POST"])
@editor_required
def content_edit(request, kind, pk):
    from .forms import content_form  # noqa: PLC0415 -- leaf

    if kind not in EDITABLE:
        raise Http404
    model, fields, target = EDITABLE[kind]
    obj = get_object_or_404(model, pk=pk)
    form = content_form(model, fields)(request.POST or None, instance=obj)
    if request.method == "POST" and form.is_valid():
        save_content(form.save(commit=False), user=request.user, comment=form.cleaned_data.get("comment", ""))
        messages.success(request, _("Saved. The previous version is kept in the history."))
        return redirect(target(obj))
    return render(request, "knowledge/content_edit.html", {"form": form, "obj": obj, "kind": kind,
                                                           "back": target(obj)})


@require_GET
@editor_required
def content_history(request, kind, pk):
    from reversion.models import Version  # noqa: PLC0415 -- leaf

    if kind not in EDITABLE:
        raise Http404
    model, fields, target = EDITABLE[kind]
    obj = get_object_or_404(model, pk=pk)
    versions = Version.objects.get_for_object(obj).select_related("revision__user")
    return render(request, "knowledge/content_history.html",
                  {"obj": obj, "versions": versions, "fields": fields, "back": target(obj)})
