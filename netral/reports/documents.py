"""The activity report as an HTML page, a PDF (WeasyPrint) and a DOCX (python-docx).

All three render the same ``report_data`` dict; charts are SVG for HTML and PDF, PNG for
DOCX. The language is the active one (callers wrap in ``translation.override``)."""

from __future__ import annotations

import base64
import io
from pathlib import Path

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _, ngettext

from . import selectors
from .charts import data_uri, report_charts

CSS_PATH = Path(__file__).resolve().parent / "static" / "reports" / "report.css"
CHART_TITLES = ("attendance", "distribution", "topics", "survey")


def _figure_numbers(charts: dict, photos: list) -> tuple[dict, list]:
    numbers, n = {}, 0
    for name in CHART_TITLES:
        if name in charts:
            n += 1
            numbers[name] = n
    for photo in photos:
        n += 1
        photo.number = n
    return numbers, photos


def _photo_data_uri(photo) -> str:
    with photo.image.open("rb") as fh:
        return "data:image/jpeg;base64," + base64.b64encode(fh.read()).decode("ascii")


def report_context(event, *, mode: str, report=None) -> dict:
    """Template context; ``mode`` is "page" (browser: photos by URL) or "pdf" (embedded)."""
    data = selectors.report_data(event, report=report)
    charts = {name: data_uri(svg) for name, svg in report_charts(data, fmt="svg").items()}
    figno, photos = _figure_numbers(charts, data["photos"])
    for photo in photos:
        photo.src = (reverse("reports:photo", kwargs={"pk": event.pk, "photo_pk": photo.pk}) if mode == "page"
                     else _photo_data_uri(photo))
    return {**data, "charts": charts, "figno": figno, "photos": photos,
            "tzname": timezone.localtime(event.starts_at).tzname()}


def report_filename(event, ext: str) -> str:
    return "laporan-{}-{}.{}".format(event.code.lower(), slugify(event.title)[:50], ext)


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML  # noqa: PLC0415 -- slow import

    return HTML(string=html, base_url=str(CSS_PATH.parent)).write_pdf(stylesheets=[_css()])


_CSS_CACHE: dict = {}


def _css():
    from weasyprint import CSS  # noqa: PLC0415 -- slow import

    mtime = CSS_PATH.stat().st_mtime
    cached = _CSS_CACHE.get("report")
    if cached is None or cached[0] != mtime:
        cached = (mtime, CSS(filename=str(CSS_PATH)))
        _CSS_CACHE["report"] = cached
    return cached[1]


def report_pdf(event, *, report=None) -> bytes:
    context = report_context(event, mode="pdf", report=report)
    return render_pdf(render_to_string("reports/report_pdf.html", context))


# --------------------------------------------------------------------------- DOCX


def _docx_table(doc, headers: list[str], rows: list[list], *, widths=None, numeric=()):
    from docx.enum.text import WD_ALIGN_PARAGRAPH  # noqa: PLC0415 -- slow import
    from docx.oxml import OxmlElement  # noqa: PLC0415 -- slow import
    from docx.oxml.ns import qn  # noqa: PLC0415 -- slow import

    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    header = table.rows[0]
    # Repeat the header row on every page (w:tblHeader).
    tr_pr = header._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    tr_pr.append(flag)
    for cell, text in zip(header.cells, headers):
        cell.text = ""
        run = cell.paragraphs[0].add_run(str(text))
        run.bold = True
    for row in rows:
        cells = table.add_row().cells
        for idx, (cell, value) in enumerate(zip(cells, row)):
            cell.text = "" if value is None else str(value)
            if idx in numeric:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if widths:
        for row in table.rows:
            for cell, width in zip(row.cells, widths):
                if width:
                    cell.width = width
    doc.add_paragraph()
    return table


def _docx_figure(doc, image: bytes, caption: str, width_cm: float = 15.5):
    from docx.enum.text import WD_ALIGN_PARAGRAPH  # noqa: PLC0415 -- slow import
    from docx.shared import Cm  # noqa: PLC0415 -- slow import

    doc.add_picture(io.BytesIO(image), width=Cm(width_cm))
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    cap = doc.add_paragraph(caption, style="Caption")
    cap.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _docx_text(doc, text: str):
    for line in (text or "").splitlines():
        if line.strip():
            doc.add_paragraph(line.strip())


def report_docx(event, *, report=None) -> bytes:
    """The report as a Word document: real headings (Heading 1/2), tables with a repeated
    header row, PNG charts and photos with "Figure n." captions."""
    from docx import Document  # noqa: PLC0415 -- slow import
    from docx.enum.text import WD_ALIGN_PARAGRAPH  # noqa: PLC0415 -- slow import
    from docx.shared import Cm, Pt  # noqa: PLC0415 -- slow import

    from netral.core.templatetags.netral import hhmm, longdate  # noqa: PLC0415 -- leaf

    data = selectors.report_data(event, report=report)
    charts = report_charts(data, fmt="png")
    figno, photos = _figure_numbers(charts, data["photos"])

    def figure_caption(n, text):
        return "{} {}".format(_("Figure {n}.").format(n=n), text)

    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin, section.right_margin = Cm(2.5), Cm(2.0)
    section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)
    style = doc.styles["Normal"]
    style.font.name = "DejaVu Serif"
    style.font.size = Pt(11)
    props = doc.core_properties
    props.title = "{}: {}".format(_("Activity report"), event.title)
    props.author = event.organiser_name[:200]
    props.created = timezone.now()

    kind = doc.add_paragraph()
    kind.alignment = WD_ALIGN_PARAGRAPH.CENTER
    kind.add_run(_("ACTIVITY REPORT")).bold = True
    title = doc.add_heading(event.title, level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    sub = doc.add_paragraph("{}{}\n{}".format(event.organiser_name, " · " + event.partner_name if event.partner_name
                                               else "", longdate(event.starts_at)))
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER

    doc.add_heading("1. " + _("Event identity"), level=1)
    tz = timezone.localtime(event.starts_at).tzname()
    rows = [[_("Event"), event.title]]
    if event.theme:
        rows.append([_("Theme"), event.theme])
    rows.append([_("Organiser"), event.organiser_name])
    if event.partner_name:
        rows.append([_("Partner"), event.partner_name])
    rows.append([_("Day and date"), longdate(event.starts_at)])
    rows.append([_("Time"), "{}{} {}".format(hhmm(event.starts_at), "–" + hhmm(event.ends_at) if event.ends_at else "",
                                             tz)])
    rows.append([_("Venue"), ", ".join(p for p in (event.venue_name, event.venue_address) if p)])
    if event.audience:
        rows.append([_("Audience"), event.audience])
    if event.methods:
        rows.append([_("Method"), ", ".join(event.method_labels)])
    _docx_table(doc, [_("Item"), _("Description")], rows, widths=[Cm(5), Cm(11.5)])
    if event.description:
        _docx_text(doc, event.description)

    doc.add_heading("2. " + _("Talks and speakers"), level=1)
    rows = []
    for n, s in enumerate(data["sessions"], start=1):
        speakers = "; ".join(sp.display_name + (" ({})".format(sp.institution) if sp.institution else "")
                             for sp in s.speakers.all())
        time = "{}{}".format(hhmm(s.starts_at), "–" + hhmm(s.ends_at) if s.ends_at else "") if s.starts_at else ""
        rows.append([n, s.title, speakers, time])
    _docx_table(doc, [_("No."), _("Talk"), _("Speaker"), _("Time")], rows,
                widths=[Cm(1.2), Cm(7.5), Cm(5.5), Cm(2.3)], numeric=(0,))
    for n, s in enumerate(data["sessions"], start=1):
        if s.summary:
            p = doc.add_paragraph()
            p.add_run("{}. {}. ".format(n, s.title)).bold = True
            p.add_run(s.summary)

    att = data["attendance"]
    doc.add_heading("3. " + _("Participants and attendance"), level=1)
    text = _("{present} of {registered} registered participants were present ({share}).").format(
        present=att["present"], registered=att["registered"], share=att["share"])
    if att["methods"]:
        text += " {}: {}.".format(_("Check-in"), "; ".join("{} {}".format(label, n) for label, n in att["methods"]))
    doc.add_paragraph(text)
    rows = [[r["agency"] or "—", r["registered"], r["present"]] for r in att["by_agency"]]
    rows.append([_("Total"), att["registered"], att["present"]])
    _docx_table(doc, [_("Agency"), _("Registered"), _("Present")], rows, numeric=(1, 2))
    if "attendance" in charts:
        _docx_figure(doc, charts["attendance"], figure_caption(figno["attendance"], _("Attendance by agency")))
    if len(att["by_unit"]) > 1:
        doc.add_heading(_("By work unit"), level=2)
        _docx_table(doc, [_("Agency"), _("Work unit"), _("Registered"), _("Present")],
                    [[r["agency"] or "—", r["unit"] or "—", r["registered"], r["present"]] for r in att["by_unit"]],
                    numeric=(2, 3))

    disc = data["discussion"]
    doc.add_heading("4. " + _("Discussion"), level=1)
    if disc["questions"]:
        doc.add_paragraph(_("{askers} participants asked {questions} questions; {answered} were answered "
                            "({share}).").format(askers=disc["askers"], questions=disc["questions"],
                                                 answered=disc["answered"], share=disc["answered_share_text"]))
        rows = []
        for block in disc["sessions"]:
            for n, q in enumerate(block["items"], start=1):
                answer = (q.answer_summary or _("Answered orally.")) if q.answered else _("Not answered yet.")
                rows.append(["{}.{}".format(block["session"].order, n), q.text, answer])
        _docx_table(doc, [_("No."), _("Question"), _("Answer")], rows, widths=[Cm(1.3), Cm(7), Cm(8.2)])
        if disc["words"]:
            p = doc.add_paragraph()
            p.add_run(_("Frequent words") + ": ").bold = True
            p.add_run(", ".join("{} ({})".format(w, n) for w, n in disc["words"][:12]))
    else:
        doc.add_paragraph(_("No questions were recorded in the discussion."))

    ev = data["evaluation"]
    f = ev["figures"]
    doc.add_heading("5. " + _("Evaluation: pre-test and post-test"), level=1)
    if f:
        doc.add_paragraph(_("The mean score rose from {pre} to {post} (out of 100; {n} participants took both "
                            "tests). Normalized gain ⟨g⟩ = {gain} ({band}).").format(
            pre=f["pre_mean"], post=f["post_mean"], n=f["n_pairs"], gain=f["gain"], band=f["band"]))
        rows = [
            [_("Participants with both tests"), f["n_pairs"]],
            [_("Pre-test: mean (SD), median"), "{} ({}), {}".format(f["pre_mean"], f["pre_sd"], f["pre_median"])],
            [_("Post-test: mean (SD), median"), "{} ({}), {}".format(f["post_mean"], f["post_sd"], f["post_median"])],
            [_("Normalized gain ⟨g⟩ (Hake)"), "{} ({}); {} {}".format(f["gain"], f["band"],
                                                                      _("mean of individual gains"),
                                                                      f["mean_individual_gain"])],
            [_("Paired t-test"), "t({}) = {}, {}{}".format(f["df"] if f["df"] is not None else "—", f["t"], f["t_p"],
                                                         " — " + _("significant") if f["significant"] else "")],
            [_("Wilcoxon signed-rank test"), f["w_p"]],
            [_("Effect size dz (95% CI)"), "{} ({})".format(f["dz"], f["dz_ci"])],
        ]
        _docx_table(doc, [_("Statistic"), _("Value")], rows, widths=[Cm(7), Cm(9.5)])
        doc.add_paragraph(_("Gain bands (Hake 1998): low below 0.3, medium from 0.3 to below 0.7, high from 0.7."))
    else:
        doc.add_paragraph(_("No participant took both the pre-test and the post-test."))
    if "distribution" in charts:
        _docx_figure(doc, charts["distribution"], figure_caption(figno["distribution"],
                                                                 _("Score distribution before and after")))
    if ev["topics"]:
        doc.add_heading(_("Mastery per topic"), level=2)
        _docx_table(doc, [_("Topic"), _("Before"), _("After"), _("Normalized gain")],
                    [[t["label"] + (" *" if t["weak"] else ""), t["pre_text"], t["post_text"],
                      "{} ({})".format(t["gain_text"], t["band_text"])] for t in ev["topics"]], numeric=(1, 2, 3))
        doc.add_paragraph("* " + _("weak topic: mastery below 70% after the event"))
        if "topics" in charts:
            _docx_figure(doc, charts["topics"], figure_caption(figno["topics"], _("Mastery per topic before and after")))
    if ev["flagged"]:
        doc.add_heading(_("Test items that did not work"), level=2)
        _docx_table(doc, [_("Test"), _("Code"), _("Question"), _("Problem"), _("Facility")],
                    [[i["test"], i["key"], i["stem"], i["flags"], i["facility"]] for i in ev["flagged"]],
                    widths=[Cm(2), Cm(1.5), Cm(7.5), Cm(3.5), Cm(2)], numeric=(4,))

    doc.add_heading("6. " + _("Satisfaction survey"), level=1)
    survey = ev["survey"]
    if survey and survey.get("n_submitted"):
        doc.add_paragraph(_("{n} participants answered; mean score {mean} on a scale of 1 to 5.").format(
            n=survey["n_submitted"], mean=ev["survey_mean"]))
        _docx_table(doc, [_("Statement"), _("Mean"), _("Agree")],
                    [[q["stem"], q["mean_text"], q["agree_text"]] for q in ev["survey_rows"]],
                    widths=[Cm(11.5), Cm(2.5), Cm(2.5)], numeric=(1, 2))
        if "survey" in charts:
            _docx_figure(doc, charts["survey"], figure_caption(figno["survey"], _("Survey answers")))
        for c in ev["comments"]:
            if c["items"]:
                doc.add_heading(c["stem"], level=2)
                for text, n in c["items"]:
                    doc.add_paragraph(text + (" (×{})".format(n) if n > 1 else ""), style="List Bullet")
                if c["more"]:
                    doc.add_paragraph(ngettext("{n} more comment in the workbook (XLSX).",
                                               "{n} more comments in the workbook (XLSX).", c["more"]).format(
                        n=c["more"]))
    else:
        doc.add_paragraph(_("No survey answers."))

    doc.add_heading("7. " + _("Documentation"), level=1)
    for photo in photos:
        with photo.image.open("rb") as fh:
            image = fh.read()
        width = 14.0 if photo.width >= photo.height else 9.0
        _docx_figure(doc, image, figure_caption(photo.number, photo.caption), width_cm=width)
    if not photos:
        doc.add_paragraph(_("No documentation photos."))

    doc.add_heading("8. " + _("Conclusions and recommendations"), level=1)
    report = data["report"]
    doc.add_heading(_("Conclusions"), level=2)
    _docx_text(doc, report.conclusions if report else "")
    doc.add_heading(_("Recommendations"), level=2)
    _docx_text(doc, report.recommendations if report else "")
    if data["certificates"]["valid"]:
        doc.add_paragraph(_("Certificates issued: {n}.").format(n=data["certificates"]["valid"]))

    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
