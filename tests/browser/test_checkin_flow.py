"""The day of the event, end to end in a real browser.

An organiser prepares an event on a desktop (login, event, speaker, session, material,
publish) and opens the check-in screen; a participant joins on a phone with a NIP and
checks in through the rotating projector link; the organiser's counter follows live
(htmx polling) and the organiser checks a second participant in by hand.

Selectors rely on ids, names and URLs rather than on interface text where they can:
the interface is Indonesian by default and its strings change when translations land.
"""

import re
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
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PARTICIPANT_NIP = build_nip(date(1986, 9, 26), 2015, 5, "M", 1)
# Birth month 13: digits 1-8 are no real date.
WRONG_NIP = "19861326" + PARTICIPANT_NIP[8:]
SECOND_NIP = build_nip(date(1990, 3, 14), 2019, 2, "F", 7)


def no_horizontal_scroll(page, width):
    """The page fits the phone: nothing sticks out to the right."""
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width + 1, (
        f"{page.url} scrolls sideways on a {width}px phone: scrollWidth={scroll_width}")


def submit(page, form_selector="main form.card"):
    """Click the submit button of the page's main form (not the header's language/logout)."""
    page.locator(form_selector).locator("button[type=submit]").click()


def test_organiser_prepares_event_and_participants_check_in(new_context, shot, tmp_path):
    from netral.events.models import Event, Participant
    from netral.events.services.checkin import checkin_token
    from tests.factories.events import UserFactory

    UserFactory(username="panitia_uji", password=PASSWORD)

    # 1. Organiser logs in through the form.
    organiser = new_context().new_page()
    organiser.goto("/masuk/")
    organiser.locator("#id_username").fill("panitia_uji")
    organiser.locator("#id_password").fill(PASSWORD)
    shot(organiser, "step01_login")
    submit(organiser)
    expect(organiser).to_have_url(re.compile(r"/panitia/$"))

    # 2. New event.
    organiser.locator('main a[href="/panitia/kegiatan/baru/"]').first.click()
    expect(organiser).to_have_url(re.compile(r"/panitia/kegiatan/baru/$"))
    organiser.locator("#id_title").fill("Sosialisasi Netralitas ASN Kecamatan Brebes")
    organiser.locator("#id_starts_at").fill("2025-11-20T09:00")
    organiser.locator("#id_venue_name").fill("Aula Kecamatan Brebes")
    organiser.locator("#id_organiser_name").fill("Universitas Jenderal Soedirman")
    expect(organiser.locator("#id_allow_self_registration")).to_be_checked()
    submit(organiser)
    expect(organiser, "saving the new event should land on its manage page").to_have_url(
        re.compile(r"/panitia/kegiatan/\d+/$"))
    expect(organiser.locator(".msg.success")).to_be_visible()
    expect(organiser.locator("h1")).to_contain_text("Sosialisasi Netralitas ASN Kecamatan Brebes")
    manage_url = organiser.url
    event_pk = int(re.search(r"/kegiatan/(\d+)/$", manage_url).group(1))
    # Read now, while no page polls the server (the test thread and the live server share
    # SQLite's in-memory connection); checkin_token() below needs no further query.
    event = Event.objects.get(pk=event_pk)
    expect(organiser.locator(".code").first).to_have_text(event.code)
    assert event.starts_at.isoformat() == "2025-11-20T02:00:00+00:00", "09.00 WIB is 02.00 UTC"
    shot(organiser, "step02_event_created")

    # 3a. Speaker.
    organiser.locator(f'a[href="/panitia/kegiatan/{event_pk}/narasumber/baru/"]').click()
    organiser.locator("#id_title_prefix").fill("Dr.")
    organiser.locator("#id_name").fill("Titi Rahmawati")
    organiser.locator("#id_title_suffix").fill("M.Si.")
    organiser.locator("#id_institution").fill("Komisi Aparatur Sipil Negara")
    submit(organiser)
    expect(organiser).to_have_url(manage_url)
    expect(organiser.locator("main")).to_contain_text("Dr. Titi Rahmawati, M.Si.")

    # 3b. Session with that speaker ticked.
    organiser.locator(f'a[href="/panitia/kegiatan/{event_pk}/sesi/baru/"]').click()
    expect(organiser.locator("#id_order")).to_have_value("1")
    organiser.locator("#id_title").fill("Menjaga Netralitas di Tahun Politik")
    organiser.locator("#id_starts_at").fill("2025-11-20T09:30")
    organiser.locator("#id_ends_at").fill("2025-11-20T11:00")
    organiser.get_by_label("Dr. Titi Rahmawati, M.Si.").check()
    submit(organiser)
    expect(organiser).to_have_url(manage_url)
    session_card = organiser.locator("section[id^=session-]")
    expect(session_card).to_have_count(1)
    expect(session_card).to_contain_text("Menjaga Netralitas di Tahun Politik")
    expect(session_card).to_contain_text("09.30–11.00")
    expect(session_card).to_contain_text("Dr. Titi Rahmawati, M.Si.")
    shot(organiser, "step03_speaker_and_session")

    # 3c. A real PDF is accepted...
    pdf = tmp_path / "materi.pdf"
    pdf.write_bytes(PDF_BYTES)
    session_card.locator("input[name=title]").fill("Slide Netralitas ASN")
    session_card.locator("input[type=file]").set_input_files(pdf)
    session_card.locator("form[enctype] button[type=submit]").click()
    expect(organiser.locator(".msg.success")).to_be_visible()
    material_link = organiser.locator("section[id^=session-] ul.materials a[href*='/materi/']")
    expect(material_link).to_have_count(1)
    expect(material_link).to_have_text("Slide Netralitas ASN")
    expect(material_link).to_have_attribute("href", re.compile(rf"^/e/{event.code}/materi/\d+/$"))
    shot(organiser, "step04_material_uploaded")

    # ... a text file that only pretends to be a PDF is not.
    fake = tmp_path / "fake.pdf"
    fake.write_text("Ini bukan PDF, hanya teks biasa.\n")
    session_card.locator("input[type=file]").set_input_files(fake)
    session_card.locator("form[enctype] button[type=submit]").click()
    error = organiser.locator(".msg.error")
    expect(error, "uploading a text file named fake.pdf must be refused with a message").to_be_visible()
    expect(error).to_contain_text("fake.pdf")
    expect(material_link, "the refused file must not be listed").to_have_count(1)
    shot(organiser, "step05_fake_pdf_refused")

    # 4. Publish, then open the check-in screen.
    organiser.locator("button[name=status][value=published]").click()
    expect(organiser.locator("h1 .badge.published"), "the event should be published").to_be_visible()
    expect(organiser.locator(".msg.error")).to_have_count(0)
    shot(organiser, "step06_published")

    # The second participant is added by the organiser through the participant list.
    organiser.locator(f'a[href="/panitia/kegiatan/{event_pk}/peserta/"]').first.click()
    add_form = organiser.locator("form.card:has(#id_nip)")
    add_form.locator("#id_kind").select_option("pns")
    add_form.locator("#id_nip").fill(SECOND_NIP)
    add_form.locator("#id_name").fill("Siti Aminah")
    add_form.locator("#id_agency").fill("Kelurahan Brebes")
    add_form.locator("button[type=submit]").click()
    expect(organiser.locator(".msg.success")).to_contain_text("Siti Aminah")
    expect(organiser.locator("main table")).to_contain_text(SECOND_NIP)

    organiser.goto(manage_url)
    organiser.locator(f'main a[href="/panitia/kegiatan/{event_pk}/presensi/"]').click()
    expect(organiser).to_have_url(re.compile(rf"/panitia/kegiatan/{event_pk}/presensi/$"))
    present = organiser.locator("#present-count")
    expect(present).to_have_text("0")
    expect(organiser.locator("#registered-count")).to_have_text("1")
    shot(organiser, "step07_checkin_screen")

    # 5. A participant joins on a phone, in another browser context (own cookies).
    phone_context = new_context(**PHONE)
    phone = phone_context.new_page()
    phone.goto(f"/j/{event.code}/")
    expect(phone, "the short join link should open the join form").to_have_url(
        re.compile(rf"/e/{event.code}/gabung/$|/j/{event.code}/$"))
    expect(phone.locator("main")).to_contain_text("Sosialisasi Netralitas ASN Kecamatan Brebes")
    no_horizontal_scroll(phone, 360)

    phone.locator("#id_nip").fill(WRONG_NIP)
    submit(phone)
    nip_error = phone.locator("#field-nip .errorlist")
    expect(nip_error).to_contain_text("Digit 1–8 harus tanggal lahir yang valid (TTTTBBHH)")
    expect(nip_error).to_contain_text('"19861326" bukan tanggal yang ada')
    shot(phone, "step08_phone_wrong_nip")

    phone.locator("#id_nip").fill(PARTICIPANT_NIP)
    submit(phone)
    expect(phone.locator(".msg.warning"), "an unknown NIP should ask for name and institution").to_be_visible()
    expect(phone.locator("#id_nip")).to_have_value(PARTICIPANT_NIP)
    phone.locator("#id_name").fill("Budi Santoso")
    phone.locator("#id_agency").fill("Dinas Pendidikan Kabupaten Brebes")
    shot(phone, "step09_phone_details")
    submit(phone)
    expect(phone, "after registering, the participant's own page").to_have_url(
        re.compile(rf"/e/{event.code}/saya/$"))
    expect(phone.locator("h1")).to_contain_text("Budi Santoso")
    expect(phone.locator("main")).to_contain_text(PARTICIPANT_NIP)
    status = phone.locator("#attendance-status")
    expect(status.locator("#personal-qr svg"), "not checked in yet: a personal QR").to_be_visible()
    expect(status.locator(".stat.ok")).to_have_count(0)
    no_horizontal_scroll(phone, 360)
    shot(phone, "step10_phone_registered")

    # 6. The participant follows the rotating check-in link of the projector QR. The page
    #    submits itself (POST) and returns to the participant's page.
    token = checkin_token(event)
    phone.goto(f"/e/{event.code}/hadir/{token}/", wait_until="commit")
    phone.wait_for_url(re.compile(rf"/e/{event.code}/saya/$"))
    expect(status.locator(".stat.ok"), "after the check-in link the page should say present").to_be_visible()
    expect(status.locator("#personal-qr")).to_have_count(0)
    expect(phone.locator(".msg.success")).to_be_visible()
    no_horizontal_scroll(phone, 360)
    shot(phone, "step11_phone_checked_in")

    # 7. The organiser's counter follows without a reload (htmx polls every 3 s) ...
    expect(present, "the check-in screen should poll the new count").to_have_text("1", timeout=10_000)
    expect(organiser.locator("#registered-count")).to_have_text("2")
    shot(organiser, "step12_checkin_screen_live")

    # ... and the organiser finds the other participant and marks her present.
    # (The list itself is not polled: it shows who was registered when the page opened.)
    results = organiser.locator("#checkin-results")
    rows = results.locator("tr[id^=p-]")
    search = organiser.locator("#checkin-search")
    search.press_sequentially("Santoso", delay=30)
    expect(rows, "the search should find the participant who joined by phone").to_have_count(1)
    expect(rows).to_contain_text("Budi Santoso")
    expect(rows.locator(".badge.present")).to_be_visible()
    search.fill("")
    search.press_sequentially("Aminah", delay=30)
    expect(rows.filter(has_text="Budi Santoso"), "the search should keep only the match").to_have_count(0)
    expect(rows).to_have_count(1)
    row = rows.first
    expect(row).to_contain_text("Siti Aminah")
    expect(row.locator(".badge.present")).to_have_count(0)
    shot(organiser, "step13_checkin_search")
    row.locator("button:not(.link)").click()
    expect(row.locator(".badge.present"), "the row should show the check-in time").to_be_visible()
    expect(present).to_have_text("2", timeout=10_000)
    shot(organiser, "step14_checkin_manual")

    for context in (organiser.context, phone_context):
        assert context.js_errors == [], "uncaught JavaScript errors"
        assert context.console_errors == [], "console errors (CSP violations, missing files, ...)"
    organiser.close()  # stop the polling before the test thread reads the shared database
    phone.close()
    assert set(Participant.objects.filter(event=event, attendance__isnull=False)
               .values_list("name", flat=True)) == {"Budi Santoso", "Siti Aminah"}


def test_public_event_page_fits_a_phone_and_serves_the_material(new_context, shot):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from netral.events.services.materials import add_material
    from tests.factories.events import EventFactory, SessionFactory, SpeakerFactory, UserFactory

    owner = UserFactory(username="panitia_publik")
    event = EventFactory(
        owner=owner, title="Sosialisasi Netralitas Aparatur Sipil Negara Menjelang Pemilihan "
                           "Kepala Daerah Serentak Kabupaten Brebes",
        venue_name="Aula Serbaguna Sekretariat Daerah Kabupaten Brebes",
        venue_address="Jl. Proklamasi No. 77, Brebes, Jawa Tengah 52212",
        partner_name="Badan Pengawas Pemilihan Umum Kabupaten Brebes",
    )
    speaker = SpeakerFactory(event=event, title_prefix="Prof. Dr.", name="Titi Rahmawati",
                             title_suffix="M.Si., MPA", institution="Komisi Aparatur Sipil Negara")
    session = SessionFactory(event=event, order=1,
                             title="Netralitas ASN dalam Penyelenggaraan Pemilihan Umum dan "
                                   "Pemilihan Kepala Daerah: Regulasi, Sanksi, dan Studi Kasus")
    session.speakers.add(speaker)
    material = add_material(session, title="Paparan Netralitas ASN (versi lengkap untuk peserta)",
                            upload=SimpleUploadedFile("paparan.pdf", PDF_BYTES, "application/pdf"),
                            user=owner)

    page = new_context(**PHONE).new_page()
    page.goto(f"/e/{event.code}/")
    expect(page.locator("h1")).to_contain_text("Sosialisasi Netralitas Aparatur Sipil Negara")
    link = page.locator(f'ul.materials a[href="/e/{event.code}/materi/{material.pk}/"]')
    expect(link).to_have_text("Paparan Netralitas ASN (versi lengkap untuk peserta)")
    shot(page, "public_event_page_phone")
    no_horizontal_scroll(page, 360)

    response = page.request.get(link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body() == PDF_BYTES
    assert "attachment" in response.headers.get("content-disposition", "")

    # The link carries `download`: a tap saves the file instead of opening it.
    with page.expect_download() as download_info:
        link.click()
    assert download_info.value.suggested_filename.endswith(".pdf")
    assert page.context.js_errors == [], "uncaught JavaScript errors"
    assert page.context.console_errors == [], "console errors (CSP violations, missing files, ...)"
