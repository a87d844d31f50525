"""The shipped content follows shared/domain/behaviours.csv, row by row."""

import csv
from pathlib import Path

import pytest

from netral.knowledge import loader
from netral.knowledge.models import Behaviour, FAQ, Page, Regulation, Sanction, Synonym

pytestmark = pytest.mark.django_db
CSV = Path(loader.CONTENT_DIR) / "behaviours.csv"
SHARED_CSV = Path(__file__).resolve().parents[2].parent / "shared" / "domain" / "behaviours.csv"
VERDICTS = {"P": "prohibited", "A": "allowed", "AC": "conditional"}


def rows():
    with CSV.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.skipif(not SHARED_CSV.exists(), reason="shared/ not beside the checkout")
def test_vendored_catalogue_matches_shared_domain():
    assert CSV.read_text(encoding="utf-8") == SHARED_CSV.read_text(encoding="utf-8")


def test_every_csv_code_is_loaded_with_verdict_sanction_and_basis():
    loaded = {b.code: b for b in Behaviour.objects.prefetch_related("sanctions")}

    assert sorted(loaded) == [row["code"] for row in rows()]
    for row in rows():
        b = loaded[row["code"]]
        assert b.verdict == VERDICTS[row["verdict"]], b.code
        assert b.legal_basis_text.strip(), b.code
        # A sanction class, or (where the sources leave the level open) an explanation.
        assert b.sanctions.exists() or (b.sanction_text.strip() and b.unverified), b.code
        assert len(b.examples) >= 2 and len(b.counter_examples) >= 2, b.code
        assert b.summary and b.title, b.code


def test_contested_rows_carry_a_warning():
    for row in rows():
        if "contested" in row["verdict_note"].lower():
            b = Behaviour.objects.get(code=row["code"])
            assert b.contested and b.contested_note.strip(), b.code


def test_unverified_points_are_flagged():
    for row in rows():
        if "UNVERIFIED" in row["legal_basis"] or "UNVERIFIED" in row["sanction_class"]:
            b = Behaviour.objects.get(code=row["code"])
            assert b.unverified or any(not item.get("verified", True) for item in b.legal_basis), b.code


def test_allowed_rows_have_no_sanction_and_prohibited_rows_have_one():
    for b in Behaviour.objects.prefetch_related("sanctions"):
        codes = {s.code for s in b.sanctions.all()}
        if b.verdict == "allowed":
            assert codes == {"tidak_ada"}, b.code
        if b.verdict == "prohibited":
            assert "tidak_ada" not in codes, b.code
            assert codes or b.unverified, b.code


def test_legal_basis_refers_to_known_regulations():
    known = set(Regulation.objects.values_list("code", flat=True))
    for b in Behaviour.objects.all():
        for item in b.legal_basis:
            assert item["regulation"] in known, (b.code, item)


def test_required_synonyms_and_pages_exist():
    synonyms = dict(Synonym.objects.values_list("term", "expansion"))
    for term, expansion in {"paslon": "pasangan calon", "medsos": "media sosial", "ig": "instagram",
                            "timses": "tim sukses", "nyoblos": "mencoblos", "plat merah": "kendaraan dinas"}.items():
        assert synonyms.get(term) == expansion
    assert {"penanganan-laporan", "saluran-pelaporan", "kasn-dan-bkn"} <= set(Page.objects.values_list("slug", flat=True))
    assert FAQ.objects.count() >= 15
    assert {"moral", "disiplin_ringan", "disiplin_sedang", "disiplin_berat", "ptdh", "pidana"} <= set(
        Sanction.objects.values_list("code", flat=True))


def test_loading_twice_changes_nothing():
    before = loader.load_content()

    assert loader.load_content() == before
