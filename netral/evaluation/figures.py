"""The evaluation's charts from ``selectors.event_evaluation``'s result: shared by the
evaluation page (SVG), the activity report (SVG for HTML/PDF, PNG for DOCX)."""

from __future__ import annotations


def evaluation_charts(result: dict, *, fmt: str = "svg") -> dict:
    from . import charts  # noqa: PLC0415 -- matplotlib loads on first use only

    out = {}
    people = result.get("participants") or []
    pre = [p["pre"] for p in people if p["pre"] is not None]
    post = [p["post"] for p in people if p["post"] is not None]
    pairs = [(p["pre"], p["post"]) for p in people if p["pre"] is not None and p["post"] is not None]
    if pre or post:
        out["distribution"] = charts.score_distribution(pre, post, fmt=fmt)
    if pairs:
        out["paired"] = charts.paired_scores([a for a, _b in pairs], [b for _a, b in pairs], fmt=fmt)
    if result.get("topics"):
        out["topics"] = charts.topic_mastery(
            {"topics": [{"topic": t["label"], "pre_mastery": t["pre"], "post_mastery": t["post"]}
                        for t in result["topics"]]}, fmt=fmt)
    items = (result.get("items") or {}).get("post") or (result.get("items") or {}).get("pre")
    if items and items.get("items"):
        out["items"] = charts.item_map(items, fmt=fmt, labels=[i["meta"]["key"] for i in items["items"]])
    survey = result.get("survey")
    if survey and survey["questions"]:
        out["survey"] = charts.likert_distribution(
            [{"label": q["stem"], "counts": q["distribution"]} for q in survey["questions"]],
            scale=survey["questions"][0]["labels"], fmt=fmt)
    return out
