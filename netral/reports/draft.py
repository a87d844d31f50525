"""The draft of the conclusions and recommendations, written from the event's data.

Plain text, one numbered point per line, in the active language; the organiser edits it
before export. Points: attendance, learning gain and its band, significance and effect size,
weak topics, the discussion (unanswered questions), items that did not work, and the
survey's low points."""

from __future__ import annotations

from django.utils.translation import gettext as _, ngettext

from .selectors import WEAK_MASTERY, num, pct


def _numbered(points: list[str]) -> str:
    return "\n".join("{}. {}".format(n, p) for n, p in enumerate(points, start=1))


def draft_texts(data: dict) -> tuple[str, str]:
    """(conclusions, recommendations) for ``report_data(event)``."""
    event = data["event"]
    att = data["attendance"]
    disc = data["discussion"]
    ev = data["evaluation"]
    fig = ev["figures"]
    conclusions: list[str] = []
    recommendations: list[str] = []

    conclusions.append(_("The event “{title}” was attended by {present} of {registered} registered "
                         "participants ({share}).").format(
        title=event.title, present=att["present"], registered=att["registered"], share=att["share"]))

    if fig:
        conclusions.append(_(
            "Participants' knowledge rose from a mean pre-test score of {pre} to a mean post-test score of "
            "{post} ({n} participants took both tests). The normalized gain ⟨g⟩ is {gain}, in the {band} "
            "category.").format(pre=fig["pre_mean"], post=fig["post_mean"], n=fig["n_pairs"],
                                 gain=fig["gain"], band=fig["band"]))
        if fig["t_p_raw"] is not None:
            if fig["significant"]:
                conclusions.append(_("The increase is statistically significant (paired t-test, {p}) with an "
                                     "effect size dz = {dz}.").format(p=fig["t_p"], dz=fig["dz"]))
            else:
                conclusions.append(_("The change is not statistically significant (paired t-test, {p}).").format(
                    p=fig["t_p"]))
        if fig["band_code"] == "low":
            recommendations.append(_("The learning gain is low: use more interactive methods (case studies, "
                                     "simulations) and give more time to the material."))
    else:
        conclusions.append(_("No learning gain can be reported: no participant took both the pre-test and "
                             "the post-test."))

    weak = [t for t in ev["topics"] if t["weak"]]
    if weak:
        labels = ", ".join("{} ({})".format(t["label"], t["post_text"] if t["post"] is not None else t["pre_text"])
                           for t in weak)
        conclusions.append(_("Topics that remain weak (mastery below {limit}): {topics}.").format(
            limit=pct(WEAK_MASTERY), topics=labels))
        recommendations.append(_("Deepen these topics in the next event, with concrete cases from the "
                                 "participants' work: {topics}.").format(topics=", ".join(t["label"] for t in weak)))
    elif ev["topics"]:
        conclusions.append(_("Every topic reached a mastery of at least {limit} after the event.").format(
            limit=pct(WEAK_MASTERY)))

    if disc["questions"]:
        conclusions.append(ngettext(
            "{askers} participant asked {questions} questions; {answered} were answered ({share}).",
            "{askers} participants asked {questions} questions; {answered} were answered ({share}).",
            disc["askers"]).format(askers=disc["askers"], questions=disc["questions"], answered=disc["answered"],
                                   share=disc["answered_share_text"]))
        words = [w for w, _n in disc["words"][:5]]
        if words:
            conclusions.append(_("The discussion returned most often to: {words}.").format(words=", ".join(words)))
    else:
        conclusions.append(_("No questions were recorded in the discussion."))
    unanswered = disc["unanswered"]
    if unanswered:
        recommendations.append(ngettext(
            "Follow up the {n} question left unanswered, e.g. in writing to the participants: {questions}",
            "Follow up the {n} questions left unanswered, e.g. in writing to the participants: {questions}",
            len(unanswered)).format(n=len(unanswered),
                                    questions="; ".join("“{}”".format(q.text[:120]) for q in unanswered[:5])))

    if ev["flagged"]:
        keys = sorted({f["key"] for f in ev["flagged"]})
        recommendations.append(_("Review the test items that did not work ({keys}: too easy, too hard or "
                                 "with negative discrimination) before using them again.").format(keys=", ".join(keys)))

    survey = ev["survey"]
    if survey and survey.get("n_submitted"):
        conclusions.append(_("{n} participants answered the satisfaction survey; the mean score is {mean} "
                             "on a scale of 1 to 5.").format(n=survey["n_submitted"], mean=ev["survey_mean"]))
        rows = [q for q in ev["survey_rows"] if q["mean"] is not None]
        low = sorted(rows, key=lambda q: q["mean"])[:2]
        low = [q for q in low if q["mean"] < 4.0] or low[:1]
        if low:
            recommendations.append(_("Improve what the participants rated lowest: {items}.").format(
                items="; ".join("“{}” ({})".format(q["stem"], num(q["mean"], 2)) for q in low)))

    if not recommendations:
        recommendations.append(_("Hold similar events for other units, keeping the same format."))
    recommendations.append(_("Share the materials and this report with the participants' agencies so the "
                             "neutrality commitment is followed up at work."))
    return _numbered(conclusions), _numbered(recommendations)
