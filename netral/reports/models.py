"""The organiser's parts of the activity report, and the certificates.

Everything else in the report (identity, talks, attendance, discussion, evaluation) is read
from the other apps when the report is rendered, so it is never out of date."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from netral.core.models import TimeStampedModel
from netral.events.models import Event, Participant, Speaker

from .codes import DEFAULT_NUMBER_FORMAT, display_code, mask_nip, new_code


def photo_upload_to(instance, filename):
    return "reports/{}/photos/{}.jpg".format(instance.event_id, uuid.uuid4().hex)


def logo_upload_to(instance, filename):
    return "reports/{}/logo/{}.png".format(instance.event_id, uuid.uuid4().hex)


def signature_upload_to(instance, filename):
    return "reports/{}/signatures/{}.png".format(instance.event_id, uuid.uuid4().hex)


class Report(TimeStampedModel):
    """Conclusions and recommendations of an event's activity report (laporan kegiatan).

    Drafted from the data; once the organiser saves their own text (``edited``), a new
    draft replaces it only when they ask for it."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="report")
    conclusions = models.TextField(_("conclusions"), blank=True)
    recommendations = models.TextField(_("recommendations"), blank=True)
    edited = models.BooleanField(_("edited by the organiser"), default=False)
    drafted_at = models.DateTimeField(_("draft generated at"), null=True, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = _("activity report")
        verbose_name_plural = _("activity reports")

    def __str__(self):
        return str(self.event)


class Photo(TimeStampedModel):
    """A documentation photo (Gambar n). Stored re-encoded as JPEG without metadata; served
    only to the organisers of the event."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="report_photos")
    image = models.FileField(_("photo"), upload_to=photo_upload_to, max_length=300)
    caption = models.CharField(_("caption"), max_length=300)
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        ordering = ["event", "order", "id"]
        verbose_name = _("documentation photo")
        verbose_name_plural = _("documentation photos")

    def __str__(self):
        return self.caption


class CertificateSettings(TimeStampedModel):
    """Who gets a certificate and what it looks like, per event."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="certificate_settings")
    require_present = models.BooleanField(_("participant was present"), default=True)
    require_post_test = models.BooleanField(_("participant submitted the post-test"), default=False)
    require_survey = models.BooleanField(_("participant submitted the satisfaction survey"), default=False)
    include_speakers = models.BooleanField(_("certificates for speakers"), default=True)
    include_organisers = models.BooleanField(_("certificates for the organisers"), default=False)
    title = models.CharField(_("title"), max_length=80, blank=True,
                             help_text=_("Empty: “Certificate” in the certificate's language."))
    wording = models.TextField(
        _("wording"), blank=True,
        help_text=_("The sentence after the role; it may use {title}, {organiser}, {partner}, {date} and "
                    "{venue}. Empty: the standard sentence naming the event, the organiser, the date and the venue."))
    number_format = models.CharField(
        _("number format"), max_length=120, default=DEFAULT_NUMBER_FORMAT,
        help_text=_("Fields: {seq:03d} running number, {code} event code, {month} month in Roman numerals, "
                    "{year} year, {role} role letter."))
    place = models.CharField(_("place of signing"), max_length=100, blank=True,
                             help_text=_("e.g. Brebes; empty: no place before the date."))
    logo = models.FileField(_("logo"), upload_to=logo_upload_to, max_length=300, blank=True)
    mask_nip_on_pdf = models.BooleanField(_("mask the NIP on the certificate"), default=False)

    class Meta:
        verbose_name = _("certificate settings")
        verbose_name_plural = _("certificate settings")

    def __str__(self):
        return str(self.event)


class Signatory(models.Model):
    """Who signs the certificates (up to three, left to right)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="certificate_signatories")
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    name = models.CharField(_("name"), max_length=200)
    position = models.CharField(_("position"), max_length=200)
    nip = models.CharField(_("NIP (optional)"), max_length=30, blank=True)
    signature = models.FileField(_("signature image (optional)"), upload_to=signature_upload_to,
                                 max_length=300, blank=True)

    class Meta:
        ordering = ["event", "order", "id"]
        verbose_name = _("signatory")
        verbose_name_plural = _("signatories")

    def __str__(self):
        return self.name


class CertificateRole(models.TextChoices):
    PARTICIPANT = "participant", _("Participant")
    SPEAKER = "speaker", _("Speaker")
    ORGANISER = "organiser", _("Organising committee")


ROLE_LETTERS = {CertificateRole.PARTICIPANT: "P", CertificateRole.SPEAKER: "N", CertificateRole.ORGANISER: "K"}


class Certificate(TimeStampedModel):
    """An issued certificate. Name, NIP and agency are copied at issue time: the paper and
    the verification page keep saying what was issued. A revoked certificate stays (with its
    number) and verifies as revoked."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="certificates")
    role = models.CharField(_("role"), max_length=12, choices=CertificateRole.choices)
    participant = models.ForeignKey(Participant, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="certificates")
    speaker = models.ForeignKey(Speaker, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="certificates")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="certificates")
    name = models.CharField(_("name"), max_length=250)
    nip = models.CharField(_("NIP / NI PPPK"), max_length=30, blank=True)
    agency = models.CharField(_("agency"), max_length=250, blank=True)
    code = models.CharField(_("verification code"), max_length=12, unique=True, default=new_code, editable=False)
    seq = models.PositiveIntegerField(_("running number"))
    number = models.CharField(_("certificate number"), max_length=150)
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.TextField(_("reason for revocation"), blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["event", "seq"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [
            models.UniqueConstraint(fields=["event", "seq"], name="certificate_unique_seq_per_event"),
            models.UniqueConstraint(fields=["event", "number"], name="certificate_unique_number_per_event"),
            models.UniqueConstraint(fields=["event", "participant"],
                                    condition=Q(participant__isnull=False, revoked_at__isnull=True),
                                    name="certificate_one_valid_per_participant"),
            models.UniqueConstraint(fields=["event", "speaker"],
                                    condition=Q(speaker__isnull=False, revoked_at__isnull=True),
                                    name="certificate_one_valid_per_speaker"),
            models.UniqueConstraint(fields=["event", "user"],
                                    condition=Q(user__isnull=False, revoked_at__isnull=True),
                                    name="certificate_one_valid_per_organiser"),
        ]

    def __str__(self):
        return self.number

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None

    @property
    def display_code(self) -> str:
        return display_code(self.code)

    @property
    def masked_nip(self) -> str:
        return mask_nip(self.nip)

    @property
    def filename(self) -> str:
        from django.utils.text import slugify  # noqa: PLC0415 -- thin method

        return "sertifikat-{}-{}.pdf".format(self.seq, slugify(self.name)[:60] or "peserta")
