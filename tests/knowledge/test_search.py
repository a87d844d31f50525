"""The self-check ranking on a small hand-made catalogue (no database)."""

import pytest

from netral.knowledge.search import SelfCheckIndex, expand_synonyms, words

DOCS = [
    {"code": "B01", "title": "Menggunakan hak pilih di TPS", "phrasings": ["boleh mencoblos di tps"],
     "examples": ["datang ke TPS pada hari pemungutan suara"], "summary": "ASN tetap punya hak pilih."},
    {"code": "B06", "title": "Memakai kendaraan dinas untuk kampanye",
     "phrasings": ["pakai kendaraan dinas untuk acara kampanye"], "examples": ["mengantar tim sukses"],
     "summary": "Fasilitas negara dilarang untuk kampanye."},
    {"code": "B10", "title": "Menyukai atau membagikan unggahan kampanye pasangan calon di media sosial",
     "phrasings": ["like postingan pasangan calon", "share video kampanye di instagram"],
     "examples": ["menyukai unggahan pasangan calon di Instagram"], "summary": "Dilarang."},
    {"code": "B14", "title": "Berpose dengan simbol jari saat berfoto",
     "phrasings": ["foto pose dua jari", "salam tiga jari"], "examples": ["foto bersama calon dengan dua jari"],
     "summary": "Simbol jari menunjukkan keberpihakan."},
]
SYNONYMS = {"paslon": "pasangan calon", "ig": "instagram", "medsos": "media sosial", "nyoblos": "mencoblos",
            "plat merah": "kendaraan dinas", "timses": "tim sukses"}


@pytest.fixture(scope="module")
def index():
    return SelfCheckIndex(DOCS, SYNONYMS)


def test_words_normalises_case_accents_and_repeats():
    assert words("Bolehhh  NYOBLOS?? Café") == ["boleh", "nyoblos", "cafe"]


def test_multiword_synonyms_expand():
    assert expand_synonyms(["naik", "plat", "merah"], SYNONYMS) == ["naik", "plat", "merah", "kendaraan", "dinas"]


@pytest.mark.parametrize(("query", "code"), [
    ("saya like postingan paslon di IG", "B10"),
    ("foto bareng calon pakai pose dua jari", "B14"),
    ("boleh nyoblos?", "B01"),
    ("pinjam mobil plat merah buat antar timses", "B06"),
], ids=["like", "pose", "vote", "car"])
def test_everyday_sentences_find_their_rule(index, query, code):
    outcome = index.search(query)

    assert outcome.results[0][0] == code
    assert outcome.confident


def test_typos_are_corrected(index):
    outcome = index.search("postngan kampanye di instagarm")

    assert outcome.corrections == {"postngan": "postingan", "instagarm": "instagram"}
    assert outcome.results[0][0] == "B10"


def test_unrelated_question_is_not_confident(index):
    outcome = index.search("resep rendang padang yang enak")

    assert outcome.results == [] and outcome.confident is False


def test_counter_examples_are_not_indexed():
    docs = [{"code": "B14", "title": "simbol jari", "counter_examples": ["tangan mengepal diperbolehkan"]},
            {"code": "B15", "title": "tangan mengepal atau di dada saat foto"}]

    outcome = SelfCheckIndex(docs, {}).search("foto tangan mengepal")

    assert [code for code, _ in outcome.results] == ["B15"]


def test_caution_puts_a_close_prohibition_first():
    from netral.knowledge.search import apply_caution

    verdicts = {"B15": "allowed", "B14": "prohibited", "B01": "allowed"}

    close = apply_caution([("B15", 1.00), ("B14", 0.95)], verdicts)
    far = apply_caution([("B15", 1.00), ("B14", 0.50)], verdicts)
    already = apply_caution([("B14", 1.00), ("B15", 0.99)], verdicts)

    assert close == ([("B14", 0.95), ("B15", 1.00)], True)
    assert far == ([("B15", 1.00), ("B14", 0.50)], False)
    assert already == ([("B14", 1.00), ("B15", 0.99)], False)


def test_an_empty_catalogue_builds_and_matches_nothing():
    outcome = SelfCheckIndex([], {}).search("boleh like postingan calon?")

    assert outcome.results == [] and outcome.confident is False
