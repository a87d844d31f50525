"""Readable labels for the codes the statistics module returns (bands, item flags)."""

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

BANDS = {"low": _("low"), "medium": _("medium"), "high": _("high")}
FLAGS = {
    "too_easy": _("too easy"),
    "too_hard": _("too hard"),
    "negative_discrimination": _("negative discrimination"),
    "dubious": _("weak discrimination"),
    "no_responses": _("no answers"),
}


@register.filter
def band_label(value):
    return BANDS.get(value, value or "")


@register.filter
def flag_labels(values):
    return ", ".join(str(FLAGS.get(v, v)) for v in values or [])
