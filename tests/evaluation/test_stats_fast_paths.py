"""The faster ways netral.evaluation.stats counts distractors and converts results must give
exactly what the general ways give (pure numpy; no database).

* integer option codes (float64 responses, integer labels) are binned through one lookup
  table instead of one comparison of every response per label;
* the weighted upper/lower counts only visit the rows of each group;
* ``as_dict`` converts the plain values first.
"""

import enum
import math
from dataclasses import dataclass

import numpy as np
import pytest

from netral.evaluation import stats as es
from netral.evaluation.stats import item_statistics


def _random_case(seed: int):
    """Marks (NaN sometimes, partial credit sometimes), float responses with NaN for no
    response, and per-item integer options given as ints or floats."""
    rng = np.random.default_rng(seed)
    n, k = int(rng.integers(0, 80)), int(rng.integers(1, 8))
    marks = rng.choice([1.0, 2.0, 0.5, 3.0], size=k) if rng.random() < 0.5 else np.ones(k)
    if rng.random() < 0.5:
        scores = np.floor(rng.random((n, k)) * (marks + 1))
    else:
        scores = rng.integers(0, 2, (n, k)) * marks
    scores = np.minimum(scores.astype(float), marks)
    if rng.random() < 0.4 and scores.size:
        scores[rng.random((n, k)) < 0.2] = np.nan
    pool = [0, 1, 2, 3, 4, 5, 8, 16, -3, 700]
    options, responses = [], np.full((n, k), np.nan)
    for j in range(k):
        labels = sorted(rng.choice(pool, size=int(rng.integers(1, 6)), replace=False).tolist())
        options.append([float(v) if rng.random() < 0.5 else int(v) for v in labels])
        responses[:, j] = rng.choice([float(v) for v in labels], size=n)
        responses[rng.random(n) < 0.15, j] = np.nan
    return scores, marks, responses, options


def _general_only(monkeypatch):
    monkeypatch.setattr(es, "_integer_code_bins", lambda *args: None)


@pytest.mark.parametrize("seed", range(60))
def test_integer_code_table_gives_what_the_label_comparison_gives(seed, monkeypatch):
    scores, marks, responses, options = _random_case(seed)
    shared = seed % 5 == 0  # one option list for every item
    if shared:
        options = sorted({float(v) for labels in options for v in labels})
    binned = []
    table = es._integer_code_bins
    monkeypatch.setattr(es, "_integer_code_bins", lambda *a: binned.append(table(*a)) or binned[-1])
    fast = item_statistics(scores, max_marks=marks, responses=responses, options=options).as_dict()
    assert len(binned) == 1 and binned[0] is not None  # every label here is an integer code
    _general_only(monkeypatch)
    general = item_statistics(scores, max_marks=marks, responses=responses, options=options).as_dict()
    assert fast == general


@pytest.mark.parametrize("seed", range(20))
def test_inferred_options_give_the_same_counts_both_ways(seed, monkeypatch):
    scores, marks, responses, _options = _random_case(seed)
    fast = item_statistics(scores, max_marks=marks, responses=responses).as_dict()
    _general_only(monkeypatch)
    assert item_statistics(scores, max_marks=marks, responses=responses).as_dict() == fast


@pytest.mark.parametrize("seed", range(30))
def test_distractor_counts_agree_with_counting_item_by_item(seed):
    """The counts per option, the tie-weighted upper/lower counts and the mean mark of each
    option's choosers, computed one item and one option at a time."""
    scores, marks, responses, options = _random_case(seed)
    result = item_statistics(scores, max_marks=marks, responses=responses, options=options)
    kept = ~np.isnan(scores).all(axis=1) if scores.shape[1] else np.zeros(len(scores), bool)
    X, R = scores[kept], responses[kept]
    n = X.shape[0]
    totals = np.nansum(X, axis=1)
    weights = None
    if n >= 2 and not np.all(totals == totals[0]):
        n_g = max(1, math.floor(es.UPPER_LOWER_FRACTION * n + 0.5))
        weights = es._group_weights(totals, n_g)[:2]
    for i, item in enumerate(result.items):
        dist = item.distractors
        assert dist.n_examinees == n
        groups = [(None, np.isnan(R[:, i]))] + [(lab, R[:, i] == lab) for lab in options[i]]
        got = [dist.no_response, *dist.options]
        assert [o.label for o in got] == [lab for lab, _ in groups]
        for option, (_label, chosen) in zip(got, groups):
            assert option.count == int(chosen.sum())
            assert option.frequency == (chosen.sum() / n if n else None)
            marked = chosen & ~np.isnan(X[:, i])
            if marked.any():
                assert option.mean_score == pytest.approx(float(np.mean(X[marked, i] / marks[i])), rel=1e-12)
            else:
                assert option.mean_score is None
            if weights is None:
                assert option.upper_count is None and option.lower_count is None
            else:
                w_low, w_up = weights
                assert option.upper_count == pytest.approx(float(w_up[chosen].sum()), rel=1e-12, abs=1e-12)
                assert option.lower_count == pytest.approx(float(w_low[chosen].sum()), rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("response", [99.0, 2.5, 1e300, -1.0])
def test_a_response_that_is_not_an_option_is_reported_the_same_way(response, monkeypatch):
    scores = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    responses = np.array([[1.0, 2.0], [2.0, np.nan], [1.0, response]])
    options = [[1, 2], [1, 2, 4]]
    with pytest.raises(ValueError) as fast:
        item_statistics(scores, responses=responses, options=options)
    _general_only(monkeypatch)
    with pytest.raises(ValueError) as general:
        item_statistics(scores, responses=responses, options=options)
    assert str(fast.value) == str(general.value)
    assert "for item 1" in str(fast.value)


def test_a_code_of_another_item_is_not_an_option_of_this_one():
    scores = np.array([[1.0, 0.0], [0.0, 1.0]])
    with pytest.raises(ValueError, match=r"response .*4\.0.* for item 0 is not one of its options"):
        item_statistics(scores, responses=np.array([[4.0, 1.0], [1.0, 4.0]]), options=[[1, 2], [1, 4]])


@pytest.mark.parametrize(
    "responses, labels",
    [
        (np.array([[1.0, 2.0]]), [0.5, 1.0]),  # not an integer
        (np.array([[1.0, 2.0]]), [0, 5000]),  # too wide a span for one table
        (np.array([[1, 2]]), [1, 2]),  # integer responses: compared label by label
        (np.array([[1.0, 2.0]], dtype=np.float32), [1, 2]),
        (np.array([["A", "B"]]), ["A", "B"]),
        (np.array([[1.0, 0.0]]), [True, False]),
        (np.array([[1.0, 2.0]]), [1, float("inf")]),
    ],
)
def test_integer_code_table_only_applies_to_exact_integer_codes(responses, labels):
    per_item = [tuple(labels)] * responses.shape[1]
    missing = es._missing_mask(responses)
    assert es._integer_code_bins(responses, per_item, list(dict.fromkeys(labels)), missing, 3) is None


def test_integer_code_bins_map_to_the_item_slots():
    responses = np.array([[4.0, np.nan], [1.0, 8.0], [np.nan, 1.0]])
    per_item = [(1, 2, 4), (1, 8)]
    bins, slot_of = es._integer_code_bins(responses, per_item, [1, 2, 4, 8], np.isnan(responses), 4)
    slots = slot_of[bins].reshape(responses.shape)
    # item 0: 4 is its third option (slot 3), 1 its first (slot 1), NaN no response (slot 0);
    # item 1 starts at slot 4: NaN → 4, 8 is its second option (slot 6), 1 its first (5).
    assert slots.tolist() == [[3, 4], [1, 6], [0, 5]]


class _Level(enum.IntEnum):
    LOW = 1


class _Kind(str, enum.Enum):
    PRE = "pre"


@dataclass(frozen=True)
class _Inner(es._AsDict):
    value: float


@dataclass(frozen=True)
class _Outer(es._AsDict):
    plain: float
    missing: float
    numpy_float: np.float64
    numpy_int: np.int64
    flag: np.bool_
    level: _Level
    kind: _Kind
    inner: _Inner
    values: np.ndarray
    mapping: dict


def test_as_dict_converts_plain_values_and_keeps_the_general_rules():
    out = _Outer(
        plain=0.25, missing=float("nan"), numpy_float=np.float64(np.inf), numpy_int=np.int64(3), flag=np.bool_(True),
        level=_Level.LOW, kind=_Kind.PRE, inner=_Inner(1.5), values=np.array([1.0, np.nan]),
        mapping={np.int64(2): (None, True, "x")},
    ).as_dict()
    assert out == {"plain": 0.25, "missing": None, "numpy_float": None, "numpy_int": 3, "flag": True, "level": 1,
                   "kind": "pre", "inner": {"value": 1.5}, "values": [1.0, None], "mapping": {"2": [None, True, "x"]}}
    assert type(out["numpy_int"]) is int and type(out["flag"]) is bool and type(out["level"]) is int
    assert out["kind"] is _Kind.PRE  # str subclasses are kept, as before
