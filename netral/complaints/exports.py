"""Case and dashboard exports: the forwarding letter (PDF, WeasyPrint), the structured case
file for the competent channel (JSON, XLSX) and the dashboard workbook.

None of them contains the reporter's identity: the letter says it is kept by the task force
and given only on an official request (it is encrypted at rest and every viewing is logged).
"""

import json

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from netral.events.exports import _workbook

from . import regions
from .enums import Channel, ComplaintState

EXPORT_SCHEMA = "netral.complaint/1"


def case_data(complaint) -> dict:
    """The structured case, as sent to the competent channel."""
    behaviour = complaint.category
    return {
        "schema": EXPORT_SCHEMA,
        "number": complaint.number,
        "received_at": timezone.localtime(complaint.created_at).isoformat(),
        "status": complaint.state,
        "subject": {"name": complaint.subject_name, "agency": complaint.subject_agency,
                    "position": complaint.subject_position, "nip": complaint.subject_nip},
        "category": {"code": behaviour.code, "title": behaviour.title,
                     "legal_basis": behaviour.legal_basis_text},
        "description": complaint.description,
        "occurred_on": complaint.occurred_on.isoformat(),
        "region": {"code": complaint.region_code, "path": regions.path(complaint.region_code),
                   "levels": [{"code": c, "name": regions.name(c)} for c in regions.ancestors(complaint.region_code)]},
        "links": complaint.links,
        "evidence": [{"name": e.original_name, "type": e.content_type, "size": e.size, "sha256": e.sha256,
                      "metadata_removed": e.metadata_removed}
                     for e in complaint.evidence.all()],
        "reporter": {"anonymous": complaint.anonymous,
                     "note": _("The reporter's identity is kept by the task force and given only on an official "
                               "request.") if not complaint.anonymous else _("Anonymous report.")},
        "forwarding": {"channel": complaint.channel, "channel_label": Channel(complaint.channel).label
                       if complaint.channel else "", "recipient": complaint.recipient,
                       "forwarded_at": timezone.localtime(complaint.forwarded_at).isoformat()
                       if complaint.forwarded_at else None,
                       "external_reference": complaint.external_reference},
        "history": [{"at": timezone.localtime(e.created_at).isoformat(), "kind": e.kind, "from": e.from_state,
                     "to": e.to_state} for e in complaint.events.filter(kind__in=("created", "transition"))],
    }


def case_json(complaint) -> bytes:
    data = case_data(complaint)
    for key in ("channel_label",):
        data["forwarding"][key] = str(data["forwarding"][key])
    return json.dumps(data, ensure_ascii=False, indent=2, default=str).encode("utf-8")


def case_xlsx(complaint) -> bytes:
    data = case_data(complaint)
    rows = [
        [_("Case number"), data["number"]],
        [_("Received"), data["received_at"]],
        [_("Status"), str(ComplaintState(complaint.state).label)],
        [_("Name of the reported person"), data["subject"]["name"]],
        [_("Agency"), data["subject"]["agency"]],
        [_("Position"), data["subject"]["position"]],
        ["NIP / NI PPPK", data["subject"]["nip"]],
        [_("Category"), "{} · {}".format(data["category"]["code"], data["category"]["title"])],
        [_("Legal basis"), data["category"]["legal_basis"]],
        [_("What happened"), data["description"]],
        [_("Date of the event"), data["occurred_on"]],
        [_("Place"), "{} ({})".format(data["region"]["path"], data["region"]["code"])],
        [_("Links"), "\n".join(data["links"])],
        [_("Evidence"), "\n".join("{} ({}, SHA-256 {})".format(e["name"], e["type"], e["sha256"])
                                  for e in data["evidence"])],
        [_("Reporter"), data["reporter"]["note"]],
        [_("Forwarded to"), str(data["forwarding"]["channel_label"])],
        [_("Recipient"), data["forwarding"]["recipient"]],
        [_("External reference number"), data["forwarding"]["external_reference"]],
    ]
    return _workbook(_("Case"), [_("Field"), _("Value")], rows, subtitle=data["number"])


def letter_pdf(complaint, *, request=None, signer=None) -> bytes:
    """The forwarding letter (surat penerusan) in Indonesian, whatever the UI language."""
    from weasyprint import HTML  # noqa: PLC0415 -- slow import

    with translation.override("id"):
        html = render_to_string("complaints/letter.html", {
            "c": complaint, "data": case_data(complaint), "today": timezone.localdate(), "signer": signer,
            "channel_label": Channel(complaint.channel).label if complaint.channel else "",
        })
    return HTML(string=html, base_url=request.build_absolute_uri("/") if request else None).write_pdf()


def dashboard_xlsx(data: dict, *, with_cases=None) -> bytes:
    """The dashboard as a workbook: one sheet of figures, plus a case list for verifiers.

    Text cells are written as text (never formulas), like every Netral export."""
    from io import BytesIO  # noqa: PLC0415 -- leaf

    from openpyxl import load_workbook  # noqa: PLC0415 -- slow import

    rows = [[_("Reports"), data["total"]], [_("Open"), data["open"]], [_("Overdue"), data["overdue"]],
            [_("Median days to close"), data["median_days"] if data["median_days"] is not None else ""], []]
    rows += [[_("Status"), ""]] + [[str(s["label"]), s["n"]] for s in data["by_state"]] + [[]]
    rows += [[_("Category"), ""]] + [["{} · {}".format(c["code"], c["title"]), c["n"]] for c in data["by_category"]]
    rows += [[]] + [[_("Agency"), ""]] + [[a["label"], a["n"]] for a in data["by_agency"]]
    rows += [[]] + [[_("Regency / city"), ""]] + [["{} ({})".format(r["label"], r["code"]), r["n"]]
                                                  for r in data["by_regency"]]
    rows += [[]] + [[_("Month"), ""]] + [[r["month"], r["n"]]
                                         for r in data["by_month"]]
    book = _workbook(_("Complaints dashboard"), [_("Figure"), _("Count")], rows,
                     subtitle=timezone.localtime().strftime("%Y-%m-%d %H.%M"))
    if with_cases is None:
        return book
    wb = load_workbook(BytesIO(book))
    ws = wb.create_sheet(_("Cases"))
    headers = [_("Case number"), _("Received"), _("Status"), _("Category"), _("Name of the reported person"),
               _("Agency"), _("Regency / city"), _("Date of the event"), _("Deadline"), _("Verifier")]
    ws.append(headers)
    for c in with_cases.iterator(chunk_size=2000):
        ws.append([c.number, timezone.localtime(c.created_at).strftime("%Y-%m-%d %H.%M"),
                   str(ComplaintState(c.state).label), c.category_id, c.subject_name, c.subject_agency,
                   regions.regency_label(c.regency_code), c.occurred_on.isoformat(),
                   timezone.localtime(c.deadline_at).strftime("%Y-%m-%d") if c.deadline_at else "",
                   c.assigned_to.get_username() if c.assigned_to_id else ""])
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()
