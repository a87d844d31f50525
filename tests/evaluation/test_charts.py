"""Server-side charts: valid, self-contained, deterministic SVG/PNG for every chart."""

import re
from xml.etree import ElementTree as ET

import numpy as np
import pytest
from django.utils import translation

from netral.evaluation import charts, stats



@pytest.fixture(autouse=True)
def _english():
    # Labels are gettext msgids; pin English so the assertions do not depend on the catalog.
    with translation.override("en"):
        yield


PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SVG_NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(7)
    pre = rng.uniform(10, 80, 30)
    post = np.clip(pre + rng.normal(12, 10, 30), 0, 100)
    marks = (rng.random((30, 12)) < np.linspace(0.15, 0.95, 12)).astype(float)
    items = stats.item_statistics(marks)
    change = stats.topic_mastery_change(marks, marks[::-1] * 0 + marks, ["prinsip", "etika",
                                                                          "sanksi"] * 4)
    return {"pre": pre, "post": post, "items": items, "change": change}


def _calls(d):
    return {
        "score_distribution": lambda fmt: charts.score_distribution(d["pre"], d["post"], fmt=fmt),
        "paired_scores": lambda fmt: charts.paired_scores(d["pre"], d["post"], fmt=fmt),
        "topic_mastery": lambda fmt: charts.topic_mastery(d["change"], fmt=fmt),
        "item_map": lambda fmt: charts.item_map(d["items"], fmt=fmt),
        "likert_distribution": lambda fmt: charts.likert_distribution(
            [{"label": "Materi mudah dipahami", "counts": [1, 2, 4, 12, 9]},
             ("Narasumber menguasai materi", [0, 1, 2, 10, 15])], fmt=fmt),
        "bar_counts": lambda fmt: charts.bar_counts(
            ["Kelurahan Brebes", "Kecamatan Brebes", "Dinas Pendidikan"], [31, 12, 7],
            title="Kehadiran per instansi", fmt=fmt),
    }


NAMES = ["score_distribution", "paired_scores", "topic_mastery", "item_map",
         "likert_distribution", "bar_counts"]


def _assert_safe_svg(svg: str) -> ET.Element:
    assert svg.startswith("<svg")
    root = ET.fromstring(svg)
    assert root.tag == SVG_NS + "svg"
    hrefs = re.findall(r'href="([^"]*)"', svg)
    assert all(h.startswith("#") for h in hrefs)
    assert "<script" not in svg and "<image" not in svg and "<metadata" not in svg
    assert re.search(r"\d{4}-\d{2}-\d{2}T", svg) is None  # no creation date
    assert len(svg.encode()) < 60_000
    return root


@pytest.mark.parametrize("name", NAMES)
def test_chart_svg_is_valid_self_contained_and_small(data, name):
    svg = _calls(data)[name]("svg")

    _assert_safe_svg(svg)


@pytest.mark.parametrize("name", NAMES)
def test_chart_png_has_png_header(data, name):
    png = _calls(data)[name]("png")

    assert isinstance(png, bytes)
    assert png[:8] == PNG_MAGIC


@pytest.mark.parametrize("name", NAMES)
def test_chart_output_is_deterministic(data, name):
    call = _calls(data)[name]

    assert call("svg") == call("svg")
    assert call("png") == call("png")


def test_item_map_accepts_dict_and_dataclass_alike(data):
    assert charts.item_map(data["items"]) == charts.item_map(data["items"].as_dict())


def test_topic_mastery_accepts_dict_and_dataclass_alike(data):
    assert charts.topic_mastery(data["change"]) == charts.topic_mastery(data["change"].as_dict())


def test_chart_labels_are_present_as_text(data):
    svg = charts.topic_mastery(data["change"])
    texts = [t.text for t in ET.fromstring(svg).iter(SVG_NS + "text")]

    assert {"prinsip", "etika", "sanksi"} <= set(texts)
    assert "Pre-test" in texts and "Post-test" in texts


def test_bar_counts_labels_and_values_present():
    svg = charts.bar_counts(["Kelurahan Brebes", "Dinas <Kominfo> & Co"], [31, 12], title="Hadir")
    texts = [t.text for t in ET.fromstring(svg).iter(SVG_NS + "text")]

    assert "Dinas <Kominfo> & Co" in texts  # escaped in the SVG, intact after parsing
    assert "31" in texts and "Hadir" in texts


def test_item_map_labels_items_by_number_or_given_label(data):
    numbered = [t.text for t in ET.fromstring(charts.item_map(data["items"])).iter(SVG_NS + "text")]
    labelled = [t.text for t in ET.fromstring(
        charts.item_map(data["items"], labels=["N%02d" % i for i in range(1, 13)])
    ).iter(SVG_NS + "text")]

    shown = sum(1 for it in data["items"].items
                if it.facility is not None and it.discrimination_r is not None)
    assert sum(1 for t in labelled if t and re.fullmatch(r"N\d\d", t)) == shown
    assert "1" in numbered or "2" in numbered


@pytest.mark.parametrize("call", [
    lambda fmt: charts.score_distribution([], [], fmt=fmt),
    lambda fmt: charts.score_distribution(None, [None, float("nan")], fmt=fmt),
    lambda fmt: charts.paired_scores([50, None], [None, 60], fmt=fmt),
    lambda fmt: charts.topic_mastery(None, fmt=fmt),
    lambda fmt: charts.topic_mastery({"topics": []}, fmt=fmt),
    lambda fmt: charts.item_map([], fmt=fmt),
    lambda fmt: charts.item_map(stats.item_statistics(np.empty((0, 3))), fmt=fmt),
    lambda fmt: charts.likert_distribution([], fmt=fmt),
    lambda fmt: charts.likert_distribution([{"label": "x", "counts": [0, 0, 0, 0, 0]}], fmt=fmt),
    lambda fmt: charts.bar_counts([], [], title="Kosong", fmt=fmt),
], ids=["dist", "dist-none", "paired-unmatched", "topics-none", "topics-empty", "items-empty",
        "items-no-examinees", "likert-empty", "likert-zero", "bars-empty"])
def test_empty_input_gives_a_no_data_chart(call):
    svg = call("svg")
    png = call("png")

    texts = [t.text for t in _assert_safe_svg(svg).iter(SVG_NS + "text")]
    assert "No data" in texts
    assert png[:8] == PNG_MAGIC


def test_fonts_are_at_least_9pt(data):
    svg = charts.item_map(data["items"])
    sizes = [float(s) for s in re.findall(r"font-size:\s*([0-9.]+)px", svg)]

    # matplotlib writes pt × 72/72 as px in its SVG user space (1 unit = 1 pt).
    assert sizes and min(sizes) >= 9


def test_unknown_format_is_rejected(data):
    with pytest.raises(ValueError):
        charts.score_distribution([10], [20], fmt="gif")


def test_paired_scores_rejects_unequal_lengths():
    with pytest.raises(ValueError):
        charts.paired_scores([10, 20], [30], fmt="svg")
