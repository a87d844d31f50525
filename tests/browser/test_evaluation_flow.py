"""Evaluation on a phone: pre-test with the connection lost half-way, post-test with
explanations, and the organiser's evaluation page with its charts."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import CHROMIUM, PHONE, SKIP_REASON

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=SKIP_REASON),
]
PASSWORD = "rahasia-uji-123"


@pytest.fixture
def hall(transactional_db):
    from netral.evaluation import services
    from netral.evaluation.models import Test
    from tests.factories.events import EventFactory, ParticipantFactory, UserFactory

    organiser = UserFactory(username="panitia_eval", password=PASSWORD)
    event = EventFactory(status="running", owner=organiser)
    services.load_default_bank()
    pre = services.create_test(event, Test.Kind.PRE, count=6, time_limit_minutes=20)
    post = services.create_test(event, Test.Kind.POST)
    return {"event": event, "pre": pre, "post": post, "participant": ParticipantFactory(event=event, name="Rina"),
            "others": [ParticipantFactory(event=event) for _ in range(4)]}


def _key(test):
    return {ti.pk: [o["id"] for o in ti.version.options if o.get("correct")]
            for ti in test.test_items.select_related("version")}


def _answer(page, test_item_id, option_ids):
    for option in option_ids:
        page.locator(f"#item-{test_item_id} input[value='{option}']").check()


def test_phone_takes_pre_test_offline_midway_then_post_test_and_organiser_sees_charts(hall, new_context, shot):
    from netral.evaluation import services
    from netral.evaluation.models import Attempt, Response

    event, pre, post, person = hall["event"], hall["pre"], hall["post"], hall["participant"]
    context = new_context(**PHONE)
    phone = context.new_page()
    phone.goto(f"/j/{event.code}/")
    phone.locator("#id_nip").fill(person.nip)
    phone.locator("main form button[type=submit]").click()
    expect(phone).to_have_url(re.compile(rf"/e/{event.code}/saya/$"))

    phone.get_by_role("link", name="Tes dan survei").click()
    phone.locator("#my-tests a.button").first.click()
    phone.locator("#start-test").click()
    expect(phone.locator("#timer")).to_contain_text("Sisa waktu")
    shot(phone, "eval01_pre_test")

    key = _key(pre)
    items = [int(x) for x in phone.locator("fieldset[data-item]").evaluate_all(
        "els => els.map(e => e.dataset.item)")]
    assert sorted(items) == sorted(key)
    first, rest = items[:3], items[3:]
    for item in first:
        _answer(phone, item, key[item])
    expect(phone.locator("#save-status")).to_have_text("Semua jawaban tersimpan.")
    attempt = Attempt.objects.get(test=pre, participant=person)
    assert Response.objects.filter(attempt=attempt).count() == 3

    # The hall's Wi-Fi drops: answers stay on the phone.
    context.set_offline(True)
    for item in rest[:2]:
        _answer(phone, item, key[item])
    expect(phone.locator("#save-status")).to_contain_text("Offline")
    shot(phone, "eval02_offline")
    assert Response.objects.filter(attempt=attempt).count() == 3
    stored = phone.evaluate(f"() => JSON.parse(localStorage.getItem('netral.attempt.{attempt.pk}'))")
    assert sorted(int(k) for k in stored) == sorted(rest[:2])

    # Back online: the queue is sent on its own.
    context.set_offline(False)
    expect(phone.locator("#save-status")).to_have_text("Semua jawaban tersimpan.", timeout=20_000)
    assert Response.objects.filter(attempt=attempt).count() == 5

    # A reload shows every saved answer; the last one is given and the test submitted.
    phone.reload()
    for item in items[:5]:
        for option in key[item]:
            expect(phone.locator(f"#item-{item} input[value='{option}']")).to_be_checked()
    _answer(phone, rest[-1], key[rest[-1]])
    phone.locator("#submit-test").click()
    expect(phone.locator("#test-result")).to_contain_text("Terkirim")
    attempt.refresh_from_db()
    assert attempt.submitted and attempt.score == 6
    expect(phone.locator("#feedback")).to_have_count(0)  # no answers after the pre-test

    # Post-test (same items, another order): answers and explanations afterwards.
    phone.goto(f"/e/{event.code}/evaluasi/pasca/")
    phone.locator("#start-test").click()
    post_key = _key(post)
    post_items = [int(x) for x in phone.locator("fieldset[data-item]").evaluate_all(
        "els => els.map(e => e.dataset.item)")]
    for n, item in enumerate(post_items):
        if n < 5:
            _answer(phone, item, post_key[item])
    phone.once("dialog", lambda dialog: dialog.accept())  # "some questions are not answered"
    phone.locator("#submit-test").click()
    expect(phone.locator("#score")).to_contain_text("Skor: 5 dari 6")
    expect(phone.locator("#feedback > li")).to_have_count(6)
    expect(phone.locator("#feedback")).to_contain_text("Dasar hukum")
    shot(phone, "eval03_post_feedback")
    assert context.js_errors == []
    # The only console errors are the requests that failed while the phone was offline.
    assert all("ERR_INTERNET_DISCONNECTED" in e for e in context.console_errors), context.console_errors

    # Four more participants, so the statistics have something to say.
    for n, other in enumerate(hall["others"]):
        for test, right in ((pre, 1 + n), (post, 3 + n % 3)):
            a, _ = services.start_attempt(test, other)
            answers = {str(k): v for i, (k, v) in enumerate(sorted(_key(test).items())) if i < right}
            services.save_answers(a.pk, a.token, answers)
            services.submit_attempt(a)

    organiser = new_context().new_page()
    organiser.goto("/masuk/")
    organiser.locator("#id_username").fill("panitia_eval")
    organiser.locator("#id_password").fill(PASSWORD)
    organiser.locator("main form button[type=submit]").click()
    organiser.goto(f"/panitia/kegiatan/{event.pk}/evaluasi/")
    expect(organiser.locator("#hake-gain")).not_to_have_text("—")
    charts = organiser.locator("figure.chart img")
    expect(charts.first).to_be_visible()
    assert charts.count() >= 3
    # Decoded and drawn (an SVG blocked or broken has no natural size).
    assert all(w > 100 for w in charts.evaluate_all("imgs => imgs.map(i => i.naturalWidth)"))
    expect(organiser.locator("#items-post table tbody tr")).to_have_count(6)
    shot(organiser, "eval04_organiser_page")
