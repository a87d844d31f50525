"""JSON API of the reports app: the report in three formats, the certificate list (staff)
and the public certificate check."""

from datetime import datetime

from django.http import HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError

from netral.core.permissions import has_role

router = Router(tags=["reports"])


def _staff_auth():
    from netral.api import staff_auth  # noqa: PLC0415 -- circular import

    return staff_auth


def _managed_event(request, event_id: int):
    from netral.events.models import Event  # noqa: PLC0415 -- models load after apps
    from netral.events.selectors import can_manage_event  # noqa: PLC0415 -- leaf

    if not has_role(request.user, "organiser"):
        raise HttpError(403, _("Your account may not do this."))
    event = Event.objects.filter(pk=event_id).first()
    if event is None or not can_manage_event(request.user, event):
        raise HttpError(404, _("Not found."))
    return event


@router.get("/events/{event_id}/report", auth=_staff_auth(), summary="The activity report (organisers)",
            openapi_extra={"responses": {200: {"description": "HTML, PDF or DOCX"}}})
def event_report(request, event_id: int, format: str = "html", lang: str | None = None):  # noqa: A002
    """``format``: html | pdf | docx; ``lang``: id | en (default: the user's language)."""
    from django.template.loader import render_to_string  # noqa: PLC0415 -- leaf
    from django.templatetags.static import static  # noqa: PLC0415 -- leaf

    from . import documents, services  # noqa: PLC0415 -- slow import

    event = _managed_event(request, event_id)
    if format not in ("html", "pdf", "docx"):
        raise HttpError(400, _("format must be html, pdf or docx."))
    language = lang if lang in ("id", "en") else (getattr(request, "LANGUAGE_CODE", None) or "id")
    report = services.ensure_report(event)
    with translation.override(language):
        if format == "pdf":
            body, ctype = documents.report_pdf(event, report=report), "application/pdf"
        elif format == "docx":
            body = documents.report_docx(event, report=report)
            ctype = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        else:
            context = documents.report_context(event, mode="pdf", report=report)
            body = render_to_string("reports/report_pdf.html", {**context, "stylesheet": static("reports/report.css")})
            ctype = "text/html; charset=utf-8"
    response = HttpResponse(body, content_type=ctype)
    if format != "html":
        response["Content-Disposition"] = 'attachment; filename="{}"'.format(documents.report_filename(event, format))
    response["Content-Language"] = language
    return response


class CertificateOut(Schema):
    id: int
    number: str
    code: str
    display_code: str
    role: str
    name: str
    nip: str
    agency: str
    participant_id: int | None
    speaker_id: int | None
    status: str
    issued_at: datetime
    revoked_at: datetime | None
    revoked_reason: str
    verify_url: str


def _out(request, c) -> dict:
    from django.urls import reverse  # noqa: PLC0415 -- leaf

    from netral.events.urlbuild import base_url  # noqa: PLC0415 -- leaf

    return {"id": c.pk, "number": c.number, "code": c.code, "display_code": c.display_code, "role": c.role,
            "name": c.name, "nip": c.nip, "agency": c.agency, "participant_id": c.participant_id,
            "speaker_id": c.speaker_id, "status": "valid" if c.is_valid else "revoked", "issued_at": c.issued_at,
            "revoked_at": c.revoked_at, "revoked_reason": c.revoked_reason,
            "verify_url": base_url(request) + reverse("reports:verify", kwargs={"code": c.code})}


@router.get("/events/{event_id}/certificates", response=list[CertificateOut], auth=_staff_auth(),
            summary="Certificates of an event (organisers)")
def event_certificates(request, event_id: int):
    from .selectors import certificates_for_event  # noqa: PLC0415 -- leaf

    event = _managed_event(request, event_id)
    return [_out(request, c) for c in certificates_for_event(event)]


class IssuedOut(Schema):
    issued: int
    total_valid: int


@router.post("/events/{event_id}/certificates", response=IssuedOut, auth=_staff_auth(),
             summary="Issue certificates to everyone eligible (idempotent)")
def issue_event_certificates(request, event_id: int):
    from . import selectors, services  # noqa: PLC0415 -- leaf

    event = _managed_event(request, event_id)
    created = services.issue_certificates(event, user=request.user)
    return {"issued": len(created), "total_valid": selectors.certificate_counts(event)["valid"]}


class PublicEventOut(Schema):
    title: str
    organiser: str
    date: str
    venue: str


class VerificationOut(Schema):
    code: str
    number: str
    name: str
    nip_masked: str
    role: str
    role_label: str
    event: PublicEventOut
    status: str
    issued_at: datetime
    revoked_at: datetime | None


@router.get("/certificates/{code}", response=VerificationOut, auth=None,
            summary="Check a certificate (public): name, event, date, role and status only")
def verify_certificate(request, code: str):
    """Any case, dashes and spaces are accepted. 404 for an unknown or forged code; a revoked
    certificate answers 200 with ``status: "revoked"``. Rate-limited per IP."""
    from django.utils import timezone  # noqa: PLC0415 -- leaf
    from django_ratelimit import ALL  # noqa: PLC0415 -- leaf
    from django_ratelimit.core import is_ratelimited  # noqa: PLC0415 -- leaf

    from .certificates import role_label  # noqa: PLC0415 -- leaf
    from .codes import normalize_code  # noqa: PLC0415 -- leaf
    from .selectors import certificate_by_code  # noqa: PLC0415 -- leaf
    from .views import VERIFY_RATE  # noqa: PLC0415 -- leaf

    if is_ratelimited(request, group="reports.verify", key="ip", rate=VERIFY_RATE, method=ALL, increment=True):
        raise HttpError(429, _("Too many requests. Wait a minute and try again."))
    canonical = normalize_code(code)
    certificate = certificate_by_code(canonical) if canonical else None
    if certificate is None:
        raise HttpError(404, _("Certificate not found: check the code. A certificate that cannot be found is not "
                               "genuine."))
    event = certificate.event
    return {"code": certificate.code, "number": certificate.number, "name": certificate.name,
            "nip_masked": certificate.masked_nip, "role": certificate.role, "role_label": role_label(certificate.role),
            "event": {"title": event.title, "organiser": event.organiser_name,
                      "date": timezone.localtime(event.starts_at).date().isoformat(), "venue": event.venue_name},
            "status": "valid" if certificate.is_valid else "revoked", "issued_at": certificate.issued_at,
            "revoked_at": certificate.revoked_at}
