"""Pre/post analysis of answer sheets from outside Netral (``netral analyze``).

:func:`analyze` reads the two sheets (and the key) with :mod:`netral.evaluation.sheets`,
matches participants, and computes with :mod:`netral.evaluation.stats`: item statistics of
each test (with distractor counts from the chosen options), the learning gain of matched
participants and, when the key gives topics, topic mastery before and after. The result is
a JSON-ready dict (the ``as_dict()`` results plus ``warnings``); :func:`render_html`,
:func:`render_pdf` and :func:`render_xlsx` present it. Nothing here touches the database.
"""

from __future__ import annotations

import base64
import io
import json
import logging
from typing import Any

import numpy as np
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from netral.evaluation import charts, stats
from netral.evaluation.sheets import (
    Key,
    ScoredSheet,
    SheetError,
    read_key,
    read_sheet,
    score_sheet,
)

__all__ = ["REPORT_VERSION", "SheetError", "analyze", "render_html", "render_json",
           "render_pdf", "render_xlsx"]

REPORT_VERSION = 1


def _norm(text: str) -> str:
    return " ".join(str(text).split()).casefold()


def analyze(pre: bytes | str, post: bytes | str, *, key: bytes | str | None = None,
            pre_name: str = "PRE.csv", post_name: str = "POST.csv", key_name: str = "KEY.csv",
            id_column: str | None = None) -> dict[str, Any]:
    """The whole analysis as a JSON-ready dict. Raises :class:`SheetError` (Indonesian
    message naming file, row and column) on bad input."""
    key_obj: Key | None = read_key(key, name=key_name) if key is not None else None
    pre_sheet = score_sheet(read_sheet(pre, name=pre_name, id_column=id_column), key_obj)
    post_sheet = score_sheet(read_sheet(post, name=post_name, id_column=id_column), key_obj)
    warnings: list[dict[str, str]] = pre_sheet.warnings + post_sheet.warnings

    # Participants: union of ids, pre-test order first.
    ids = list(dict.fromkeys(pre_sheet.sheet.ids + post_sheet.sheet.ids))
    pre_pos = {pid: r for r, pid in enumerate(pre_sheet.sheet.ids)}
    post_pos = {pid: r for r, pid in enumerate(post_sheet.sheet.ids)}
    names = {pid: name for pid, name in zip(post_sheet.sheet.ids, post_sheet.sheet.names)}
    names.update(zip(pre_sheet.sheet.ids, pre_sheet.sheet.names))

    same_scale = abs(pre_sheet.max_total - post_sheet.max_total) < 1e-9
    if same_scale:
        max_score = pre_sheet.max_total
        pre_scale = post_scale = 1.0
    else:
        max_score = 100.0
        pre_scale = 100.0 / pre_sheet.max_total
        post_scale = 100.0 / post_sheet.max_total
        warnings.append({"code": "different_maximum", "message": _(
            "The tests have different maximum scores ({pre} and {post}); the gain is computed on "
            "percentages.").format(pre=_g(pre_sheet.max_total), post=_g(post_sheet.max_total))})
    if max_score <= 0:
        raise SheetError(_("The maximum score is 0: there is nothing to analyse."), code="empty")
    pre_tot = np.array([pre_sheet.totals[pre_pos[p]] * pre_scale if p in pre_pos else np.nan
                        for p in ids], dtype=float)
    post_tot = np.array([post_sheet.totals[post_pos[p]] * post_scale if p in post_pos else np.nan
                         for p in ids], dtype=float)
    gain = stats.learning_gain(pre_tot, post_tot, max_score)

    only_pre = [names[p] for p in ids if p in pre_pos and p not in post_pos]
    only_post = [names[p] for p in ids if p in post_pos and p not in pre_pos]
    if only_pre:
        warnings.append({"code": "only_pre", "message": _(
            "{n} participant(s) only in {file} (no post-test): {names}.").format(
                n=len(only_pre), file=pre_name, names=_list(only_pre))})
    if only_post:
        warnings.append({"code": "only_post", "message": _(
            "{n} participant(s) only in {file} (no pre-test): {names}.").format(
                n=len(only_post), file=post_name, names=_list(only_post))})
    if gain.n_pairs == 0:
        warnings.append({"code": "no_pairs", "message": _(
            "No participant appears in both files: check that both use the same identity "
            "column (email or NIP).")})

    pre_labels = [_norm(x) for x in pre_sheet.items]
    post_labels = [_norm(x) for x in post_sheet.items]
    if pre_sheet.item_scored and post_sheet.item_scored and pre_labels != post_labels:
        missing_post = [x for x, n in zip(pre_sheet.items, pre_labels) if n not in post_labels]
        missing_pre = [x for x, n in zip(post_sheet.items, post_labels) if n not in pre_labels]
        if missing_post or missing_pre:
            warnings.append({"code": "items_differ", "message": _(
                "The item headers differ: only in {pre}: {a}; only in {post}: {b}.").format(
                    pre=pre_name, post=post_name, a=_list(missing_post) or "-",
                    b=_list(missing_pre) or "-")})
        else:
            warnings.append({"code": "items_reordered", "message": _(
                "The items are in a different order in {pre} and {post}; they are matched by "
                "header.").format(pre=pre_name, post=post_name)})

    participants = []
    pg = gain.participants
    for i, pid in enumerate(ids):
        participants.append({
            "id": pid, "name": names[pid],
            "pre": _num(pre_tot[i]), "post": _num(post_tot[i]),
            "pre_percent": _num(pg.pre_percent[i]), "post_percent": _num(pg.post_percent[i]),
            "gain": _num(pg.gain[i]),
        })

    report = {
        "version": REPORT_VERSION,
        "files": {"pre": _file_info(pre_sheet), "post": _file_info(post_sheet),
                  "key": key_name if key is not None else None},
        "scale": {"max_score": max_score, "unit": "points" if same_scale else "percent"},
        "learning_gain": gain.as_dict(),
        "participants": participants,
        "only_pre": only_pre,
        "only_post": only_post,
        "pre_items": _item_stats(pre_sheet),
        "post_items": _item_stats(post_sheet),
        "topic_mastery_change": _topics(pre_sheet, post_sheet, pre_labels, post_labels),
        "warnings": warnings,
    }
    return report


def _g(value: float) -> str:
    return "{:g}".format(value)


def _num(value: Any) -> float | None:
    return None if value is None or not np.isfinite(value) else float(value)


def _list(values: list[str], limit: int = 10) -> str:
    shown = ", ".join(values[:limit])
    if len(values) > limit:
        shown += " " + _("and {n} more").format(n=len(values) - limit)
    return shown


def _file_info(s: ScoredSheet) -> dict[str, Any]:
    return {
        "file": s.sheet.file,
        "layout": s.sheet.layout,
        "id_column": s.sheet.id_header,
        "participants": len(s.sheet.ids),
        "max_score": s.max_total,
        "items": [{"number": i + 1, "label": label, "topic": topic, "max_marks": float(m)}
                  for i, (label, topic, m) in enumerate(zip(s.items, s.topics, s.max_marks))],
    }


def _item_stats(s: ScoredSheet) -> dict[str, Any] | None:
    if not s.item_scored or s.marks.shape[1] == 0:
        return None
    responses = None
    if s.responses is not None:
        responses = np.empty(s.marks.shape, dtype=object)
        for r, row in enumerate(s.responses):
            responses[r, :] = row
    result = stats.item_statistics(s.marks, max_marks=s.max_marks, responses=responses)
    return result.as_dict()


def _topics(pre: ScoredSheet, post: ScoredSheet, pre_labels, post_labels) -> dict | None:
    if not (pre.item_scored and post.item_scored):
        return None
    post_index = {label: j for j, label in enumerate(post_labels)}
    cols_pre, cols_post, topics = [], [], []
    for i, label in enumerate(pre_labels):
        topic = pre.topics[i]
        if topic and label in post_index:
            cols_pre.append(i)
            cols_post.append(post_index[label])
            topics.append(topic)
    if not topics:
        return None
    change = stats.topic_mastery_change(
        pre.marks[:, cols_pre], post.marks[:, cols_post], topics,
        max_marks=pre.max_marks[cols_pre])
    return change.as_dict()


# --------------------------------------------------------------------------- output


def render_json(report: dict[str, Any]) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2) + "\n"


def _embed(svg: str, as_image: bool) -> str:
    """Inline SVG for the HTML page; an ``<img>`` data URI for WeasyPrint, whose HTML
    engine does not read SVG presentation attributes of inline SVG."""
    if as_image:
        data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
        return mark_safe('<img alt="" src="data:image/svg+xml;base64,' + data + '">')  # noqa: S308
    return mark_safe(svg)  # noqa: S308 -- matplotlib output: text is XML-escaped, no scripts


def _flag_label(flag: str) -> str:
    labels = {
        "too_easy": _("Too easy"),
        "too_hard": _("Too hard"),
        "negative_discrimination": _("Negative discrimination"),
        "dubious": _("Dubious (low discriminative efficiency)"),
        "no_responses": _("No responses"),
    }
    return labels.get(flag, flag)


def _band_label(band: str | None) -> str:
    return {"low": _("low"), "medium": _("medium"), "high": _("high")}.get(band or "", "—")


def _item_rows(report: dict[str, Any], which: str) -> list[dict[str, Any]]:
    data = report[which + "_items"]
    if not data:
        return []
    info = report["files"][which]["items"]
    rows = []
    for item, meta in zip(data["items"], info):
        distractors = []
        if item.get("distractors"):
            for opt in item["distractors"]["options"]:
                distractors.append({"label": opt["label"], "count": opt["count"],
                                    "frequency": opt["frequency"],
                                    "mean_score": opt["mean_score"]})
            nr = item["distractors"]["no_response"]
            if nr["count"]:
                distractors.append({"label": _("(no response)"), "count": nr["count"],
                                    "frequency": nr["frequency"], "mean_score": None})
        rows.append({
            "number": meta["number"], "label": meta["label"], "topic": meta["topic"],
            "facility": item["facility"], "discrimination_index": item["discrimination_index"],
            "upper_lower_d": item["upper_lower_d"],
            "discriminative_efficiency": item["discriminative_efficiency"],
            "flags": [_flag_label(f) for f in item["flags"]],
            "distractors": distractors,
        })
    return rows


def _context(report: dict[str, Any], for_pdf: bool = False) -> dict[str, Any]:
    lg = report["learning_gain"]
    participants = lg["participants"]
    topic_change = report.get("topic_mastery_change")
    def _inline(svg: str) -> str:
        return _embed(svg, for_pdf)

    charts_ctx = {
        "distribution": _inline(charts.score_distribution(
            [p["pre_percent"] for p in report["participants"]],
            [p["post_percent"] for p in report["participants"]], fmt="svg")),
        "paired": _inline(charts.paired_scores(participants["pre_percent"],
                                               participants["post_percent"], fmt="svg")),
        "topics": _inline(charts.topic_mastery(topic_change, fmt="svg")) if topic_change else None,
        "pre_items": _inline(charts.item_map(report["pre_items"], fmt="svg"))
        if report["pre_items"] else None,
        "post_items": _inline(charts.item_map(report["post_items"], fmt="svg"))
        if report["post_items"] else None,
    }
    return {
        "report": report,
        "lg": lg,
        "class_band": _band_label(lg["class_average_gain_band"]),
        "mean_band": _band_label(lg["mean_individual_gain_band"]),
        "charts": charts_ctx,
        "pre_rows": _item_rows(report, "pre"),
        "post_rows": _item_rows(report, "post"),
        "pre_test": (report["pre_items"] or {}).get("test"),
        "post_test": (report["post_items"] or {}).get("test"),
        "topics": (topic_change or {}).get("topics", []),
    }


def render_html(report: dict[str, Any], *, for_pdf: bool = False) -> str:
    """A standalone, self-contained HTML page (inline CSS and SVG charts, no scripts)."""
    return render_to_string("evaluation/analyze_report.html", _context(report, for_pdf))


def render_pdf(report: dict[str, Any]) -> bytes:
    """The HTML report printed to PDF with WeasyPrint."""
    from weasyprint import HTML  # noqa: PLC0415 -- slow import

    page = render_html(report, for_pdf=True)
    log = logging.getLogger("weasyprint")
    level = log.level
    log.setLevel(logging.ERROR)  # CSS hints it ignores are not the user's business
    try:
        return HTML(string=page).write_pdf()
    finally:
        log.setLevel(level)


def render_xlsx(report: dict[str, Any]) -> bytes:
    """Results as a workbook: sheet "Peserta" (one row per participant: scores and gain) and
    one sheet per test with the item statistics."""
    from openpyxl import Workbook  # noqa: PLC0415 -- slow import
    from openpyxl.styles import Font  # noqa: PLC0415

    wb = Workbook()
    ws = wb.active
    ws.title = "Peserta"
    ws.append([_("Participant"), _("Name"), _("Pre-test"), _("Post-test"), _("Pre-test (%)"),
               _("Post-test (%)"), _("Normalized gain")])
    for p in report["participants"]:
        ws.append([p["id"], p["name"], p["pre"], p["post"], p["pre_percent"], p["post_percent"],
                   p["gain"]])
    for which, title in (("pre", "Butir pre-test"), ("post", "Butir post-test")):
        rows = _item_rows(report, which)
        if not rows:
            continue
        sheet = wb.create_sheet(title)
        sheet.append([_("No."), _("Item"), _("Topic"), _("Facility"), _("Discrimination index"),
                      _("Upper-lower D"), _("Flags")])
        for row in rows:
            sheet.append([row["number"], row["label"], row["topic"], row["facility"],
                          row["discrimination_index"], row["upper_lower_d"],
                          ", ".join(row["flags"])])
    for sheet in wb.worksheets:
        for cell in sheet[1]:
            cell.font = Font(bold=True)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
