"""Answer sheets (Google Forms, Moodle, Netral layout) → marks, and the analysis numbers
checked against direct calls of netral.evaluation.stats."""

import csv
import io

import numpy as np
import pytest
from django.utils import translation

from netral.evaluation import stats
from netral.evaluation.analysis import analyze, render_html
from netral.evaluation.sheets import SheetError, normalize_id, read_key, read_sheet, score_sheet


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


Q1 = "Apakah ASN boleh memilih di TPS?"
Q2 = "Yang dilarang bagi ASN di media sosial (boleh lebih dari satu)"
Q3 = "Sanksi bagi PNS yang terbukti mendukung calon"

# As Google Forms downloads it ("Unduh respons (.csv)") with the form in Indonesian.
GF_PRE = f'''"Stempel waktu","Alamat email","Skor","Nama lengkap","NIP","Instansi","{Q1}","{Q2}","{Q3}"
"2024/09/17 9:05:12 AM GMT+7","Budi@Example.go.id","1 / 3","Budi Santoso","19850101 201001 1 001","Kelurahan Brebes","Boleh","Memberi like unggahan calon","Tidak ada"
"2024/09/17 9:06:40 AM GMT+7","sari@example.go.id","2 / 3","Sari Wulandari","19900202 201502 2 002","Kelurahan Brebes","Boleh","Memberi like unggahan calon;Membagikan ulang materi kampanye","Tidak ada"
"2024/09/17 9:07:02 AM GMT+7","agus@example.go.id","0 / 3","Agus Salim","19800303 200501 1 003","Kecamatan Brebes","Tidak boleh","Membagikan ulang materi kampanye","Teguran lisan saja"
"2024/09/17 9:08:13 AM GMT+7","dewi@example.go.id","2 / 3","Dewi Lestari","19950404 202001 2 004","Kelurahan Brebes","Boleh","","Hukuman disiplin"
"2024/09/17 9:09:00 AM GMT+7","eko@example.go.id","1 / 3","Eko Prasetyo","19870505 201101 1 005","Kelurahan Brebes","Tidak boleh","Memberi like unggahan calon;Membagikan ulang materi kampanye","Tidak ada"
"2024/09/17 9:10:00 AM GMT+7","budi@example.go.id","2 / 3","Budi Santoso","19850101 201001 1 001","Kelurahan Brebes","Boleh","Memberi like unggahan calon;Membagikan ulang materi kampanye","Tidak ada"
'''
GF_POST = f'''"Stempel waktu","Alamat email","Skor","Nama lengkap","NIP","Instansi","{Q1}","{Q2}","{Q3}"
"2024/09/17 11:05:12 AM GMT+7","budi@example.go.id","3 / 3","Budi Santoso","19850101 201001 1 001","Kelurahan Brebes","Boleh","Memberi like unggahan calon;Membagikan ulang materi kampanye","Hukuman disiplin"
"2024/09/17 11:06:40 AM GMT+7","sari@example.go.id","2 / 3","Sari Wulandari","19900202 201502 2 002","Kelurahan Brebes","Boleh","Memberi like unggahan calon;Membagikan ulang materi kampanye","Tidak ada"
"2024/09/17 11:07:02 AM GMT+7","agus@example.go.id","2 / 3","Agus Salim","19800303 200501 1 003","Kecamatan Brebes","Boleh","Membagikan ulang materi kampanye","Hukuman disiplin"
"2024/09/17 11:08:13 AM GMT+7","dewi@example.go.id","3 / 3","Dewi Lestari","19950404 202001 2 004","Kelurahan Brebes","Boleh","Memberi like unggahan calon;Membagikan ulang materi kampanye","Hukuman disiplin"
"2024/09/17 11:09:30 AM GMT+7","fajar@example.go.id","1 / 3","Fajar Nugroho","19920606 201801 1 006","Kelurahan Brebes","Boleh","Membagikan ulang materi kampanye","Teguran lisan saja"
'''
KEY = f'''item,correct,max_marks,topic
"{Q1}",Boleh,1,prinsip
"{Q2}",Memberi like unggahan calon;Membagikan ulang materi kampanye,1,media_sosial
"{Q3}",Hukuman disiplin,1,sanksi
'''

# Moodle quiz → Results → Responses, "Download table data as CSV", with question text and
# right answers included. Sorted by surname; one unfinished attempt; the average row.
MOODLE_RESPONSES_PRE = '''Surname,"First name","Email address",State,"Started on",Completed,"Time taken",Grade/3.00,"Question 1","Response 1","Right answer 1","Question 2","Response 2","Right answer 2","Question 3","Response 3","Right answer 3"
Lestari,Dewi,dewi@example.go.id,Finished,"17 September 2024  9:00 AM","17 September 2024  9:09 AM","9 mins",2.00,"Apakah ASN boleh memilih? : Boleh; Tidak boleh",Boleh,Boleh,"PPPK wajib netral : True; False",True,True,"Sanksi : Teguran; Hukuman disiplin",Teguran,"Hukuman disiplin"
Salim,Agus,agus@example.go.id,Finished,"17 September 2024  9:00 AM","17 September 2024  9:12 AM","12 mins",0.00,"Apakah ASN boleh memilih? : Boleh; Tidak boleh","Tidak boleh",Boleh,"PPPK wajib netral : True; False",False,True,"Sanksi : Teguran; Hukuman disiplin",-,"Hukuman disiplin"
Santoso,Budi,budi@example.go.id,Finished,"17 September 2024  9:01 AM","17 September 2024  9:10 AM","9 mins",1.00,"Apakah ASN boleh memilih? : Boleh; Tidak boleh",Boleh,Boleh,"PPPK wajib netral : True; False",False,True,"Sanksi : Teguran; Hukuman disiplin",Teguran,"Hukuman disiplin"
Wulandari,Sari,sari@example.go.id,"In progress","17 September 2024  9:02 AM",-,-,-,"Apakah ASN boleh memilih? : Boleh; Tidak boleh",Boleh,Boleh,"PPPK wajib netral : True; False",-,True,"Sanksi : Teguran; Hukuman disiplin",-,"Hukuman disiplin"
"Overall average",,,,,,,1.00,,,,,,,,,
'''
MOODLE_GRADES_POST = '''Surname,"First name","Email address",State,"Started on",Completed,"Time taken",Grade/3.00,"Q. 1 /1.00","Q. 2 /1.00","Q. 3 /1.00"
Lestari,Dewi,dewi@example.go.id,Finished,"17 September 2024  11:00 AM","17 September 2024  11:09 AM","9 mins",3.00,1.00,1.00,1.00
Salim,Agus,agus@example.go.id,Finished,"17 September 2024  11:00 AM","17 September 2024  11:12 AM","12 mins",2.00,1.00,1.00,0.00
Santoso,Budi,budi@example.go.id,Finished,"17 September 2024  11:01 AM","17 September 2024  11:10 AM","9 mins",2.00,1.00,0.00,1.00
"Overall average",,,,,,,2.33,1.00,0.67,0.67
'''

# Netral's own layout: semicolon-separated as Excel writes it in an Indonesian locale.
NETRAL_PRE = '''participant;name;1;2;3;4
19850101 201001 1 001;Budi;B;A;C;A
19900202.201502.2.002;Sari;B;B;C;D
19800303-200501-1-003;Agus;A;A;A;A
199504042020012004;Dewi;B;B;;B
'''
NETRAL_POST = '''participant;name;1;2;3;4
198501012010011001;Budi;B;B;C;A
199002022015022002;Sari;B;B;C;"A;B"
198003032005011003;Agus;B;A;C;A
199504042020012004;Dewi;B;B;C;B
'''
NETRAL_KEY = '''item,correct,topic
1,B,prinsip
2,B,prinsip
3,C,kampanye
4,A;B,kampanye
'''


# --------------------------------------------------------------------------- ids


@pytest.mark.parametrize(("raw", "expected"), [
    ("  Budi@Example.GO.id ", "budi@example.go.id"),
    ("19850101 201001 1 001", "198501012010011001"),
    ("19850101.201001.1.001", "198501012010011001"),
    ("Budi   SANTOSO", "budi santoso"),
])
def test_normalize_id(raw, expected):
    assert normalize_id(raw) == expected


# --------------------------------------------------------------------------- Google Forms


def test_google_forms_sheet_is_read_with_identity_columns_excluded():
    sheet = read_sheet(GF_PRE.encode("utf-8-sig"), name="pre.csv")

    assert sheet.layout == "google_forms"
    assert sheet.id_header == "Alamat email"
    assert sheet.items == [Q1, Q2, Q3]
    assert sheet.ids == ["sari@example.go.id", "agus@example.go.id", "dewi@example.go.id",
                         "eko@example.go.id", "budi@example.go.id"]
    assert [w["code"] for w in sheet.warnings] == ["duplicate"]
    assert sheet.warnings[0]["message"] == (
        'pre.csv: participant "Budi Santoso" submitted more than once (rows 2 and 7); the '
        "last submission is used.")


def test_google_forms_scores_match_the_key_with_checkboxes_all_or_nothing():
    scored = score_sheet(read_sheet(GF_PRE, name="pre.csv"), read_key(KEY))

    assert scored.marks.tolist() == [[1, 1, 0], [0, 0, 0], [1, 0, 1], [0, 1, 0], [1, 1, 0]]
    assert scored.responses[1] == ["Tidak boleh", "Membagikan ulang materi kampanye",
                                   "Teguran lisan saja"]
    assert scored.responses[2][1] is None  # blank checkbox answer = no response
    assert scored.topics == ["prinsip", "media_sosial", "sanksi"]


def test_google_forms_score_column_is_checked_against_the_key():
    bad_key = KEY.replace(",Hukuman disiplin,", ",Tidak ada,")

    scored = score_sheet(read_sheet(GF_PRE, name="pre.csv"), read_key(bad_key))

    assert [w["code"] for w in scored.warnings] == ["duplicate", "score_mismatch"]


def test_google_forms_analysis_numbers_equal_direct_stats_calls():
    report = analyze(GF_PRE, GF_POST, key=KEY, pre_name="pre.csv", post_name="post.csv")

    # Participants: pre order (sari, agus, dewi, eko, budi) then post-only fajar.
    pre = np.array([2, 0, 2, 1, 2, np.nan]) * 1.0
    post = np.array([2, 2, 3, np.nan, 3, 1]) * 1.0
    expected = stats.learning_gain(pre, post, 3.0).as_dict()
    assert report["learning_gain"] == expected
    assert report["only_pre"] == ["Eko Prasetyo"]
    assert report["only_post"] == ["Fajar Nugroho"]
    assert [w["code"] for w in report["warnings"]] == ["duplicate", "only_pre", "only_post"]

    marks = np.array([[1, 1, 0], [0, 0, 0], [1, 0, 1], [0, 1, 0], [1, 1, 0]], dtype=float)
    responses = np.array([
        ["Boleh", "Membagikan ulang materi kampanye; Memberi like unggahan calon", "Tidak ada"],
        ["Tidak boleh", "Membagikan ulang materi kampanye", "Teguran lisan saja"],
        ["Boleh", None, "Hukuman disiplin"],
        ["Tidak boleh", "Membagikan ulang materi kampanye; Memberi like unggahan calon",
         "Tidak ada"],
        ["Boleh", "Membagikan ulang materi kampanye; Memberi like unggahan calon", "Tidak ada"],
    ], dtype=object)
    assert report["pre_items"] == stats.item_statistics(marks, max_marks=np.ones(3),
                                                        responses=responses).as_dict()
    post_marks = np.array([[1, 1, 1], [1, 1, 0], [1, 0, 1], [1, 1, 1], [1, 0, 0]], dtype=float)
    assert report["topic_mastery_change"] == stats.topic_mastery_change(
        marks, post_marks, ["prinsip", "media_sosial", "sanksi"], max_marks=np.ones(3)).as_dict()


def test_google_forms_without_key_uses_the_total_scores():
    report = analyze(GF_PRE, GF_POST, pre_name="pre.csv", post_name="post.csv")

    pre = np.array([2, 0, 2, 1, 2, np.nan]) * 1.0  # the "Skor" column, last submission
    post = np.array([2, 2, 3, np.nan, 3, 1]) * 1.0
    assert report["learning_gain"] == stats.learning_gain(pre, post, 3.0).as_dict()
    assert report["pre_items"] is None
    assert "totals_only" in [w["code"] for w in report["warnings"]]


def test_google_forms_without_key_or_score_is_a_clear_error():
    rows = list(csv.reader(io.StringIO(GF_PRE)))
    buf = io.StringIO()
    csv.writer(buf).writerows([row[:2] + row[3:] for row in rows])
    no_score = buf.getvalue()

    with pytest.raises(SheetError) as excinfo:
        analyze(no_score, GF_POST, pre_name="pre.csv", post_name="post.csv")

    assert excinfo.value.message == (
        "pre.csv: the answers are options but there is no key and no scores. Give the correct "
        "answers with --key KEY.csv (columns item,correct).")


def test_id_column_option_selects_the_nip():
    sheet = read_sheet(GF_PRE, name="pre.csv", id_column="NIP")

    assert sheet.ids[0] == "199002022015022002"
    assert Q1 in sheet.items and "NIP" not in sheet.items


# --------------------------------------------------------------------------- Moodle


def test_moodle_responses_use_right_answers_and_only_finished_attempts():
    scored = score_sheet(read_sheet(MOODLE_RESPONSES_PRE, name="moodle-pre.csv"), None)

    assert scored.sheet.layout == "moodle_responses"
    assert scored.sheet.ids == ["dewi@example.go.id", "agus@example.go.id", "budi@example.go.id"]
    assert scored.items == ["Apakah ASN boleh memilih? : Boleh; Tidak boleh",
                            "PPPK wajib netral : True; False", "Sanksi : Teguran; Hukuman disiplin"]
    assert scored.marks.tolist() == [[1, 1, 0], [0, 0, 0], [1, 0, 0]]
    assert scored.responses[1] == ["Tidak boleh", "False", None]
    assert [w["code"] for w in scored.warnings] == ["unfinished_attempt"]
    assert "row 5" in scored.warnings[0]["message"]


def test_moodle_responses_vs_grades_analysis():
    report = analyze(MOODLE_RESPONSES_PRE, MOODLE_GRADES_POST, pre_name="pre.csv",
                     post_name="post.csv")

    expected = stats.learning_gain(np.array([2.0, 0.0, 1.0]), np.array([3.0, 2.0, 2.0]), 3.0)
    assert report["learning_gain"] == expected.as_dict()
    assert report["files"]["post"]["layout"] == "moodle_grades"
    assert report["post_items"] == stats.item_statistics(
        np.array([[1, 1, 1], [1, 1, 0], [1, 0, 1]], dtype=float),
        max_marks=np.ones(3)).as_dict()
    # Question texts (pre) and "Q1…" (grades) differ: reported, not silently matched.
    assert "items_differ" in [w["code"] for w in report["warnings"]]


# --------------------------------------------------------------------------- Netral layout


def test_netral_layout_with_letter_key_and_nip_matching():
    report = analyze(NETRAL_PRE, NETRAL_POST, key=NETRAL_KEY)

    pre_marks = np.array([[1, 0, 1, 0], [1, 1, 1, 0], [0, 0, 0, 0], [1, 1, 0, 0]], dtype=float)
    post_marks = np.array([[1, 1, 1, 0], [1, 1, 1, 1], [1, 0, 1, 0], [1, 1, 1, 0]], dtype=float)
    assert [p["id"] for p in report["participants"]] == [
        "198501012010011001", "199002022015022002", "198003032005011003", "199504042020012004"]
    assert report["learning_gain"] == stats.learning_gain(
        pre_marks.sum(axis=1), post_marks.sum(axis=1), 4.0).as_dict()
    assert report["warnings"] == []
    topics = ["prinsip", "prinsip", "kampanye", "kampanye"]
    assert report["topic_mastery_change"] == stats.topic_mastery_change(
        pre_marks, post_marks, topics, max_marks=np.ones(4)).as_dict()


def test_netral_layout_with_score_columns_needs_no_key():
    pre = "participant,name,Q1,Q2\nbudi@x.id,Budi,1,0.5\nsari@x.id,Sari,0,1\nagus@x.id,Agus,1,0\n"
    post = "participant,name,Q1,Q2\nbudi@x.id,Budi,1,1\nsari@x.id,Sari,1,1\nagus@x.id,Agus,1,0.5\n"

    report = analyze(pre, post)

    assert report["learning_gain"] == stats.learning_gain(
        np.array([1.5, 1.0, 1.0]), np.array([2.0, 2.0, 1.5]), 2.0).as_dict()


# --------------------------------------------------------------------------- errors


def test_mark_above_maximum_names_file_row_and_column():
    pre = "participant,Q1,Q2\nbudi,1,2\n"

    with pytest.raises(SheetError) as excinfo:
        analyze(pre, pre, pre_name="pre.csv")

    assert excinfo.value.message == ('pre.csv, row 2, column "Q2": mark 2 is outside 0 … 1 '
                                     "(give max_marks in the key).")


def test_unknown_header_is_explained():
    with pytest.raises(SheetError) as excinfo:
        read_sheet("kolom1,kolom2\na,b\n", name="x.csv")

    assert excinfo.value.message.startswith("x.csv: the header is not recognised.")


def test_key_letter_against_text_answers_is_explained():
    key = f'item,correct\n"{Q1}",A\n'

    with pytest.raises(SheetError) as excinfo:
        analyze(GF_PRE, GF_POST, key=key, pre_name="pre.csv", key_name="kunci.csv")

    assert excinfo.value.message == (
        'kunci.csv, row 2: the key gives a letter for "Apakah ASN boleh memilih di TPS?" but '
        'pre.csv holds the option text (e.g. "Boleh"); write the option text in the key.')


def test_key_that_matches_no_column_is_explained():
    with pytest.raises(SheetError) as excinfo:
        analyze(GF_PRE, GF_POST, key="item,correct\nSoal lain,Boleh\n", pre_name="pre.csv")

    assert excinfo.value.code == "key"
    assert excinfo.value.message.startswith("pre.csv: no item of the key matches a column")


def test_ragged_row_is_reported_with_its_row():
    with pytest.raises(SheetError) as excinfo:
        read_sheet("participant,Q1\nbudi,1\nsari,1,0,1\n", name="pre.csv")

    assert excinfo.value.message == "pre.csv, row 3: 4 cells but the header has 2 columns."


def test_excel_workbook_instead_of_csv_is_explained():
    with pytest.raises(SheetError) as excinfo:
        read_sheet(b"PK\x03\x04rest", name="pre.xlsx")

    assert excinfo.value.message == ("pre.xlsx: this is an Excel workbook; save it as CSV "
                                     "(UTF-8) first.")


def test_html_report_escapes_sheet_content():
    evil = GF_PRE.replace("Budi Santoso", "<script>alert(1)</script>")

    page = render_html(analyze(evil, GF_POST, key=KEY, pre_name="pre.csv"))

    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
