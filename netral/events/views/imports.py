"""Bulk import of participants from XLSX/CSV: upload, read the report, then confirm or start over."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from netral.core.permissions import get_managed_event, organiser_required

from ..models import ImportBatch
from ..services import imports as import_service

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ERROR_ROWS_PER_PAGE = 200
_ACCEPT = ".xlsx,.csv,.txt,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv"


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Participant list (XLSX or CSV)"),
        widget=forms.FileInput(attrs={"accept": _ACCEPT}),
    )


def _column_help():
    notes = {
        "name": _("Required."),
        "nip": _("18 digits, for PNS and PPPK. Format the column as Text in Excel."),
        "kind": _("PNS, PPPK or Non-ASN. Empty: PNS/PPPK when there is a NIP, otherwise Non-ASN."),
        "agency": _("Required for non-ASN participants."),
    }
    aliases = import_service.header_aliases()
    return [
        {"heading": heading, "note": notes.get(f, _("Optional.")),
         "aliases": ", ".join([a for a in aliases[f] if a.replace(" ", "") != heading.lower().replace(" ", "")][:4])}
        for f, heading in zip(import_service.FIELDS, import_service.TEMPLATE_HEADERS)
    ]


@require_http_methods(["GET", "POST"])
@organiser_required
def import_upload(request, pk):
    event = get_managed_event(request, pk)
    form = ImportUploadForm(request.POST, request.FILES) if request.method == "POST" else ImportUploadForm()
    if form.is_bound and form.is_valid():
        batch = import_service.stage_import(event, upload=form.cleaned_data["file"], user=request.user)
        return redirect("events:import_review", pk=event.pk, batch_pk=batch.pk)
    return render(request, "events/import_upload.html", {
        "event": event,
        "form": form,
        "columns": _column_help(),
        "max_mb": settings.NETRAL_IMPORT_MAX_BYTES // (1024 * 1024),
        "max_rows": f"{import_service.MAX_ROWS:,}".replace(",", "."),
        "recent": event.import_batches.defer("valid_rows", "errors")[:5],
    })


def _error_rows(entries, labels):
    rows = []
    for entry in entries:
        values, errors = entry.get("values", {}), entry.get("errors", {})
        rows.append({
            "row": entry["row"],
            "values": [(labels[f], values[f]) for f in import_service.FIELDS
                       if f in values and (values[f] or f in errors)],
            "reasons": [(labels.get(f, ""), m) for f, msgs in errors.items() for m in msgs],
        })
    return rows


@require_http_methods(["GET", "POST"])
@organiser_required
def import_review(request, pk, batch_pk):
    event = get_managed_event(request, pk)
    batch = get_object_or_404(ImportBatch.objects.select_related("event"), pk=batch_pk, event=event)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "confirm":
            return _confirm(request, event, batch)
        if action == "discard":
            if import_service.discard_import(batch, user=request.user).state == ImportBatch.State.DISCARDED:
                messages.info(request, _("Nothing was imported. Fix the file and upload it again."))
            return redirect("events:import", pk=event.pk)
        return redirect("events:import_review", pk=event.pk, batch_pk=batch.pk)
    if request.GET.get("download") == "errors":
        response = HttpResponse(import_service.errors_xlsx(batch), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="kesalahan-impor-{event.code}-{batch.pk}.xlsx"'
        return response
    report = import_service.batch_report(batch)
    page = Paginator(report.row_errors, ERROR_ROWS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "events/import_review.html", {
        "event": event,
        "batch": batch,
        "report": report,
        "page": page,
        "error_rows": _error_rows(page.object_list, import_service.field_labels()),
        "states": ImportBatch.State,
    })


def _confirm(request, event, batch):
    if batch.state == ImportBatch.State.PENDING and not batch.valid_rows:
        messages.error(request, _("There are no valid rows to import."))
        return redirect("events:import_review", pk=event.pk, batch_pk=batch.pk)
    try:
        batch = import_service.confirm_import(batch, user=request.user)
    except import_service.ImportBatchError as exc:
        messages.error(request, exc.message)
        return redirect("events:import", pk=event.pk)
    messages.success(request, _("{created} added, {updated} updated.").format(
        created=batch.created_count, updated=batch.updated_count))
    return redirect("events:participants", pk=event.pk)


@require_GET
@organiser_required
def import_template(request, pk):
    event = get_managed_event(request, pk)
    response = HttpResponse(import_service.template_xlsx(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="templat-peserta-{event.code}.xlsx"'
    return response
