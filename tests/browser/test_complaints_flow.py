"""A citizen reports a violation from a phone (anonymously, with a photo); a verifier
takes it to "forwarded" and asks a question; the citizen answers on the tracking page;
the verifier closes the case. Real headless Chromium, offline, CSP enforced."""

import io
import re

import pytest
from playwright.sync_api import expect

from .conftest import CHROMIUM, PHONE, SKIP_REASON

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=SKIP_REASON),
]


@pytest.fixture
def setup(transactional_db, settings, tmp_path):
    from cryptography.fernet import Fernet

    from tests.factories.events import UserFactory

    settings.NETRAL_COMPLAINTS_EVIDENCE_DIR = str(tmp_path / "evidence")
    settings.NETRAL_COMPLAINTS_KEYS = [Fernet.generate_key().decode()]
    settings.NETRAL_COMPLAINTS_MIN_FILL_SECONDS = 0
    # The knowledge catalogue comes from a data migration, which transactional_db flushes.
    from netral.knowledge.loader import load_content

    load_content()
    return UserFactory(username="verifikator_uji", role="verifier", first_name="Vera")


def _photo() -> bytes:
    from PIL import Image

    img = Image.new("RGB", (120, 90), (30, 120, 60))
    exif = Image.Exif()
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "S", (6.0, 52.0, 30.0), "E", (109.0, 2.0, 40.0)
    buf = io.BytesIO()
    img.save(buf, format="JPEG", exif=exif)
    return buf.getvalue()


def _change_status(page, state, **fields):
    page.locator(f'#transition input[name="to"][value="{state}"]').check()
    for selector, value in fields.items():
        element = page.locator(selector)
        if element.evaluate("e => e.tagName") == "SELECT":
            element.select_option(value)
        else:
            element.fill(value)
    page.locator("#transition-submit").click()


def test_citizen_reports_verifier_forwards_asks_citizen_answers_verifier_closes(setup, new_context, shot):
    from netral.complaints.models import Complaint

    # 1. The citizen's phone: the form, the region lists, a photo, anonymous.
    phone_ctx = new_context(**PHONE)
    phone = phone_ctx.new_page()
    phone.goto("/pengaduan/")
    expect(phone.locator("h1")).to_be_visible()
    phone.locator("#id_subject_name").fill("Agus Fiktifanto")
    phone.locator("#id_subject_agency").fill("Kelurahan Brebes")
    phone.locator("#id_category").select_option("B10")
    phone.locator("#id_description").fill("Membagikan unggahan kampanye calon bupati di Facebook dengan ajakan memilih.")
    phone.locator("#id_occurred_on").fill("2024-10-01")
    phone.locator("#id_province").select_option("33")
    expect(phone.locator("#id_regency option[value='33.29']")).to_have_count(1)
    phone.locator("#id_regency").select_option("33.29")
    expect(phone.locator("#id_district option[value='33.29.09']")).to_have_count(1)
    phone.locator("#id_district").select_option("33.29.09")
    expect(phone.locator("#id_village option[value='33.29.09.1002']")).to_have_count(1)
    phone.locator("#id_village").select_option("33.29.09.1002")
    phone.locator("#id_evidence").set_input_files([{"name": "foto.jpg", "mimeType": "image/jpeg",
                                                    "buffer": _photo()}])
    expect(phone.locator("#reporter-fields")).to_be_hidden()  # anonymous is the default
    phone.locator("#id_truthful").check()
    shot(phone, "complaints01_form_filled")
    phone.locator("#complaint-submit").click()

    expect(phone).to_have_url(re.compile(r"/pengaduan/lacak/[0-9A-Z]{5}-[0-9A-Z]{5}/\?baru=1$"))
    code = phone.locator("#tracking-code").inner_text().strip()
    expect(phone.locator("#filed-notice")).to_be_visible()
    shot(phone, "complaints02_tracking_code")
    complaint = Complaint.objects.get()
    assert complaint.tracking_display == code
    assert complaint.region_code == "33.29.09.1002" and complaint.anonymous
    assert complaint.evidence.get().metadata_removed

    # 2. The verifier: log in, open the case, verify, forward, ask.
    desk = new_context().new_page()
    desk.goto("/masuk/?next=/verifikasi/pengaduan/")
    desk.locator("#id_username").fill("verifikator_uji")
    desk.locator("#id_password").fill("rahasia-uji-123")
    desk.locator("main form button[type=submit]").click()
    expect(desk).to_have_url(re.compile(r"/verifikasi/pengaduan/$"))
    desk.locator("#case-table a", has_text=complaint.number).click()
    expect(desk.locator("#subject-name")).to_have_text("Agus Fiktifanto")
    _change_status(desk, "verifying")
    expect(desk.locator("#case-status")).to_have_text(re.compile("verif", re.IGNORECASE))
    _change_status(desk, "forwarded", **{"#id_channel": "ppk",
                                        "#id_recipient": "Bupati Brebes selaku Pejabat Pembina Kepegawaian"})
    expect(desk.locator("#letter-link")).to_be_visible()
    desk.locator("#id_question").fill("Kapan unggahan itu Anda lihat, dan apakah masih ada?")
    desk.locator("#ask-submit").click()
    expect(desk.locator("#ask .msg")).to_contain_text("Kapan unggahan itu")
    shot(desk, "complaints03_verifier_forwarded_and_asked")

    # 3. The citizen sees the question and answers it.
    phone.goto(f"/pengaduan/lacak/{code}/")
    expect(phone.locator("#open-question")).to_contain_text("Kapan unggahan itu")
    phone.locator("#id_answer").fill("Saya lihat tanggal 1 Oktober malam; unggahan sudah dihapus, saya punya tangkapan layar.")
    phone.locator("#answer-form button[type=submit]").click()
    expect(phone.locator("#open-question")).to_have_count(0)
    expect(phone.locator("#public-history")).to_contain_text("tangkapan layar")
    shot(phone, "complaints04_citizen_answered")

    # 4. The verifier reads the answer and closes the case.
    desk.reload()
    expect(desk.locator("#history")).to_contain_text("tangkapan layar")
    _change_status(desk, "not_proven", **{"#id_public_note": "PPK telah memeriksa; unsur pelanggaran tidak terbukti."})
    _change_status(desk, "closed")
    expect(desk.locator("#transition")).to_have_count(0)
    shot(desk, "complaints05_verifier_closed")

    phone.reload()
    expect(phone.locator("#complaint-status")).to_have_text(re.compile(r"\S"))
    expect(phone.locator("#public-history")).to_contain_text("tidak terbukti")
    complaint.refresh_from_db()
    assert complaint.state == "closed"
    assert list(complaint.events.filter(kind="transition").values_list("to_state", flat=True)) == [
        "verifying", "forwarded", "not_proven", "closed"]
    assert phone_ctx.js_errors == [] and phone_ctx.console_errors == []
