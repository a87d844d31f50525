import io
import json

import pytest
from django.urls import reverse

from netral.complaints import services
from netral.complaints.enums import Channel, ComplaintState as S, EventKind

from .factories import checked, jpeg_with_gps, report

pytestmark = pytest.mark.django_db


@pytest.fixture
def forwarded(verifier):
    complaint = report(anonymous=False, reporter_name="Pelapor Surat", reporter_contact="0813",
                       files=checked(jpeg_with_gps()))
    services.set_complaint_state(complaint, S.VERIFYING, user=verifier)
    services.set_complaint_state(complaint, S.FORWARDED, user=verifier, channel=Channel.PPK,
                                 recipient="Bupati Brebes selaku Pejabat Pembina Kepegawaian", reference="")
    return complaint


def test_letter_pdf_names_case_recipient_and_legal_basis_but_not_the_reporter(verifier_client, forwarded):
    from pypdf import PdfReader

    response = verifier_client.get(reverse("complaints:export", kwargs={"pk": forwarded.pk, "fmt": "pdf"}))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert forwarded.number in text
    assert "Bupati Brebes" in text
    assert "Agus Fiktifanto" in text
    assert forwarded.category.legal_basis_text.split(";")[0][:20] in text
    assert "Pelapor Surat" not in text and "0813" not in text
    assert forwarded.events.filter(kind=EventKind.EXPORTED, data__format="pdf").count() == 1


def test_json_export_is_structured_without_identity(verifier_client, forwarded):
    response = verifier_client.get(reverse("complaints:export", kwargs={"pk": forwarded.pk, "fmt": "json"}))

    data = json.loads(response.content)
    assert data["schema"] == "netral.complaint/1"
    assert data["category"]["code"] == "B10"
    assert data["region"]["levels"][-1] == {"code": "33.29.09.1002", "name": "Brebes"}
    assert data["forwarding"]["channel"] == "ppk"
    assert len(data["evidence"]) == 1 and len(data["evidence"][0]["sha256"]) == 64
    assert "Pelapor Surat" not in response.content.decode()


def test_letter_needs_a_forwarded_case(verifier_client, complaint):
    response = verifier_client.get(reverse("complaints:export", kwargs={"pk": complaint.pk, "fmt": "pdf"}))

    assert response.status_code == 404


def test_case_xlsx(verifier_client, forwarded):
    from openpyxl import load_workbook

    response = verifier_client.get(reverse("complaints:export", kwargs={"pk": forwarded.pk, "fmt": "xlsx"}))

    ws = load_workbook(io.BytesIO(response.content)).active
    values = {row[0]: row[1] for row in ws.iter_rows(values_only=True) if row and row[0]}
    assert "Agus Fiktifanto" in values.values()
