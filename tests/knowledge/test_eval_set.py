"""Quality floor of the self-check on the labelled situations of bench/selfcheck_cases.csv
(bench/selfcheck_eval.py prints the full report)."""

import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "selfcheck_eval.py"


@pytest.fixture(scope="module")
def report():
    spec = importlib.util.spec_from_file_location("selfcheck_eval", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    index, verdicts, _seconds = module.build()
    return module.evaluate(index, verdicts)


def test_top3_accuracy_at_least_90_percent(report):
    assert report["cases"] >= 60
    assert report["top3"] >= 0.9


def test_never_allowed_where_the_catalogue_prohibits(report):
    assert report["allowed_for_prohibited"] == 0


def test_off_topic_questions_are_not_answered(report):
    rejected, total = map(int, report["off_topic_rejected"].split("/"))
    assert rejected == total
