"""Accountability papers: the daftar hadir (attendance list) and the list of certificates
issued, as printable PDFs (header row repeated on every page), and the event's workbook."""

from __future__ import annotations

import io
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from netral.core.templatetags.netral import longdatetime

from . import selectors
from .certificates import role_label
from .codes import format_nip, mask_nip

CSS_PATH = Path(__file__).resolve().parent / "static" / "reports" / "paper.css"


def _pdf(template: str, context: dict) -> bytes:
    from weasyprint import CSS, HTML  # noqa: PLC0415 -- slow import

    html = render_to_string(template, context)
    return HTML(string=html, base_url=str(CSS_PATH.parent)).write_pdf(stylesheets=[CSS(filename=str(CSS_PATH))])


def attendance_rows(event) -> list[dict]:
    rows = []
    for att in event.attendances.select_related("participant").order_by("checked_in_at", "id"):
        p = att.participant
        local = timezone.localtime(att.checked_in_at)
        rows.append({"name": p.name, "nip": format_nip(p.nip), "raw_nip": p.nip, "agency": p.agency, "unit": p.unit,
                     "position": p.position, "time": local.strftime("%H.%M.%S"), "method": att.get_method_display(),
                     "checked_in_at": local})
    return rows


def _signatories(event) -> list[dict]:
    return [{"name": s.name, "position": s.position, "nip": format_nip(s.nip)} for s in selectors.signatories(event)]


def attendance_pdf(event) -> bytes:
    return _pdf("reports/attendance_pdf.html", {
        "event": event, "rows": attendance_rows(event), "registered": event.participants.count(),
        "signatories": _signatories(event), "printed_at": longdatetime(timezone.now())})


def certificate_rows(event, *, masked: bool = False) -> list:
    rows = list(selectors.certificates_for_event(event))
    for c in rows:
        c.nip_text = mask_nip(c.nip) if masked else format_nip(c.nip)
        c.role_text = role_label(c.role)
    return rows


def certificate_list_pdf(event) -> bytes:
    return _pdf("reports/certificate_list_pdf.html", {
        "event": event, "rows": certificate_rows(event), "counts": selectors.certificate_counts(event),
        "signatories": _signatories(event), "printed_at": longdatetime(timezone.now())})


def event_workbook(event) -> bytes:
    """One XLSX with every table behind the report: participants and attendance, the
    discussion, the evaluation (scores, learning gain, item statistics, topics, survey) and
    the certificates. Text cells are text, never formulas."""
    from openpyxl import Workbook  # noqa: PLC0415 -- slow import

    from netral.evaluation.exports import add_evaluation_sheets, add_sheet  # noqa: PLC0415 -- slow import

    wb = Workbook()
    wb.remove(wb.active)
    data = selectors.report_data(event)
    att = data["attendance"]
    people = event.participants.select_related("attendance").order_by("name", "id")
    rows = []
    for n, p in enumerate(people, start=1):
        a = getattr(p, "attendance", None)
        local = timezone.localtime(a.checked_in_at) if a else None
        rows.append([n, p.name, p.get_kind_display(), p.nip, p.agency, p.unit, p.position, p.rank,
                     _("Yes") if a else _("No"), local.strftime("%Y-%m-%d %H:%M:%S") if local else "",
                     a.get_method_display() if a else ""])
    add_sheet(wb, _("Participants"), [_("No."), _("Name"), _("Type"), _("NIP / NI PPPK"), _("Agency"),
                                      _("Work unit"), _("Position"), _("Rank / grade"), _("Present"),
                                      _("Check-in time"), _("Method")], rows)
    add_sheet(wb, _("Attendance by agency"), [_("Agency"), _("Work unit"), _("Registered"), _("Present")],
              [[r["agency"], r["unit"], r["registered"], r["present"]] for r in att["by_unit"]])
    disc = data["discussion"]
    q_rows = []
    for block in disc["sessions"]:
        for q in block["items"]:
            q_rows.append([block["session"].order, block["session"].title, q.text, q.votes,
                           _("Yes") if q.answered else _("No"), q.answer_summary,
                           timezone.localtime(q.created_at).strftime("%Y-%m-%d %H:%M")])
    add_sheet(wb, _("Questions"), [_("Session"), _("Talk"), _("Question"), _("Votes"), _("Answered"), _("Answer"),
                                   _("Asked at")], q_rows)
    add_sheet(wb, _("Frequent words"), [_("Word"), _("Count")], [[w, n] for w, n in disc["words"]])
    add_evaluation_sheets(wb, data["evaluation"]["result"])
    add_sheet(wb, _("Certificates"), [_("Certificate number"), _("Name"), _("NIP / NI PPPK"), _("Agency"), _("Role"),
                                      _("Verification code"), _("Issued at"), _("Status"), _("Reason for revocation")],
              [[c.number, c.name, c.nip, c.agency, c.role_text, c.display_code,
                timezone.localtime(c.issued_at).strftime("%Y-%m-%d %H:%M"),
                _("Revoked") if c.revoked_at else _("Valid"), c.revoked_reason] for c in certificate_rows(event)])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
