"""The activity report of the demo event, in its three formats."""

import io
import re

import pytest
from django.utils import formats, translation

from netral.events.demo import EVENT, SESSIONS

from .conftest import flat, is_blank, page_images, pdf_text, url

pytestmark = pytest.mark.django_db

TITLE = EVENT["title"]
TALKS = [title for title, _summary in SESSIONS]


def expected_gain(event, lang="id") -> str:
    from netral.evaluation.selectors import event_evaluation

    gain = event_evaluation(event)["gain"]["class_average_gain"]
    with translation.override(lang):
        return formats.number_format(round(gain, 2), 2, use_l10n=True)


def attendance_sentence(text: str) -> bool:
    """"36 of 40 …" in any language: the present count, then the registered count."""
    return re.search(r"\b36\b\D{1,40}\b40\b", text) is not None


def test_report_page_shows_every_section_of_the_demo(organiser_client, demo_event):
    response = organiser_client.get(url("reports:report", demo_event))

    html = flat(response.content.decode())
    assert response.status_code == 200
    assert TITLE in html
    assert all(talk in html for talk in TALKS)
    assert attendance_sentence(html)
    assert expected_gain(demo_event) in html
    assert html.count('class="photo"') == 3
    assert "Peserta bertanya dalam sesi diskusi" in html
    assert 'id="report-text-form"' in html
    # CSP: no inline script or style on the page.
    assert "<style" not in html and 'style="' not in html.split('<article class="report-doc"')[0]
    assert re.search(r"<script>(?!</script>)", html) is None


def test_report_pdf_contains_the_figures_and_every_page_renders(organiser_client, demo_event, tmp_path):
    response = organiser_client.get(url("reports:report_pdf", demo_event))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    data = response.content
    text = flat(pdf_text(data, tmp_path))
    assert TITLE in text
    assert all(talk in text for talk in TALKS), [t for t in TALKS if t not in text]
    assert attendance_sentence(text)
    assert expected_gain(demo_event) in text
    assert "Narasumber menyampaikan materi netralitas ASN" in text  # a photo caption
    pages = page_images(data, tmp_path)
    assert len(pages) >= 5
    assert [n for n, page in enumerate(pages, start=1) if is_blank(page)] == []


def test_report_docx_has_headings_tables_pictures_and_the_figures(organiser_client, demo_event):
    from docx import Document

    response = organiser_client.get(url("reports:report_docx", demo_event))

    assert response.status_code == 200
    doc = Document(io.BytesIO(response.content))
    paragraphs = [p.text for p in doc.paragraphs]
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    text = flat(" ".join(paragraphs + cells))
    assert TITLE in text
    assert all(talk in text for talk in TALKS)
    assert attendance_sentence(text)
    assert expected_gain(demo_event) in text
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert len(headings) == 8
    assert len(doc.tables) >= 6
    # Four charts and three photos, all PNG or JPEG, each with a numbered caption.
    pictures = doc.inline_shapes
    assert len(pictures) == 7
    captions = [p.text for p in doc.paragraphs if p.style.name == "Caption"]
    assert len(captions) == 7
    assert captions[-1].endswith("Peserta mengerjakan post-test dan survei kepuasan melalui ponsel")
    content_types = {part.content_type for part in doc.part.package.parts}
    assert {"image/png", "image/jpeg"} <= content_types


def test_report_in_english_on_request_and_through_the_api(organiser_client, demo_event, tmp_path):
    page = organiser_client.get(url("reports:report", demo_event) + "?lang=en")
    api_html = organiser_client.get(f"/api/events/{demo_event.pk}/report?format=html&lang=en")
    api_pdf = organiser_client.get(f"/api/events/{demo_event.pk}/report?format=pdf")
    api_docx = organiser_client.get(f"/api/events/{demo_event.pk}/report?format=docx")
    bad = organiser_client.get(f"/api/events/{demo_event.pk}/report?format=odt")

    assert "Conclusions and recommendations" in page.content.decode()
    assert api_html.status_code == 200 and api_html["Content-Language"] == "en"
    html = flat(api_html.content.decode())
    assert "Conclusions and recommendations" in html and expected_gain(demo_event, "en") in html
    assert api_pdf.content.startswith(b"%PDF") and TITLE in flat(pdf_text(api_pdf.content, tmp_path))
    assert api_docx.content.startswith(b"PK")
    assert bad.status_code == 400


def test_demo_report_loader_is_idempotent(demo_event, organiser):
    from netral.reports.demo import load_demo_report
    from netral.reports.models import Certificate, Photo, Report

    report = Report.objects.get(event=demo_event)
    before = Certificate.objects.filter(event=demo_event).count()

    result = load_demo_report(demo_event, owner=organiser)

    assert result["certificates_issued"] == 0
    assert Photo.objects.filter(event=demo_event).count() == 3
    assert Certificate.objects.filter(event=demo_event).count() == before
    # Present and post-test submitted (33 + 1 who took only the post-test), plus 3 speakers.
    assert Certificate.objects.filter(event=demo_event, role="speaker").count() == 3
    assert before == 3 + 34
    assert Report.objects.get(event=demo_event).conclusions == report.conclusions
    assert "1. " in report.conclusions and report.recommendations
