"""Statistics for pre/post tests: Moodle-style item analysis, reliability and learning gain.

Pure numpy/scipy (no Django). Every public function returns a frozen dataclass whose
``as_dict()`` gives JSON-ready data: numpy scalars become Python ints/floats, NaN and
±inf become ``None``, arrays become lists. A statistic that cannot be computed is ``None``
and its reason is in the ``reasons`` mapping of the object that holds it.

Definitions and sources follow ``shared/domain/evaluation-statistics.md`` (the "domain
doc"); each docstring names the section.

Conventions used throughout
---------------------------
* ``scores`` is an examinees × items matrix of marks (0/1 or partial credit, on each
  item's own scale ``0 … max_marks[i]``). ``NaN`` means *no mark recorded* for that item
  (not answered / not presented). A NaN mark is

  - **left out** of that item's own statistics (facility, SD, discrimination, DE, upper and
    lower group facility): they are computed over the examinees who have a mark for the
    item (``n_answered``). An item nobody answered therefore has facility ``None``;
  - **worth 0** in the examinee's total (the total is the sum of the recorded marks, as
    Moodle's ``sumgrades``);
  - handled **pairwise** in Cronbach's alpha (pairwise-complete covariances, as
    ``pingouin.cronbach_alpha(nan_policy="pairwise")`` and ``pandas.DataFrame.cov``).

  Moodle itself records an unanswered question of a finished attempt as mark 0 and counts
  it (domain doc §1.3, §1.5). To reproduce that convention, pass 0 instead of NaN.
  A row with no mark at all (the examinee did not take the test) is excluded and counted
  in ``TestStatistics.n_excluded_empty``.
* Scores must lie in ``[0, max_mark]`` (``ValueError`` otherwise); ``max_marks=None``
  means every item is marked out of 1. ``±inf`` is rejected.
* Every variance and covariance divides by ``n − 1`` (Moodle, domain doc §1.2).
* Needs scipy ≥ 1.15 (``wilcoxon(method="asymptotic" | PermutationMethod)``). Matrix
  products use ``np.einsum``, not BLAS (see ``_gram``), so the module's timing does not
  depend on the BLAS thread pool competing with a busy web server.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, fields, is_dataclass
from typing import Any

import numpy as np
from scipy import optimize, stats

__all__ = [
    "CONFIDENCE_LEVEL",
    "DISCRIMINATION_NEGATIVE_BELOW",
    "DISCRIMINATIVE_EFFICIENCY_DUBIOUS_BELOW",
    "FACILITY_TOO_EASY_ABOVE",
    "FACILITY_TOO_HARD_BELOW",
    "HAKE_BAND_TOLERANCE",
    "HAKE_HIGH_FROM",
    "HAKE_MEDIUM_FROM",
    "MIN_PAIRS_FOR_TESTS",
    "UPPER_LOWER_FRACTION",
    "Descriptives",
    "DistractorAnalysis",
    "EffectSizes",
    "ItemStat",
    "ItemStatistics",
    "LearningGain",
    "OptionCount",
    "PairedTTest",
    "ParticipantGains",
    "TestStatistics",
    "TopicChange",
    "TopicMastery",
    "TopicMasteryChange",
    "TopicScore",
    "WilcoxonTest",
    "hake_band",
    "item_statistics",
    "learning_gain",
    "topic_mastery",
    "topic_mastery_change",
]

# --------------------------------------------------------------------------------------
# Thresholds (named, with their source)
# --------------------------------------------------------------------------------------

#: Item flagged "too easy" when facility > this. Value from the Netral brief; the domain doc
#: gives no facility threshold (Moodle's docs only describe ranges).
FACILITY_TOO_EASY_ABOVE = 0.9
#: Item flagged "too hard" when facility < this. Value from the Netral brief (see above).
FACILITY_TOO_HARD_BELOW = 0.2
#: Item flagged "dubious" when discriminative efficiency (×100) < this. Moodle
#: ``statistics_table.php`` (domain doc §1.3: "flagged dubious if DE < 15").
DISCRIMINATIVE_EFFICIENCY_DUBIOUS_BELOW = 15.0
#: Item flagged "negative discrimination" when Moodle's discrimination index < this.
DISCRIMINATION_NEGATIVE_BELOW = 0.0
#: Kelley (1939) upper/lower group fraction (domain doc §3).
UPPER_LOWER_FRACTION = 0.27
#: Hake (1998) bands, convention low < 0.3 ≤ medium < 0.7 ≤ high (domain doc §2.1;
#: Hake's own inequalities are strict and leave 0.3 and 0.7 unassigned).
HAKE_MEDIUM_FROM = 0.3
HAKE_HIGH_FROM = 0.7
#: Tolerance on the band limits, so 0.3 − 1e-16 (floating point) is "medium" (domain doc §2.1).
HAKE_BAND_TOLERANCE = 1e-9
#: Paired t-test, Wilcoxon and effect sizes need at least this many matched pairs.
MIN_PAIRS_FOR_TESTS = 3
#: Level of every confidence interval.
CONFIDENCE_LEVEL = 0.95

# scipy.stats.wilcoxon(method="auto") rule, made explicit so the method used is reported:
# exact when n ≤ 50 with no ties and no zeros; all-sign-flip permutation when n ≤ 13
# otherwise; else the normal approximation.
_WILCOXON_EXACT_MAX_N = 50
_WILCOXON_PERMUTATION_MAX_N = 13
# A variance below (tolerance × scale)² is treated as zero (floating-point sums of equal
# partial-credit marks are not always exactly equal).
_ZERO_SD_RTOL = 1e-10
# Flags compare with this tolerance, so floating-point noise (a DI of −1e-15, a facility of
# 0.9000000000000001) does not flag an item that sits exactly on a threshold.
_FLAG_TOLERANCE = 1e-9
# Totals are rounded to this many decimals before forming the 27% groups, so totals that are
# equal in exact arithmetic tie.
_TIE_DECIMALS = 9


# --------------------------------------------------------------------------------------
# JSON conversion
# --------------------------------------------------------------------------------------


# Field names of each dataclass met by _jsonable (fields() is slow to call per object).
_FIELD_NAMES: dict[type, tuple[str, ...] | None] = {}


def _field_names(cls: type) -> tuple[str, ...] | None:
    try:
        return _FIELD_NAMES[cls]
    except KeyError:
        names = tuple(f.name for f in fields(cls)) if is_dataclass(cls) else None
        _FIELD_NAMES[cls] = names
        return names


def _jsonable(value: Any) -> Any:
    cls = type(value)
    # The common plain values first (exact types: subclasses take the general path below).
    if cls is float:
        return value if math.isfinite(value) else None
    if cls is str or cls is int or cls is bool or value is None:
        return value
    names = _field_names(cls)
    if names is not None:
        return {name: _jsonable(getattr(value, name)) for name in names}
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "f":
            if value.ndim == 1:
                finite = math.isfinite
                return [v if finite(v) else None for v in value.tolist()]
            return [_jsonable(row) for row in value]
        if value.dtype.kind in "biu":
            return value.tolist()
        return _jsonable(value.tolist())
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        f = float(value)
        return f if math.isfinite(f) else None
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return {str(_jsonable(k)): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return _jsonable(value.item())
    return value


class _AsDict:
    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-friendly dict (numpy → Python, NaN/inf → None, arrays → lists)."""
        return _jsonable(self)


def _f(x: Any) -> float | None:
    """Python float, or None for None/NaN/inf."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


# --------------------------------------------------------------------------------------
# Result types
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Descriptives(_AsDict):
    """n, mean, median, SD (n − 1 divisor), min, max of scores, raw and as % of the maximum."""

    n: int
    mean: float | None
    median: float | None
    sd: float | None
    minimum: float | None
    maximum: float | None
    mean_percent: float | None
    median_percent: float | None
    sd_percent: float | None


@dataclass(frozen=True)
class PairedTTest(_AsDict):
    """Paired t-test on d = post − pre (scipy.stats.ttest_rel(post, pre), two-sided)."""

    statistic: float
    df: int
    p_value: float
    mean_difference: float
    sd_difference: float
    standard_error: float
    ci_low: float
    ci_high: float
    mean_difference_percent: float
    ci_low_percent: float
    ci_high_percent: float
    confidence: float
    alternative: str = "two-sided"


@dataclass(frozen=True)
class WilcoxonTest(_AsDict):
    """Wilcoxon signed-rank test on d = post − pre (scipy.stats.wilcoxon, two-sided)."""

    statistic: float  # min(W+, W−), scipy's two-sided statistic
    w_plus: float
    w_minus: float
    p_value: float
    n_nonzero: int
    n_zero: int
    method: str
    zero_method: str
    continuity_correction: bool
    rank_biserial: float  # (W+ − W−)/(W+ + W−)
    alternative: str = "two-sided"


@dataclass(frozen=True)
class EffectSizes(_AsDict):
    """Paired effect sizes (Lakens 2013); ``reasons`` says why any is None."""

    d_z: float | None
    d_z_ci_low: float | None
    d_z_ci_high: float | None
    d_z_ci_method: str | None
    confidence: float
    g_z: float | None  # Hedges-corrected d_z
    hedges_j: float | None
    d_av: float | None  # Cumming 2012 / pingouin: d̄ / sqrt((SD1² + SD2²)/2)
    d_rm: float | None
    r_pre_post: float | None
    reasons: Mapping[str, str]


@dataclass(frozen=True, eq=False)
class ParticipantGains(_AsDict):
    """Per-participant arrays, in input order (NaN → None in ``as_dict``).

    ``gain`` is NaN when the participant lacks a test or when pre = max (undefined);
    ``normalized_change`` is NaN when a test is missing or the student is dropped
    (pre = post = 0 or pre = post = max)."""

    pre_percent: np.ndarray
    post_percent: np.ndarray
    gain: np.ndarray
    normalized_change: np.ndarray


@dataclass(frozen=True, eq=False)
class LearningGain(_AsDict):
    """Result of :func:`learning_gain`. All group figures use matched pairs only."""

    max_score: float
    n_participants: int
    n_pairs: int
    only_pre: int
    only_post: int
    neither: int
    pre: Descriptives  # matched pairs
    post: Descriptives  # matched pairs
    pre_all: Descriptives  # everyone with a pre-test
    post_all: Descriptives  # everyone with a post-test
    class_average_gain: float | None  # Hake <g>
    class_average_gain_band: str | None
    mean_individual_gain: float | None  # g_ave (Bao 2006)
    median_individual_gain: float | None
    mean_individual_gain_band: str | None
    n_gain_defined: int
    n_gain_undefined: int  # matched pairs with pre = max
    mean_normalized_change: float | None  # Marx & Cummings (2007) c
    n_change_dropped: int
    t_test: PairedTTest | None
    wilcoxon: WilcoxonTest | None
    effect_sizes: EffectSizes | None
    participants: ParticipantGains
    reasons: Mapping[str, str]


@dataclass(frozen=True)
class OptionCount(_AsDict):
    """One response class of an item (``label`` None = no response)."""

    label: Any
    count: int
    frequency: float | None  # count / n_examinees (Moodle col_frequency), as a fraction
    upper_count: float | None  # (tie-)weighted count in the upper 27% group
    lower_count: float | None
    mean_score: float | None  # mean mark/max among those who chose it (observed partial credit)


@dataclass(frozen=True)
class DistractorAnalysis(_AsDict):
    """Response (distractor) counts for one item (domain doc §1.6)."""

    options: tuple[OptionCount, ...]
    no_response: OptionCount
    n_examinees: int


@dataclass(frozen=True)
class ItemStat(_AsDict):
    """Per-item statistics (domain doc §1.3 and §3). ``reasons`` explains each None."""

    index: int
    n_answered: int
    max_mark: float
    facility: float | None  # x̄ / M, in [0, 1]
    mean: float | None
    sd: float | None
    sd_percent: float | None  # SD × 100 / M (Moodle display)
    intended_weight: float | None  # %
    effective_weight: float | None  # %
    discrimination_index: float | None  # Moodle: 100 × corrected item–total r
    discrimination_r: float | None  # corrected item–total (rest score) Pearson r
    item_total_r: float | None  # uncorrected item–total r (point-biserial for 0/1)
    discriminative_efficiency: float | None  # Moodle DE, ×100
    upper_facility: float | None
    lower_facility: float | None
    upper_lower_d: float | None  # Kelley D = p_upper − p_lower
    alpha_if_deleted: float | None
    flags: tuple[str, ...]
    distractors: DistractorAnalysis | None
    reasons: Mapping[str, str]


@dataclass(frozen=True)
class TestStatistics(_AsDict):
    """Test-level statistics (domain doc §1.4, §3)."""

    __test__ = False  # not a pytest test class

    n_examinees: int
    n_excluded_empty: int
    n_items: int
    max_total: float
    mean: float | None
    median: float | None
    sd: float | None
    minimum: float | None
    maximum: float | None
    mean_percent: float | None
    median_percent: float | None
    sd_percent: float | None
    skewness: float | None
    kurtosis: float | None  # excess (G2)
    alpha: float | None
    alpha_method: str | None
    alpha_ci_low: float | None  # Feldt
    alpha_ci_high: float | None
    alpha_n_items: int
    kr21: float | None
    cic: float | None  # alpha × 100
    error_ratio: float | None  # 100 √(1 − α)
    sem: float | None  # SD × √(1 − α)
    sem_percent: float | None
    group_size: int | None  # size of each 27% group
    lower_cut: float | None  # total at the lower group's boundary
    upper_cut: float | None
    reasons: Mapping[str, str]


@dataclass(frozen=True)
class ItemStatistics(_AsDict):
    """Result of :func:`item_statistics`."""

    test: TestStatistics
    items: tuple[ItemStat, ...]
    thresholds: Mapping[str, float]


@dataclass(frozen=True)
class TopicScore(_AsDict):
    topic: Any
    item_indices: tuple[int, ...]
    n_items: int
    n_items_scored: int  # items with a facility (someone answered)
    mastery: float | None  # mean facility of the topic's items, in [0, 1]


@dataclass(frozen=True)
class TopicMastery(_AsDict):
    n_examinees: int
    topics: tuple[TopicScore, ...]


@dataclass(frozen=True)
class TopicChange(_AsDict):
    topic: Any
    item_indices: tuple[int, ...]
    pre_mastery: float | None
    post_mastery: float | None
    change: float | None  # post − pre (fraction)
    normalized_gain: float | None  # (post − pre)/(1 − pre)
    normalized_gain_band: str | None
    reasons: Mapping[str, str]


@dataclass(frozen=True)
class TopicMasteryChange(_AsDict):
    n_pre_examinees: int
    n_post_examinees: int
    topics: tuple[TopicChange, ...]


# --------------------------------------------------------------------------------------
# Input handling
# --------------------------------------------------------------------------------------


def _as_float_array(values: Any, name: str, ndim: int) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric (NaN for missing): {exc}") from None
    if arr.ndim != ndim:
        if ndim == 2 and arr.size == 0:
            return arr.reshape(0, 0) if arr.ndim != 2 else arr
        raise ValueError(f"{name} must be {ndim}-dimensional, got shape {arr.shape}")
    if np.isinf(arr).any():
        raise ValueError(f"{name} contains ±inf")
    return arr


def _max_marks_array(max_marks: Any, k: int) -> np.ndarray:
    if max_marks is None:
        return np.ones(k)
    m = np.asarray(max_marks, dtype=np.float64)
    if m.ndim == 0:
        m = np.full(k, float(m))
    if m.shape != (k,):
        raise ValueError(f"max_marks must be a scalar or have one value per item ({k})")
    if not np.isfinite(m).all() or (m < 0).any():
        raise ValueError("max_marks must be finite and ≥ 0")
    return m


def _prepare_scores(scores: Any, max_marks: Any, name: str = "scores"):
    """Validate; drop rows with no mark at all. Returns X, mask, M, complete, kept, n_empty."""
    X = _as_float_array(scores, name, 2)
    n_rows, k = X.shape
    M = _max_marks_array(max_marks, k)
    if X.size:
        with np.errstate(invalid="ignore"):
            if (X < 0).any():
                raise ValueError(f"{name}: marks must be ≥ 0")
            if (X > M).any():
                raise ValueError(
                    f"{name}: a mark exceeds its item's max_marks (default 1 for every item)"
                )
    mask = ~np.isnan(X)
    complete = bool(mask.all())
    kept = None
    if k == 0:  # no items: no row has a mark
        kept = np.zeros(n_rows, dtype=bool)
        X, mask = X[:0], mask[:0]
    elif not complete:
        kept = mask.any(axis=1)
        if not kept.all():
            X = X[kept]
            mask = mask[kept]
        else:
            kept = None
    n_empty = n_rows - X.shape[0]
    return X, mask, M, complete, kept, n_empty


def _zero_var(var: np.ndarray | float, scale: np.ndarray | float) -> np.ndarray | bool:
    return np.asarray(var) <= (_ZERO_SD_RTOL * np.maximum(scale, 1e-300)) ** 2


# Linear algebra without BLAS. numpy's ``@``/``dot`` call OpenBLAS, whose worker threads
# busy-wait: on a small machine whose cores are already busy (a web worker under load) a
# 40 × 40 Gram matrix then took seconds instead of milliseconds (measured: item_statistics
# 0.19 s alone, up to 6.7 s next to a load test). ``np.einsum`` without ``optimize`` runs
# numpy's own single-threaded loops: slower on an idle machine (≈ 50 ms per 100k × 40 Gram
# matrix instead of ≈ 7 ms) but steady under load.


def _gram(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a.T @ b."""
    return np.einsum("ij,ik->jk", a, b)


def _vecmat(v: np.ndarray, a: np.ndarray) -> np.ndarray:
    """v @ a."""
    return np.einsum("i,ij->j", v, a)


def _dot(u: np.ndarray, v: np.ndarray) -> float:
    return float(np.einsum("i,i->", u, v))


def hake_band(g: float | None) -> str | None:
    """Hake (1998) band of a normalized gain.

    Convention (domain doc §2.1): low if g < 0.3, medium if 0.3 ≤ g < 0.7, high if g ≥ 0.7,
    each limit with tolerance :data:`HAKE_BAND_TOLERANCE` (so 0.3 − 1e-16 is "medium").
    Negative gains are "low". ``None`` in, ``None`` out.
    Source: Hake, Am. J. Phys. 66(1) 64–74 (1998); the band edges there are strict.
    """
    if g is None or not math.isfinite(g):
        return None
    if g >= HAKE_HIGH_FROM - HAKE_BAND_TOLERANCE:
        return "high"
    if g >= HAKE_MEDIUM_FROM - HAKE_BAND_TOLERANCE:
        return "medium"
    return "low"


# --------------------------------------------------------------------------------------
# Descriptives
# --------------------------------------------------------------------------------------


def _describe(values: np.ndarray, max_score: float) -> Descriptives:
    n = int(values.size)
    if n == 0:
        return Descriptives(0, None, None, None, None, None, None, None, None)
    mean = float(values.mean())
    median = float(np.median(values))
    sd = float(values.std(ddof=1)) if n > 1 else None
    pct = 100.0 / max_score if max_score > 0 else math.nan
    return Descriptives(
        n=n,
        mean=mean,
        median=median,
        sd=sd,
        minimum=float(values.min()),
        maximum=float(values.max()),
        mean_percent=_f(mean * pct),
        median_percent=_f(median * pct),
        sd_percent=None if sd is None else _f(sd * pct),
    )


# --------------------------------------------------------------------------------------
# Learning gain
# --------------------------------------------------------------------------------------


def learning_gain(pre: Any, post: Any, max_score: float) -> LearningGain:
    """Paired pre/post analysis of test totals (domain doc §2).

    ``pre`` and ``post`` are equal-length 1-D arrays of totals on ``0 … max_score``, one
    position per participant, NaN where the participant lacks that test. Participants with
    only one test are counted (``only_pre``, ``only_post``; ``neither`` for both missing)
    and described in ``pre_all`` / ``post_all``; every gain, test and effect size uses the
    ``n_pairs`` matched participants (Hake: "matched students only").

    Per participant (``participants``), % = 100·score/max:

    * individual normalized gain g_i = (post_i − pre_i)/(max − pre_i); undefined (NaN) when
      pre_i = max, counted in ``n_gain_undefined`` (domain doc §2.1 option (a));
    * Marx & Cummings (2007) normalized change c_i: (post−pre)/(max−pre) if post > pre,
      (post−pre)/pre if post < pre, 0 if equal, dropped if pre = post = 0 or = max
      (rules as the domain doc gives them "from memory"; only the abstract was verified).

    Group:

    * class-average normalized gain (Hake 1998) <g> = (%<post> − %<pre>)/(100 − %<pre>) on
      class means of matched pairs; None if the mean pre-test is 100 %;
    * mean of individual gains g_ave (Bao 2006, a different statistic) over defined g_i;
    * bands: :func:`hake_band` (low < 0.3 ≤ medium < 0.7 ≤ high);
    * paired t-test on d = post − pre: t = d̄/(s_d/√n), df = n − 1, two-sided
      p = 2(1 − F_t(|t|)), CI d̄ ± t_{.975,n−1} s_d/√n (Student 1908; = scipy.stats.ttest_rel);
    * Wilcoxon signed-rank (Wilcoxon 1945), zeros dropped ("wilcox"), average ranks for
      ties, statistic min(W+, W−), exact distribution for n ≤ 50 without ties/zeros, else
      the normal approximation with tie and continuity correction (as R's default), or the
      all-sign-flip permutation distribution for n ≤ 13 with ties/zeros (scipy's "auto");
      rank-biserial r = (W+ − W−)/(W+ + W−) (Kerby 2014);
    * effect sizes (Lakens 2013): d_z = d̄/s_d = t/√n with a 95 % CI by inverting the
      noncentral t distribution (Steiger & Fouladi 1997; the domain doc gives no CI
      formula); falls back to the normal approximation SE = √(1/n + d_z²/(2n)) only if the
      root search fails (``d_z_ci_method`` says which); g_z = d_z·J, J = 1 − 3/(4(n−1) − 1);
      d_av = d̄/√((SD_pre² + SD_post²)/2) (Cumming 2012, = pingouin's paired Cohen d;
      Lakens prints (SD1+SD2)/2); d_rm = d_z·√(2(1 − r)) (Lakens 2013, eq. 9).

    Fewer than :data:`MIN_PAIRS_FOR_TESTS` pairs: tests and effect sizes are None with a
    reason. Zero variance of the differences: t-test and d_z are None with a reason; all
    differences zero: Wilcoxon is None. Raises ``ValueError`` on shape mismatch, ±inf,
    max_score ≤ 0, or scores outside [0, max_score].
    """
    x_all = _as_float_array(pre, "pre", 1)
    y_all = _as_float_array(post, "post", 1)
    if x_all.shape != y_all.shape:
        raise ValueError(f"pre and post must have the same length ({x_all.size} ≠ {y_all.size})")
    max_score = float(max_score)
    if not math.isfinite(max_score) or max_score <= 0:
        raise ValueError("max_score must be a finite number > 0")
    with np.errstate(invalid="ignore"):
        for name, arr in (("pre", x_all), ("post", y_all)):
            if (arr < 0).any() or (arr > max_score).any():
                raise ValueError(f"{name} scores must lie in [0, max_score]")

    has_pre = ~np.isnan(x_all)
    has_post = ~np.isnan(y_all)
    paired = has_pre & has_post
    n_pairs = int(paired.sum())
    only_pre = int((has_pre & ~has_post).sum())
    only_post = int((has_post & ~has_pre).sum())
    neither = int(x_all.size - n_pairs - only_pre - only_post)
    reasons: dict[str, str] = {}

    # Per participant.
    scale = 100.0 / max_score
    pre_pct = x_all * scale
    post_pct = y_all * scale
    diff_all = y_all - x_all
    gain = np.full(x_all.shape, np.nan)
    defined = paired & (x_all < max_score)
    gain[defined] = diff_all[defined] / (max_score - x_all[defined])
    n_undefined = int((paired & (x_all == max_score)).sum())
    change = np.full(x_all.shape, np.nan)
    up = paired & (y_all > x_all)
    down = paired & (y_all < x_all)
    same = paired & (y_all == x_all)
    change[up] = diff_all[up] / (max_score - x_all[up])
    change[down] = diff_all[down] / x_all[down]
    dropped = same & ((x_all == 0) | (x_all == max_score))
    change[same & ~dropped] = 0.0
    for arr in (pre_pct, post_pct, gain, change):
        arr.flags.writeable = False
    participants = ParticipantGains(pre_pct, post_pct, gain, change)

    x = x_all[paired]
    y = y_all[paired]
    d = y - x

    # Hake <g> on class averages of matched pairs.
    g_class = None
    if n_pairs == 0:
        reasons["class_average_gain"] = "no participant has both a pre- and a post-test score"
    else:
        mean_pre = float(x.mean())
        if mean_pre >= max_score:
            reasons["class_average_gain"] = "class-average pre-test score is 100%: <g> undefined"
        else:
            g_class = (float(y.mean()) - mean_pre) / (max_score - mean_pre)

    g_def = gain[defined]
    g_mean = g_median = None
    if g_def.size:
        g_mean = float(g_def.mean())
        g_median = float(np.median(g_def))
    elif n_pairs == 0:
        reasons["mean_individual_gain"] = "no matched pairs"
    else:
        reasons["mean_individual_gain"] = "every matched participant scored 100% on the pre-test"
    c_def = change[paired & ~dropped]
    c_mean = None
    if c_def.size:
        c_mean = float(c_def.mean())
    else:
        reasons["mean_normalized_change"] = (
            "no matched pairs" if n_pairs == 0 else "every matched participant was dropped"
        )

    t_res = w_res = eff = None
    if n_pairs < MIN_PAIRS_FOR_TESTS:
        why = f"needs at least {MIN_PAIRS_FOR_TESTS} matched pairs, got {n_pairs}"
        reasons["t_test"] = reasons["wilcoxon"] = reasons["effect_sizes"] = why
    else:
        t_res, t_reason = _paired_t(x, y, d, max_score)
        if t_reason:
            reasons["t_test"] = t_reason
        w_res, w_reason = _wilcoxon(x, y, d)
        if w_reason:
            reasons["wilcoxon"] = w_reason
        eff = _effect_sizes(x, y, d, max_score)

    return LearningGain(
        max_score=max_score,
        n_participants=int(x_all.size),
        n_pairs=n_pairs,
        only_pre=only_pre,
        only_post=only_post,
        neither=neither,
        pre=_describe(x, max_score),
        post=_describe(y, max_score),
        pre_all=_describe(x_all[has_pre], max_score),
        post_all=_describe(y_all[has_post], max_score),
        class_average_gain=_f(g_class),
        class_average_gain_band=hake_band(g_class),
        mean_individual_gain=_f(g_mean),
        median_individual_gain=_f(g_median),
        mean_individual_gain_band=hake_band(g_mean),
        n_gain_defined=int(g_def.size),
        n_gain_undefined=n_undefined,
        mean_normalized_change=_f(c_mean),
        n_change_dropped=int(dropped.sum()),
        t_test=t_res,
        wilcoxon=w_res,
        effect_sizes=eff,
        participants=participants,
        reasons=reasons,
    )


def _paired_t(x, y, d, max_score) -> tuple[PairedTTest | None, str | None]:
    n = d.size
    sd = float(d.std(ddof=1))
    if _zero_var(sd * sd, max_score):
        return None, "the post − pre differences have zero variance"
    res = stats.ttest_rel(y, x)
    mean = float(d.mean())
    se = sd / math.sqrt(n)
    q = float(stats.t.ppf(0.5 + CONFIDENCE_LEVEL / 2, n - 1))
    lo, hi = mean - q * se, mean + q * se
    pct = 100.0 / max_score
    return (
        PairedTTest(
            statistic=float(res.statistic),
            df=n - 1,
            p_value=float(res.pvalue),
            mean_difference=mean,
            sd_difference=sd,
            standard_error=se,
            ci_low=lo,
            ci_high=hi,
            mean_difference_percent=mean * pct,
            ci_low_percent=lo * pct,
            ci_high_percent=hi * pct,
            confidence=CONFIDENCE_LEVEL,
        ),
        None,
    )


def _wilcoxon(x, y, d) -> tuple[WilcoxonTest | None, str | None]:
    nonzero = d != 0
    n_nz = int(nonzero.sum())
    n_zero = int(d.size - n_nz)
    if n_nz == 0:
        return None, "every post − pre difference is zero"
    dn = d[nonzero]
    ranks = stats.rankdata(np.abs(dn))
    w_plus = float(ranks[dn > 0].sum())
    w_minus = float(ranks.sum() - w_plus)
    srt = np.sort(np.abs(dn))
    has_ties = bool((srt[1:] == srt[:-1]).any())
    n_total = d.size  # scipy's rule counts zeros
    if n_total > _WILCOXON_EXACT_MAX_N:
        method, label = "asymptotic", "normal approximation (tie and continuity corrected)"
    elif not (has_ties or n_zero):
        method, label = "exact", "exact null distribution"
    elif n_total <= _WILCOXON_PERMUTATION_MAX_N:
        method = stats.PermutationMethod()
        label = "exact permutation distribution (all sign flips; ties or zeros present)"
    else:
        method, label = "asymptotic", "normal approximation (tie and continuity corrected)"
    res = stats.wilcoxon(
        y, x, zero_method="wilcox", correction=True, alternative="two-sided", method=method
    )
    return (
        WilcoxonTest(
            statistic=float(res.statistic),
            w_plus=w_plus,
            w_minus=w_minus,
            p_value=float(res.pvalue),
            n_nonzero=n_nz,
            n_zero=n_zero,
            method=label,
            zero_method="wilcox (zero differences dropped)",
            continuity_correction=method == "asymptotic",
            rank_biserial=(w_plus - w_minus) / (w_plus + w_minus),
        ),
        None,
    )


def _dz_ci(dz: float, n: int, level: float) -> tuple[float | None, float | None, str]:
    """CI of d_z by inverting the noncentral t (Steiger & Fouladi 1997)."""
    t_obs = dz * math.sqrt(n)
    df = n - 1
    a = (1 - level) / 2

    def f(ncp: float, q: float) -> float:
        return float(stats.nct.cdf(t_obs, df, ncp)) - q

    def root(q: float) -> float:
        # nct.cdf(t_obs; ncp) decreases in ncp; f(t_obs, q) ≈ 0.5 − q.
        width = 2.0 + 3.0 * math.sqrt(1.0 + t_obs * t_obs / (2.0 * df))
        lo, hi = t_obs - width, t_obs + width
        for _ in range(60):
            flo, fhi = f(lo, q), f(hi, q)
            if not (math.isfinite(flo) and math.isfinite(fhi)):
                raise ArithmeticError("nct.cdf not finite")
            if flo >= 0 >= fhi:
                return optimize.brentq(f, lo, hi, args=(q,), xtol=1e-12, rtol=1e-12)
            width *= 2
            lo, hi = t_obs - width, t_obs + width
        raise ArithmeticError("no bracket")

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            lo = root(1 - a) / math.sqrt(n)
            hi = root(a) / math.sqrt(n)
        if math.isfinite(lo) and math.isfinite(hi) and lo <= dz <= hi:
            return lo, hi, "noncentral t (Steiger & Fouladi 1997)"
    except (ArithmeticError, ValueError, RuntimeError):
        pass
    se = math.sqrt(1.0 / n + dz * dz / (2.0 * n))
    z = float(stats.norm.ppf(1 - a))
    return dz - z * se, dz + z * se, "normal approximation, SE = sqrt(1/n + d_z^2/(2n))"


def _effect_sizes(x, y, d, max_score) -> EffectSizes:
    n = d.size
    reasons: dict[str, str] = {}
    mean_d = float(d.mean())
    sd_d = float(d.std(ddof=1))
    sd_x = float(x.std(ddof=1))
    sd_y = float(y.std(ddof=1))
    dz = lo = hi = method = g_z = None
    j = 1 - 3 / (4 * (n - 1) - 1)
    if _zero_var(sd_d * sd_d, max_score):
        reasons["d_z"] = "the post − pre differences have zero variance"
    else:
        dz = mean_d / sd_d
        lo, hi, method = _dz_ci(dz, n, CONFIDENCE_LEVEL)
        g_z = dz * j
    d_av = None
    av_den = math.sqrt((sd_x * sd_x + sd_y * sd_y) / 2)
    if _zero_var(av_den * av_den, max_score):
        reasons["d_av"] = "pre- and post-test scores both have zero variance"
    else:
        d_av = mean_d / av_den
    r = None
    if _zero_var(sd_x * sd_x, max_score) or _zero_var(sd_y * sd_y, max_score):
        reasons["r_pre_post"] = "pre- or post-test scores have zero variance"
    else:
        xc = x - x.mean()
        yc = y - y.mean()
        r = float(_dot(xc, yc) / math.sqrt(_dot(xc, xc) * _dot(yc, yc)))
        r = max(-1.0, min(1.0, r))
    d_rm = None
    if dz is None or r is None:
        reasons["d_rm"] = "needs d_z and the pre–post correlation"
    else:
        d_rm = dz * math.sqrt(2 * (1 - r))
    return EffectSizes(
        d_z=_f(dz),
        d_z_ci_low=_f(lo),
        d_z_ci_high=_f(hi),
        d_z_ci_method=method,
        confidence=CONFIDENCE_LEVEL,
        g_z=_f(g_z),
        hedges_j=j,
        d_av=_f(d_av),
        d_rm=_f(d_rm),
        r_pre_post=_f(r),
        reasons=reasons,
    )


# --------------------------------------------------------------------------------------
# Item statistics
# --------------------------------------------------------------------------------------


def _facilities(X: np.ndarray, mask: np.ndarray, X0: np.ndarray, M: np.ndarray, col_sum=None):
    """``col_sum``: ``X0.sum(axis=0)`` when the caller has it already."""
    n_i = mask.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_i = (X0.sum(axis=0) if col_sum is None else col_sum) / n_i
        fac = np.where(M > 0, mean_i / np.where(M > 0, M, 1.0), np.nan)
    fac = np.where(n_i > 0, fac, np.nan)
    return n_i, mean_i, fac


def _group_weights(T: np.ndarray, n_g: int):
    """Tie-sharing weights for the lower and upper n_g examinees by total."""
    n = T.size
    Tr = np.round(T, _TIE_DECIMALS)
    part = np.partition(Tr, (n_g - 1, n - n_g))
    c_low, c_up = part[n_g - 1], part[n - n_g]
    below = Tr < c_low
    at_low = Tr == c_low
    w_low = below.astype(np.float64)
    w_low[at_low] = (n_g - below.sum()) / at_low.sum()
    above = Tr > c_up
    at_up = Tr == c_up
    w_up = above.astype(np.float64)
    w_up[at_up] = (n_g - above.sum()) / at_up.sum()
    return w_low, w_up, float(c_low), float(c_up)


def item_statistics(
    scores: Any,
    *,
    max_marks: Any = None,
    responses: Any = None,
    options: Any = None,
) -> ItemStatistics:
    """Classical item analysis of an examinees × items mark matrix (domain doc §1, §3).

    ``scores``: 2-D, one row per examinee (attempt), one column per item; NaN = no mark
    (see the module docstring for how NaN is treated). ``max_marks``: scalar or one per
    item (default 1). ``responses`` (optional, same shape): the option each examinee chose,
    None/NaN/"" for no response; ``options``: the option labels, either one sequence shared
    by every item or one sequence per item (default: the labels seen, sorted).

    Per item i, over the s_i examinees with a mark x (Moodle
    ``question/classes/statistics/questions/calculator.php``; T = total, O = T − x the rest
    score, M = max mark):

    * facility F = x̄/M (None if nobody answered or M = 0);
    * SD = √(Σ(x − x̄)²/(s − 1)), also as SD·100/M;
    * discrimination index DI = 100·cov(x, O)/√(var x · var O) — Moodle's figure, = 100 ×
      the corrected item–total (rest score) Pearson r, also given as ``discrimination_r``;
      None if var x · var O = 0 or s < 2;
    * discriminative efficiency DE = 100·cov(x, O)/covmax, covmax = Σ(x_(k) − x̄)(O_(k) − Ō)/(s−1)
      with x and O each sorted ascending (None if covmax = 0);
    * intended weight 100·M_i/ΣM; effective weight 100·√cov(x,T)/Σ_{cov≥0}√cov(x_j,T)
      (None for negative covariance, Moodle ``negcovar``);
    * uncorrected item–total r (point-biserial for 0/1 items; mirt ``total.r``);
    * Kelley (1939) upper–lower index D = p_upper − p_lower, p = mean(x)/M in the top and
      bottom 27 % by total. Group size n_g = round(0.27·n) (half up, ≥ 1). Tie rule:
      examinees whose total equals the cut score share the remaining places equally
      (fractional weights), so each group weighs exactly n_g, the result does not depend
      on row order, and with no tie at the cut the groups are the strict 27 %. None when
      n < 2 or all totals are equal;
    * α if item deleted (mirt ``alpha_if_rm``);
    * flags: ``too_easy`` (F > :data:`FACILITY_TOO_EASY_ABOVE`), ``too_hard``
      (F < :data:`FACILITY_TOO_HARD_BELOW`), ``negative_discrimination`` (DI < 0),
      ``dubious`` (DE < :data:`DISCRIMINATIVE_EFFICIENCY_DUBIOUS_BELOW`, Moodle),
      ``no_responses``;
    * distractors (domain doc §1.6): count of each option and of no response, frequency =
      count / n examinees, tie-weighted counts in the upper/lower groups, and the mean
      mark/M of those choosing each option (the observed partial credit).

    Test level (Moodle ``mod/quiz/report/statistics/classes/calculator.php``; domain doc
    §1.4): mean, median (mean of the two middle values when n is even), SD (n − 1) of the
    totals, also as % of ΣM; skewness k3/k2^{3/2} (n > 2) and excess kurtosis k4/k2² (n > 3)
    from the k-statistics (= scipy ``skew``/``kurtosis`` with ``bias=False``); Cronbach's
    α = k/(k−1)·(1 − Σvar_i/var_T) = k/(k−1)·(1 − tr C/ΣC) (Cronbach 1951; Moodle CIC/100),
    on raw marks, reported as "KR-20" when every item is 0/max with equal max marks and no
    mark is missing (then α = KR-20 exactly); with missing marks C is the pairwise-complete
    covariance matrix (= pingouin's default). Items with fewer than two marks are left out of
    α (``alpha_n_items``). Feldt CI: 1 − (1 − α)·F_{.025/.975}(n−1, (n−1)(k−1)).
    KR-21 = k/(k−1)·(1 − μ(k−μ)/(kσ²)) on item counts (only in the KR-20 case).
    CIC = 100α, error ratio = 100√(1 − α), SEM = SD_T·√(1 − α) (Moodle "standard error",
    mirt ``SEM.alpha``).

    Edge cases: empty input → n = 0 and every statistic None with a reason; zero variance
    → correlations, DE, α and SEM None with a reason (never NaN); an item nobody answered →
    facility None, flag ``no_responses``. Scores outside [0, max_mark] or ±inf raise
    ``ValueError``.
    """
    X, mask, M, complete, kept, n_empty = _prepare_scores(scores, max_marks)
    n, k = X.shape
    X0 = X if complete else np.where(mask, X, 0.0)
    T = X0.sum(axis=1)
    sum_M = float(M.sum())
    pct = 100.0 / sum_M if sum_M > 0 else math.nan
    test_reasons: dict[str, str] = {}

    with np.errstate(invalid="ignore", divide="ignore"):
        col_sum = X0.sum(axis=0)
        n_i, mean_i, fac = _facilities(X, mask, X0, M, col_sum)
        den = n_i - 1.0
        # Centered marks and rest scores (0 where no mark), built in place to limit the
        # number of full-size temporaries.
        notmask = None if complete else ~mask
        maskf = None if complete else mask.astype(np.float64)
        Xc = X - mean_i
        if notmask is not None:
            np.copyto(Xc, 0.0, where=notmask)
        ss_x = np.einsum("ij,ij->j", Xc, Xc)
        var_x = ss_x / den
        # Rest score O = T − x, centered on its mean over the item's answerers.
        sum_T_i = _vecmat(T, maskf) if not complete else np.full(k, T.sum())
        mean_O = (sum_T_i - col_sum) / n_i
        Oc = np.subtract(T[:, None], X0)
        Oc -= mean_O
        if notmask is not None:
            np.copyto(Oc, 0.0, where=notmask)
        cov_xO = np.einsum("ij,ij->j", Xc, Oc) / den
        var_O = np.einsum("ij,ij->j", Oc, Oc) / den
        cov_xT = cov_xO + var_x
        var_T_i = var_O + 2 * cov_xO + var_x
        zx = _zero_var(var_x, M)
        zO = _zero_var(var_O, max(sum_M, 1.0))
        zT = _zero_var(var_T_i, max(sum_M, 1.0))
        few = n_i < 2
        r_rest = np.where(zx | zO | few, np.nan, cov_xO / np.sqrt(var_x * var_O))
        r_total = np.where(zx | zT | few, np.nan, cov_xT / np.sqrt(var_x * var_T_i))
        r_rest = np.clip(r_rest, -1.0, 1.0)
        r_total = np.clip(r_total, -1.0, 1.0)

        # Effective weight (Moodle): only non-negative covariances contribute.
        cov_ok = np.isfinite(cov_xT) & ~few
        nonneg = cov_ok & (cov_xT >= 0)
        sqrt_cov = np.sqrt(np.where(nonneg, cov_xT, 0.0))
        sum_sqrt = float(sqrt_cov.sum())
        eff_w = np.where(nonneg & (sum_sqrt > 0), 100.0 * sqrt_cov / sum_sqrt, np.nan)
        int_w = 100.0 * M / sum_M if sum_M > 0 else np.full(k, np.nan)

    # Test-level totals.
    var_T = float(T.var(ddof=1)) if n > 1 else math.nan
    zero_total_var = n > 1 and bool(_zero_var(var_T, max(sum_M, 1.0)))
    sd_T = math.sqrt(var_T) if n > 1 else None
    skew = kurt = None
    if n > 1 and not zero_total_var:
        dev = T - T.mean()
        m2 = _dot(dev, dev) / n
        k2 = n * m2 / (n - 1)
        if n > 2:
            m3 = _dot(dev * dev, dev) / n
            k3 = n * n * m3 / ((n - 1) * (n - 2))
            skew = k3 / k2**1.5
        else:
            test_reasons["skewness"] = "needs more than 2 examinees"
        if n > 3:
            dev2 = dev * dev
            m4 = _dot(dev2, dev2) / n
            k4 = n * n * ((n + 1) * m4 - 3 * (n - 1) * m2 * m2) / ((n - 1) * (n - 2) * (n - 3))
            kurt = k4 / (k2 * k2)
        else:
            test_reasons["kurtosis"] = "needs more than 3 examinees"
    elif n <= 1:
        test_reasons["sd"] = test_reasons["skewness"] = test_reasons["kurtosis"] = (
            "needs at least 2 examinees" if n else "no examinees"
        )
    else:
        test_reasons["skewness"] = test_reasons["kurtosis"] = "all totals are equal"

    # Cronbach's alpha on the covariance matrix of the items with at least 2 marks.
    used = n_i >= 2
    k_used = int(used.sum())
    alpha = alpha_lo = alpha_hi = kr21 = None
    alpha_method = None
    alpha_del = np.full(k, np.nan)
    dichotomous = bool(
        complete
        and k_used == k
        and k > 0
        and np.all(M == M[0])
        and M[0] > 0
        and np.all((X0 == 0) | (X0 == M))
    )
    if n == 0:
        test_reasons["alpha"] = "no examinees"
    elif k_used < 2:
        test_reasons["alpha"] = "needs at least 2 items with 2 or more marks each"
    else:
        Xu = Xc if used.all() else Xc[:, used]
        if complete:
            C = _gram(Xu, Xu) / (n - 1)
            N = None
        else:
            Mu = maskf if used.all() else maskf[:, used]
            N = _gram(Mu, Mu)
            S = _gram(Xu, Mu)
            P = _gram(Xu, Xu)
            with np.errstate(invalid="ignore", divide="ignore"):
                C = (P - S * S.T / N) / (N - 1)
        if N is not None and (N < 2).any():
            test_reasons["alpha"] = "some pair of items has fewer than 2 examinees in common"
        else:
            tr = float(np.trace(C))
            tot = float(C.sum())
            if tot <= (_ZERO_SD_RTOL * max(sum_M, 1.0)) ** 2:
                test_reasons["alpha"] = "the total score has zero variance"
            else:
                alpha = k_used / (k_used - 1) * (1 - tr / tot)
                if dichotomous:
                    alpha_method = "KR-20"
                elif complete:
                    alpha_method = "Cronbach's alpha"
                else:
                    alpha_method = "Cronbach's alpha (pairwise-complete covariances)"
                df1, df2 = n - 1, (n - 1) * (k_used - 1)
                if df1 > 0:
                    alpha_lo = 1 - (1 - alpha) * float(stats.f.isf(0.025, df1, df2))
                    alpha_hi = 1 - (1 - alpha) * float(stats.f.isf(0.975, df1, df2))
                if k_used >= 3:
                    diag = np.diag(C)
                    rows = C.sum(axis=1)
                    tr_d = tr - diag
                    tot_d = tot - 2 * rows + diag
                    with np.errstate(invalid="ignore", divide="ignore"):
                        a_d = (k_used - 1) / (k_used - 2) * (1 - tr_d / tot_d)
                    a_d = np.where(tot_d > (_ZERO_SD_RTOL * max(sum_M, 1.0)) ** 2, a_d, np.nan)
                    alpha_del[np.flatnonzero(used)] = a_d
                if dichotomous and var_T > 0:
                    mu = T.mean() / M[0]
                    s2 = var_T / M[0] ** 2
                    kr21 = k / (k - 1) * (1 - mu * (k - mu) / (k * s2))
    # Discriminative efficiency (Moodle): covmax pairs the independently sorted marks and
    # rest scores. Sorting is shift-invariant, so the centered arrays are sorted in place
    # (they are not needed afterwards); missing marks go last as NaN, then count 0.
    with np.errstate(invalid="ignore", divide="ignore"):
        if n:
            if notmask is not None:
                np.copyto(Xc, np.nan, where=notmask)
                np.copyto(Oc, np.nan, where=notmask)
            # Item-major contiguous copies sort about twice as fast as sorting along axis 0.
            Xs = np.ascontiguousarray(Xc.T)
            del Xc
            Xs.sort(axis=1)
            Os = np.ascontiguousarray(Oc.T)
            del Oc
            Os.sort(axis=1)
            if complete:
                covmax = np.einsum("ij,ij->i", Xs, Os) / den
            else:  # the n_i marks of item i come first; NaNs sort last
                covmax = (
                    np.array(
                        [_dot(Xs[i, : n_i[i]], Os[i, : n_i[i]]) for i in range(k)],
                        dtype=np.float64,
                    )
                    / den
                )
            del Xs, Os
        else:
            covmax = np.full(k, np.nan)
            del Xc, Oc
        zmax = (covmax <= (_ZERO_SD_RTOL * np.maximum(M, 1.0)) ** 2) | ~np.isfinite(covmax)
        de = np.where(zx | zO | few | zmax, np.nan, 100.0 * cov_xO / covmax)

    if alpha is not None and k_used < k:
        test_reasons["alpha_items"] = (
            f"{k - k_used} item(s) with fewer than 2 marks left out of alpha"
        )
    sem = cic = err = None
    if alpha is not None:
        cic = 100 * alpha
        if alpha <= 1 and sd_T is not None:
            err = 100 * math.sqrt(1 - alpha)
            sem = sd_T * math.sqrt(1 - alpha)
        else:
            test_reasons["sem"] = "alpha > 1 (possible with pairwise-complete covariances)"
    elif "alpha" in test_reasons:
        test_reasons["sem"] = "needs alpha"
    if not dichotomous:
        test_reasons["kr21"] = "only computed when every item is 0/max with equal max marks"

    # Upper / lower 27 % groups.
    n_g = c_low = c_up = None
    p_up = p_low = np.full(k, np.nan)
    w_low = w_up = None
    if n < 2:
        test_reasons["upper_lower"] = "needs at least 2 examinees"
    elif zero_total_var:
        test_reasons["upper_lower"] = "all totals are equal: no upper or lower group"
    else:
        n_g = max(1, math.floor(UPPER_LOWER_FRACTION * n + 0.5))
        w_low, w_up, c_low, c_up = _group_weights(T, n_g)
        with np.errstate(invalid="ignore", divide="ignore"):
            Mpos = np.where(M > 0, M, np.nan)
            if complete:
                p_up = _vecmat(w_up, X0) / (n_g * Mpos)
                p_low = _vecmat(w_low, X0) / (n_g * Mpos)
            else:
                p_up = _vecmat(w_up, X0) / (_vecmat(w_up, maskf) * Mpos)
                p_low = _vecmat(w_low, X0) / (_vecmat(w_low, maskf) * Mpos)
    d_ul = p_up - p_low

    distractors = None
    if responses is not None:
        distractors = _distractors(responses, options, kept, X.shape, n, X0, mask, M, w_low, w_up)

    items = []
    for i in range(k):
        reasons: dict[str, str] = {}
        ni = int(n_i[i])
        f_i = _f(fac[i])
        if ni == 0:
            reasons["facility"] = "nobody answered this item"
        elif M[i] == 0:
            reasons["facility"] = "the item's max mark is 0"
        sd_i = _f(math.sqrt(var_x[i])) if ni > 1 else None
        if ni < 2:
            why = "fewer than 2 examinees answered this item"
            for key in ("sd", "discrimination", "discriminative_efficiency", "effective_weight"):
                reasons[key] = why
        else:
            if zx[i]:
                reasons["discrimination"] = reasons["discriminative_efficiency"] = (
                    "every examinee has the same mark on this item (zero variance)"
                )
            elif zO[i]:
                reasons["discrimination"] = reasons["discriminative_efficiency"] = (
                    "the rest scores have zero variance"
                )
            elif zmax[i]:
                reasons["discriminative_efficiency"] = "maximum possible covariance is 0"
            if not nonneg[i]:
                reasons["effective_weight"] = "negative covariance with the total"
            elif sum_sqrt <= 0:
                reasons["effective_weight"] = "no item covaries with the total"
        if math.isnan(d_ul[i]):
            reasons["upper_lower_d"] = test_reasons.get(
                "upper_lower", "no examinee in the upper or lower group answered this item"
            )
        if math.isnan(alpha_del[i]):
            if alpha is None:
                reasons["alpha_if_deleted"] = test_reasons.get("alpha", "alpha not computed")
            elif not used[i]:
                reasons["alpha_if_deleted"] = "fewer than 2 marks on this item (not in alpha)"
            elif k_used < 3:
                reasons["alpha_if_deleted"] = "needs at least 3 items in alpha"
            else:
                reasons["alpha_if_deleted"] = "the other items' total has zero variance"
        di = _f(100.0 * r_rest[i])
        de_i = _f(de[i])
        flags = []
        if ni == 0:
            flags.append("no_responses")
        tol = _FLAG_TOLERANCE
        if f_i is not None and f_i > FACILITY_TOO_EASY_ABOVE + tol:
            flags.append("too_easy")
        if f_i is not None and f_i < FACILITY_TOO_HARD_BELOW - tol:
            flags.append("too_hard")
        if di is not None and di < DISCRIMINATION_NEGATIVE_BELOW - tol:
            flags.append("negative_discrimination")
        if de_i is not None and de_i < DISCRIMINATIVE_EFFICIENCY_DUBIOUS_BELOW - tol:
            flags.append("dubious")
        items.append(
            ItemStat(
                index=i,
                n_answered=ni,
                max_mark=float(M[i]),
                facility=f_i,
                mean=_f(mean_i[i]),
                sd=sd_i,
                sd_percent=_f(sd_i * 100.0 / M[i]) if sd_i is not None and M[i] > 0 else None,
                intended_weight=_f(int_w[i]),
                effective_weight=_f(eff_w[i]),
                discrimination_index=di,
                discrimination_r=_f(r_rest[i]),
                item_total_r=_f(r_total[i]),
                discriminative_efficiency=de_i,
                upper_facility=_f(p_up[i]),
                lower_facility=_f(p_low[i]),
                upper_lower_d=_f(d_ul[i]),
                alpha_if_deleted=_f(alpha_del[i]),
                flags=tuple(flags),
                distractors=None if distractors is None else distractors[i],
                reasons=reasons,
            )
        )

    if n == 0:
        for key in ("mean", "median", "alpha"):
            test_reasons.setdefault(key, "no examinees")
    median_T = np.median(T) if n else None
    test = TestStatistics(
        n_examinees=n,
        n_excluded_empty=n_empty,
        n_items=k,
        max_total=sum_M,
        mean=_f(T.mean()) if n else None,
        median=_f(median_T),
        sd=_f(sd_T),
        minimum=_f(T.min()) if n else None,
        maximum=_f(T.max()) if n else None,
        mean_percent=_f(T.mean() * pct) if n else None,
        median_percent=_f(median_T * pct) if n else None,
        sd_percent=_f(sd_T * pct) if sd_T is not None else None,
        skewness=_f(skew),
        kurtosis=_f(kurt),
        alpha=_f(alpha),
        alpha_method=alpha_method,
        alpha_ci_low=_f(alpha_lo),
        alpha_ci_high=_f(alpha_hi),
        alpha_n_items=k_used,
        kr21=_f(kr21),
        cic=_f(cic),
        error_ratio=_f(err),
        sem=_f(sem),
        sem_percent=_f(sem * pct) if sem is not None else None,
        group_size=n_g,
        lower_cut=c_low,
        upper_cut=c_up,
        reasons=test_reasons,
    )
    thresholds = {
        "facility_too_easy_above": FACILITY_TOO_EASY_ABOVE,
        "facility_too_hard_below": FACILITY_TOO_HARD_BELOW,
        "discrimination_negative_below": DISCRIMINATION_NEGATIVE_BELOW,
        "discriminative_efficiency_dubious_below": DISCRIMINATIVE_EFFICIENCY_DUBIOUS_BELOW,
        "upper_lower_fraction": UPPER_LOWER_FRACTION,
    }
    return ItemStatistics(test=test, items=tuple(items), thresholds=thresholds)


# --------------------------------------------------------------------------------------
# Distractor analysis
# --------------------------------------------------------------------------------------


def _is_label_seq(obj: Any) -> bool:
    return isinstance(obj, (Sequence, np.ndarray)) and not isinstance(obj, (str, bytes))


def _fixed_width_equals(R: np.ndarray, label: Any) -> np.ndarray | None:
    """``R == label`` for fixed-width str/bytes arrays, comparing the buffers as integers
    (about 10× faster than numpy's string comparison). None if ``label`` cannot be stored
    in ``R``'s dtype."""
    kind = R.dtype.kind
    if kind == "U" and isinstance(label, str):
        unit = np.uint32
    elif kind == "S" and isinstance(label, bytes):
        unit = np.uint8
    else:
        return None
    width = R.dtype.itemsize // np.dtype(unit).itemsize
    if len(label) > width:
        return np.zeros(R.shape, dtype=bool)
    if width == 0:
        return np.full(R.shape, len(label) == 0)
    lab = np.array([label], dtype=R.dtype).view(unit)
    Rv = np.ascontiguousarray(R).view(unit).reshape(*R.shape, width)
    if width == 1:
        return Rv[..., 0] == lab[0]
    return (Rv == lab).all(axis=-1)


def _missing_mask(R: np.ndarray) -> np.ndarray:
    kind = R.dtype.kind
    if kind == "f":
        return np.isnan(R)
    if kind in "US":
        return _fixed_width_equals(R, R.dtype.type())
    if kind == "O":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            miss = np.frompyfunc(
                lambda v: v is None or (isinstance(v, float) and math.isnan(v)) or v == "", 1, 1
            )(R)
        return miss.astype(bool)
    return np.zeros(R.shape, dtype=bool)


def _equals(R: np.ndarray, label: Any) -> np.ndarray:
    fast = _fixed_width_equals(R, label)
    if fast is not None:
        return fast
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            eq = R == label
        except (TypeError, ValueError):
            eq = None
    if not isinstance(eq, np.ndarray) or eq.shape != R.shape:
        return np.zeros(R.shape, dtype=bool)
    return eq.astype(bool, copy=False)


#: Integer option codes spanning at most this many values are counted through one lookup
#: table (the table has items × (span + 2) cells).
_CODE_TABLE_MAX_SPAN = 1024


def _integer_code_bins(R, per_item, all_labels, missing, width):
    """For float64 responses whose option labels are all integers (option codes), a bin per
    item and code value instead of one full comparison of the responses per label.

    Returns ``(bins, slot_of)`` or None when this does not apply (the caller then compares
    label by label). ``bins`` (one per response, flat in row order) is
    i·(span + 2) + (code − lowest code) for a response equal to a code, i·(span + 2) + span
    for any other value and i·(span + 2) + span + 1 for no response; ``slot_of`` maps each
    bin to the item's slot (i·width + 0 for no response, i·width + 1 + j for its option j)
    or −1 when the value is not one of item i's options. A response falls in a code's bin
    exactly when ``R == label`` holds (every label here is an exact float64 integer), so
    totals per bin are the totals per slot, summed in the same order."""
    if R.dtype != np.float64 or not all_labels:
        return None
    values = []
    for lab in all_labels:
        if isinstance(lab, (bool, np.bool_)) or not isinstance(
            lab, (int, float, np.integer, np.float64, np.float32, np.float16)
        ):
            return None
        v = float(lab)
        if not (math.isfinite(v) and v == lab and v.is_integer() and abs(v) < 2.0**53):
            return None
        values.append(int(v))
    lo, hi = min(values), max(values)
    span = hi - lo + 1
    if span > _CODE_TABLE_MAX_SPAN:
        return None
    k = len(per_item)
    cols = span + 2
    slot_of = np.full((k, cols), -1, dtype=np.intp)
    slot_of[:, span + 1] = np.arange(k, dtype=np.intp) * width
    for i, labels in enumerate(per_item):
        for j, lab in enumerate(labels):
            slot_of[i, int(float(lab)) - lo] = i * width + 1 + j
    # Integer value of each response; NaN and huge values give garbage, caught by the
    # inexact test. Then in place: shift, clip both ends (below lo wraps to a huge unsigned
    # value), mark inexact values and no response, add the item's offset.
    with np.errstate(invalid="ignore"):
        bins = R.astype(np.intp)
    inexact = bins != R
    if lo:
        bins -= lo
    unsigned = bins.view(np.uintp)
    np.minimum(unsigned, span, out=unsigned)
    np.copyto(bins, span, where=inexact)
    np.copyto(bins, span + 1, where=missing)
    bins += np.arange(k, dtype=np.intp) * cols
    return bins.ravel(), slot_of.ravel()


def _distractors(responses, options, kept, shape_full_cols, n, X0, mask, M, w_low, w_up):
    R = np.asarray(responses)
    k = shape_full_cols[1]
    if R.ndim != 2 or R.shape[1] != k:
        raise ValueError(f"responses must have the same shape as scores (… × {k})")
    if kept is not None:
        if R.shape[0] != kept.size:
            raise ValueError("responses must have one row per row of scores")
        R = R[kept]
    elif R.shape[0] != n:
        raise ValueError("responses must have one row per row of scores")
    missing = _missing_mask(R)

    # Option labels per item.
    if options is None:
        per_item = []
        for i in range(k):
            col = R[:, i][~missing[:, i]]
            try:
                labels = sorted(set(col.tolist()))
            except TypeError:
                labels = list(dict.fromkeys(col.tolist()))
            per_item.append(tuple(labels))
    elif (
        _is_label_seq(options)
        and len(options) == k
        and k > 0
        and all(_is_label_seq(o) for o in options)
    ):
        per_item = [tuple(o) for o in options]
    elif _is_label_seq(options):
        per_item = [tuple(options)] * k
    else:
        raise ValueError("options must be a sequence of labels or one sequence per item")
    for i, labels in enumerate(per_item):
        if len(set(labels)) != len(labels):
            raise ValueError(f"item {i}: duplicate option labels")

    all_labels: list[Hashable] = list(dict.fromkeys(lab for labels in per_item for lab in labels))
    m_max = max((len(labels) for labels in per_item), default=0)
    # Slot 0 = no response, slot j+1 = option j; item i's slots start at i·width.
    width = m_max + 1
    n_bins = k * width
    coded = _integer_code_bins(R, per_item, all_labels, missing, width)
    if coded is not None:
        flat, slot_of = coded  # bins per item and code value, mapped to slots at the end
        n_bins = slot_of.size
        counts = np.bincount(flat, minlength=n_bins)
        unknown = None
        if counts[slot_of < 0].any():
            unknown = (slot_of[flat] < 0).reshape(R.shape)
    else:  # any labels: one comparison per distinct label
        slot_of = None
        codes = np.full(R.shape, -1, dtype=np.int32)  # -1 = not (yet) matched
        for lab in all_labels:
            local = np.array(
                [labels.index(lab) if lab in labels else -2 for labels in per_item], dtype=np.int32
            )
            eq = _equals(R, lab)
            np.copyto(codes, np.broadcast_to(local, R.shape), where=eq)
        unknown = (codes == -2) | ((codes == -1) & ~missing)
        if not unknown.any():
            unknown = None
            flat = ((np.arange(k, dtype=np.int64) * width)[None, :] + (codes + 1)).ravel()
            counts = np.bincount(flat, minlength=n_bins)
    if unknown is not None:
        r, c = np.argwhere(unknown)[0]
        raise ValueError(
            f"response {R[r, c]!r} for item {int(c)} is not one of its options "
            "(use None, NaN or '' for no response)"
        )

    def per_slot(totals):
        """Totals per bin → per item and slot (k × width)."""
        if slot_of is None:
            return totals.reshape(k, width)
        out = np.zeros(k * width, dtype=totals.dtype)
        valid = slot_of >= 0
        out[slot_of[valid]] = totals[valid]
        return out.reshape(k, width)

    # Mean mark/M per slot. Shortcuts that give the same numbers: with every mark present
    # the number scored is the count; x/1 is x.
    complete = bool(mask.all())
    m_pos = np.where(M > 0, M, np.nan)
    frac = X0 if bool((m_pos == 1.0).all()) else X0 / m_pos
    if not complete:
        frac = np.where(mask, frac, 0.0)
    scored = (
        counts.astype(np.float64)
        if complete
        else np.bincount(flat, weights=mask.ravel().astype(np.float64), minlength=n_bins)
    )
    score_sum = np.bincount(flat, weights=frac.ravel(), minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_score = per_slot(score_sum / scored)
    counts = per_slot(counts)
    if w_up is not None:
        by_row = flat.reshape(R.shape)

        def group_counts(w):
            # Only the rows in the group (weight ≠ 0): a weight of 0 adds nothing to a sum.
            rows = np.flatnonzero(w)
            return per_slot(
                np.bincount(by_row[rows].ravel(), weights=np.repeat(w[rows], k), minlength=n_bins)
            )

        up, low = group_counts(w_up), group_counts(w_low)
    else:
        up = low = np.full((k, width), np.nan)
    counts, up, low, mean_score = counts.tolist(), up.tolist(), low.tolist(), mean_score.tolist()

    out = []
    for i, labels in enumerate(per_item):

        def make(label, j, i=i):
            c = counts[i][j]
            return OptionCount(
                label=label,
                count=c,
                frequency=c / n if n else None,
                upper_count=_f(up[i][j]),
                lower_count=_f(low[i][j]),
                mean_score=_f(mean_score[i][j]),
            )

        out.append(
            DistractorAnalysis(
                options=tuple(make(lab, j + 1) for j, lab in enumerate(labels)),
                no_response=make(None, 0),
                n_examinees=n,
            )
        )
    return out


# --------------------------------------------------------------------------------------
# Topics
# --------------------------------------------------------------------------------------


def _topic_groups(topics: Any, k: int) -> list[tuple[Any, tuple[int, ...]]]:
    topics = list(topics)
    if len(topics) != k:
        raise ValueError(f"topics must give one topic per item ({k}), got {len(topics)}")
    groups: dict[Any, list[int]] = {}
    for i, t in enumerate(topics):
        key = t.item() if isinstance(t, np.generic) else t
        groups.setdefault(key, []).append(i)
    return [(t, tuple(idx)) for t, idx in groups.items()]


def _topic_facilities(scores: Any, max_marks: Any, name: str):
    X, mask, M, complete, _, _ = _prepare_scores(scores, max_marks, name)
    X0 = X if complete else np.where(mask, X, 0.0)
    _, _, fac = _facilities(X, mask, X0, M)
    return X.shape[0], X.shape[1], fac


def _mean_or_none(values: np.ndarray) -> tuple[float | None, int]:
    ok = values[~np.isnan(values)]
    return (float(ok.mean()) if ok.size else None), int(ok.size)


def topic_mastery(scores: Any, topics: Any, max_marks: Any = None) -> TopicMastery:
    """Mastery per topic = unweighted mean of the facilities (x̄/M, Moodle §1.3) of the
    topic's items, in [0, 1].

    ``topics`` gives one hashable label per item (column); topics keep the order of first
    appearance. Items nobody answered have no facility and are left out of their topic's
    mean (``n_items_scored``); a topic with no scored item has mastery None. Scores follow
    the conventions of :func:`item_statistics` (NaN = no mark; rows without any mark are
    ignored). Note that the mean of facilities weighs every item equally, whatever its
    max mark.
    """
    n, k, fac = _topic_facilities(scores, max_marks, "scores")
    out = []
    for topic, idx in _topic_groups(topics, k):
        mastery, scored = _mean_or_none(fac[list(idx)])
        out.append(TopicScore(topic, idx, len(idx), scored, mastery))
    return TopicMastery(n_examinees=n, topics=tuple(out))


def topic_mastery_change(
    pre_scores: Any, post_scores: Any, topics: Any, *, max_marks: Any = None
) -> TopicMasteryChange:
    """Per-topic mastery before and after (see :func:`topic_mastery`), its change
    post − pre, and the topic-level normalized gain (post − pre)/(1 − pre) (Hake's
    formula applied to mastery fractions, with :func:`hake_band`; None when pre = 1).

    The two matrices must have the same items (columns) in the same order; their rows need
    not match: each test is described over everyone who took it (group-level, not matched
    pairs — use :func:`learning_gain` for matched totals).
    """
    n_pre, k_pre, fac_pre = _topic_facilities(pre_scores, max_marks, "pre_scores")
    n_post, k_post, fac_post = _topic_facilities(post_scores, max_marks, "post_scores")
    if k_pre != k_post:
        raise ValueError(f"pre and post have different numbers of items ({k_pre} ≠ {k_post})")
    out = []
    for topic, idx in _topic_groups(topics, k_pre):
        reasons: dict[str, str] = {}
        pre_m, _ = _mean_or_none(fac_pre[list(idx)])
        post_m, _ = _mean_or_none(fac_post[list(idx)])
        change = gain = None
        if pre_m is None or post_m is None:
            reasons["change"] = reasons["normalized_gain"] = (
                "no answered item in this topic on the "
                + ("pre-test" if pre_m is None else "post-test")
            )
        else:
            change = post_m - pre_m
            if pre_m >= 1.0:
                reasons["normalized_gain"] = "pre-test mastery is 100%"
            else:
                gain = change / (1.0 - pre_m)
        out.append(TopicChange(topic, idx, pre_m, post_m, change, gain, hake_band(gain), reasons))
    return TopicMasteryChange(n_pre_examinees=n_pre, n_post_examinees=n_post, topics=tuple(out))
