"""The organiser's item bank in a real browser: create a bank, write an item (the form
shows only the parts of the chosen type), import a GIFT file through the review page."""

import pytest
from playwright.sync_api import expect

from .conftest import CHROMIUM, SKIP_REASON

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=SKIP_REASON),
]
PASSWORD = "rahasia-uji-123"
GIFT = """// netral: {"key": "G1", "topic": "kampanye", "codes": ["B05"]}
::G1::ASN boleh menjadi juru kampanye pasangan calon. {F}

::G2::Soal rusak tanpa jawaban benar {~satu ~dua}

::G3::Lembaga pengawas pemilu adalah ... {=Bawaslu}
"""


@pytest.fixture
def organiser(transactional_db):
    from netral.knowledge.loader import load_content
    from netral.knowledge.models import Behaviour
    from tests.factories.events import UserFactory

    if not Behaviour.objects.exists():  # rule codes are checked; other transactional tests flush them
        load_content()

    return UserFactory(username="panitia_bank", password=PASSWORD)


def test_organiser_writes_an_item_and_imports_a_gift_file(new_context, organiser, shot, tmp_path):
    from netral.evaluation.models import ItemBank

    context = new_context()
    page = context.new_page()
    page.goto("/masuk/")
    page.locator("#id_username").fill("panitia_bank")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()

    page.goto("/panitia/bank-soal/")
    page.locator("#bank-create #id_name").fill("Bank Kelurahan Brebes")
    page.locator("#bank-create button[type=submit]").click()
    bank = ItemBank.objects.get(name="Bank Kelurahan Brebes")
    expect(page).to_have_url(f"{page.url.split('/panitia/')[0]}/panitia/bank-soal/{bank.pk}/")

    page.locator("#new-item").click()
    expect(page.locator("#truefalse")).to_be_hidden()  # single choice by default
    page.select_option("#id_type", "truefalse")
    expect(page.locator("#truefalse")).to_be_visible()
    expect(page.locator("#options")).to_be_hidden()
    page.select_option("#id_type", "single")
    page.locator("#id_key").fill("B01")
    page.locator("#id_stem").fill("Bolehkah ASN mencoblos di TPS?")
    page.locator("#id_option_0").fill("Boleh, tanpa menunjukkan dukungan")
    page.locator("#id_option_1").fill("Tidak boleh sama sekali")
    page.locator("#id_codes").fill("B01")
    page.locator("button[name=save]").click()  # no correct option ticked: refused, values kept
    expect(page.locator("#id_options_error")).to_be_visible()
    expect(page.locator("#id_stem")).to_have_value("Bolehkah ASN mencoblos di TPS?")
    page.locator("#id_correct_0").check()
    page.locator("button[name=save]").click()
    expect(page.locator("#versions tbody tr")).to_have_count(1)
    shot(page, "bank01_item_saved")

    gift = tmp_path / "soal.gift"
    gift.write_text(GIFT, encoding="utf-8")
    page.goto(f"/panitia/bank-soal/{bank.pk}/impor/")
    page.locator("#id_file").set_input_files(str(gift))
    page.locator("#import-form button[type=submit]").click()
    expect(page.locator("#import-errors tbody tr")).to_have_count(1)
    expect(page.locator("#import-items tbody tr")).to_have_count(2)
    shot(page, "bank02_import_review")
    page.locator("#import-confirm button[value=confirm]").click()

    expect(page.locator("#items tbody tr")).to_have_count(3)
    assert sorted(bank.items.values_list("key", flat=True)) == ["B01", "G1", "Q003"]
    assert context.js_errors == [] and context.console_errors == []
