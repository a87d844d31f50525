"""Deadlines per state, configurable, with sourced defaults (shared/domain/regulations.md).

Order of precedence: a ``StateDeadline`` row (admin) → ``settings.NETRAL_COMPLAINTS_DEADLINES``
(``{"received": 7, ...}``, optional) → ``DEFAULTS`` below.

- Verification within 7 days, counted from receipt (received and under verification):
  the Satgas Netralitas verifies SBT reports in at most 7 days (§5.4, kabarnusa24, Oct 2024).
- Forwarded: 10 days for the PPK's follow-up, the window Kemendagri's staff gave in 2020
  (§5.1, PPK row).
- Bawaslu's filing window is separate: a report must reach Bawaslu within 7 days of learning
  of the violation (Perbawaslu 9/2024 amending Perbawaslu 8/2020, Pasal 9(4), as reported;
  §5.3). It is counted from the date of the event and shown on every open case.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .enums import ComplaintState as S

BAWASLU_FILING_DAYS = 7
RECEIVED, ENTERED = "received", "entered"


@dataclass(frozen=True)
class Rule:
    days: int | None
    anchor: str
    basis: str


DEFAULTS: dict[str, Rule] = {
    S.RECEIVED: Rule(7, RECEIVED, _("Verification within 7 days of receipt (the neutrality task force "
                                    "verifies SBT reports in at most 7 days).")),
    S.VERIFYING: Rule(7, RECEIVED, _("Verification within 7 days of receipt (the neutrality task force "
                                     "verifies SBT reports in at most 7 days).")),
    S.FORWARDED: Rule(10, ENTERED, _("Follow-up by the PPK: Kemendagri gave a 10-day window in 2020.")),
}


def rule_for(state: str) -> Rule | None:
    from .models import StateDeadline  # noqa: PLC0415 -- circular import

    row = StateDeadline.objects.filter(state=state).first()
    if row is not None:
        return Rule(row.days, row.anchor, row.basis) if row.days is not None else None
    configured = getattr(settings, "NETRAL_COMPLAINTS_DEADLINES", {}) or {}
    if state in configured:
        days = configured[state]
        default = DEFAULTS.get(state)
        return Rule(int(days), default.anchor if default else ENTERED, default.basis if default else "") \
            if days is not None else None
    return DEFAULTS.get(state)


def all_rules() -> list[tuple[str, Rule | None]]:
    return [(state, rule_for(state)) for state in S.values]


def deadline_for(*, state: str, received_at: datetime, entered_at: datetime) -> datetime | None:
    rule = rule_for(state)
    if rule is None or rule.days is None:
        return None
    start = received_at if rule.anchor == RECEIVED else entered_at
    return start + timedelta(days=rule.days)


def bawaslu_window_end(occurred_on: date) -> datetime:
    """End of the last day on which Bawaslu still registers a report of this event."""
    last_day = occurred_on + timedelta(days=BAWASLU_FILING_DAYS)
    return timezone.make_aware(datetime.combine(last_day, time(23, 59, 59)))
