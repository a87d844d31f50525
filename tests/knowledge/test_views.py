import pytest
from django.urls import reverse

from netral.accounts.models import Role
from netral.knowledge.models import Behaviour, Synonym
from tests.factories.events import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(db):
    return UserFactory(username="editor", role=Role.EDITOR)


def _any_behaviour():
    return Behaviour.objects.order_by("code").first()


def test_public_pages_render(client):
    b = _any_behaviour()
    for url in [reverse("knowledge:check"), reverse("knowledge:catalogue"), reverse("knowledge:regulations"),
                reverse("knowledge:sanctions"), reverse("knowledge:faq"), b.get_absolute_url()]:
        response = client.get(url)
        assert response.status_code == 200, url
    assert b.title in client.get(b.get_absolute_url()).content.decode()


def test_behaviour_url_is_shareable_by_code(client):
    response = client.get("/aturan/b10/")

    assert response.status_code == 200
    assert response.context["b"].code == "B10"


def test_only_editors_and_organisers_edit(client, editor):
    b = _any_behaviour()
    url = reverse("knowledge:behaviour_edit", kwargs={"code": b.code})
    client.force_login(UserFactory(username="verif", role=Role.VERIFIER))
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302
    client.force_login(editor)
    assert client.get(url).status_code == 200


def test_edit_keeps_revision_history_and_marks_edited(client, editor):
    from reversion.models import Version

    b = _any_behaviour()
    old_title = b.title
    client.force_login(editor)
    form = client.get(reverse("knowledge:behaviour_edit", kwargs={"code": b.code})).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("\n".join(v) if isinstance(v, list) and k != "sanctions" else v) for k, v in data.items()
            if v is not None}
    data["title"] = old_title + " (diperbarui)"
    data["comment"] = "judul diperjelas"

    response = client.post(reverse("knowledge:behaviour_edit", kwargs={"code": b.code}), data)

    assert response.status_code == 302
    b.refresh_from_db()
    assert b.title == old_title + " (diperbarui)" and b.edited
    versions = Version.objects.get_for_object(b)
    assert versions.count() == 1
    assert versions[0].revision.user == editor and versions[0].revision.comment == "judul diperjelas"
    history = client.get(reverse("knowledge:behaviour_history", kwargs={"code": b.code})).content.decode()
    assert "judul diperjelas" in history


def test_edited_rows_survive_a_content_reload(editor):
    from netral.knowledge.loader import load_content
    from netral.knowledge.services import save_content

    b = _any_behaviour()
    b.title = "Judul versi editor"
    save_content(b, user=editor)

    load_content()

    b.refresh_from_db()
    assert b.title == "Judul versi editor"


def test_edit_refuses_rule_without_basis_and_keeps_input(client, editor):
    b = _any_behaviour()
    client.force_login(editor)
    response = client.post(reverse("knowledge:behaviour_edit", kwargs={"code": b.code}),
                           {"title": "Judul baru", "verdict": "prohibited", "topic": b.topic, "summary": "x",
                            "legal_basis_text": "", "examples": "a", "counter_examples": "b\nc"})

    body = response.content.decode()
    assert response.status_code == 200
    assert 'value="Judul baru"' in body
    b.refresh_from_db()
    assert b.title != "Judul baru"


def test_editor_adds_synonym_and_self_check_uses_it(client, editor):
    client.force_login(editor)
    target = Behaviour.objects.get(code="B06")
    word = "kendaraan" if "kendaraan" in (target.title + " ".join(target.phrasings)).lower() else target.title.split()[0]

    client.post(reverse("knowledge:synonyms"), {"term": "zzkijang", "expansion": word})
    data = client.get("/api/selfcheck", {"q": "zzkijang"}).json()

    assert Synonym.objects.filter(term="zzkijang").exists()
    assert "B06" in [r["code"] for r in data["results"]]


def test_markdown_pages_are_sanitised(client, editor):
    from netral.knowledge.models import Page

    Page.objects.create(slug="uji", title="Uji", body="**tebal** <script>alert(1)</script> [tautan](javascript:alert(1))")

    body = client.get(reverse("knowledge:page", kwargs={"slug": "uji"})).content.decode()

    assert "<strong>tebal</strong>" in body
    assert "<script>alert(1)" not in body and "javascript:" not in body


def test_one_page_summary_pdf(client):
    response = client.get(reverse("knowledge:summary_pdf"))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    import io

    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(response.content))
    text = reader.pages[0].extract_text()
    assert len(reader.pages) == 1
    assert "B01" in text and "B35" in text


@pytest.mark.parametrize("kind", ["page", "faq", "regulation", "article", "sanction"])
def test_other_content_is_editable_with_history(client, editor, kind):
    from reversion.models import Version

    from netral.knowledge.views import EDITABLE

    model, fields, _target = EDITABLE[kind]
    obj = model.objects.order_by("pk").first()
    url = reverse("knowledge:content_edit", kwargs={"kind": kind, "pk": obj.pk})
    client.force_login(UserFactory(username="verif", role=Role.VERIFIER))
    assert client.get(url).status_code == 403
    client.force_login(editor)
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name in fields if form[name].value() is not None}
    if kind == "faq":
        import json

        data["codes"] = json.dumps(obj.codes)
    text_field = next(f for f in fields if f not in ("verified", "codes"))
    data[text_field] = str(data.get(text_field, "")) + " (revisi)"
    data["comment"] = "uji revisi"

    response = client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    obj.refresh_from_db()
    assert getattr(obj, text_field).endswith(" (revisi)") and obj.edited
    assert Version.objects.get_for_object(obj).get().revision.comment == "uji revisi"
    history = client.get(reverse("knowledge:content_history", kwargs={"kind": kind, "pk": obj.pk}))
    assert "uji revisi" in history.content.decode()


def test_unknown_content_kind_is_404(client, editor):
    client.force_login(editor)

    assert client.get("/panitia/konten/user/1/").status_code == 404
