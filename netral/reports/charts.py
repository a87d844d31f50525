"""The report's charts: the attendance chart (registered vs present by agency) drawn here,
the evaluation charts taken from :mod:`netral.evaluation.charts` with the report's data
shapes. ``report_charts(data, fmt)`` returns ``{name: svg str | png bytes}``; charts without
data are left out."""

from __future__ import annotations

import base64

from django.utils.translation import gettext as _


_RC = {"font.family": "DejaVu Sans", "font.size": 9.5, "axes.titlesize": 10.5, "svg.fonttype": "none",
       "svg.hashsalt": "netral", "hatch.linewidth": 0.8, "axes.spines.top": False, "axes.spines.right": False}
PRE_COLOR, POST_COLOR, BLACK = "#56B4E9", "#0072B2", "#000000"  # Okabe-Ito, as the evaluation charts


def _short(text: str, width: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _build(fmt: str, width: float, height: float, draw):
    """A matplotlib figure (no pyplot state) rendered as SVG text or PNG bytes (150 dpi)."""
    import io  # noqa: PLC0415 -- leaf
    import re  # noqa: PLC0415 -- leaf

    import matplotlib  # noqa: PLC0415 -- slow import
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: PLC0415 -- slow import
    from matplotlib.figure import Figure  # noqa: PLC0415 -- slow import

    with matplotlib.rc_context(_RC):
        fig = Figure(figsize=(width, height), layout="constrained")
        FigureCanvasAgg(fig)
        draw(fig)
        buf = io.BytesIO()
        if fmt == "png":
            fig.savefig(buf, format="png", dpi=150, metadata={"Software": None})
            return buf.getvalue()
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    svg = buf.getvalue().decode("utf-8")
    return re.sub(r"\A.*?(?=<svg)", "", svg, count=1, flags=re.S)


def attendance_by_agency(rows: list[dict], *, fmt: str = "svg"):
    """Grouped horizontal bars: registered and present per agency (largest first)."""
    import numpy as np  # noqa: PLC0415 -- slow import

    rows = sorted(rows, key=lambda r: (-r["registered"], r["agency"] or ""))[:15]
    if not rows:
        return None
    title = _("Attendance by agency")

    def draw(fig):
        ax = fig.add_subplot()
        y = np.arange(len(rows))[::-1]
        h = 0.38
        registered = [r["registered"] for r in rows]
        present = [r["present"] for r in rows]
        ax.barh(y + h / 2, registered, h, color=PRE_COLOR, hatch="///", edgecolor=BLACK,
                linewidth=0.6, label=_("Registered"))
        ax.barh(y - h / 2, present, h, color=POST_COLOR, edgecolor=BLACK,
                linewidth=0.6, label=_("Present"))
        top = max(registered) or 1
        for yy, v in list(zip(y + h / 2, registered)) + list(zip(y - h / 2, present)):
            ax.text(v + top * 0.01, yy, str(v), va="center", fontsize=9)
        ax.set_yticks(y)
        ax.set_yticklabels([_short(r["agency"] or _("(no agency)"), 34) for r in rows])
        ax.set_xlim(0, top * 1.15)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.set_xlabel(_("Participants"))
        ax.set_title(title)
        ax.legend(loc="lower right", frameon=True, framealpha=0.9)

    return _build(fmt, 6.0, 1.3 + 0.5 * len(rows), draw)


def report_charts(data: dict, *, fmt: str = "svg") -> dict:
    """The report's charts, cached by their input data and language (the organiser's page,
    the PDF and the DOCX drawn one after the other compute each chart once)."""
    import hashlib  # noqa: PLC0415 -- leaf
    import json  # noqa: PLC0415 -- leaf

    from django.core.cache import cache  # noqa: PLC0415 -- leaf
    from django.utils.translation import get_language  # noqa: PLC0415 -- leaf

    result = data["evaluation"]["result"]
    inputs = [fmt, get_language(), data["attendance"]["by_agency"],
              [(p["pre"], p["post"]) for p in result.get("participants") or []],
              [(t["label"], t["pre"], t["post"]) for t in result.get("topics") or []],
              [(q["stem"], q["distribution"], q["labels"]) for q in ((result.get("survey") or {}).get("questions")
                                                                   or [])]]
    key = "reports:charts:" + hashlib.sha256(json.dumps(inputs, default=str).encode()).hexdigest()
    cached = cache.get(key)
    if cached is not None:
        return cached
    out = _draw_charts(data, fmt=fmt)
    cache.set(key, out, 3600)
    return out


def _draw_charts(data: dict, *, fmt: str) -> dict:
    from netral.evaluation import charts as ev  # noqa: PLC0415 -- slow import

    out = {}
    chart = attendance_by_agency(data["attendance"]["by_agency"], fmt=fmt)
    if chart is not None:
        out["attendance"] = chart
    result = data["evaluation"]["result"]
    people = result.get("participants") or []
    pre = [p["pre"] for p in people if p["pre"] is not None]
    post = [p["post"] for p in people if p["post"] is not None]
    if pre or post:
        out["distribution"] = ev.score_distribution(pre, post, fmt=fmt)
    topics = result.get("topics") or []
    if topics:
        out["topics"] = ev.topic_mastery(
            {"topics": [{"topic": t["label"], "pre_mastery": t["pre"], "post_mastery": t["post"]} for t in topics]},
            fmt=fmt)
    survey = result.get("survey")
    if survey and survey.get("questions") and survey.get("n_submitted"):
        out["survey"] = ev.likert_distribution(
            [{"label": q["stem"], "counts": q["distribution"]} for q in survey["questions"]],
            scale=survey["questions"][0]["labels"] if len(survey["questions"][0]["labels"]) == 5 else None,
            fmt=fmt)
    return out


def data_uri(svg: str) -> str:
    """An SVG as an ``<img>`` data URI: allowed by the CSP (img-src data:), and WeasyPrint
    draws SVG presentation attributes correctly this way."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
