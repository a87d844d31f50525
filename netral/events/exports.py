"""Event data out: .ics calendar, participant list and daftar hadir as XLSX."""

import io

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Event


def event_to_ics(event: Event, *, url: str) -> bytes:
    from datetime import timedelta  # noqa: PLC0415 -- leaf

    from icalendar import Calendar, Event as IcsEvent  # noqa: PLC0415 -- slow import

    cal = Calendar()
    cal.add("prodid", "-//Netral//Sosialisasi Netralitas ASN//ID")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    item = IcsEvent()
    item.add("uid", f"event-{event.pk}-{event.code}@netral")
    item.add("summary", event.title)
    starts = timezone.localtime(event.starts_at)
    item.add("dtstart", starts)
    item.add("dtend", timezone.localtime(event.ends_at) if event.ends_at else starts + timedelta(hours=3))
    item.add("dtstamp", timezone.now())
    item.add("location", ", ".join(p for p in (event.venue_name, event.venue_address) if p))
    lines = [event.theme] if event.theme else []
    for session in event.sessions.prefetch_related("speakers").order_by("order", "id"):
        speakers = ", ".join(s.display_name for s in session.speakers.all())
        lines.append(f"{session.order}. {session.title}" + (f" — {speakers}" if speakers else ""))
    lines.append(url)
    item.add("description", "\n".join(lines))
    item.add("url", url)
    item.add("organizer", event.organiser_name, parameters={"CN": event.organiser_name})
    cal.add_component(item)
    cal.add_missing_timezones()
    return cal.to_ical()


def _workbook(title: str, headers: list[str], rows, *, subtitle: str = ""):
    from openpyxl import Workbook  # noqa: PLC0415 -- slow import
    from openpyxl.styles import Font  # noqa: PLC0415 -- slow import

    wb = Workbook(write_only=False)
    ws = wb.active
    ws.title = title[:31]
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=13)
    if subtitle:
        ws.append([subtitle])
    ws.append([])
    ws.append(headers)
    header_row = ws.max_row
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
    widths = [len(str(h)) for h in headers]
    for row in rows:
        ws.append(row)
        # Text is text: a participant named "=HYPERLINK(...)" must not become a formula.
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"
        widths = [max(w, len(str(v or ""))) for w, v in zip(widths, row)]
    for idx, width in enumerate(widths, start=1):
        ws.column_dimensions[ws.cell(row=header_row, column=idx).column_letter].width = min(max(width + 2, 6), 50)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _subtitle(event: Event) -> str:
    from netral.core.templatetags.netral import longdatetime  # noqa: PLC0415 -- leaf

    return "{} · {}".format(longdatetime(event.starts_at), event.venue_name)


def participants_xlsx(event: Event) -> bytes:
    headers = [_("No."), _("Name"), _("Type"), _("NIP / NI PPPK"), _("Agency"), _("Work unit"), _("Position"),
               _("Rank / grade"), _("Phone"), _("Email"), _("Present"), _("Check-in time")]
    rows = []
    qs = event.participants.select_related("attendance").order_by("name", "id")
    for n, p in enumerate(qs, start=1):
        att = getattr(p, "attendance", None)
        rows.append([n, p.name, p.get_kind_display(), p.nip, p.agency, p.unit, p.position, p.rank, p.phone,
                     p.email, _("Yes") if att else _("No"),
                     timezone.localtime(att.checked_in_at).strftime("%H.%M") if att else ""])
    return _workbook(_("Participants"), headers, rows, subtitle=f"{event.title} — {_subtitle(event)}")


def attendance_xlsx(event: Event) -> bytes:
    """The daftar hadir: present participants in check-in order, with a signature column."""
    headers = [_("No."), _("Name"), _("NIP / NI PPPK"), _("Agency"), _("Work unit"), _("Position"),
               _("Check-in time"), _("Method"), _("Signature")]
    rows = []
    qs = event.attendances.select_related("participant").order_by("checked_in_at", "id")
    for n, att in enumerate(qs, start=1):
        p = att.participant
        rows.append([n, p.name, p.nip, p.agency, p.unit, p.position,
                     timezone.localtime(att.checked_in_at).strftime("%H.%M"), att.get_method_display(), ""])
    return _workbook(_("Attendance list"), headers, rows, subtitle=f"{event.title} — {_subtitle(event)}")
