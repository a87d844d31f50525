import pytest

pytestmark = pytest.mark.django_db


def test_rules_list_and_detail(client):
    rules = client.get("/api/rules").json()
    detail = client.get("/api/rules/B10").json()

    assert len(rules) == 35 and rules[0]["code"] == "B01"
    assert detail["verdict"] == "prohibited"
    assert detail["sanctions"] and detail["legal_basis"]
    assert client.get("/api/rules/B99").status_code == 404


@pytest.mark.parametrize(("query", "code", "verdict"), [
    ("saya like postingan paslon di IG", "B10", "prohibited"),
    ("foto bareng calon pakai pose dua jari", "B14", "prohibited"),
    ("boleh nyoblos?", "B01", "allowed"),
], ids=["like", "pose", "vote"])
def test_selfcheck_examples_from_the_issue(client, query, code, verdict):
    data = client.get("/api/selfcheck", {"q": query}).json()

    top = data["results"][0]
    assert (top["code"], top["verdict"]) == (code, verdict)
    assert data["confident"] is True
    assert {"code", "title", "verdict", "score", "sanction", "legal_basis"} <= set(top)


def test_selfcheck_says_so_when_nothing_matches(client):
    data = client.get("/api/selfcheck", {"q": "resep rendang padang yang enak sekali"}).json()

    assert data["confident"] is False
    assert data["message"]


def test_selfcheck_requires_a_query(client):
    response = client.get("/api/selfcheck", {"q": "  "})

    assert response.status_code == 400
    assert set(response.json()) == {"detail", "errors"}


def test_selfcheck_is_rate_limited(client, settings):
    settings.RATELIMIT_ENABLE = True
    codes = [client.get("/api/selfcheck", {"q": "boleh nyoblos"}).status_code for _ in range(122)]

    assert codes[:120] == [200] * 120 and codes[120:] == [429, 429]


def test_ambiguous_sentence_leads_with_the_prohibition(client):
    data = client.get("/api/selfcheck", {"q": "foto bersama calon"}).json()

    assert data["results"][0]["verdict"] == "prohibited"
    verdicts = {r["verdict"] for r in data["results"]}
    if "allowed" in verdicts:
        assert data["ambiguous"] is True and data["message"]


def test_guided_answer_changes_the_ranking(client):
    plain = [r["code"] for r in client.get("/api/selfcheck", {"q": "datang ke acara partai"}).json()["results"]]
    office = [r["code"] for r in client.get("/api/selfcheck", {"q": "datang ke acara partai",
                                                                  "office": "ya"}).json()["results"]]

    assert plain[0] != office[0]
    from netral.knowledge.models import Behaviour

    assert Behaviour.objects.get(code=office[0]).facets["office"] in (True, None)
