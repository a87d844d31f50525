"""selectors.event_evaluation's faster paths give the same result as the general ones: the
answer-code table (marks, responses and options per item), the analyses side by side on
two threads, the cached form, the one query for the cache key and the attempt counts."""

import json
import random

import numpy as np
import pytest

from netral.evaluation import selectors, services
from netral.evaluation.models import ItemType, Test
from tests.factories.events import ParticipantFactory

pytestmark = pytest.mark.django_db


def _answer(test, participant, rng, *, submit=True):
    attempt, _ = services.start_attempt(test, participant)
    answers = {}
    for ti in test.test_items.select_related("version__item"):
        if rng.random() < 0.15:
            continue  # left unanswered
        if ti.version.item.type == ItemType.SHORT:
            answers[str(ti.pk)] = rng.choice(["BKN", " badan kepegawaian  negara", "salah", ""])
        else:
            ids = [o["id"] for o in ti.version.options]
            count = rng.choice([1, 2]) if ti.version.item.type == ItemType.MULTIPLE else 1
            answers[str(ti.pk)] = rng.sample(ids, count)
    services.save_answers(attempt.pk, attempt.token, answers)
    if submit:
        services.submit_attempt(attempt)


@pytest.fixture
def answered(event, bank):
    """Pre- and post-test with single, true/false, multiple-response and short-text items:
    twelve participants took both, one only the pre-test, one started the post-test only."""
    multiple = services.create_item(bank, {"key": "M1", "type": "multiple", "topic": "etika", "stem": "Pilih.",
                                           "options": [{"text": "a", "correct": True}, {"text": "b", "correct": True},
                                                       {"text": "c"}, {"text": "d"}]})
    short = services.create_item(bank, {"key": "S1", "type": "short", "topic": "sanksi", "stem": "Lembaga?",
                                        "answers": [{"text": "Badan Kepegawaian Negara"}, {"text": "BKN"}]})
    versions = services.pick_items(bank, 8, seed=4) + [multiple.current, short.current]
    pre = services.create_test(event, Test.Kind.PRE, versions=versions)
    post = services.create_test(event, Test.Kind.POST)
    rng = random.Random(11)
    for _ in range(12):
        person = ParticipantFactory(event=event)
        _answer(pre, person, rng)
        _answer(post, person, rng)
    _answer(pre, ParticipantFactory(event=event), rng)
    _answer(post, ParticipantFactory(event=event), rng, submit=False)
    assert {ti.version.item.type for ti in pre.test_items.select_related("version__item")} >= {
        ItemType.SINGLE, ItemType.MULTIPLE, ItemType.SHORT}
    return event


def test_marks_and_responses_from_the_code_table_equal_the_general_way(answered, monkeypatch):
    fast = selectors.event_evaluation(answered, use_cache=False)
    monkeypatch.setattr(selectors, "_code_cells", lambda sheet: None)  # every code read one at a time

    general = selectors.event_evaluation(answered, use_cache=False)

    assert json.dumps(fast) == json.dumps(general)
    labels = {o["label"] for i in fast["items"]["pre"]["items"] for o in i["distractors"]["options"]}
    assert "AB" in labels or "AC" in labels or "BC" in labels  # multiple responses are counted as such


def test_analyses_side_by_side_equal_one_after_the_other(answered, monkeypatch):
    monkeypatch.setattr(selectors, "PARALLEL_FROM", 1)
    side_by_side = selectors.event_evaluation(answered, use_cache=False)
    monkeypatch.setattr(selectors, "PARALLEL_FROM", 10**9)

    assert json.dumps(selectors.event_evaluation(answered, use_cache=False)) == json.dumps(side_by_side)


def test_cached_result_equals_the_computed_one(answered):
    computed = selectors.event_evaluation(answered)
    cached = selectors.event_evaluation(answered)

    assert cached == computed and json.dumps(cached) == json.dumps(computed)  # same keys in the same order
    assert list(cached["participants"][0]) == list(selectors._PEOPLE_KEYS)
    cached["participants"].clear()
    assert selectors.event_evaluation(answered)["participants"] == computed["participants"]


def test_attempt_counts_and_participants(answered):
    result = selectors.event_evaluation(answered, use_cache=False)

    counts = {kind: (t["started"], t["submitted"], t["in_progress"]) for kind, t in result["tests"].items()}
    assert counts == {"pre": (13, 13, 0), "post": (13, 12, 1)}
    assert len(result["participants"]) == 13
    only_pre = [p for p in result["participants"] if p["post"] is None]
    assert len(only_pre) == 1 and only_pre[0]["gain"] is None and only_pre[0]["band"] is None
    assert all(isinstance(p["pre"], float) and p["name"] for p in result["participants"])


def test_cache_key_changes_with_a_submission_but_not_with_a_start(answered):
    tests = selectors.tests_for(answered)
    key, counts = selectors._cache_key(answered, tests)
    post = tests["post"]
    services.start_attempt(post, ParticipantFactory(event=answered))
    started_key, started_counts = selectors._cache_key(answered, tests)
    assert started_key == key and started_counts[post.pk]["started"] == counts[post.pk]["started"] + 1

    _answer(post, ParticipantFactory(event=answered), random.Random(1))
    assert selectors._cache_key(answered, tests)[0] != key
    assert selectors._cache_key(answered, {})[1] == {}


def test_sheet_reads_missing_scores_codes_and_short_rows():
    sheet = selectors.Sheet([(5, None, 10.0, b"\x01\x00\x06\x00"), (7, 3.0, 10.0, b"\x04\x00"),
                             (9, 1.0, 10.0, None)], 2, with_text=False)

    assert sheet.participant_ids.tolist() == [5, 7, 9]
    assert np.isnan(sheet.score[0]) and sheet.score[1:].tolist() == [3.0, 1.0]
    assert sheet.codes.tolist() == [[1, 6], [4, -1], [-1, -1]]
    whole = selectors.Sheet([(1, 2.0, 2.0, memoryview(b"\x01\x00\xff\xff"))], 2, with_text=False)
    assert whole.codes.tolist() == [[1, -1]]
    empty = selectors.Sheet([], 3, with_text=False)
    assert empty.codes.shape == (0, 3) and empty.participant_ids.size == 0


def test_cache_key_differs_per_language(answered):
    """The cached result holds translated warnings and labels."""
    from django.utils import translation

    tests = selectors.tests_for(answered)
    with translation.override("id"):
        indonesian = selectors._cache_key(answered, tests)[0]
    with translation.override("en"):
        english = selectors._cache_key(answered, tests)[0]
    assert indonesian != english
