"""Item interchange: Moodle XML, GIFT and XLSX round trips, real samples, precise errors."""

import io
import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from netral.evaluation import interchange as ic

ITEMS = json.loads(
    (Path(ic.__file__).parent / "content" / "items.json").read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def _english():
    # Messages are English msgids translated by the catalog; pin English for the assertions.
    with translation.override("en"):
        yield


# --------------------------------------------------------------------------- round trips


def test_default_bank_is_canonical():
    assert [ic.normalize_item(item) for item in ITEMS] == ITEMS


def test_default_bank_round_trips_through_moodle_xml():
    result = ic.from_moodle_xml(ic.to_moodle_xml(ITEMS, category="Netralitas ASN"))

    assert result.errors == []
    assert result.items == ITEMS


def test_default_bank_round_trips_through_gift():
    result = ic.from_gift(ic.to_gift(ITEMS))

    assert result.errors == []
    assert result.items == ITEMS


@pytest.mark.parametrize("item", ITEMS, ids=[i["key"] for i in ITEMS])
def test_each_default_item_round_trips_alone(item):
    assert ic.from_moodle_xml(ic.to_moodle_xml([item])).items == [item]
    assert ic.from_gift(ic.to_gift([item])).items == [item]


def test_default_bank_round_trips_through_xlsx():
    result = ic.from_xlsx(io.BytesIO(ic.to_xlsx(ITEMS)))

    assert result.errors == []
    assert result.items == ITEMS


EXTRA_TYPES = [
    {"type": "likert", "stem": "Materi mudah dipahami.", "codes": [], "topic": "survei",
     "options": [{"text": t} for t in ("Sangat tidak setuju", "Tidak setuju", "Netral",
                                        "Setuju", "Sangat setuju")]},
    {"type": "short", "stem": "Singkatan dari ASN adalah ...", "codes": [], "key": "S1",
     "answers": [{"text": "Aparatur Sipil Negara", "fraction": 100.0},
                 {"text": "Aparatur Negara", "fraction": 50.0}],
     "explanation": "UU 20/2023 Pasal 1 angka 1."},
    {"type": "multiple", "stem": "Mana yang dilarang?", "codes": ["B10"], "name": "Larangan",
     "options": [{"text": "Ikut kampanye", "correct": True, "fraction": 60.0},
                 {"text": "Memberi like", "correct": True, "fraction": 40.0},
                 {"text": "Memilih di TPS", "correct": False, "fraction": 0.0}]},
    {"type": "single", "stem": "Pilih satu", "codes": [], "author": "Tim Netral",
     "options": [{"text": "Benar sekali", "correct": True},
                 {"text": "Setengah benar", "correct": False, "fraction": 50.0},
                 {"text": "Salah", "correct": False}]},
]


@pytest.mark.parametrize("item", EXTRA_TYPES, ids=["likert", "short", "multiple-weights",
                                                   "single-partial"])
def test_other_types_round_trip(item):
    assert ic.from_moodle_xml(ic.to_moodle_xml([item])).items == [item]
    assert ic.from_gift(ic.to_gift([item])).items == [item]


def test_likert_is_exported_to_moodle_as_zero_fraction_multichoice_with_tag():
    root = ET.fromstring(ic.to_moodle_xml([EXTRA_TYPES[0]]))
    q = root.find("question")

    assert q.get("type") == "multichoice"
    assert {a.get("fraction") for a in q.findall("answer")} == {"0"}
    assert [t.text for t in q.findall("tags/tag/text")] == ["netral-type:likert",
                                                            "netral-topic:survei"]


def test_multiple_default_fractions_follow_moodle_convention():
    item = next(i for i in ITEMS if i["type"] == "multiple")
    n_right = sum(o["correct"] for o in item["options"])
    n_wrong = len(item["options"]) - n_right
    q = ET.fromstring(ic.to_moodle_xml([item])).find("question")

    fractions = [float(a.get("fraction")) for a in q.findall("answer")]
    assert q.find("single").text == "false"
    assert fractions == [pytest.approx(100 / n_right, abs=1e-4) if o["correct"]
                         else pytest.approx(-100 / n_wrong, abs=1e-4) for o in item["options"]]


# Text with GIFT specials, XML specials, unicode, newlines and tabs.
AWKWARD = st.text(
    alphabet=st.one_of(
        st.sampled_from(list("~=#{}:\\<>&\"'%/[]-_ \n\t;")),
        st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs")),
    ),
    min_size=1, max_size=40,
).map(lambda s: s.strip()).filter(lambda s: s and "\r" not in s)


@st.composite
def awkward_items(draw):
    kind = draw(st.sampled_from(ic.ITEM_TYPES))
    item = {"type": kind, "stem": draw(AWKWARD), "codes": draw(st.lists(
        st.from_regex(r"[A-Z][0-9]{2}", fullmatch=True), max_size=3))}
    for name in ("name", "key", "topic", "explanation", "legal_basis", "author"):
        if draw(st.booleans()):
            item[name] = draw(AWKWARD)
    if kind == "truefalse":
        right = draw(st.booleans())
        item["options"] = [{"text": "Benar", "correct": right},
                           {"text": "Salah", "correct": not right}]
    elif kind == "short":
        # GIFT cannot carry "->" in a short answer (Moodle would read a matching question).
        texts = draw(st.lists(AWKWARD.filter(lambda t: "->" not in t), min_size=1, max_size=3,
                              unique=True))
        item["answers"] = [{"text": t, "fraction": 100.0 if i == 0 else 50.0}
                           for i, t in enumerate(texts)]
    else:
        texts = draw(st.lists(AWKWARD, min_size=2, max_size=5, unique=True))
        if kind == "likert":
            item["options"] = [{"text": t} for t in texts]
        else:
            right = draw(st.sets(st.integers(0, len(texts) - 1), min_size=1,
                                 max_size=1 if kind == "single" else len(texts)))
            item["options"] = [{"text": t, "correct": i in right} for i, t in enumerate(texts)]
    return ic.normalize_item(item)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(awkward_items(), min_size=1, max_size=3))
def test_awkward_items_round_trip_through_both_formats(items):
    xml = ic.from_moodle_xml(ic.to_moodle_xml(items))
    gift = ic.from_gift(ic.to_gift(items))

    assert xml.errors == [] and xml.items == items
    assert gift.errors == [] and gift.items == items


def test_xml_specials_are_escaped_not_injected():
    item = {"type": "single", "stem": "<b>1 & 2</b> ]]> </text></questiontext>", "codes": [],
            "options": [{"text": "<script>x</script>", "correct": True},
                        {"text": "a & b", "correct": False}]}
    data = ic.to_moodle_xml([item])

    root = ET.fromstring(data)
    assert root.find("question/questiontext/text").text == item["stem"]
    assert b"<script>" not in data
    assert ic.from_moodle_xml(data).items == [item]


def test_gift_escapes_every_special_character():
    assert ic.gift_escape("a~b=c#d{e}f:g\\h\ni") == "a\\~b\\=c\\#d\\{e\\}f\\:g\\\\h\\ni"


def test_name_equal_to_default_is_dropped_and_other_names_kept():
    base = {"type": "truefalse", "stem": "ASN boleh memilih.", "codes": [], "key": "T1",
            "options": [{"text": "Benar", "correct": True}, {"text": "Salah", "correct": False}]}

    assert "name" not in ic.normalize_item({**base, "name": "T1"})
    assert ic.normalize_item({**base, "name": "Hak pilih"})["name"] == "Hak pilih"


# --------------------------------------------------------------------------- real samples

MOODLE_EXPORT = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
<!-- question: 0  -->
  <question type="category">
    <category>
      <text>$course$/top/Default for Netralitas ASN/Pre-test</text>
    </category>
    <info format="moodle_auto_format">
      <text></text>
    </info>
    <idnumber></idnumber>
  </question>

<!-- question: 101  -->
  <question type="multichoice">
    <name>
      <text>Hak pilih ASN</text>
    </name>
    <questiontext format="html">
      <text><![CDATA[<p dir="ltr" style="text-align: left;">Apakah ASN boleh <strong>memilih</strong> di TPS?<br></p>]]></text>
    </questiontext>
    <generalfeedback format="html">
      <text><![CDATA[<p>ASN boleh memilih &amp; dilarang berkampanye.</p>]]></text>
    </generalfeedback>
    <defaultgrade>1.0000000</defaultgrade>
    <penalty>0.3333333</penalty>
    <hidden>0</hidden>
    <idnumber></idnumber>
    <single>true</single>
    <shuffleanswers>true</shuffleanswers>
    <answernumbering>abc</answernumbering>
    <showstandardinstruction>0</showstandardinstruction>
    <correctfeedback format="html">
      <text>Your answer is correct.</text>
    </correctfeedback>
    <partiallycorrectfeedback format="html">
      <text>Your answer is partially correct.</text>
    </partiallycorrectfeedback>
    <incorrectfeedback format="html">
      <text>Your answer is incorrect.</text>
    </incorrectfeedback>
    <shownumcorrect/>
    <answer fraction="100" format="html">
      <text><![CDATA[<p dir="ltr">Boleh, tanpa menunjukkan dukungan</p>]]></text>
      <feedback format="html">
        <text><![CDATA[<p>Tepat.</p>]]></text>
      </feedback>
    </answer>
    <answer fraction="0" format="html">
      <text><![CDATA[<p dir="ltr">Tidak boleh</p>]]></text>
      <feedback format="html">
        <text></text>
      </feedback>
    </answer>
    <tags>
      <tag><text>netralitas</text>
</tag>
      <tag><text>netral-topic:prinsip</text>
</tag>
    </tags>
  </question>

<!-- question: 102  -->
  <question type="multichoice">
    <name>
      <text>Larangan media sosial</text>
    </name>
    <questiontext format="html">
      <text><![CDATA[<p>Mana yang <em>dilarang</em>?</p>]]></text>
    </questiontext>
    <generalfeedback format="html">
      <text></text>
    </generalfeedback>
    <defaultgrade>1.0000000</defaultgrade>
    <penalty>0.3333333</penalty>
    <hidden>0</hidden>
    <idnumber>MS-02</idnumber>
    <single>false</single>
    <shuffleanswers>true</shuffleanswers>
    <answernumbering>abc</answernumbering>
    <answer fraction="50" format="html">
      <text><![CDATA[Memberi &lt;like&gt; unggahan calon]]></text>
      <feedback format="html"><text></text></feedback>
    </answer>
    <answer fraction="50" format="html">
      <text>Membagikan ulang materi kampanye</text>
      <feedback format="html"><text></text></feedback>
    </answer>
    <answer fraction="-100" format="html">
      <text>Membaca berita pemilu</text>
      <feedback format="html"><text></text></feedback>
    </answer>
  </question>

<!-- question: 103  -->
  <question type="truefalse">
    <name>
      <text>PPPK</text>
    </name>
    <questiontext format="moodle_auto_format">
      <text>PPPK juga wajib netral.</text>
    </questiontext>
    <generalfeedback format="moodle_auto_format">
      <text></text>
    </generalfeedback>
    <defaultgrade>1.0000000</defaultgrade>
    <penalty>1.0000000</penalty>
    <hidden>0</hidden>
    <idnumber></idnumber>
    <answer fraction="100" format="moodle_auto_format">
      <text>true</text>
      <feedback format="moodle_auto_format"><text></text></feedback>
    </answer>
    <answer fraction="0" format="moodle_auto_format">
      <text>false</text>
      <feedback format="moodle_auto_format"><text></text></feedback>
    </answer>
  </question>

<!-- question: 104  -->
  <question type="shortanswer">
    <name>
      <text>Singkatan</text>
    </name>
    <questiontext format="html">
      <text><![CDATA[<p>ASN adalah singkatan dari ...</p>]]></text>
    </questiontext>
    <generalfeedback format="html"><text></text></generalfeedback>
    <defaultgrade>1.0000000</defaultgrade>
    <penalty>0.3333333</penalty>
    <hidden>0</hidden>
    <idnumber></idnumber>
    <usecase>0</usecase>
    <answer fraction="100" format="moodle_auto_format">
      <text>Aparatur Sipil Negara</text>
      <feedback format="html"><text></text></feedback>
    </answer>
    <answer fraction="0" format="moodle_auto_format">
      <text>*</text>
      <feedback format="html"><text></text></feedback>
    </answer>
  </question>

<!-- question: 105  -->
  <question type="essay">
    <name>
      <text>Refleksi</text>
    </name>
    <questiontext format="html">
      <text><![CDATA[<p>Tuliskan refleksi Anda.</p>]]></text>
    </questiontext>
    <generalfeedback format="html"><text></text></generalfeedback>
    <defaultgrade>1.0000000</defaultgrade>
    <penalty>0.0000000</penalty>
    <hidden>0</hidden>
    <idnumber></idnumber>
    <responseformat>editor</responseformat>
  </question>

<!-- question: 106  -->
  <question type="multichoice">
    <name>
      <text>Tanpa kunci</text>
    </name>
    <questiontext format="html">
      <text>Soal tanpa jawaban benar</text>
    </questiontext>
    <generalfeedback format="html"><text></text></generalfeedback>
    <single>true</single>
    <answer fraction="0" format="html"><text>A</text></answer>
    <answer fraction="0" format="html"><text>B</text></answer>
  </question>
</quiz>
"""


def test_real_moodle_export_is_parsed_with_html_converted():
    result = ic.from_moodle_xml(MOODLE_EXPORT.encode())

    assert result.items == [
        {"type": "single", "stem": "Apakah ASN boleh memilih di TPS?", "codes": [],
         "name": "Hak pilih ASN", "topic": "prinsip",
         "explanation": "ASN boleh memilih & dilarang berkampanye.",
         "options": [{"text": "Boleh, tanpa menunjukkan dukungan", "correct": True},
                     {"text": "Tidak boleh", "correct": False}]},
        {"type": "multiple", "stem": "Mana yang dilarang?", "codes": [],
         "name": "Larangan media sosial", "key": "MS-02",
         "options": [{"text": "Memberi <like> unggahan calon", "correct": True},
                     {"text": "Membagikan ulang materi kampanye", "correct": True},
                     {"text": "Membaca berita pemilu", "correct": False}]},
        {"type": "truefalse", "stem": "PPPK juga wajib netral.", "codes": [], "name": "PPPK",
         "options": [{"text": "Benar", "correct": True}, {"text": "Salah", "correct": False}]},
        {"type": "short", "stem": "ASN adalah singkatan dari ...", "codes": [],
         "name": "Singkatan", "answers": [{"text": "Aparatur Sipil Negara", "fraction": 100.0}]},
    ]
    assert result.errors == [
        {"question": 5, "name": "Refleksi", "field": "type",
         "message": 'Question type "essay" is not supported; Netral imports multichoice, '
                    "truefalse and shortanswer."},
        {"question": 6, "name": "Tanpa kunci", "field": "options",
         "message": "No option is marked as the correct answer."},
    ]


GIFT_SAMPLE = """// Bank soal netralitas, diekspor dari Moodle
// question: 0  name: Switch category to $course$/top/Default for Netralitas
$CATEGORY: $course$/top/Default for Netralitas

// question: 2201  name: Hak pilih
::Hak pilih::[html]<p>Apakah ASN boleh <b>memilih</b> di TPS?</p>{
\t=Boleh#Tepat.
\t~Tidak boleh#ASN tetap punya hak pilih.
\t####<p>ASN boleh memilih, dilarang berkampanye.</p>
}

// question: 2202  name: Larangan
::Larangan::Mana yang dilarang bagi ASN di media sosial? {
\t~%50%Memberi like pada unggahan calon
\t~%50%Membagikan ulang materi kampanye
\t~%-100%Membaca berita pemilu
}

::PPPK::PPPK juga wajib netral.{T}

::Sanksi::PNS yang berkampanye tidak dapat dijatuhi hukuman disiplin. {FALSE#Keliru.####PP 94/2021.}

::Singkatan::ASN adalah singkatan dari {=Aparatur Sipil Negara =%50%Aparatur Negara}.

::Refleksi::Tuliskan refleksi Anda.{}

::Pasangan::Jodohkan. {=PNS -> Pegawai Negeri Sipil =PPPK -> Pegawai Pemerintah}

::Tanpa kunci::Pilih satu {~a ~b}

Rasio 1\\:2 dan kurung \\{x\\} tetap utuh {=ya ~tidak}
"""


def test_real_gift_sample_is_parsed():
    result = ic.from_gift(GIFT_SAMPLE)

    assert result.items == [
        {"type": "single", "stem": "Apakah ASN boleh memilih di TPS?", "codes": [],
         "name": "Hak pilih", "explanation": "ASN boleh memilih, dilarang berkampanye.",
         "options": [{"text": "Boleh", "correct": True},
                     {"text": "Tidak boleh", "correct": False}]},
        {"type": "multiple", "stem": "Mana yang dilarang bagi ASN di media sosial?",
         "codes": [], "name": "Larangan",
         "options": [{"text": "Memberi like pada unggahan calon", "correct": True},
                     {"text": "Membagikan ulang materi kampanye", "correct": True},
                     {"text": "Membaca berita pemilu", "correct": False}]},
        {"type": "truefalse", "stem": "PPPK juga wajib netral.", "codes": [], "name": "PPPK",
         "options": [{"text": "Benar", "correct": True}, {"text": "Salah", "correct": False}]},
        {"type": "truefalse", "stem": "PNS yang berkampanye tidak dapat dijatuhi hukuman disiplin.",
         "codes": [], "name": "Sanksi", "explanation": "PP 94/2021.",
         "options": [{"text": "Benar", "correct": False}, {"text": "Salah", "correct": True}]},
        {"type": "short", "stem": "ASN adalah singkatan dari _____ .", "codes": [],
         "name": "Singkatan", "answers": [{"text": "Aparatur Sipil Negara", "fraction": 100.0},
                                          {"text": "Aparatur Negara", "fraction": 50.0}]},
        {"type": "single", "stem": "Rasio 1:2 dan kurung {x} tetap utuh", "codes": [],
         "options": [{"text": "ya", "correct": True}, {"text": "tidak", "correct": False}]},
    ]
    assert [(e["question"], e["name"], e["field"]) for e in result.errors] == [
        (6, "Refleksi", "type"), (7, "Pasangan", "type"), (8, "Tanpa kunci", "options")]
    assert result.errors[2]["message"] == "No option is marked as the correct answer."


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize("data", [b"<quiz><question type='multichoice'>", b"not xml at all",
                                  b"\xff\xfe<q", b""], ids=["truncated", "text", "bytes", "empty"])
def test_broken_xml_gives_one_clear_error(data):
    result = ic.from_moodle_xml(data)

    assert result.items == []
    assert len(result.errors) == 1
    assert result.errors[0]["question"] is None
    assert result.errors[0]["message"].startswith("The file is not valid XML (line ")


def test_xml_entity_bomb_is_refused():
    bomb = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">
<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><quiz>&lol2;</quiz>"""

    result = ic.from_moodle_xml(bomb)

    assert result.items == []
    assert result.errors[0]["message"] == ("The XML file contains a DTD or entity declarations, "
                                           "which are not allowed.")


def test_xml_with_another_root_is_refused():
    result = ic.from_moodle_xml(b"<html><body/></html>")

    assert result.errors[0]["message"] == ("This is not a Moodle XML question file: the root "
                                           "element is <html>, not <quiz>.")


def test_gift_without_questions_is_reported():
    result = ic.from_gift("// hanya komentar\n\n$CATEGORY: top\n")

    assert result.items == []
    assert result.errors[0]["message"] == "The file contains no question."


def test_gift_unclosed_answer_block_is_reported_precisely():
    result = ic.from_gift("::A::Soal satu {=a ~b}\n\n::B::Soal dua {=a ~b\n\n::C::Soal tiga {T}")

    assert [i["name"] for i in result.items] == ["A", "C"]
    assert result.errors == [{"question": 2, "name": "B", "field": "answers",
                              "message": 'The answer block is not closed with "}".'}]


def test_short_answer_with_arrow_is_refused_by_gift_export():
    item = {"type": "short", "stem": "x", "answers": [{"text": "a->b", "fraction": 100}]}

    with pytest.raises(ValueError, match="cannot be written in GIFT"):
        ic.to_gift([item])
    assert ic.from_moodle_xml(ic.to_moodle_xml([item])).items == [ic.normalize_item(item)]


def test_unknown_type_is_reported_by_validate_and_export():
    item = {"type": "essay", "stem": "Tulis", "codes": []}

    assert ic.validate_item(item) == [{"field": "type", "message":
                                       'Unknown item type "essay"; use one of: single, multiple, '
                                       "truefalse, likert, short."}]
    with pytest.raises(ValueError, match="Item 1: Unknown item type"):
        ic.to_gift([item])


def test_single_with_two_correct_options_is_invalid():
    item = {"type": "single", "stem": "x", "options": [{"text": "a", "correct": True},
                                                        {"text": "b", "correct": True}]}

    assert ic.validate_item(item)[0]["field"] == "options"


# --------------------------------------------------------------------------- XLSX


def _workbook(rows) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.title = "Soal"
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return buf


def test_xlsx_template_has_documented_columns_and_help_sheet():
    wb = load_workbook(io.BytesIO(ic.to_xlsx([])))

    assert [c.value for c in wb["Soal"][1]] == list(ic.XLSX_COLUMNS)
    assert [row[0] for row in wb["Petunjuk"].iter_rows(min_row=2, values_only=True)][:4] == [
        "key", "type", "topic", "stem"]


def test_xlsx_import_keeps_good_rows_and_reports_the_bad_row():
    header = list(ic.XLSX_COLUMNS)
    blank = {name: None for name in header}

    def row(**values):
        return [{**blank, **values}[name] for name in header]

    data = _workbook([
        header,
        row(key="X1", type="single", topic="prinsip", stem="ASN boleh memilih?",
            option_a="Tidak", option_b="Boleh", correct="B", codes="B01, B21"),
        row(key="X2", type="single", stem="Soal rusak", option_a="a", option_b="b",
            correct="D"),
        row(key="X3", type="truefalse", stem="PPPK wajib netral.", correct="Benar",
            explanation="PPPK adalah ASN."),
        row(key="X4", type="multiple", stem="Mana dilarang?", option_a="Kampanye",
            option_b="Like", option_c="Membaca", correct="A,B", difficulty="hard"),
        row(key="X5", type="esai", stem="Tulis"),
    ])

    result = ic.from_xlsx(data)

    assert [i["key"] for i in result.items] == ["X1", "X3", "X4"]
    assert result.items[0] == {"type": "single", "stem": "ASN boleh memilih?", "key": "X1",
                               "topic": "prinsip", "codes": ["B01", "B21"],
                               "options": [{"text": "Tidak", "correct": False},
                                           {"text": "Boleh", "correct": True}]}
    assert result.errors == [
        {"row": 3, "name": "X2", "field": "correct",
         "message": '"D" in the correct column is not the letter of a filled option (A–F).'},
        {"row": 6, "name": "X5", "field": "type",
         "message": 'Unknown item type "esai"; use one of: single, multiple, truefalse, likert, '
                    "short."},
    ]


def test_xlsx_import_accepts_indonesian_headers():
    data = _workbook([["Judul bank soal"], ["Soal", "Tipe", "A", "B", "Kunci", "Topik"],
                      ["ASN boleh memilih?", "pilihan ganda", "Ya", "Tidak", "a", "prinsip"]])

    result = ic.from_xlsx(data)

    assert result.errors == []
    assert result.items == [{"type": "single", "stem": "ASN boleh memilih?", "topic": "prinsip",
                             "codes": [], "options": [{"text": "Ya", "correct": True},
                                                      {"text": "Tidak", "correct": False}]}]


def test_xlsx_import_of_a_non_workbook_is_a_clear_error():
    result = ic.from_xlsx(io.BytesIO(b"key,type\n1,2\n"))

    assert result.errors == [{"question": None, "name": None, "field": None,
                              "message": "The file is not a readable Excel workbook (.xlsx)."}]
