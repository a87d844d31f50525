import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from netral.core.models import TimeStampedModel

from .enums import (
    PUBLIC_STATUSES,
    CheckinMethod,
    EventStatus,
    Gender,
    MaterialKind,
    ParticipantKind,
    ParticipantSource,
)

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: typed from a projector


def new_event_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))


def new_token() -> str:
    return secrets.token_urlsafe(12)


class Event(TimeStampedModel):
    """One socialization programme (kegiatan) on one day at one venue."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_events",
        verbose_name=_("owner"),
    )
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="team_events",
        verbose_name=_("co-organisers"),
    )
    code = models.CharField(_("event code"), max_length=8, unique=True, default=new_event_code)
    title = models.CharField(_("title"), max_length=250)
    theme = models.CharField(_("theme"), max_length=250, blank=True)
    description = models.TextField(_("description"), blank=True)
    methods = models.JSONField(_("method"), default=list, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    venue_name = models.CharField(_("venue"), max_length=200)
    venue_address = models.TextField(_("venue address"), blank=True)
    organiser_name = models.CharField(_("organising institution"), max_length=250)
    partner_name = models.CharField(_("partner institution"), max_length=250, blank=True)
    audience = models.CharField(_("audience"), max_length=250, blank=True)
    expected_participants = models.PositiveIntegerField(_("expected participants"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=EventStatus.choices, default=EventStatus.DRAFT
    )
    allow_self_registration = models.BooleanField(
        _("participants may register themselves"), default=True,
        help_text=_("Otherwise only participants on the imported list can join."),
    )
    checkin_secret = models.CharField(max_length=32, default=new_token, editable=False)

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("events:public", kwargs={"code": self.code})

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES

    @property
    def method_labels(self) -> list[str]:
        from .enums import Method  # noqa: PLC0415 -- leaf

        labels = dict(Method.choices)
        return [str(labels.get(m, m)) for m in self.methods]


class Speaker(TimeStampedModel):
    """A speaker (narasumber) of an event, with academic titles."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="speakers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="speaker_profiles", verbose_name=_("account"),
    )
    name = models.CharField(_("name"), max_length=200)
    title_prefix = models.CharField(_("title before name"), max_length=50, blank=True, help_text=_("e.g. Dr."))
    title_suffix = models.CharField(_("title after name"), max_length=80, blank=True, help_text=_("e.g. M.Si., MPA"))
    institution = models.CharField(_("institution"), max_length=200, blank=True)
    bio = models.TextField(_("short biography"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        name = f"{self.title_prefix} {self.name}".strip()
        return f"{name}, {self.title_suffix}" if self.title_suffix else name


class Session(TimeStampedModel):
    """One talk (materi) of the programme."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sessions")
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    starts_at = models.DateTimeField(_("starts at"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=250)
    summary = models.TextField(_("summary"), blank=True)
    speakers = models.ManyToManyField(Speaker, blank=True, related_name="sessions", verbose_name=_("speakers"))

    class Meta:
        ordering = ["event", "order", "starts_at", "id"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self):
        return self.title


def material_upload_to(instance, filename):
    return "materials/{}/{}.{}".format(instance.session.event_id, uuid.uuid4().hex, instance.extension)


class Material(TimeStampedModel):
    """A file attached to a session. Its type is checked by content at upload."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="materials")
    title = models.CharField(_("title"), max_length=250)
    file = models.FileField(_("file"), upload_to=material_upload_to, max_length=300)
    kind = models.CharField(_("type"), max_length=10, choices=MaterialKind.choices)
    extension = models.CharField(max_length=8)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    original_name = models.CharField(max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["session", "created_at", "id"]
        verbose_name = _("material")
        verbose_name_plural = _("materials")

    def __str__(self):
        return self.title

    @property
    def download_name(self) -> str:
        from django.utils.text import slugify  # noqa: PLC0415 -- thin method

        return "{}.{}".format(slugify(self.title)[:80] or "materi", self.extension)


class Participant(TimeStampedModel):
    """An attendee registered for one event: ASN by NIP / NI PPPK, or non-ASN by name.

    Identity is per event: the organiser owns the list of their event, and a NIP appears
    at most once in it.
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participants")
    kind = models.CharField(_("participant type"), max_length=8, choices=ParticipantKind.choices)
    nip = models.CharField(_("NIP / NI PPPK"), max_length=18, blank=True)
    name = models.CharField(_("name"), max_length=200)
    agency = models.CharField(_("agency"), max_length=200, blank=True)
    unit = models.CharField(_("work unit"), max_length=200, blank=True)
    position = models.CharField(_("position"), max_length=200, blank=True)
    rank = models.CharField(_("rank / grade"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    token = models.CharField(max_length=24, unique=True, default=new_token, editable=False)
    source = models.CharField(max_length=8, choices=ParticipantSource.choices, default=ParticipantSource.MANUAL)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "nip"], condition=~Q(nip=""), name="participant_unique_nip_per_event"
            ),
        ]
        indexes = [models.Index(fields=["event", "name"])]

    def __str__(self):
        return self.name

    @property
    def identifier(self) -> str:
        return self.nip or self.agency


class Attendance(models.Model):
    """The check-in of one participant (daftar hadir). A repeated check-in is one row."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="attendances")
    participant = models.OneToOneField(Participant, on_delete=models.CASCADE, related_name="attendance")
    checked_in_at = models.DateTimeField(_("checked in at"))
    method = models.CharField(_("method"), max_length=16, choices=CheckinMethod.choices)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-checked_in_at"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        indexes = [models.Index(fields=["event", "checked_in_at"])]

    def __str__(self):
        return f"{self.participant} @ {self.checked_in_at:%H:%M}"


class ImportBatch(models.Model):
    """An uploaded participant spreadsheet, parsed and waiting for the organiser's decision.

    Nothing is written to the participant list until the organiser confirms; the valid
    rows and the per-row errors are kept here so the report can be shown again."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        IMPORTED = "imported", _("Imported")
        DISCARDED = "discarded", _("Discarded")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="import_batches")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    filename = models.CharField(max_length=255)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    total_rows = models.PositiveIntegerField(default=0)
    valid_rows = models.JSONField(default=list)
    errors = models.JSONField(default=list)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("participant import")
        verbose_name_plural = _("participant imports")

    def __str__(self):
        return self.filename
