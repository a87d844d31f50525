"""An ASN checks a situation on a phone before acting, reads the verdict, opens the rule
and follows the link to report a violation."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import CHROMIUM, PHONE, SKIP_REASON

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=SKIP_REASON),
]


@pytest.fixture
def content(transactional_db):
    from netral.knowledge.loader import load_content
    from netral.knowledge.selectors import invalidate_index

    load_content()
    invalidate_index()


def test_self_check_on_a_phone(content, new_context, shot):
    phone_context = new_context(**PHONE)
    phone = phone_context.new_page()

    phone.goto("/cek/")
    phone.locator("#id_q").fill("saya like postingan paslon di IG")
    phone.locator("#selfcheck-form button[type=submit]").first.click()
    top = phone.locator(".result").first
    expect(top).to_have_attribute("id", "result-B10")
    expect(top.locator(".verdict")).to_have_class("verdict prohibited")
    expect(top).to_contain_text("SKB")
    shot(phone, "selfcheck01_verdict")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["viewport"]["width"] + 1, f"horizontal scroll: {width}px"

    top.locator("h2 a").click()
    expect(phone).to_have_url(re.compile(r"/aturan/B10/$"))
    expect(phone.locator("h1")).not_to_be_empty()
    shot(phone, "selfcheck02_rule")

    phone.locator("#report-link").click()
    expect(phone).to_have_url(re.compile(r"/panduan/saluran-pelaporan/\?kategori=B10$"))
    expect(phone.locator("main")).to_contain_text("Bawaslu")
    shot(phone, "selfcheck03_report")

    phone.goto("/cek/?q=resep+rendang+padang+yang+enak")
    expect(phone.locator("#no-confident-match")).to_be_visible()
    shot(phone, "selfcheck04_no_match")
    assert phone_context.js_errors == [] and phone_context.console_errors == []
