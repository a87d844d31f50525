"""States of a complaint, the transition table, forwarding channels and history kinds.

The workflow follows the reporting procedure in shared/domain/regulations.md §5.4:
intake → verification → determination/recommendation by the competent authority →
follow-up (sanction) by the PPK. Netral's task force verifies and *forwards*; the
authority decides, and the verifier records its decision.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _, pgettext_lazy


class ComplaintState(models.TextChoices):
    RECEIVED = "received", pgettext_lazy("complaint state", "Received")
    VERIFYING = "verifying", pgettext_lazy("complaint state", "Under verification")
    FORWARDED = "forwarded", pgettext_lazy("complaint state", "Forwarded")
    PROVEN = "proven", pgettext_lazy("complaint state", "Proven")
    NOT_PROVEN = "not_proven", pgettext_lazy("complaint state", "Not proven")
    SANCTIONED = "sanctioned", pgettext_lazy("complaint state", "Sanction recorded")
    CLOSED = "closed", pgettext_lazy("complaint state", "Closed")
    REJECTED = "rejected", pgettext_lazy("complaint state", "Rejected: incomplete")
    WITHDRAWN = "withdrawn", pgettext_lazy("complaint state", "Withdrawn")


S = ComplaintState

#: Every allowed move. Anything not listed is refused by ``set_complaint_state``.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.RECEIVED: frozenset({S.VERIFYING, S.REJECTED, S.WITHDRAWN}),
    S.VERIFYING: frozenset({S.FORWARDED, S.REJECTED, S.WITHDRAWN}),
    S.FORWARDED: frozenset({S.PROVEN, S.NOT_PROVEN, S.WITHDRAWN}),
    S.PROVEN: frozenset({S.SANCTIONED, S.WITHDRAWN}),
    S.NOT_PROVEN: frozenset({S.CLOSED}),
    S.SANCTIONED: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
    S.REJECTED: frozenset(),
    S.WITHDRAWN: frozenset(),
}

TERMINAL_STATES = frozenset(s for s, targets in TRANSITIONS.items() if not targets)
OPEN_STATES = frozenset(s for s in ComplaintState.values if s not in TERMINAL_STATES)
#: States in which the reporter may be asked for more information and may answer.
QUESTION_STATES = frozenset({S.RECEIVED, S.VERIFYING, S.FORWARDED, S.PROVEN})
#: Moves that need a note that the reporter sees on the tracking page.
PUBLIC_REASON_REQUIRED = frozenset({S.REJECTED, S.WITHDRAWN})


class Channel(models.TextChoices):
    """The competent authority a case is forwarded to (regulations.md §5.1, §5.3)."""

    PPK = "ppk", _("The agency's PPK (Pejabat Pembina Kepegawaian)")
    BKN = "bkn", _("BKN (neutrality supervision; SBT application)")
    BAWASLU = "bawaslu", _("Bawaslu (election supervisory body)")
    LAPOR = "lapor", _("SP4N-LAPOR! (KemenPANRB)")


class EventKind(models.TextChoices):
    CREATED = "created", _("Report received")
    TRANSITION = "transition", _("Status changed")
    ASSIGNED = "assigned", _("Assigned")
    NOTE = "note", _("Note")
    QUESTION = "question", _("Question to the reporter")
    ANSWER = "answer", _("Answer from the reporter")
    REFERENCE = "reference", _("External reference recorded")
    IDENTITY_VIEWED = "identity_viewed", _("Reporter identity viewed")
    EVIDENCE_VIEWED = "evidence_viewed", _("Evidence opened")
    EXPORTED = "exported", _("Letter or export produced")


class EvidenceKind(models.TextChoices):
    IMAGE = "image", _("Photo")
    PDF = "pdf", _("PDF document")
    VIDEO = "video", _("Video")
