"""The activity report and the certificates, end to end in a real browser.

An organiser opens the report of a finished event, edits the drafted conclusions, saves
them and downloads the PDF (which carries the edit); a participant on a phone opens their
certificate page, downloads the certificate, and the QR code printed on it — decoded from
the rendered PDF with the vendored jsQR — opens the public verification page.

Selectors rely on ids and URLs rather than interface text (Indonesian by default)."""

import base64
import re
import subprocess
from datetime import date

import pytest
from playwright.sync_api import expect

from netral.accounts.nip import build_nip

from .conftest import CHROMIUM, PHONE, SKIP_REASON

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=SKIP_REASON),
]

PASSWORD = "rahasia-uji-123"
NIP = build_nip(date(1988, 4, 12), 2014, 3, "F", 2)
TALKS = ["Menjaga Kepercayaan Masyarakat dengan Netralitas", "Hormati Netralitas ASN dengan Mengedepankan Etika"]
EDIT = "Kesimpulan yang ditulis panitia: peserta memahami batas netralitas di media sosial."

DECODE_QR = """async (src) => {
  const img = new Image();
  img.src = src;
  await img.decode();
  const canvas = document.createElement("canvas");
  canvas.width = img.width; canvas.height = img.height;
  const ctx = canvas.getContext("2d");
  ctx.drawImage(img, 0, 0);
  const data = ctx.getImageData(0, 0, canvas.width, canvas.height);
  const found = jsQR(data.data, canvas.width, canvas.height);
  return found ? found.data : null;
}"""


def pdf_text(path) -> str:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True)
    return re.sub(r"\s+", " ", out.stdout.decode())


def qr_region_png(pdf_path, tmp_path) -> str:
    """The lower-left quarter of the certificate (where the QR is), at 200 dpi, as a data URI."""
    prefix = tmp_path / "qr"
    subprocess.run(["pdftoppm", "-r", "200", "-png", "-singlefile", "-x", "0", "-y", "1000", "-W", "1000",
                    "-H", "654", str(pdf_path), str(prefix)], check=True)
    return "data:image/png;base64," + base64.b64encode((tmp_path / "qr.png").read_bytes()).decode()


def test_organiser_edits_report_and_participant_verifies_certificate(new_context, shot, tmp_path):
    from netral.events.enums import CheckinMethod, EventStatus
    from netral.events.services.checkin import check_in
    from netral.reports import services
    from tests.factories.events import EventFactory, ParticipantFactory, SessionFactory, UserFactory

    organiser_user = UserFactory(username="panitia_laporan", password=PASSWORD)
    event = EventFactory(owner=organiser_user, title="Sosialisasi Netralitas ASN Kelurahan Brebes",
                         status=EventStatus.FINISHED, partner_name="Lurah Brebes")
    for order, title in enumerate(TALKS, start=1):
        SessionFactory(event=event, order=order, title=title)
    participant = ParticipantFactory(event=event, name="Rina Handayani", nip=NIP)
    others = [ParticipantFactory(event=event) for _ in range(3)]
    for p in [participant, *others[:2]]:
        check_in(p, method=CheckinMethod.MANUAL)
    (certificate, *_rest) = [c for c in services.issue_certificates(event) if c.participant_id == participant.pk]
    code, event_pk, event_code = certificate.code, event.pk, event.code

    # 1. The organiser logs in and opens the report page.
    organiser = new_context().new_page()
    organiser.goto("/masuk/")
    organiser.locator("#id_username").fill("panitia_laporan")
    organiser.locator("#id_password").fill(PASSWORD)
    organiser.locator("main form").locator("button[type=submit]").click()
    expect(organiser).to_have_url(re.compile(r"/panitia/$"))
    organiser.goto(f"/panitia/kegiatan/{event_pk}/laporan/")
    expect(organiser.locator(".report-doc h1")).to_contain_text("Sosialisasi Netralitas ASN Kelurahan Brebes")
    for talk in TALKS:
        expect(organiser.locator("#talks")).to_contain_text(talk)
    expect(organiser.locator("#attendance-summary")).to_contain_text("3")
    drafted = organiser.locator("#id_conclusions").input_value()
    assert drafted.startswith("1. "), "the conclusions start as a numbered draft"
    shot(organiser, "report01_page")

    # 2. Edits the drafted conclusions and saves; the report shows the edit.
    organiser.locator("#id_conclusions").fill(EDIT)
    organiser.locator("#save-conclusions").click()
    expect(organiser.locator(".msg.success")).to_be_visible()
    expect(organiser.locator("#conclusions-text")).to_contain_text(EDIT)
    organiser.reload()
    expect(organiser.locator("#id_conclusions")).to_have_value(EDIT)
    shot(organiser, "report02_edited")

    # 3. Downloads the PDF: it carries the edited conclusions.
    with organiser.expect_download() as download_info:
        organiser.locator("#download-pdf").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    report_path = tmp_path / "laporan.pdf"
    download.save_as(report_path)
    assert report_path.read_bytes().startswith(b"%PDF")
    text = pdf_text(report_path)
    assert EDIT in text and all(talk in text for talk in TALKS)
    assert organiser.context.js_errors == [] and organiser.context.console_errors == []

    # 4. The participant, on a phone, identifies with the NIP and opens their certificate page.
    phone = new_context(**PHONE).new_page()
    phone.goto(f"/e/{event_code}/gabung/")
    phone.locator("#id_nip").fill(NIP)
    phone.locator("main form.card").locator("button[type=submit]").click()
    expect(phone).to_have_url(re.compile(rf"/e/{event_code}/saya/$"))
    phone.goto(f"/e/{event_code}/sertifikat/")
    expect(phone.locator("#my-certificate")).to_contain_text("Rina Handayani")
    shot(phone, "report03_phone_certificate")
    with phone.expect_download() as download_info:
        phone.locator("#download-certificate").click()
    certificate_path = tmp_path / "sertifikat.pdf"
    download_info.value.save_as(certificate_path)
    assert "Rina Handayani" in pdf_text(certificate_path)

    # 5. The QR code on the certificate leads to the verification page.
    phone.add_script_tag(url="/static/netral/vendor/jsQR-1.4.0.js")
    decoded = phone.evaluate(DECODE_QR, qr_region_png(certificate_path, tmp_path))
    assert decoded is not None, "the certificate's QR code should be readable"
    assert decoded.endswith(f"/verify/{code}")
    phone.goto(decoded)
    expect(phone.locator("#verification")).to_have_attribute("data-state", "valid")
    expect(phone.locator("#holder-name")).to_have_text("Rina Handayani")
    expect(phone.locator("#verification")).not_to_contain_text(NIP)
    shot(phone, "report04_phone_verified")

    # 6. A mistyped code (lower case, dashes) still finds it; a forged one does not.
    phone.goto("/verify/")
    phone.locator("#verify-code").fill(certificate.display_code.lower())
    phone.locator("#verify-code").press("Enter")
    expect(phone.locator("#verification")).to_have_attribute("data-state", "valid")
    phone.goto("/verify/ZZZZ-ZZZZ-ZZZZ")
    expect(phone.locator("#verification")).to_have_attribute("data-state", "unknown")
    assert phone.context.js_errors == []
