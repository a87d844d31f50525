"""The default item bank (netral/evaluation/content/items.json) is well formed and tied to
the behaviour catalogue."""

import csv
import json
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ITEMS = json.loads((ROOT / "netral/evaluation/content/items.json").read_text(encoding="utf-8"))
CODES = {row["code"] for row in csv.DictReader((ROOT / "netral/knowledge/content/behaviours.csv").open(encoding="utf-8"))}
TOPICS = {"prinsip", "media_sosial", "kampanye", "fasilitas", "sanksi", "etika", "pelaporan"}


def test_at_least_45_items_with_unique_keys():
    keys = [item["key"] for item in ITEMS]
    assert len(ITEMS) >= 45
    assert len(set(keys)) == len(keys)


def test_every_topic_is_covered():
    counts = Counter(item["topic"] for item in ITEMS)
    assert set(counts) == TOPICS
    assert min(counts.values()) >= 6


@pytest.mark.parametrize("item", ITEMS, ids=[i["key"] for i in ITEMS])
def test_item_is_well_formed(item):
    correct = [o for o in item["options"] if o["correct"]]
    if item["type"] == "single":
        assert len(item["options"]) == 4 and len(correct) == 1
    elif item["type"] == "multiple":
        assert 4 <= len(item["options"]) <= 5 and 2 <= len(correct) <= 3
    else:
        assert item["type"] == "truefalse"
        assert [o["text"] for o in item["options"]] == ["Benar", "Salah"] and len(correct) == 1
    assert item["explanation"].strip() and item["legal_basis"].strip() and item["stem"].strip()
    assert set(item["codes"]) <= CODES
    texts = " ".join(o["text"].lower() for o in item["options"])
    assert "semua jawaban" not in texts and "tidak ada jawaban" not in texts
