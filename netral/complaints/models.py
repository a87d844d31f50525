"""Complaints (pengaduan): the report, its evidence, its append-only history and the
configurable deadlines. Nothing here is ever deleted; a case ends *withdrawn* with a reason."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import tracking
from .enums import Channel, ComplaintState, EventKind, EvidenceKind, TERMINAL_STATES
from .evidence import evidence_storage, evidence_upload_to


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete a history row, a complaint or evidence."""


class NoDeleteQuerySet(models.QuerySet):
    def delete(self):
        raise AppendOnlyError("Complaint records are never deleted; withdraw the case with a reason instead.")


class AppendOnlyQuerySet(NoDeleteQuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Complaint history is append-only.")

    def bulk_update(self, *args, **kwargs):
        raise AppendOnlyError("Complaint history is append-only.")


class Complaint(models.Model):
    """A report of a suspected neutrality violation (laporan pelanggaran).

    The reporter's name and contact are stored only encrypted (``crypto.py``); the
    tracking code is the reporter's only credential and is never shown to staff pages.
    """

    tracking_code = models.CharField(max_length=10, unique=True, default=tracking.new_code, editable=False)
    state = models.CharField(_("status"), max_length=12, choices=ComplaintState.choices,
                             default=ComplaintState.RECEIVED)
    created_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    # "YYYY-MM" in Jakarta time: the dashboard's time series groups on it (no per-row date function).
    received_month = models.CharField(max_length=7, editable=False, default="")
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    state_changed_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=8, default="web", editable=False)

    # Who is reported (terlapor)
    subject_name = models.CharField(_("name of the reported person"), max_length=200)
    subject_agency = models.CharField(_("agency"), max_length=200)
    subject_position = models.CharField(_("position"), max_length=200, blank=True)
    subject_nip = models.CharField(_("NIP / NI PPPK"), max_length=18, blank=True)
    subject_key = models.CharField(max_length=300, blank=True, editable=False)
    agency_key = models.CharField(max_length=200, blank=True, editable=False)

    # What, when, where
    category = models.ForeignKey("knowledge.Behaviour", to_field="code", db_column="category_code",
                                 on_delete=models.PROTECT, related_name="complaints", verbose_name=_("category"))
    description = models.TextField(_("what happened"))
    occurred_on = models.DateField(_("date of the event"))
    region_code = models.CharField(_("region code (Kemendagri)"), max_length=13)
    province_code = models.CharField(max_length=2, editable=False)
    regency_code = models.CharField(max_length=5, editable=False)
    links = models.JSONField(_("links"), default=list, blank=True)

    # Reporter (pelapor): encrypted
    anonymous = models.BooleanField(_("anonymous"), default=True)
    reporter_name_enc = models.TextField(blank=True, editable=False)
    reporter_contact_enc = models.TextField(blank=True, editable=False)

    # Handling
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="assigned_complaints", verbose_name=_("verifier"))
    awaiting_reply = models.BooleanField(default=False)
    channel = models.CharField(_("forwarded to"), max_length=10, choices=Channel.choices, blank=True)
    recipient = models.CharField(_("recipient"), max_length=250, blank=True)
    forwarded_at = models.DateTimeField(null=True, blank=True)
    external_reference = models.CharField(_("external reference number"), max_length=120, blank=True)
    sanction = models.ForeignKey("knowledge.Sanction", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="complaints", verbose_name=_("sanction"))
    sanction_reference = models.CharField(_("sanction decision number"), max_length=120, blank=True)
    deadline_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    resolution_seconds = models.PositiveIntegerField(null=True, blank=True)

    objects = NoDeleteQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        indexes = [
            models.Index(fields=["state", "deadline_at"], name="complaint_state_deadline"),
            models.Index(fields=["regency_code", "occurred_on"], name="complaint_regency"),
            models.Index(fields=["agency_key", "occurred_on"], name="complaint_agency"),
            models.Index(fields=["subject_key"], name="complaint_subject"),
            models.Index(fields=["subject_nip"], name="complaint_nip"),
            models.Index(fields=["category", "state"], name="complaint_category"),
            models.Index(fields=["state", "resolution_seconds"], name="complaint_resolution"),
            models.Index(fields=["received_month"], name="complaint_month"),
        ]

    def __str__(self):
        return self.number

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Complaints are never deleted; withdraw the case with a reason instead.")

    @property
    def number(self) -> str:
        """The case number staff use (the tracking code stays the reporter's secret)."""
        return "PGD-{}-{:05d}".format(timezone.localtime(self.created_at).year, self.pk or 0)

    @property
    def tracking_display(self) -> str:
        return tracking.display(self.tracking_code)

    @property
    def is_open(self) -> bool:
        return self.state not in TERMINAL_STATES

    @property
    def overdue(self) -> bool:
        return bool(self.is_open and self.deadline_at and self.deadline_at < timezone.now())

    @property
    def region_path(self) -> str:
        from .regions import path  # noqa: PLC0415 -- thin method

        return path(self.region_code)


class Evidence(models.Model):
    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField(storage=evidence_storage, upload_to=evidence_upload_to, max_length=200)
    kind = models.CharField(max_length=8, choices=EvidenceKind.choices)
    extension = models.CharField(max_length=8)
    content_type = models.CharField(max_length=60)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    original_name = models.CharField(max_length=120)
    metadata_removed = models.BooleanField(default=False)
    from_answer = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    objects = NoDeleteQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self):
        return self.original_name

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Evidence is never deleted.")


class ComplaintEvent(models.Model):
    """One line of a case's history: who, when, from, to, note, and whether the reporter sees it."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="events")
    created_at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor_name = models.CharField(max_length=150, blank=True)  # kept if the account is later removed
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    from_state = models.CharField(max_length=12, choices=ComplaintState.choices, blank=True)
    to_state = models.CharField(max_length=12, choices=ComplaintState.choices, blank=True)
    note = models.TextField(blank=True)
    public = models.BooleanField(default=False)
    data = models.JSONField(default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["complaint", "created_at"], name="complaint_event_time")]
        verbose_name = _("history entry")
        verbose_name_plural = _("history")

    def __str__(self):
        return f"{self.complaint_id} {self.kind} {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Complaint history is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Complaint history is append-only.")


class StateDeadline(models.Model):
    """A deadline for a state, overriding the shipped default (``deadlines.DEFAULTS``)."""

    class Anchor(models.TextChoices):
        RECEIVED = "received", _("from the day the report was received")
        ENTERED = "entered", _("from the day the case entered this status")

    state = models.CharField(_("status"), max_length=12, choices=ComplaintState.choices, unique=True)
    days = models.PositiveSmallIntegerField(_("days"), null=True, blank=True,
                                            help_text=_("Empty: no deadline in this status."))
    anchor = models.CharField(_("counted"), max_length=10, choices=Anchor.choices, default=Anchor.ENTERED)
    basis = models.CharField(_("basis"), max_length=300, blank=True)

    class Meta:
        ordering = ["state"]
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")

    def __str__(self):
        return f"{self.state}: {self.days}"
