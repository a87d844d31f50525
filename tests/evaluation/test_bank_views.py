"""The item bank pages: permissions, items and versions through the form, import and
export, and choosing a test's items."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from netral.accounts.models import Role
from netral.core.models import AuditLog
from netral.evaluation import interchange, services
from netral.evaluation.bank_forms import version_to_dict
from netral.evaluation.models import Item, ItemBank, Test
from tests.factories.events import EventFactory, ParticipantFactory, UserFactory

pytestmark = pytest.mark.django_db

GIFT_ONE_BAD = """// netral: {"key": "G1", "topic": "kampanye", "codes": ["B05"]}
::G1::ASN boleh menjadi juru kampanye pasangan calon. {F}

::G2::Soal rusak tanpa jawaban benar {~satu ~dua}

// netral: {"key": "G3", "topic": "media_sosial"}
::G3::Lembaga yang mengawasi netralitas ASN dalam pemilihan adalah ... {=Bawaslu =Badan Pengawas Pemilu}
"""


def _item_post(**overrides):
    data = {"key": "", "type": "single", "topic": "prinsip", "stem": "Siapa yang boleh mencoblos?",
            "option_0": "ASN", "correct_0": "on", "option_1": "Tidak ada", "option_2": "", "explanation": "Hak pilih.",
            "legal_basis": "UU 20/2023", "codes": "B01", "difficulty": "easy", "author": "Tim Uji"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def my_bank(organiser):
    return ItemBank.objects.create(name="Bank Brebes", owner=organiser)


@pytest.fixture
def private_bank(other_organiser):
    bank = ItemBank.objects.create(name="Bank rahasia", owner=other_organiser)
    services.create_item(bank, {"key": "R1", "type": "truefalse", "topic": "etika", "stem": "Rahasia.",
                                "options": [{"text": "Benar", "correct": True}, {"text": "Salah"}]})
    return bank


@pytest.fixture
def my_item(my_bank):
    return services.create_item(my_bank, {
        "key": "M1", "type": "single", "topic": "prinsip", "stem": "Versi pertama?", "author": "Tim",
        "options": [{"text": "Ya", "correct": True}, {"text": "Tidak"}]})


def _answer(event, version):
    """A participant has answered ``version`` (through a test of the event)."""
    test = services.create_test(event, Test.Kind.SURVEY, versions=[version])
    participant = ParticipantFactory(event=event)
    attempt, _created = services.start_attempt(test, participant)
    ti = test.test_items.get()
    services.save_answers(attempt.pk, attempt.token, {str(ti.pk): ["A"]})
    return test


def _upload(client, bank, name, content, **extra):
    url = reverse("evaluation:bank_import", kwargs={"pk": bank.pk})
    return client.post(url, {"file": SimpleUploadedFile(name, content), "format": "auto",
                             "default_topic": "prinsip", **extra})


# --------------------------------------------------------------------------------------
# Permissions
# --------------------------------------------------------------------------------------

def test_bank_list_shows_own_shared_and_default_but_not_private_banks(organiser_client, my_bank, private_bank,
                                                                       other_organiser, bank):
    shared = ItemBank.objects.create(name="Bank bersama", owner=other_organiser, shared=True)

    page = organiser_client.get(reverse("evaluation:bank_list")).content.decode()

    assert f'id="bank-{my_bank.pk}"' in page
    assert f'id="bank-{shared.pk}"' in page
    assert f'id="bank-{bank.pk}"' in page
    assert f'id="bank-{private_bank.pk}"' not in page and "Bank rahasia" not in page


def test_other_organisers_private_bank_is_404(organiser_client, private_bank):
    item = private_bank.items.get()
    urls = [reverse("evaluation:bank_detail", kwargs={"pk": private_bank.pk}),
            reverse("evaluation:bank_item", kwargs={"pk": private_bank.pk, "item_pk": item.pk}),
            reverse("evaluation:bank_export", kwargs={"pk": private_bank.pk, "fmt": "gift"}),
            reverse("evaluation:bank_import", kwargs={"pk": private_bank.pk})]

    assert [organiser_client.get(url).status_code for url in urls] == [404, 404, 404, 404]
    copy = organiser_client.post(reverse("evaluation:bank_copy", kwargs={"pk": private_bank.pk}))
    assert copy.status_code == 404


def test_anonymous_and_participant_are_sent_to_login(client, event, my_bank, phone):
    urls = [reverse("evaluation:bank_list"), reverse("evaluation:bank_detail", kwargs={"pk": my_bank.pk}),
            reverse("evaluation:choose_items", kwargs={"pk": event.pk, "kind": "pra"})]

    for url in urls:
        response = phone.get(url)  # the participant cookie is no login
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_speaker_is_refused(client, my_bank):
    client.force_login(UserFactory(username="narsum", role=Role.SPEAKER))

    assert client.get(reverse("evaluation:bank_list")).status_code == 403


def test_editor_creates_a_bank_and_an_item(client):
    editor = UserFactory(username="editor1", role=Role.EDITOR)
    client.force_login(editor)

    response = client.post(reverse("evaluation:bank_list"), {"name": "Bank editor", "description": ""})
    bank = ItemBank.objects.get(name="Bank editor")
    assert response.status_code == 302 and bank.owner == editor
    client.post(reverse("evaluation:bank_item_create", kwargs={"pk": bank.pk}), _item_post(key="E1"))

    assert list(bank.items.values_list("key", flat=True)) == ["E1"]
    assert AuditLog.objects.filter(action="evaluation.bank.create", user=editor).count() == 1


def test_shared_bank_is_readable_but_not_editable_by_others(organiser_client, other_organiser):
    shared = ItemBank.objects.create(name="Bank bersama", owner=other_organiser, shared=True)
    item = services.create_item(shared, {"key": "S1", "type": "truefalse", "topic": "etika", "stem": "Soal.",
                                         "options": [{"text": "Benar", "correct": True}, {"text": "Salah"}]})
    url = reverse("evaluation:bank_item", kwargs={"pk": shared.pk, "item_pk": item.pk})

    page = organiser_client.get(url).content.decode()
    response = organiser_client.post(url, _item_post(type="truefalse", truefalse_answer="false"))

    assert 'id="read-only"' in page and "disabled" in page
    assert response.status_code == 403
    assert organiser_client.post(reverse("evaluation:bank_item_create", kwargs={"pk": shared.pk}),
                                 _item_post()).status_code == 403
    assert organiser_client.get(reverse("evaluation:bank_import", kwargs={"pk": shared.pk})).status_code == 403


def test_default_bank_is_read_only_and_can_be_copied(organiser_client, organiser, bank):
    assert organiser_client.post(reverse("evaluation:bank_item_create", kwargs={"pk": bank.pk}),
                                 _item_post()).status_code == 403

    response = organiser_client.post(reverse("evaluation:bank_copy", kwargs={"pk": bank.pk}))

    copy = ItemBank.objects.get(owner=organiser)
    assert response["Location"] == reverse("evaluation:bank_detail", kwargs={"pk": copy.pk})
    assert not copy.is_default and not copy.shared
    assert [version_to_dict(i) for i in copy.items.select_related("current").order_by("key")] == \
        [version_to_dict(i) for i in bank.items.select_related("current").order_by("key")]


def test_superuser_may_edit_the_default_bank(client, bank):
    client.force_login(UserFactory(username="root", is_superuser=True))
    item = bank.items.filter(type="truefalse").first()

    response = client.post(reverse("evaluation:bank_item", kwargs={"pk": bank.pk, "item_pk": item.pk}),
                           _item_post(type="truefalse", topic=item.topic, truefalse_answer="true",
                                      stem="Pernyataan baru.", codes=""))

    assert response.status_code == 302
    item.refresh_from_db()
    assert item.current.stem == "Pernyataan baru."


# --------------------------------------------------------------------------------------
# Bank page
# --------------------------------------------------------------------------------------

def test_bank_page_filters_and_counts_per_topic(organiser_client, bank):
    url = reverse("evaluation:bank_detail", kwargs={"pk": bank.pk})

    page = organiser_client.get(url, {"topic": "sanksi"}).content.decode()

    sanctions = list(bank.items.filter(topic="sanksi", retired=False).values_list("pk", flat=True))
    others = list(bank.items.exclude(topic="sanksi").values_list("pk", flat=True))
    assert all(f'id="item-{pk}"' in page for pk in sanctions)
    assert not any(f'id="item-{pk}"' in page for pk in others)
    assert 'href="?topic=sanksi"' in page and 'id="topic-counts"' in page
    assert 'id="not-exportable"' in page and "S11, S12" in page
    first = bank.items.select_related("current").get(key="N01")
    found = organiser_client.get(url, {"q": first.current.stem[10:40]}).content.decode()
    assert f'id="item-{first.pk}"' in found


# --------------------------------------------------------------------------------------
# Items
# --------------------------------------------------------------------------------------

def test_create_single_choice_item(organiser_client, organiser, my_bank):
    response = organiser_client.post(reverse("evaluation:bank_item_create", kwargs={"pk": my_bank.pk}),
                                     _item_post(key="N51", option_2="Hanya PPPK", codes="b01, B21"))

    item = my_bank.items.get(key="N51")
    assert response["Location"] == reverse("evaluation:bank_item", kwargs={"pk": my_bank.pk, "item_pk": item.pk})
    assert item.codes == ["B01", "B21"] and item.difficulty == "easy" and item.author == "Tim Uji"
    assert item.current.options == [
        {"id": "A", "text": "ASN", "correct": True, "fraction": 1.0},
        {"id": "B", "text": "Tidak ada", "correct": False, "fraction": 0.0},
        {"id": "C", "text": "Hanya PPPK", "correct": False, "fraction": 0.0}]
    assert item.current.created_by == organiser
    assert AuditLog.objects.filter(action="evaluation.item.create", object_id=str(item.pk)).count() == 1


def test_item_form_errors_keep_every_typed_value(organiser_client, my_bank):
    data = _item_post(stem="Pertanyaan yang diketik panjang", correct_0=None, option_5="", correct_5="on",
                      codes="B01, Z99", legal_basis="Pasal ketikan")

    response = organiser_client.post(reverse("evaluation:bank_item_create", kwargs={"pk": my_bank.pk}), data)

    page = response.content.decode()
    assert response.status_code == 200 and not my_bank.items.exists()
    assert 'id="form-errors"' in page and 'id="id_options_error"' in page and 'id="id_codes_error"' in page
    assert "Z99" in page
    assert "Pertanyaan yang diketik panjang" in page and 'value="Pasal ketikan"' in page
    assert 'value="Tidak ada"' in page
    form = response.context["form"]
    assert set(form.errors) == {"options", "codes"}


@pytest.mark.parametrize(("post", "expected"), [
    ({"type": "truefalse", "truefalse_answer": "false", "option_0": "", "correct_0": None, "option_1": ""},
     {"options": [{"id": "A", "text": "Benar", "correct": False, "fraction": 0.0},
                  {"id": "B", "text": "Salah", "correct": True, "fraction": 1.0}], "answers": []}),
    ({"type": "likert", "topic": "survei", "scale": "agree4", "option_0": "", "correct_0": None, "option_1": ""},
     {"options": [{"id": c, "text": t, "correct": False} for c, t in
                  zip("ABCD", ["Sangat tidak setuju", "Tidak setuju", "Setuju", "Sangat setuju"])], "answers": []}),
    ({"type": "short", "answers": "Bawaslu\nPanwaslu | 50\n", "option_0": "", "correct_0": None, "option_1": ""},
     {"options": [], "answers": [{"text": "Bawaslu", "fraction": 1.0}, {"text": "Panwaslu", "fraction": 0.5}]}),
    ({"type": "multiple", "correct_1": "on", "option_2": "Salah", "fraction_0": "50", "fraction_1": "50",
      "fraction_2": "-100"},
     {"options": [{"id": "A", "text": "ASN", "correct": True, "fraction": 0.5},
                  {"id": "B", "text": "Tidak ada", "correct": True, "fraction": 0.5},
                  {"id": "C", "text": "Salah", "correct": False, "fraction": -1.0}], "answers": []}),
    ({"type": "short", "topic": "survei", "answers": "", "option_0": "", "correct_0": None, "option_1": ""},
     {"options": [], "answers": []}),
], ids=["truefalse", "likert-scale", "short-partial", "multiple-credits", "open-comment"])
def test_create_item_of_each_type(organiser_client, my_bank, post, expected):
    response = organiser_client.post(reverse("evaluation:bank_item_create", kwargs={"pk": my_bank.pk}),
                                     _item_post(key="T1", **post))

    assert response.status_code == 302, response.context["form"].errors
    version = my_bank.items.get(key="T1").current
    assert {"options": version.options, "answers": version.answers} == expected


def test_duplicate_option_texts_are_refused(organiser_client, my_bank):
    response = organiser_client.post(reverse("evaluation:bank_item_create", kwargs={"pk": my_bank.pk}),
                                     _item_post(option_1="ASN"))

    assert response.status_code == 200 and "options" in response.context["form"].errors


def test_editing_an_unanswered_item_changes_its_version_in_place(organiser_client, my_bank, my_item):
    url = reverse("evaluation:bank_item", kwargs={"pk": my_bank.pk, "item_pk": my_item.pk})
    assert 'id="new-version-notice"' not in organiser_client.get(url).content.decode()

    organiser_client.post(url, _item_post(stem="Versi diperbaiki?", codes=""))

    my_item.refresh_from_db()
    assert list(my_item.versions.values_list("number", "stem")) == [(1, "Versi diperbaiki?")]
    assert my_item.key == "M1"


def test_editing_an_answered_item_creates_a_new_version(organiser_client, organiser, event, my_bank, my_item):
    first = my_item.current
    test = _answer(event, first)
    url = reverse("evaluation:bank_item", kwargs={"pk": my_bank.pk, "item_pk": my_item.pk})
    page = organiser_client.get(url).content.decode()
    assert 'id="new-version-notice"' in page

    response = organiser_client.post(url, _item_post(stem="Versi kedua?", codes="", type="truefalse",
                                                     truefalse_answer="true"))

    assert response.status_code == 302
    my_item.refresh_from_db()
    first.refresh_from_db()
    assert my_item.type == "single"  # the type of an answered item is locked in the form
    assert list(my_item.versions.order_by("number").values_list("number", "stem")) == \
        [(1, "Versi pertama?"), (2, "Versi kedua?")]
    assert my_item.current.number == 2 and first.stem == "Versi pertama?"
    assert test.test_items.get().version == first  # the started test keeps what was answered
    history = organiser_client.get(url).content.decode()
    assert 'id="version-1"' in history and 'id="version-2"' in history and "Versi pertama?" in history
    assert AuditLog.objects.filter(action="evaluation.item.update", object_id=str(my_item.pk),
                                   user=organiser).count() == 1


def test_retire_and_unretire_an_item(organiser_client, my_bank, my_item):
    url = reverse("evaluation:bank_item_retire", kwargs={"pk": my_bank.pk, "item_pk": my_item.pk})

    organiser_client.post(url, {"action": "retire"})
    my_item.refresh_from_db()
    assert my_item.retired
    listing = organiser_client.get(reverse("evaluation:bank_detail", kwargs={"pk": my_bank.pk})).content.decode()
    assert f'id="item-{my_item.pk}"' not in listing

    organiser_client.post(url, {"action": "unretire"})
    my_item.refresh_from_db()
    assert not my_item.retired
    assert list(AuditLog.objects.filter(object_id=str(my_item.pk)).order_by("pk").values_list("action", flat=True)) \
        == ["evaluation.item.retire", "evaluation.item.unretire"]


# --------------------------------------------------------------------------------------
# Import and export
# --------------------------------------------------------------------------------------

def test_gift_import_with_one_bad_question_keeps_the_rest(organiser_client, organiser, my_bank):
    response = _upload(organiser_client, my_bank, "soal.txt", GIFT_ONE_BAD.encode())
    review_url = response["Location"]
    review = organiser_client.get(review_url)

    plan = review.context["plan"]
    assert [e["position"] for e in plan["entries"]] == [1, 3]
    assert [(e["question"], e["name"], e["field_key"]) for e in plan["errors"]] == [(2, "G2", "options")]
    assert 'id="import-errors"' in review.content.decode()
    assert not my_bank.items.exists()  # nothing before confirming

    done = organiser_client.post(review_url, {"action": "confirm"})

    assert done["Location"] == reverse("evaluation:bank_detail", kwargs={"pk": my_bank.pk})
    items = {i.key: i for i in my_bank.items.select_related("current")}
    assert sorted(items) == ["G1", "G3"]
    assert items["G1"].type == "truefalse" and items["G1"].codes == ["B05"] and items["G1"].topic == "kampanye"
    assert items["G3"].current.answers == [{"text": "Bawaslu", "fraction": 1.0},
                                           {"text": "Badan Pengawas Pemilu", "fraction": 1.0}]
    log = AuditLog.objects.get(action="evaluation.bank.import")
    assert log.data["created"] == ["G1", "G3"] and log.data["errors"] == 1 and log.user == organiser
    assert organiser_client.get(review_url).status_code == 404  # the staged file is gone


def test_import_reports_unknown_codes_and_topics(organiser_client, my_bank):
    items = [{"key": "X1", "type": "truefalse", "stem": "Satu.", "topic": "lainnya", "codes": [],
              "options": [{"text": "Benar", "correct": True}, {"text": "Salah", "correct": False}]},
             {"key": "X2", "type": "truefalse", "stem": "Dua.", "codes": ["B99"],
              "options": [{"text": "Benar", "correct": True}, {"text": "Salah", "correct": False}]},
             {"key": "X3", "type": "truefalse", "stem": "Tiga.", "codes": [],
              "options": [{"text": "Benar", "correct": False}, {"text": "Salah", "correct": True}]}]
    response = _upload(organiser_client, my_bank, "soal.xml", interchange.to_moodle_xml(items))

    plan = organiser_client.get(response["Location"]).context["plan"]

    assert [(e["question"], e["name"], e["field_key"]) for e in plan["errors"]] == [(1, "X1", "topic"),
                                                                                     (2, "X2", "codes")]
    assert [e["item"]["key"] for e in plan["entries"]] == ["X3"]
    assert plan["entries"][0]["item"]["topic"] == "prinsip"  # the default topic of the upload form


def test_xlsx_import_reports_spreadsheet_rows(organiser_client, my_bank):
    workbook = load_workbook(io.BytesIO(interchange.to_xlsx([])))
    sheet = workbook["Soal"]
    columns = list(interchange.XLSX_COLUMNS)

    def row(number, **values):
        for column, name in enumerate(columns, start=1):
            sheet.cell(row=number, column=column, value=values.get(name))

    row(2, key="X1", type="single", stem="Satu?", option_a="a", option_b="b", correct="A")
    row(3, key="X2", type="single", stem="Dua?", option_a="a", option_b="b", correct="C")
    # row 4 stays empty
    row(5, key="X3", type="truefalse", stem="Tiga.", correct="Benar", codes="B99")
    row(6, key="X4", type="truefalse", stem="Empat.", correct="Salah", codes="b05")
    buffer = io.BytesIO()
    workbook.save(buffer)

    review = organiser_client.get(_upload(organiser_client, my_bank, "bank.xlsx", buffer.getvalue())["Location"])

    plan = review.context["plan"]
    assert [(e["row"], e["name"], e["field_key"]) for e in plan["errors"]] == [(3, "X2", "correct"),
                                                                                (5, "X3", "codes")]
    assert [(e["position"], e["item"]["key"], e["item"]["codes"]) for e in plan["entries"]] == \
        [(2, "X1", []), (6, "X4", ["B05"])]


def test_existing_codes_are_skipped_or_updated(organiser_client, my_bank, my_item):
    changed = {"key": "M1", "type": "single", "topic": "prinsip", "stem": "Versi dari berkas?", "codes": [],
               "options": [{"text": "Ya", "correct": True}, {"text": "Tidak", "correct": False}]}
    new = {**changed, "key": "M2", "stem": "Soal baru?"}
    content = interchange.to_gift([changed, new]).encode()

    review_url = _upload(organiser_client, my_bank, "a.gift", content)["Location"]
    assert organiser_client.get(review_url).context["plan"]["existing"] == 1
    organiser_client.post(review_url, {"action": "confirm"})  # default: skip
    my_item.refresh_from_db()
    assert my_item.current.stem == "Versi pertama?" and my_bank.items.count() == 2

    review_url = _upload(organiser_client, my_bank, "a.gift", content)["Location"]
    organiser_client.post(review_url, {"action": "confirm", "existing": "update"})
    my_item.refresh_from_db()
    assert my_item.current.stem == "Versi dari berkas?" and my_bank.items.count() == 2
    log = AuditLog.objects.filter(action="evaluation.bank.import").latest("pk")
    assert log.data["updated"] == ["M1"] and log.data["unchanged"] == ["M2"]


@pytest.mark.parametrize(("name", "content", "field"), [
    ("besar.xml", b"<?xml version='1.0'?><quiz>" + b" " * (5 * 1024 * 1024) + b"</quiz>", "file"),
    ("gambar.xml", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "file"),
    ("kosong.gift", b"   \n", "file"),
], ids=["over-5-mb", "png-named-xml", "empty"])
def test_bad_uploads_are_refused(organiser_client, my_bank, name, content, field):
    response = _upload(organiser_client, my_bank, name, content)

    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]


def test_declared_format_must_match_the_content(organiser_client, my_bank):
    response = _upload(organiser_client, my_bank, "soal.xlsx", GIFT_ONE_BAD.encode(), format="xlsx")

    assert response.status_code == 200 and list(response.context["form"].errors) == ["format"]


def test_a_broken_file_is_reported_on_the_review_page(organiser_client, my_bank):
    response = _upload(organiser_client, my_bank, "rusak.xml", b"<?xml version='1.0'?><quiz><question>")

    page = organiser_client.get(response["Location"])

    assert page.context["plan"]["entries"] == []
    assert [e["question"] for e in page.context["plan"]["errors"]] == [None]


@pytest.mark.parametrize("fmt", ["xml", "gift", "xlsx"])
def test_export_then_import_gives_equal_items(organiser_client, organiser, bank, fmt):
    exported = organiser_client.get(reverse("evaluation:bank_export", kwargs={"pk": bank.pk, "fmt": fmt}))
    assert exported.status_code == 200 and "attachment" in exported["Content-Disposition"]
    target = ItemBank.objects.create(name="Bank baru", owner=organiser)

    review_url = _upload(organiser_client, target, f"bank.{fmt}", exported.content)["Location"]
    assert organiser_client.get(review_url).context["plan"]["errors"] == []
    organiser_client.post(review_url, {"action": "confirm"})

    def items(b):
        out = [version_to_dict(i) for i in b.items.filter(retired=False).select_related("current").order_by("key")]
        out = [i for i in out if not interchange.validate_item(i)]  # open comments: not exportable yet
        if fmt == "xlsx":  # the spreadsheet carries no per-option credit (interchange.to_xlsx)
            for i in out:
                for o in i.get("options", []):
                    o.pop("fraction", None)
        return [interchange.normalize_item(i) for i in out]

    assert len(items(target)) == bank.items.filter(retired=False).count() - 2  # S11, S12: open comments
    assert items(target) == items(bank)


def test_xlsx_template_has_the_interchange_columns(organiser_client):
    response = organiser_client.get(reverse("evaluation:bank_template"))

    sheet = load_workbook(io.BytesIO(response.content))["Soal"]
    assert [c.value for c in sheet[1]] == list(interchange.XLSX_COLUMNS)
    assert sheet.max_row == 1


# --------------------------------------------------------------------------------------
# Choosing a test's items
# --------------------------------------------------------------------------------------

def _choose_url(event, kind="pra"):
    return reverse("evaluation:choose_items", kwargs={"pk": event.pk, "kind": kind})


def test_choose_items_by_hand_in_the_given_order(organiser_client, event, pre_test, my_bank, my_item, bank):
    # An item of the shared bank that the (randomly drawn) test does not hold yet.
    other = (bank.items.select_related("current").exclude(current__in=pre_test.test_items.values("version"))
             .order_by("key").first())
    keep = pre_test.test_items.order_by("order").first().version
    page = organiser_client.get(_choose_url(event), {"bank": my_bank.pk}).content.decode()
    assert f'value="{my_item.current_id}"' in page and f'value="{keep.pk}"' in page

    response = organiser_client.post(_choose_url(event), {
        "mode": "manual", "version": [str(keep.pk), str(my_item.current_id), str(other.current_id)],
        f"order_{keep.pk}": "3", f"order_{my_item.current_id}": "1", f"order_{other.current_id}": ""})

    assert response["Location"] == reverse("evaluation:settings", kwargs={"pk": event.pk, "kind": "pra"})
    assert [ti.version_id for ti in pre_test.test_items.order_by("order")] == \
        [my_item.current_id, keep.pk, other.current_id]


def test_choose_items_ignores_versions_of_invisible_banks(organiser_client, event, pre_test, private_bank,
                                                          my_item):
    hidden = private_bank.items.get().current_id

    organiser_client.post(_choose_url(event), {"mode": "manual", "version": [str(hidden), str(my_item.current_id)]})

    assert [ti.version_id for ti in pre_test.test_items.all()] == [my_item.current_id]


def test_post_test_uses_the_same_items_as_the_pre_test(organiser_client, event, pre_test, my_item):
    post = services.create_test(event, Test.Kind.POST, versions=[my_item.current])

    organiser_client.post(_choose_url(event, "pasca"), {"mode": "same"})

    assert [ti.version_id for ti in post.test_items.order_by("order")] == \
        [ti.version_id for ti in pre_test.test_items.order_by("order")]


def test_parallel_form_takes_other_items_of_the_same_topics(organiser_client, event, pre_test, post_test, bank):
    organiser_client.post(_choose_url(event, "pasca"), {"mode": "parallel", "bank": bank.pk})

    pre = [ti.version.item for ti in pre_test.test_items.select_related("version__item")]
    post = [ti.version.item for ti in post_test.test_items.select_related("version__item")]
    assert len(post) == len(pre) == 10
    assert not {i.pk for i in pre} & {i.pk for i in post}
    assert sorted(i.topic for i in post) == sorted(i.topic for i in pre)


def test_choosing_items_is_refused_once_participants_started(organiser_client, event, pre_test, participant,
                                                             my_item):
    services.start_attempt(pre_test, participant)
    before = list(pre_test.test_items.values_list("version_id", flat=True))

    page = organiser_client.get(_choose_url(event)).content.decode()
    response = organiser_client.post(_choose_url(event), {"mode": "manual", "version": [str(my_item.current_id)]},
                                     follow=True)

    assert 'id="started"' in page and 'id="choose-form"' in page and "disabled" in page
    assert response.status_code == 200 and [m.level_tag for m in response.context["messages"]] == ["error"]
    assert list(pre_test.test_items.values_list("version_id", flat=True)) == before


def test_choose_items_of_another_organisers_event_is_404(organiser_client, other_organiser, bank):
    foreign = EventFactory(owner=other_organiser)
    services.create_test(foreign, Test.Kind.PRE, count=3)

    assert organiser_client.get(_choose_url(foreign)).status_code == 404
    assert Item.objects.filter(bank=bank).exists()


@pytest.mark.parametrize("view", ["bank_detail", "bank_list"])
def test_bank_pages_query_count_does_not_grow_with_items(organiser_client, my_bank, view):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse(f"evaluation:{view}", kwargs={"pk": my_bank.pk} if view == "bank_detail" else {})

    def queries(n_items):
        for n in range(my_bank.items.count(), n_items):
            services.create_item(my_bank, {"key": f"K{n}", "type": "truefalse", "topic": "etika", "stem": f"S{n}",
                                           "options": [{"text": "Benar", "correct": True}, {"text": "Salah"}]})
        with CaptureQueriesContext(connection) as captured:
            assert organiser_client.get(url).status_code == 200
        return len(captured)

    assert queries(1) == queries(3)
