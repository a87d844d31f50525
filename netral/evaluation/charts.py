"""Server-side charts of evaluation results (matplotlib, Agg, no pyplot).

Every function takes plain data (lists, numpy arrays, or the dataclasses / ``as_dict()``
results of :mod:`netral.evaluation.stats`) and ``fmt``:

* ``fmt="svg"`` returns ``str``: an ``<svg>`` element without XML declaration, DOCTYPE or
  metadata, text kept as ``<text>`` (``svg.fonttype = "none"``), no external reference, so
  it can be inlined in HTML (and in WeasyPrint PDFs). Output is deterministic
  (``svg.hashsalt`` fixed, no date).
* ``fmt="png"`` returns ``bytes`` (PNG, 150 dpi, no timestamp).

Print legibility: DejaVu Sans, fonts ≥ 9 pt; the Okabe–Ito colour-blind-safe palette, and
series that differ in colour also differ in hatch or marker so a greyscale print keeps them
apart. Labels go through gettext (English msgids). Empty input gives a small "no data"
chart, never an exception.

The module uses :class:`matplotlib.figure.Figure` directly (no ``pyplot`` state machine), so
it is safe in a threaded web server; rcParams are only touched inside
``matplotlib.rc_context`` while a figure is built and saved.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg", force=False)

import numpy as np  # noqa: E402
from django.utils.translation import gettext as _  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

__all__ = [
    "PALETTE",
    "bar_counts",
    "item_map",
    "likert_distribution",
    "paired_scores",
    "score_distribution",
    "topic_mastery",
]

#: Okabe & Ito (2008) colour-blind-safe palette.
PALETTE = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "grey": "#999999",
}
PRE_COLOR = PALETTE["sky"]
POST_COLOR = PALETTE["blue"]
PRE_HATCH = "///"
POST_HATCH = ""
# Diverging 5-point scale (dark orange … grey … dark blue), readable in greyscale by
# lightness, and hatched on the negative side.
LIKERT_COLORS = ["#D55E00", "#E69F00", "#BBBBBB", "#56B4E9", "#0072B2"]
LIKERT_HATCHES = ["xx", "\\\\", "", "//", "++"]

_FONT_SIZE = 9.5
_RC = {
    "font.family": "DejaVu Sans",
    "font.size": _FONT_SIZE,
    "axes.titlesize": 10.5,
    "axes.labelsize": _FONT_SIZE,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "svg.fonttype": "none",
    "svg.hashsalt": "netral",
    "svg.image_inline": True,
    "hatch.linewidth": 0.8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "path.simplify": True,
}
_PNG_DPI = 150
_SVG_METADATA = {"Date": None, "Creator": None, "Format": None, "Type": None}
_PNG_METADATA = {"Software": None}

# Flag thresholds shown on the item map (same values as stats.py).
_FACILITY_LOW = 0.2
_FACILITY_HIGH = 0.9


# --------------------------------------------------------------------------- helpers


def _check_fmt(fmt: str) -> str:
    if fmt not in ("svg", "png"):
        raise ValueError("fmt must be 'svg' or 'png'")
    return fmt


def _figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


_SVG_HEAD = re.compile(r"\A.*?(?=<svg)", re.S)
_SVG_METADATA_RE = re.compile(r"<metadata>.*?</metadata>\s*", re.S)
_SVG_GROUP_ID = re.compile(r'<g id="[^"]*"')


def _render(fig: Figure, fmt: str) -> str | bytes:
    buf = io.BytesIO()
    if fmt == "png":
        fig.savefig(buf, format="png", dpi=_PNG_DPI, metadata=_PNG_METADATA)
        return buf.getvalue()
    fig.savefig(buf, format="svg", metadata=_SVG_METADATA)
    svg = buf.getvalue().decode("utf-8")
    svg = _SVG_HEAD.sub("", svg, count=1)
    svg = _SVG_METADATA_RE.sub("", svg, count=1)
    # matplotlib names every group ("figure_1", "patch_1", …); nothing refers to these ids,
    # and two charts on one page would repeat them.
    return _SVG_GROUP_ID.sub("<g", svg)


def _build(fmt: str, width: float, height: float, draw) -> str | bytes:
    """Create a figure inside the rc context, let ``draw(fig)`` fill it, render it."""
    _check_fmt(fmt)
    with matplotlib.rc_context(_RC):
        fig = _figure(width, height)
        draw(fig)
        return _render(fig, fmt)


def _no_data(fmt: str, title: str) -> str | bytes:
    def draw(fig):
        ax = fig.add_subplot()
        ax.set_axis_off()
        ax.set_title(title)
        ax.text(0.5, 0.5, _("No data"), ha="center", va="center", fontsize=11,
                color=PALETTE["grey"], transform=ax.transAxes)

    return _build(fmt, 4.0, 1.6, draw)


def _floats(values: Any) -> np.ndarray:
    """1-D float array; None becomes NaN."""
    if values is None:
        return np.empty(0)
    return np.asarray([np.nan if v is None else v for v in values], dtype=float).reshape(-1)


def _finite(values: Any) -> np.ndarray:
    arr = _floats(values)
    return arr[np.isfinite(arr)]


def _get(obj: Any, name: str, default: Any = None) -> Any:
    """Attribute of a dataclass or key of a dict."""
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _short(label: Any, width: int = 28) -> str:
    text = " ".join(str(label).split())
    return text if len(text) <= width else text[: width - 1] + "…"


# --------------------------------------------------------------------------- charts


def score_distribution(pre_pct: Sequence[float] | None, post_pct: Sequence[float] | None,
                       *, fmt: str = "svg") -> str | bytes:
    """Side-by-side histogram of percent scores before and after, in 10-point bins
    (0–10, 10–20, …, 90–100; 100 falls in the last bin). ``None``/NaN values are ignored."""
    title = _("Score distribution")
    pre, post = _finite(pre_pct), _finite(post_pct)
    if pre.size == 0 and post.size == 0:
        return _no_data(fmt, title)
    edges = np.arange(0, 101, 10)

    def draw(fig):
        ax = fig.add_subplot()
        centers = edges[:-1] + 5
        width = 4.2
        pre_counts, _e = np.histogram(np.clip(pre, 0, 100), bins=edges)
        post_counts, _e = np.histogram(np.clip(post, 0, 100), bins=edges)
        ax.bar(centers - width / 2, pre_counts, width, color=PRE_COLOR, hatch=PRE_HATCH,
               edgecolor=PALETTE["black"], linewidth=0.6,
               label=_("Pre-test (n = {n})").format(n=pre.size))
        ax.bar(centers + width / 2, post_counts, width, color=POST_COLOR, hatch=POST_HATCH,
               edgecolor=PALETTE["black"], linewidth=0.6,
               label=_("Post-test (n = {n})").format(n=post.size))
        ax.set_xticks(edges)
        ax.set_xlim(0, 100)
        ax.set_xlabel(_("Score (%)"))
        ax.set_ylabel(_("Participants"))
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.set_title(title)
        ax.legend(loc="upper left", frameon=False)

    return _build(fmt, 6.0, 3.4, draw)


def paired_scores(pre_pct: Sequence[float] | None, post_pct: Sequence[float] | None,
                  *, fmt: str = "svg") -> str | bytes:
    """Scatter of each participant's pre-test vs post-test percent score with the diagonal
    "no change" line: points above it improved. Only pairs with both scores are drawn;
    improved, unchanged and declined participants differ in colour *and* marker."""
    title = _("Pre-test vs post-test per participant")
    pre, post = _floats(pre_pct), _floats(post_pct)
    if pre.shape != post.shape:
        raise ValueError("pre_pct and post_pct must have the same length")
    ok = np.isfinite(pre) & np.isfinite(post)
    pre, post = pre[ok], post[ok]
    if pre.size == 0:
        return _no_data(fmt, title)

    def draw(fig):
        ax = fig.add_subplot()
        ax.plot([0, 100], [0, 100], color=PALETTE["grey"], linestyle="--", linewidth=1,
                label=_("No change"))
        groups = (
            (post > pre, _("Improved"), PALETTE["blue"], "^"),
            (post == pre, _("Unchanged"), PALETTE["grey"], "o"),
            (post < pre, _("Declined"), PALETTE["vermillion"], "v"),
        )
        # Small deterministic jitter so identical pairs stay visible.
        jitter = (np.arange(pre.size) % 5 - 2) * 0.35
        for mask, label, color, marker in groups:
            if mask.any():
                ax.scatter(pre[mask] + jitter[mask], post[mask] - jitter[mask], s=26,
                           c=color, marker=marker, edgecolors=PALETTE["black"],
                           linewidths=0.4, alpha=0.85,
                           label="{label} ({n})".format(label=label, n=int(mask.sum())))
        ax.set_xlim(-3, 103)
        ax.set_ylim(-3, 103)
        ax.set_aspect("equal")
        ax.set_xlabel(_("Pre-test score (%)"))
        ax.set_ylabel(_("Post-test score (%)"))
        ax.set_title(title)
        ax.legend(loc="lower right", frameon=True, framealpha=0.9)

    return _build(fmt, 4.8, 4.6, draw)


def topic_mastery(change: Any, *, fmt: str = "svg") -> str | bytes:
    """Grouped horizontal bars of mastery (%) before and after per topic, from
    :func:`netral.evaluation.stats.topic_mastery_change` (the dataclass or its ``as_dict()``).
    A topic without a value on one test shows no bar for it."""
    title = _("Topic mastery before and after")
    topics = list(_get(change, "topics", None) or []) if change is not None else []
    if not topics:
        return _no_data(fmt, title)
    labels = [_short(_get(t, "topic")) for t in topics]
    pre = [_get(t, "pre_mastery") for t in topics]
    post = [_get(t, "post_mastery") for t in topics]

    def pct(v):
        return np.nan if v is None else 100.0 * float(v)

    def draw(fig):
        ax = fig.add_subplot()
        y = np.arange(len(topics))[::-1]
        h = 0.38
        pre_v = np.array([pct(v) for v in pre])
        post_v = np.array([pct(v) for v in post])
        ax.barh(y + h / 2, np.nan_to_num(pre_v), h, color=PRE_COLOR, hatch=PRE_HATCH,
                edgecolor=PALETTE["black"], linewidth=0.6, label=_("Pre-test"))
        ax.barh(y - h / 2, np.nan_to_num(post_v), h, color=POST_COLOR, hatch=POST_HATCH,
                edgecolor=PALETTE["black"], linewidth=0.6, label=_("Post-test"))
        for yy, v in list(zip(y + h / 2, pre_v)) + list(zip(y - h / 2, post_v)):
            if math.isfinite(v):
                ax.text(min(v, 100) + 1, yy, "{:.0f}".format(v), va="center", fontsize=9)
        ax.set_yticks(y)
        ax.set_yticklabels(labels)
        ax.set_xlim(0, 110)
        ax.set_xticks(range(0, 101, 20))
        ax.set_xlabel(_("Mastery (%)"))
        ax.set_title(title)
        ax.legend(loc="lower right", frameon=True, framealpha=0.9)

    return _build(fmt, 6.0, 1.2 + 0.55 * len(topics), draw)


def item_map(item_stats: Any, *, fmt: str = "svg", labels: Sequence[str] | None = None
             ) -> str | bytes:
    """Facility (x) vs discrimination (corrected item–rest r, y) of every item, with the
    flag zones shaded: too hard (facility < 0.2), too easy (> 0.9), negative discrimination
    (r < 0). ``item_stats`` is an :class:`~netral.evaluation.stats.ItemStatistics`, its
    ``as_dict()``, or a sequence of items (``ItemStat`` or dicts). Items are labelled with
    ``labels[i]`` (default: their 1-based number); items without both values are left out
    and counted in a note."""
    title = _("Item map: facility and discrimination")
    items = item_stats
    if items is not None and not isinstance(items, Sequence):
        items = _get(items, "items", None)
    items = list(items or [])
    points = []
    for pos, it in enumerate(items):
        fac = _get(it, "facility")
        disc = _get(it, "discrimination_r")
        index = _get(it, "index", pos)
        label = labels[pos] if labels is not None and pos < len(labels) else str(int(index) + 1)
        if fac is None or disc is None or not (math.isfinite(fac) and math.isfinite(disc)):
            continue
        points.append((float(fac), float(disc), _short(label, 12)))
    if not points:
        return _no_data(fmt, title)
    missing = len(items) - len(points)

    def draw(fig):
        ax = fig.add_subplot()
        ax.axvspan(0, _FACILITY_LOW, color=PALETTE["orange"], alpha=0.15, hatch="--", lw=0,
                   label=_("Too hard"))
        ax.axvspan(_FACILITY_HIGH, 1.0, color=PALETTE["yellow"], alpha=0.25, hatch="\\\\", lw=0,
                   label=_("Too easy"))
        ax.axhspan(-1, 0, color=PALETTE["vermillion"], alpha=0.12, hatch="xx", lw=0,
                   label=_("Negative discrimination"))
        ax.axhline(0, color=PALETTE["black"], linewidth=0.8)
        fac = np.array([p[0] for p in points])
        disc = np.array([p[1] for p in points])
        flagged = (fac < _FACILITY_LOW) | (fac > _FACILITY_HIGH) | (disc < 0)
        ax.scatter(fac[~flagged], disc[~flagged], s=28, c=PALETTE["blue"], marker="o",
                   edgecolors=PALETTE["black"], linewidths=0.4, label=_("Item"))
        if flagged.any():
            ax.scatter(fac[flagged], disc[flagged], s=34, c=PALETTE["vermillion"], marker="D",
                       edgecolors=PALETTE["black"], linewidths=0.4, label=_("Flagged item"))
        for f, d, text in points:
            ax.annotate(text, (f, d), xytext=(3, 3), textcoords="offset points", fontsize=9)
        ax.set_xlim(0, 1.0)
        ax.set_ylim(min(-0.4, float(disc.min()) - 0.1), max(1.0, float(disc.max()) + 0.1))
        ax.set_xlabel(_("Facility (proportion correct)"))
        ax.set_ylabel(_("Discrimination (item-rest correlation)"))
        ax.set_title(title)
        if missing:
            ax.text(0.01, 0.01, _("{n} item(s) without enough data not shown").format(n=missing),
                    transform=ax.transAxes, fontsize=9, color=PALETTE["black"])
        handles, names = ax.get_legend_handles_labels()
        fig.legend(handles, names, loc="outside lower center", ncols=3, frameon=False)

    return _build(fmt, 6.4, 5.0, draw)


def likert_distribution(questions: Any, *, fmt: str = "svg",
                        scale: Sequence[str] | None = None) -> str | bytes:
    """Diverging stacked bars of a 1–5 scale per survey question.

    ``questions`` is a sequence of ``{"label": str, "counts": [n1, …, n5]}`` (or
    ``(label, counts)`` pairs), or a mapping ``label → counts``. ``scale`` names the five
    points (default: strongly disagree … strongly agree). Bars are centred on the neutral
    point, shares in % of each question's answers."""
    title = _("Survey answers")
    scale = list(scale) if scale is not None else [
        _("Strongly disagree"), _("Disagree"), _("Neutral"), _("Agree"), _("Strongly agree")]
    if len(scale) != 5:
        raise ValueError("scale must name 5 points")
    if isinstance(questions, Mapping):
        rows = [(k, v) for k, v in questions.items()]
    else:
        rows = []
        for q in questions or []:
            if isinstance(q, Mapping):
                rows.append((q.get("label", ""), q.get("counts", [])))
            else:
                rows.append((q[0], q[1]))
    data = []
    for label, counts in rows:
        c = [float(x or 0) for x in list(counts)[:5]] + [0.0] * max(0, 5 - len(list(counts)))
        total = sum(c)
        if total > 0:
            data.append((_short(label, 40), [100.0 * x / total for x in c], int(total)))
    if not data:
        return _no_data(fmt, title)

    def draw(fig):
        ax = fig.add_subplot()
        y = np.arange(len(data))[::-1]
        for row, (label, shares, _n) in zip(y, data):
            left = -(shares[0] + shares[1] + shares[2] / 2)
            for j, share in enumerate(shares):
                ax.barh(row, share, left=left, color=LIKERT_COLORS[j], hatch=LIKERT_HATCHES[j],
                        edgecolor=PALETTE["black"], linewidth=0.5, height=0.6)
                if share >= 8:
                    ax.text(left + share / 2, row, "{:.0f}".format(share), ha="center",
                            va="center", fontsize=9,
                            color="white" if j in (0, 4) else PALETTE["black"])
                left += share
        ax.axvline(0, color=PALETTE["black"], linewidth=0.8)
        ax.set_yticks(y)
        ax.set_yticklabels(["{} (n={})".format(lab, n) for lab, _s, n in data])
        ax.set_xlim(-100, 100)
        ax.set_xticks([-100, -50, 0, 50, 100])
        ax.set_xticklabels(["100", "50", "0", "50", "100"])
        ax.set_xlabel(_("Share of answers (%)"))
        ax.set_title(title)
        handles = [Patch(facecolor=LIKERT_COLORS[j], hatch=LIKERT_HATCHES[j],
                         edgecolor=PALETTE["black"], label=scale[j]) for j in range(5)]
        fig.legend(handles=handles, loc="outside lower center", ncols=5, frameon=False,
                   fontsize=9)

    return _build(fmt, 7.0, 1.6 + 0.5 * len(data), draw)


def bar_counts(labels: Sequence[Any] | None, values: Sequence[float] | None, *,
               title: str = "", fmt: str = "svg", xlabel: str | None = None) -> str | bytes:
    """Generic horizontal bar chart (e.g. attendance by agency), largest first; ``title``
    and ``xlabel`` are used as given (translate them before passing)."""
    labels = [] if labels is None else list(labels)
    values = [] if values is None else list(values)
    pairs = [(str(lab), float(v)) for lab, v in zip(labels, values)
             if v is not None and math.isfinite(float(v))]
    if not pairs:
        return _no_data(fmt, title)
    pairs.sort(key=lambda p: (-p[1], p[0]))

    def draw(fig):
        ax = fig.add_subplot()
        y = np.arange(len(pairs))[::-1]
        vals = [v for _l, v in pairs]
        ax.barh(y, vals, color=PALETTE["blue"], edgecolor=PALETTE["black"], linewidth=0.5,
                height=0.65)
        top = max(vals) if max(vals) > 0 else 1
        for yy, v in zip(y, vals):
            ax.text(v + top * 0.01, yy, "{:g}".format(v), va="center", fontsize=9)
        ax.set_yticks(y)
        ax.set_yticklabels([_short(lab, 40) for lab, _v in pairs])
        ax.set_xlim(0, top * 1.12)
        if xlabel:
            ax.set_xlabel(xlabel)
        if title:
            ax.set_title(title)

    return _build(fmt, 6.0, 1.0 + 0.38 * len(pairs), draw)
