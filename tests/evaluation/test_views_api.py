import io
import json
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from netral.accounts.models import ApiToken
from netral.evaluation import services
from netral.evaluation.models import Attempt, Response, Test
from tests.evaluation.conftest import correct_answers
from tests.factories.events import ParticipantFactory

pytestmark = pytest.mark.django_db
STATIC = Path(__file__).resolve().parents[2] / "netral"


def _url(event, kind="pra", name="take"):
    return reverse(f"evaluation:{name}", kwargs={"code": event.code, "kind": kind})


def _json(client, method, url, data=None, **headers):
    return getattr(client, method)(url, json.dumps(data) if data is not None else None,
                                   content_type="application/json", **headers)


def test_test_page_needs_joining(client, event, pre_test):
    response = client.get(_url(event))

    assert response.status_code == 302 and "/gabung/" in response["Location"]


def test_phone_takes_a_test_without_javascript(phone, event, pre_test, post_test):
    assert "Mulai" in phone.get(_url(event)).content.decode()
    phone.post(_url(event, name="start"))
    attempt = Attempt.objects.get(participant=phone.participant, test=pre_test)
    page = phone.get(_url(event)).content.decode()
    for ti in pre_test.test_items.select_related("version"):
        assert f'name="q{ti.pk}"' in page
    assert '"correct"' not in page and "✓" not in page  # no key in the page

    form = {f"q{k}": v for k, v in correct_answers(attempt).items()}
    response = phone.post(_url(event, name="submit"), form, follow=True)

    attempt.refresh_from_db()
    assert attempt.submitted and attempt.score == 10
    body = response.content.decode()
    assert "Terkirim" in body and "Skor" not in body  # pre-test: no answers before the lecture

    phone.post(_url(event, "pasca", name="start"))
    post = Attempt.objects.get(participant=phone.participant, test=post_test)
    phone.post(_url(event, "pasca", name="submit"), {f"q{k}": v for k, v in correct_answers(post).items()})
    body = phone.get(_url(event, "pasca")).content.decode()
    assert "Skor: 10 dari 10 (100%)" in body
    first = post_test.test_items.first().version
    assert first.explanation[:40] in body.replace("&quot;", '"')


def test_phone_page_weighs_under_100_kb(phone, event, pre_test):
    phone.post(_url(event, name="start"))
    page = phone.get(_url(event)).content
    assets = [STATIC / "core/static/netral/css/netral.css", STATIC / "evaluation/static/evaluation/test.js",
              STATIC / "core/static/netral/js/netral.js"]
    total = len(page) + sum(p.stat().st_size for p in assets)

    assert b"htmx-2" not in page
    assert total < 100 * 1024, total


def test_api_flow_with_attempt_token(event, pre_test, participant):
    client = Client(enforce_csrf_checks=True)
    token = client.get(reverse("events:join", kwargs={"code": event.code})).cookies["csrftoken"].value
    client.post(reverse("events:join", kwargs={"code": event.code}), {"nip": participant.nip,
                                                                      "csrfmiddlewaretoken": token})
    test = _json(client, "get", f"/api/tests/{pre_test.pk}").json()
    assert len(test["items"]) == 10 and "correct" not in json.dumps(test)

    assert _json(client, "post", f"/api/tests/{pre_test.pk}/attempts", {}).status_code == 403  # no CSRF token
    created = _json(client, "post", f"/api/tests/{pre_test.pk}/attempts", {}, HTTP_X_CSRFTOKEN=token)
    again = _json(client, "post", f"/api/tests/{pre_test.pk}/attempts", {}, HTTP_X_CSRFTOKEN=token)
    assert created.status_code == 201 and again.status_code == 200
    attempt = created.json()
    assert again.json()["id"] == attempt["id"]
    items = [str(i[0]) for i in attempt["layout"]]
    assert _json(client, "get", f"/api/tests/{pre_test.pk}").json()["items"][0]["id"] == int(items[0])

    url = f"/api/attempts/{attempt['id']}/answers"
    assert _json(client, "put", url, {"answers": {items[0]: ["A"]}}).status_code == 401
    assert _json(client, "put", url, {"answers": {items[0]: ["A"]}}, HTTP_X_ATTEMPT_TOKEN="forged").status_code == 404
    saved = _json(client, "put", url, {"answers": {items[0]: ["A"], items[1]: ["Q"]}},
                  HTTP_X_ATTEMPT_TOKEN=attempt["token"])
    assert saved.status_code == 200
    assert saved.json()["saved"] == 1 and list(saved.json()["errors"]) == [items[1]]
    bad = _json(client, "put", url, {"answers": {items[1]: ["Q"]}}, HTTP_X_ATTEMPT_TOKEN=attempt["token"])
    assert bad.status_code == 400 and bad.json()["detail"] == "Tidak ada jawaban yang dapat disimpan."

    resumed = _json(client, "get", f"/api/attempts/{attempt['id']}", HTTP_X_ATTEMPT_TOKEN=attempt["token"]).json()
    assert resumed["answers"] == {items[0]: ["A"]}

    key = correct_answers(Attempt.objects.get(pk=attempt["id"]))
    first = _json(client, "post", f"/api/attempts/{attempt['id']}/submit", {"answers": key},
                  HTTP_X_ATTEMPT_TOKEN=attempt["token"]).json()
    second = _json(client, "post", f"/api/attempts/{attempt['id']}/submit", {"answers": {}},
                   HTTP_X_ATTEMPT_TOKEN=attempt["token"]).json()
    assert first["created"] and not second["created"]
    assert first["submitted_at"] == second["submitted_at"]
    assert first["score"] is None  # pre-test: feedback off by default
    assert Attempt.objects.get(pk=attempt["id"]).score == 10
    late = _json(client, "put", url, {"answers": {items[0]: ["B"]}}, HTTP_X_ATTEMPT_TOKEN=attempt["token"])
    assert late.status_code == 409


def test_submit_shows_feedback_when_configured(event, post_test, participant):
    attempt, _ = services.start_attempt(post_test, participant)
    response = _json(Client(), "post", f"/api/attempts/{attempt.pk}/submit",
                     {"answers": correct_answers(attempt)}, HTTP_X_ATTEMPT_TOKEN=attempt.token).json()

    assert response["percent"] == 100
    assert len(response["feedback"]) == 10 and all(f["correct"] for f in response["feedback"])
    assert all(f["explanation"] and f["legal_basis"] for f in response["feedback"])


def test_organiser_starts_an_attempt_for_a_participant_with_a_token(event, organiser, other_organiser, pre_test):
    participant = ParticipantFactory(event=event)
    _obj, mine = ApiToken.issue(organiser)
    _obj, theirs = ApiToken.issue(other_organiser)
    url = f"/api/tests/{pre_test.pk}/attempts"

    denied = _json(Client(), "post", url, {"participant_id": participant.pk}, HTTP_AUTHORIZATION=f"Bearer {theirs}")
    created = _json(Client(), "post", url, {"participant_id": participant.pk}, HTTP_AUTHORIZATION=f"Bearer {mine}")

    assert denied.status_code == 403
    assert created.status_code == 201 and Attempt.objects.filter(participant=participant).count() == 1


def test_event_evaluation_api_is_for_the_event_organisers(event, organiser, other_organiser, pre_test):
    _obj, mine = ApiToken.issue(organiser)
    _obj, theirs = ApiToken.issue(other_organiser)
    url = f"/api/events/{event.pk}/evaluation"

    assert Client().get(url).status_code == 401
    assert Client().get(url, HTTP_AUTHORIZATION=f"Bearer {theirs}").status_code == 404
    data = Client().get(url, HTTP_AUTHORIZATION=f"Bearer {mine}").json()
    assert data["tests"]["pre"]["items"] == 10 and data["gain"] is None


def test_participant_cookie_does_not_open_organiser_pages(phone, event, pre_test):
    assert phone.get(reverse("evaluation:overview", kwargs={"pk": event.pk})).status_code in (302, 403)
    assert phone.get(f"/api/events/{event.pk}/evaluation").status_code == 401


def test_other_organiser_gets_404(client, other_organiser, event, pre_test):
    client.force_login(other_organiser)
    for url in (reverse("evaluation:overview", kwargs={"pk": event.pk}),
                reverse("evaluation:settings", kwargs={"pk": event.pk, "kind": "pra"}),
                reverse("evaluation:export", kwargs={"pk": event.pk})):
        assert client.get(url).status_code == 404


def test_organiser_creates_tests_and_closing_submits_open_attempts(organiser_client, event, bank):
    for kind in ("pra", "pasca", "survei"):
        organiser_client.post(reverse("evaluation:create", kwargs={"pk": event.pk, "kind": kind}))
    assert set(Test.objects.filter(event=event).values_list("kind", flat=True)) == {"pre", "post", "survey"}
    pre = Test.objects.get(event=event, kind="pre")
    attempt, _ = services.start_attempt(pre, ParticipantFactory(event=event))

    organiser_client.post(reverse("evaluation:toggle", kwargs={"pk": event.pk, "kind": "pra"}), {"action": "close"})

    attempt.refresh_from_db()
    assert attempt.submitted and attempt.submitted_by == "close"
    assert services.test_state(Test.objects.get(pk=pre.pk)) == "closed"
    page = organiser_client.get(reverse("evaluation:overview", kwargs={"pk": event.pk})).content.decode()
    assert "Buka lagi" in page


def test_settings_form_keeps_input_and_explains_errors(organiser_client, event, pre_test):
    url = reverse("evaluation:settings", kwargs={"pk": event.pk, "kind": "pra"})
    response = organiser_client.post(url, {"title": "Pre-test Brebes", "opens_at": "2024-09-17T10:00",
                                           "closes_at": "2024-09-17T09:00", "time_limit_minutes": "abc",
                                           "feedback": "never"})

    body = response.content.decode()
    assert response.status_code == 200
    assert "Pre-test Brebes" in body
    assert "Waktu tutup harus setelah waktu buka." in body
    assert "Masukkan keseluruhan angka bilangan." in body  # Django's own catalogue


def test_overview_and_export_show_the_statistics(organiser_client, event, pre_test, post_test):
    from openpyxl import load_workbook

    for n in range(4):
        person = ParticipantFactory(event=event, name=f"=HYPERLINK(\"x\") {n}")
        for test, right in ((pre_test, n + 2), (post_test, 2 * n + 4)):
            attempt, _ = services.start_attempt(test, person)
            key = correct_answers(attempt)
            services.save_answers(attempt.pk, attempt.token,
                                  {k: v for i, (k, v) in enumerate(sorted(key.items())) if i < right})
            services.submit_attempt(attempt)

    page = organiser_client.get(reverse("evaluation:overview", kwargs={"pk": event.pk})).content.decode()
    assert 'id="hake-gain"' in page and "t(3)" in page
    wb = load_workbook(io.BytesIO(organiser_client.get(reverse("evaluation:export", kwargs={"pk": event.pk})).content))
    assert {"Skor", "Peningkatan belajar", "Butir pre-test", "Butir post-test", "Topik"} <= set(wb.sheetnames)
    names = [c.value for c in wb["Skor"]["A"][1:]]
    assert names[0].startswith("=HYPERLINK") and wb["Skor"]["A2"].data_type == "s"


def test_item_detail_breakdown(organiser_client, event, pre_test):
    ti = pre_test.test_items.first()
    attempt, _ = services.start_attempt(pre_test, ParticipantFactory(event=event))
    services.save_answers(attempt.pk, attempt.token, {str(ti.pk): ["B"]})

    page = organiser_client.get(reverse("evaluation:item", kwargs={"pk": event.pk, "kind": "pra",
                                                                   "test_item": ti.pk})).content.decode()

    assert "<td>1</td>" in page and Response.objects.count() == 1


def test_expired_attempt_is_closed_when_the_phone_returns(phone, event, bank):
    test = services.create_test(event, Test.Kind.PRE, count=2, time_limit_minutes=1)
    start = timezone.now() - timezone.timedelta(minutes=10)
    services.start_attempt(test, phone.participant, now=start)

    body = phone.get(_url(event)).content.decode()

    assert "Waktu habis" in body
