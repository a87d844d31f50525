"""Pages of the reports app: the organiser's report and certificate pages and their
downloads, the participant's own certificate, and the public verification page."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from netral.core.audit import log_action
from netral.core.errors import NetralError
from netral.core.permissions import get_managed_event, organiser_required
from netral.events.identity import current_participant
from netral.events.urlbuild import base_url
from netral.events.views.public import _visible_event

from . import selectors, services
from .codes import normalize_code
from .forms import CertificateSettingsForm, PhotoEditForm, PhotoForm, ReportTextForm, RevokeForm, SignatoryForm
from .models import Certificate, Photo, Signatory

VERIFY_RATE = "30/m"


def report_language(request) -> str:
    """``?lang=en|id``, else the user's language (Indonesian by default)."""
    lang = (request.GET.get("lang") or "").lower()
    return lang if lang in ("id", "en") else getattr(request, "LANGUAGE_CODE", "id") or "id"


def _download(content: bytes, content_type: str, filename: str, *, inline: bool = False) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = '{}; filename="{}"'.format("inline" if inline else "attachment", filename)
    response["Cache-Control"] = "private, no-store"
    return response


PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --------------------------------------------------------------------------- report


@require_http_methods(["GET", "POST"])
@organiser_required
def report_page(request, pk):
    from .documents import report_context  # noqa: PLC0415 -- slow import

    event = get_managed_event(request, pk)
    report = services.ensure_report(event)
    form = ReportTextForm(request.POST or None, initial={"conclusions": report.conclusions,
                                                         "recommendations": report.recommendations})
    if request.method == "POST":
        if form.is_valid():
            services.save_report_text(report, user=request.user, **form.cleaned_data)
            messages.success(request, _("Conclusions and recommendations saved."))
            return redirect(reverse("reports:report", kwargs={"pk": event.pk}) + "#conclusions")
    lang = report_language(request)
    with translation.override(lang):
        document = report_context(event, mode="page", report=report)
        return render(request, "reports/report_page.html", {
            **document, "form": form, "photo_form": PhotoForm(), "lang": lang, "doc_lang": lang,
        })


@require_POST
@organiser_required
def report_redraft(request, pk):
    event = get_managed_event(request, pk)
    force = request.POST.get("force") == "1"
    if services.regenerate_draft(event, force=force, user=request.user):
        messages.success(request, _("A new draft was written from the current data."))
    else:
        messages.warning(request, _("Your edited text was kept. Confirm to replace it with a new draft."))
    return redirect(reverse("reports:report", kwargs={"pk": event.pk}) + "#conclusions")


def _report_file(request, pk, fmt: str):
    from . import documents  # noqa: PLC0415 -- slow import

    event = get_managed_event(request, pk)
    report = services.ensure_report(event)
    build = documents.report_pdf if fmt == "pdf" else documents.report_docx
    with translation.override(report_language(request)):
        content = build(event, report=report)
    return _download(content, PDF if fmt == "pdf" else DOCX, documents.report_filename(event, fmt))


@require_GET
@organiser_required
def report_pdf(request, pk):
    return _report_file(request, pk, "pdf")


@require_GET
@organiser_required
def report_docx(request, pk):
    return _report_file(request, pk, "docx")


@require_GET
@organiser_required
def workbook(request, pk):
    from .papers import event_workbook  # noqa: PLC0415 -- slow import

    event = get_managed_event(request, pk)
    with translation.override(report_language(request)):
        content = event_workbook(event)
    return _download(content, XLSX, "data-{}.xlsx".format(event.code.lower()))


@require_GET
@organiser_required
def attendance_pdf(request, pk):
    from .papers import attendance_pdf as build  # noqa: PLC0415 -- slow import

    event = get_managed_event(request, pk)
    with translation.override(report_language(request)):
        content = build(event)
    log_action(event, "netral.report.attendance_printed", user=request.user)
    return _download(content, PDF, "daftar-hadir-{}.pdf".format(event.code.lower()))


@require_POST
@organiser_required
def photo_add(request, pk):
    event = get_managed_event(request, pk)
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_photo(event, upload=form.cleaned_data["image"], caption=form.cleaned_data["caption"],
                               user=request.user)
            messages.success(request, _("Photo added."))
        except NetralError as exc:  # ReportError, ImageError
            messages.error(request, exc.message)
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(reverse("reports:report", kwargs={"pk": event.pk}) + "#documentation")


@require_GET
@organiser_required
def photo_file(request, pk, photo_pk):
    event = get_managed_event(request, pk)
    photo = get_object_or_404(Photo, pk=photo_pk, event=event)
    response = FileResponse(photo.image.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_POST
@organiser_required
def photo_edit(request, pk, photo_pk):
    event = get_managed_event(request, pk)
    photo = get_object_or_404(Photo, pk=photo_pk, event=event)
    form = PhotoEditForm(request.POST)
    if form.is_valid():
        services.update_photo(photo, caption=form.cleaned_data["caption"], order=form.cleaned_data["order"],
                              user=request.user)
        messages.success(request, _("Photo saved."))
    else:
        messages.error(request, _("Write a caption for the photo."))
    return redirect(reverse("reports:report", kwargs={"pk": event.pk}) + "#documentation")


@require_POST
@organiser_required
def photo_delete(request, pk, photo_pk):
    event = get_managed_event(request, pk)
    photo = get_object_or_404(Photo, pk=photo_pk, event=event)
    services.delete_photo(photo, user=request.user)
    messages.success(request, _("Photo deleted."))
    return redirect(reverse("reports:report", kwargs={"pk": event.pk}) + "#documentation")


# --------------------------------------------------------------------------- certificates (organiser)


@require_http_methods(["GET", "POST"])
@organiser_required
def certificates_page(request, pk):
    event = get_managed_event(request, pk)
    rules = selectors.certificate_settings(event)
    form = CertificateSettingsForm(request.POST or None, request.FILES or None, instance=rules)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_certificate_settings(form.save(commit=False), user=request.user,
                                               logo=form.cleaned_data.get("logo_upload"),
                                               remove_logo=form.cleaned_data.get("remove_logo"))
            messages.success(request, _("Certificate settings saved."))
            return redirect("reports:certificates", pk=event.pk)
        except NetralError as exc:  # ReportError, ImageError
            field = "logo_upload" if exc.field == "logo" else exc.field
            form.add_error(field if field in form.fields else None, exc.message)
    from .papers import certificate_rows  # noqa: PLC0415 -- slow import

    return render(request, "reports/certificates.html", {
        "event": event, "form": form, "rules": rules,
        "signatories": selectors.signatories(event), "signatory_form": SignatoryForm(),
        "eligible": selectors.eligible_participants(event, rules).count(),
        "certificates": certificate_rows(event), "counts": selectors.certificate_counts(event),
        "revoke_form": RevokeForm(),
    })


@require_POST
@organiser_required
def certificates_issue(request, pk):
    event = get_managed_event(request, pk)
    try:
        created = services.issue_certificates(event, user=request.user)
    except services.ReportError as exc:
        messages.error(request, exc.message)
        return redirect("reports:certificates", pk=event.pk)
    if created:
        messages.success(request, _("{n} certificates issued.").format(n=len(created)))
    else:
        messages.info(request, _("Everyone eligible already has a certificate."))
    return redirect("reports:certificates", pk=event.pk)


@require_POST
@organiser_required
def signatory_save(request, pk, signatory_pk=None):
    event = get_managed_event(request, pk)
    instance = get_object_or_404(Signatory, pk=signatory_pk, event=event) if signatory_pk else Signatory(event=event)
    form = SignatoryForm(request.POST, request.FILES, instance=instance)
    if form.is_valid():
        try:
            services.save_signatory(form.save(commit=False), user=request.user,
                                    signature=form.cleaned_data.get("signature_upload"))
            messages.success(request, _("Signatory saved."))
        except NetralError as exc:  # ReportError, ImageError
            messages.error(request, exc.message)
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(reverse("reports:certificates", kwargs={"pk": event.pk}) + "#signatories")


@require_POST
@organiser_required
def signatory_delete(request, pk, signatory_pk):
    event = get_managed_event(request, pk)
    signatory = get_object_or_404(Signatory, pk=signatory_pk, event=event)
    services.delete_signatory(signatory, user=request.user)
    messages.success(request, _("Signatory removed."))
    return redirect(reverse("reports:certificates", kwargs={"pk": event.pk}) + "#signatories")


@require_GET
@organiser_required
def logo_file(request, pk):
    event = get_managed_event(request, pk)
    rules = selectors.certificate_settings(event)
    if not rules.logo:
        raise Http404
    response = FileResponse(rules.logo.open("rb"), content_type="image/png")
    response["Cache-Control"] = "private, no-cache"
    return response


def _renderer(request, event):
    from .certificates import CertificateRenderer  # noqa: PLC0415 -- slow import

    return CertificateRenderer(event, base_url=base_url(request))


@require_GET
@organiser_required
def certificate_pdf(request, pk, cert_pk):
    event = get_managed_event(request, pk)
    certificate = get_object_or_404(Certificate, pk=cert_pk, event=event)
    content = _renderer(request, event).pdf(certificate)
    return _download(content, PDF, certificate.filename, inline=True)


@require_GET
@organiser_required
def certificates_zip(request, pk):
    """Every valid certificate in one ZIP, streamed: one PDF is rendered, written to the
    response and dropped before the next."""
    from .certificates import certificate_files, stream_zip  # noqa: PLC0415 -- slow import

    event = get_managed_event(request, pk)
    renderer = _renderer(request, event)
    certificates = selectors.certificates_for_event(event).filter(revoked_at__isnull=True)
    log_action(event, "netral.certificate.zip_downloaded", user=request.user)
    language = translation.get_language()

    def body():
        with translation.override(language):
            yield from stream_zip(certificate_files(renderer, certificates))

    response = StreamingHttpResponse(body(), content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="sertifikat-{}.zip"'.format(event.code.lower())
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@organiser_required
def certificates_list_pdf(request, pk):
    from .papers import certificate_list_pdf  # noqa: PLC0415 -- slow import

    event = get_managed_event(request, pk)
    return _download(certificate_list_pdf(event), PDF, "daftar-sertifikat-{}.pdf".format(event.code.lower()))


@require_POST
@organiser_required
def certificate_revoke(request, pk, cert_pk):
    event = get_managed_event(request, pk)
    certificate = get_object_or_404(Certificate, pk=cert_pk, event=event)
    form = RevokeForm(request.POST)
    try:
        services.revoke_certificate(certificate, reason=request.POST.get("reason", "") if form.is_valid() else "",
                                    user=request.user)
        messages.success(request, _("Certificate {number} revoked.").format(number=certificate.number))
    except services.ReportError as exc:
        messages.error(request, exc.message)
    return redirect(reverse("reports:certificates", kwargs={"pk": event.pk}) + "#list")


@require_POST
@organiser_required
def certificate_reissue(request, pk, cert_pk):
    event = get_managed_event(request, pk)
    certificate = get_object_or_404(Certificate, pk=cert_pk, event=event)
    try:
        new = services.reissue_certificate(certificate, user=request.user)
        messages.success(request, _("New certificate {number} issued.").format(number=new.number))
    except services.ReportError as exc:
        messages.error(request, exc.message)
    return redirect(reverse("reports:certificates", kwargs={"pk": event.pk}) + "#list")


# --------------------------------------------------------------------------- participant and public


@require_GET
def my_certificate(request, code):
    """The participant's own certificate, on their phone (signed participant cookie)."""
    event = _visible_event(request, code)
    participant = current_participant(request, event)
    if participant is None:
        return redirect("{}?next={}".format(reverse("events:join", kwargs={"code": event.code}),
                                            reverse("reports:my_certificate", kwargs={"code": event.code})))
    certificate = selectors.certificate_for_participant(participant)
    verify_url = (base_url(request) + reverse("reports:verify", kwargs={"code": certificate.code})
                  if certificate else "")
    return render(request, "reports/my_certificate.html", {
        "event": event, "participant": participant, "certificate": certificate, "verify_url": verify_url})


@require_GET
def my_certificate_pdf(request, code):
    event = _visible_event(request, code)
    participant = current_participant(request, event)
    certificate = selectors.certificate_for_participant(participant) if participant else None
    if certificate is None:
        return redirect("reports:my_certificate", code=event.code)
    content = _renderer(request, event).pdf(certificate)
    return _download(content, PDF, certificate.filename)


def _verify_limited(request) -> bool:
    from django_ratelimit import ALL  # noqa: PLC0415 -- leaf
    from django_ratelimit.core import is_ratelimited  # noqa: PLC0415 -- leaf

    return is_ratelimited(request, group="reports.verify", key="ip", rate=VERIFY_RATE, method=ALL, increment=True)


@require_GET
def verify(request, code=None):
    """Public check of a certificate: ``/verify/<code>`` (any case, dashes or spaces), or a
    form to type the code. Shows name, event, date, role and status only."""
    if code is None:
        typed = (request.GET.get("code") or "").strip()
        if typed:
            canonical = normalize_code(typed)
            return redirect("reports:verify", code=canonical or slugify(typed)[:40] or "x")
        return render(request, "reports/verify.html", {"state": "form"})
    if _verify_limited(request):
        from netral.core.views import ratelimited  # noqa: PLC0415 -- leaf

        return ratelimited(request)
    canonical = normalize_code(code)
    certificate = selectors.certificate_by_code(canonical) if canonical else None
    if certificate is None:
        return render(request, "reports/verify.html", {"state": "unknown", "typed": code[:40]}, status=404)
    if canonical != code:
        return redirect("reports:verify", code=canonical)
    from .certificates import role_label  # noqa: PLC0415 -- leaf

    response = render(request, "reports/verify.html", {
        "state": "valid" if certificate.is_valid else "revoked", "certificate": certificate,
        "event": certificate.event, "role": role_label(certificate.role)})
    response["X-Robots-Tag"] = "noindex"
    return response
