"""Reads for the report and the certificates.

``report_data(event)`` gathers everything the activity report shows (the HTML page, the PDF
and the DOCX render the same dict), from the events, discussion and evaluation apps."""

from __future__ import annotations

from collections import Counter

from django.db.models import Count, Q
from django.utils import formats
from django.utils.translation import gettext as _

from netral.events.models import Attendance, Event, Participant
from netral.events.selectors import attendance_summary, sessions_with_programme

from .models import Certificate, CertificateRole, CertificateSettings, Photo, Report, Signatory

WEAK_MASTERY = 0.7
SURVEY_LOW_MEAN = 4.0
#: Distinct comments per survey question in the report (all of them are in the workbook).
MAX_COMMENTS = 40


# --------------------------------------------------------------------------- formatting


def num(value, digits: int = 1) -> str:
    """A number in the active language (``60,2`` in Indonesian), ``—`` for None."""
    if value is None:
        return "—"
    return formats.number_format(round(float(value), digits), digits, use_l10n=True)


def pct(value, digits: int = 0) -> str:
    """A fraction as a percentage: 0.873 → ``87%``."""
    return "—" if value is None else "{}%".format(num(100.0 * float(value), digits))


def p_text(p) -> str:
    if p is None:
        return "—"
    if p < 0.001:
        return "p < {}".format(num(0.001, 3))
    return "p = {}".format(num(p, 3))


def band_label(band: str | None) -> str:
    return {"low": _("low"), "medium": _("medium"), "high": _("high")}.get(band or "", "—")


def flag_label(flag: str) -> str:
    return {
        "too_easy": _("Too easy"),
        "too_hard": _("Too hard"),
        "negative_discrimination": _("Negative discrimination"),
        "dubious": _("Dubious (low discriminative efficiency)"),
        "no_responses": _("No responses"),
    }.get(flag, flag)


# --------------------------------------------------------------------------- report


def _discussion(event) -> dict:
    from netral.discussion.models import DiscussionSettings  # noqa: PLC0415 -- leaf
    from netral.discussion.selectors import record  # noqa: PLC0415 -- leaf

    settings_row = DiscussionSettings.objects.filter(event=event).first()
    data = record(event, blocked=frozenset(settings_row.blocked) if settings_row else frozenset())
    data["answered_share_text"] = pct(data["answered_share"])
    return data


def _evaluation(event) -> dict:
    from netral.evaluation.selectors import event_evaluation  # noqa: PLC0415 -- leaf

    result = event_evaluation(event)
    gain = result.get("gain")
    figures = None
    if gain and gain.get("n_pairs"):
        t, w, e = gain.get("t_test") or {}, gain.get("wilcoxon") or {}, gain.get("effect_sizes") or {}
        figures = {
            "n_pairs": gain["n_pairs"],
            "pre_mean": num(gain["pre"]["mean"]), "post_mean": num(gain["post"]["mean"]),
            "pre_sd": num(gain["pre"]["sd"]), "post_sd": num(gain["post"]["sd"]),
            "pre_median": num(gain["pre"]["median"]), "post_median": num(gain["post"]["median"]),
            "gain": num(gain.get("class_average_gain"), 2),
            "gain_raw": gain.get("class_average_gain"),
            "band": band_label(gain.get("class_average_gain_band")),
            "band_code": gain.get("class_average_gain_band"),
            "mean_individual_gain": num(gain.get("mean_individual_gain"), 2),
            "t": num(t.get("statistic"), 2) if t else "—", "df": t.get("df") if t else None,
            "t_p": p_text(t.get("p_value")) if t else "—", "t_p_raw": t.get("p_value") if t else None,
            "w_p": p_text(w.get("p_value")) if w else "—",
            "dz": num(e.get("d_z"), 2) if e else "—", "dz_raw": e.get("d_z") if e else None,
            "dz_ci": "{} – {}".format(num(e.get("d_z_ci_low"), 2), num(e.get("d_z_ci_high"), 2))
            if e and e.get("d_z_ci_low") is not None else "—",
            "significant": bool(t and t.get("p_value") is not None and t["p_value"] < 0.05),
        }
    topics = [{**t, "pre_text": pct(t["pre"]), "post_text": pct(t["post"]),
               "gain_text": num(t["normalized_gain"], 2), "band_text": band_label(t["band"]),
               "weak": t["topic"] in (result.get("weak_topics") or [])}
              for t in result.get("topics") or []]
    flagged = []
    for kind, label in (("pre", _("Pre-test")), ("post", _("Post-test"))):
        for item in (result.get("flagged_items") or {}).get(kind, []):
            flagged.append({"test": label, "key": item["key"], "stem": item["stem"],
                            "flags": ", ".join(flag_label(f) for f in item["flags"]),
                            "facility": pct(item["facility"]),
                            "discrimination": num(item["discrimination_index"], 0)})
    survey = result.get("survey")
    survey_rows = []
    if survey:
        for q in survey["questions"]:
            survey_rows.append({**q, "mean_text": num(q["mean"], 2), "agree_text": pct(q["agree_share"]),
                                "low": q["mean"] is not None and q["mean"] < SURVEY_LOW_MEAN})
    comments = []
    for block in (survey or {}).get("comments") or []:
        counts = Counter(" ".join(t.split()) for t in block["texts"] if t.strip())
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].lower()))
        comments.append({"stem": block["stem"], "items": ranked[:MAX_COMMENTS],
                         "more": max(0, len(ranked) - MAX_COMMENTS), "total": sum(counts.values())})
    return {"result": result, "figures": figures, "topics": topics, "flagged": flagged,
            "survey": survey, "survey_rows": survey_rows, "comments": comments,
            "survey_mean": num(survey["overall_mean"], 2) if survey else "—",
            "tests": result.get("tests") or {}}


def _attendance(event) -> dict:
    summary = attendance_summary(event)
    registered, present = summary["registered"], summary["present"]
    methods = dict(Attendance.objects.filter(event=event).values_list("method").annotate(n=Count("id")))
    from netral.events.enums import CheckinMethod  # noqa: PLC0415 -- leaf

    summary["share"] = pct(present / registered) if registered else "—"
    summary["methods"] = [(str(label), methods[value]) for value, label in CheckinMethod.choices
                          if methods.get(value)]
    return summary


def report_data(event: Event, *, report: Report | None = None) -> dict:
    """Everything the activity report shows."""
    sessions = list(sessions_with_programme(event))
    speakers = []
    for s in sessions:
        for sp in s.speakers.all():
            if sp not in speakers:
                speakers.append(sp)
    report = report or Report.objects.filter(event=event).first()
    return {
        "event": event,
        "sessions": sessions,
        "speakers": speakers,
        "attendance": _attendance(event),
        "discussion": _discussion(event),
        "evaluation": _evaluation(event),
        "photos": list(Photo.objects.filter(event=event).order_by("order", "id")),
        "report": report,
        "certificates": certificate_counts(event),
    }


# --------------------------------------------------------------------------- certificates


def certificate_settings(event) -> CertificateSettings:
    """The event's settings, or unsaved defaults (reads never write)."""
    return CertificateSettings.objects.filter(event=event).first() or CertificateSettings(event=event)


def signatories(event) -> list[Signatory]:
    return list(Signatory.objects.filter(event=event).order_by("order", "id"))


def eligible_participants(event, settings_row: CertificateSettings | None = None):
    """Participants who meet every rule the organiser chose."""
    from netral.evaluation.selectors import completed_participant_ids  # noqa: PLC0415 -- leaf

    rules = settings_row or certificate_settings(event)
    qs = Participant.objects.filter(event=event)
    if rules.require_present:
        qs = qs.filter(attendance__isnull=False)
    if rules.require_post_test:
        qs = qs.filter(pk__in=completed_participant_ids(event, "post"))
    if rules.require_survey:
        qs = qs.filter(pk__in=completed_participant_ids(event, "survey"))
    return qs.order_by("name", "id")


def certificates_for_event(event):
    return (Certificate.objects.filter(event=event)
            .select_related("participant", "speaker").order_by("seq"))


def certificate_counts(event) -> dict:
    counts = Certificate.objects.filter(event=event).aggregate(
        total=Count("id"), valid=Count("id", filter=Q(revoked_at__isnull=True)),
        participants=Count("id", filter=Q(revoked_at__isnull=True, role=CertificateRole.PARTICIPANT)),
        speakers=Count("id", filter=Q(revoked_at__isnull=True, role=CertificateRole.SPEAKER)),
        organisers=Count("id", filter=Q(revoked_at__isnull=True, role=CertificateRole.ORGANISER)))
    counts["revoked"] = counts["total"] - counts["valid"]
    return counts


def certificate_for_participant(participant) -> Certificate | None:
    """The participant's valid certificate, if one was issued."""
    return (Certificate.objects.filter(participant=participant, revoked_at__isnull=True)
            .select_related("event").order_by("-seq").first())


def certificate_by_code(code: str) -> Certificate | None:
    return Certificate.objects.filter(code=code).select_related("event").first()
