"""Evaluation results as XLSX: scores, item statistics, topics and the survey, one sheet
each. ``add_evaluation_sheets`` also serves the event's full workbook (reports app)."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _


def add_sheet(wb, title: str, headers: list[str], rows) -> None:
    from openpyxl.styles import Font  # noqa: PLC0415 -- slow import

    ws = wb.create_sheet(title[:31])
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    widths = [len(str(h)) for h in headers]
    for row in rows:
        ws.append(list(row))
        # Text is text: an answer typed as "=HYPERLINK(...)" must not become a formula.
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"
        widths = [max(w, len(str(v if v is not None else ""))) for w, v in zip(widths, row)]
    for idx, width in enumerate(widths, start=1):
        ws.column_dimensions[ws.cell(row=1, column=idx).column_letter].width = min(max(width + 2, 6), 60)
    ws.freeze_panes = "A2"


def _r(value, digits=3):
    return None if value is None else round(float(value), digits)


def add_evaluation_sheets(wb, result: dict) -> None:
    people = result.get("participants") or []
    add_sheet(wb, _("Scores"), [_("Name"), _("NIP / NI PPPK"), _("Agency"), _("Pre-test (%)"), _("Post-test (%)"),
                                _("Normalized gain"), _("Band")],
              [[p["name"], p["nip"], p["agency"], _r(p["pre"], 1), _r(p["post"], 1), _r(p["gain"]), p["band"] or ""]
               for p in people])
    gain = result.get("gain")
    if gain:
        t, w, e = gain.get("t_test") or {}, gain.get("wilcoxon") or {}, gain.get("effect_sizes") or {}
        rows = [
            (_("Matched pairs"), gain["n_pairs"]), (_("Only pre-test"), gain["only_pre"]),
            (_("Only post-test"), gain["only_post"]),
            (_("Pre-test mean (%)"), _r(gain["pre"]["mean"], 2)), (_("Post-test mean (%)"), _r(gain["post"]["mean"], 2)),
            (_("Pre-test median (%)"), _r(gain["pre"]["median"], 2)),
            (_("Post-test median (%)"), _r(gain["post"]["median"], 2)),
            (_("Pre-test SD"), _r(gain["pre"]["sd"], 2)), (_("Post-test SD"), _r(gain["post"]["sd"], 2)),
            (_("Class-average normalized gain ⟨g⟩ (Hake)"), _r(gain["class_average_gain"])),
            (_("Band"), gain["class_average_gain_band"] or ""),
            (_("Mean of individual gains (g_ave)"), _r(gain["mean_individual_gain"])),
            (_("Paired t"), _r(t.get("statistic"))), (_("df"), t.get("df")), (_("p (t-test)"), _r(t.get("p_value"), 6)),
            (_("Wilcoxon statistic"), _r(w.get("statistic"))), (_("p (Wilcoxon)"), _r(w.get("p_value"), 6)),
            (_("Cohen's dz"), _r(e.get("d_z"))), (_("dz 95% CI low"), _r(e.get("d_z_ci_low"))),
            (_("dz 95% CI high"), _r(e.get("d_z_ci_high"))),
        ]
        add_sheet(wb, _("Learning gain"), [_("Statistic"), _("Value")], rows)
    for kind, label in (("pre", _("Pre-test items")), ("post", _("Post-test items"))):
        analysis = (result.get("items") or {}).get(kind)
        if not analysis:
            continue
        rows = []
        for item in analysis["items"]:
            m = item["meta"]
            dist = item.get("distractors") or {}
            spread = ", ".join(f"{o['label']}: {o['count']}" for o in dist.get("options", []))
            rows.append([m["order"], m["key"], m["topic_label"], m["stem"], m["correct"], item["n_answered"],
                         _r(item["facility"]), _r(item["discrimination_index"], 1), _r(item["upper_lower_d"]),
                         _r(item["discriminative_efficiency"], 1), ", ".join(item["flags"]), spread])
        add_sheet(wb, label, [_("No."), _("Code"), _("Topic"), _("Question"), _("Key"), _("Answered"),
                              _("Facility"), _("Discrimination index"), _("Upper-lower D (27%)"),
                              _("Discriminative efficiency"), _("Flags"), _("Options chosen")], rows)
    if result.get("topics"):
        add_sheet(wb, _("Topics"), [_("Topic"), _("Mastery before"), _("Mastery after"), _("Change"),
                                    _("Normalized gain"), _("Band")],
                  [[t["label"], _r(t["pre"]), _r(t["post"]), _r(t["change"]), _r(t["normalized_gain"]),
                    t["band"] or ""] for t in result["topics"]])
    survey = result.get("survey")
    if survey:
        rows = [[q["stem"], q["n"], _r(q["mean"], 2), *q["distribution"]] for q in survey["questions"]]
        labels = survey["questions"][0]["labels"] if survey["questions"] else []
        add_sheet(wb, _("Survey"), [_("Statement"), _("Answers"), _("Mean (1-5)"), *labels], rows)
        add_sheet(wb, _("Survey comments"), [_("Question"), _("Comment")],
                  [[c["stem"], text] for c in survey["comments"] for text in c["texts"]])


def evaluation_workbook(event, result: dict) -> bytes:
    from openpyxl import Workbook  # noqa: PLC0415 -- slow import

    wb = Workbook()
    wb.remove(wb.active)
    add_evaluation_sheets(wb, result)
    if not wb.sheetnames:
        add_sheet(wb, _("Scores"), [_("Name")], [])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
