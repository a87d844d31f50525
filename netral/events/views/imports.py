"""Bulk import of participants from XLSX/CSV (placeholder until the importer lands)."""

from django.http import Http404


def import_upload(request, pk):
    raise Http404


def import_review(request, pk, batch_pk):
    raise Http404


def import_template(request, pk):
    raise Http404
