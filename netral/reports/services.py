"""Writes of the reports app: the report text, documentation photos, certificate settings,
issuing and revoking certificates. Every change is logged (``log_action``)."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from netral.core.audit import log_action
from netral.core.errors import NetralError
from netral.events.models import Event, Participant, Speaker

from . import selectors
from .codes import check_number_format, format_number, new_code, NumberFormatError
from .images import clean_image
from .models import (
    ROLE_LETTERS,
    Certificate,
    CertificateRole,
    CertificateSettings,
    Photo,
    Report,
    Signatory,
)

MAX_SIGNATORIES = 3
MAX_PHOTOS = 30


class ReportError(NetralError):
    pass


# --------------------------------------------------------------------------- report text


def _draft(event: Event, report: Report | None = None) -> tuple[str, str]:
    from .draft import draft_texts  # noqa: PLC0415 -- circular import

    return draft_texts(selectors.report_data(event, report=report))


def ensure_report(event: Event) -> Report:
    """The event's report; created with a draft on first use."""
    report = Report.objects.filter(event=event).first()
    if report is not None:
        return report
    conclusions, recommendations = _draft(event)
    try:
        with transaction.atomic():
            return Report.objects.create(event=event, conclusions=conclusions, recommendations=recommendations,
                                         drafted_at=timezone.now())
    except IntegrityError:  # created meanwhile by another request
        return Report.objects.get(event=event)


def save_report_text(report: Report, *, conclusions: str, recommendations: str, user) -> Report:
    report.conclusions = conclusions.strip()
    report.recommendations = recommendations.strip()
    report.edited = True
    report.updated_by = user if getattr(user, "is_authenticated", False) else None
    report.save()
    log_action(report.event, "netral.report.edited", user=user,
               data={"conclusions": len(report.conclusions), "recommendations": len(report.recommendations)})
    return report


def regenerate_draft(event: Event, *, force: bool = False, user=None) -> bool:
    """Write a new draft from the current data. An organiser's edit is kept unless ``force``.
    Returns whether the text was replaced."""
    report = ensure_report(event)
    if report.edited and not force:
        return False
    report.conclusions, report.recommendations = _draft(event, report)
    report.edited = False
    report.drafted_at = timezone.now()
    report.save()
    log_action(event, "netral.report.redrafted", user=user, data={"forced": force})
    return True


# --------------------------------------------------------------------------- photos


def add_photo(event: Event, *, upload, caption: str, user=None) -> Photo:
    if Photo.objects.filter(event=event).count() >= MAX_PHOTOS:
        raise ReportError(_("At most {n} photos per report.").format(n=MAX_PHOTOS), code="count", field="image")
    caption = (caption or "").strip()
    if not caption:
        raise ReportError(_("Write a caption for the photo."), code="caption", field="caption")
    clean = clean_image(upload, field="image")
    order = (Photo.objects.filter(event=event).aggregate(m=Max("order"))["m"] or 0) + 1
    photo = Photo(event=event, caption=caption[:300], order=order, width=clean.width, height=clean.height,
                  size=len(clean.data), sha256=clean.sha256,
                  uploaded_by=user if getattr(user, "is_authenticated", False) else None)
    photo.image.save("photo.jpg", ContentFile(clean.data), save=False)
    photo.save()
    log_action(photo, "netral.report.photo_added", user=user, data={"event": event.pk, "size": photo.size})
    return photo


def update_photo(photo: Photo, *, caption: str, order: int | None = None, user=None) -> Photo:
    caption = (caption or "").strip()
    if not caption:
        raise ReportError(_("Write a caption for the photo."), code="caption", field="caption")
    photo.caption = caption[:300]
    if order is not None:
        photo.order = max(1, int(order))
    photo.save(update_fields=["caption", "order", "updated_at"])
    log_action(photo, "netral.report.photo_changed", user=user)
    return photo


def delete_photo(photo: Photo, *, user=None) -> None:
    log_action(photo, "netral.report.photo_deleted", user=user, data={"event": photo.event_id})
    storage, name = photo.image.storage, photo.image.name
    photo.delete()
    transaction.on_commit(lambda: storage.delete(name))


# --------------------------------------------------------------------------- certificate settings


def save_certificate_settings(settings_row: CertificateSettings, *, user=None, logo=None,
                              remove_logo: bool = False) -> CertificateSettings:
    try:
        check_number_format(settings_row.number_format)
    except NumberFormatError:
        raise ReportError(_("The number format may only use {seq}, {code}, {month}, {year} and {role}, and "
                            "must contain {seq}."), code="number_format", field="number_format") from None
    old_logo = settings_row.logo.name if settings_row.pk and settings_row.logo else ""
    if logo is not None:
        clean = clean_image(logo, field="logo", keep_alpha=True)
        settings_row.logo.save("logo.png", ContentFile(clean.data), save=False)
    elif remove_logo:
        settings_row.logo = ""
    settings_row.save()
    if old_logo and old_logo != (settings_row.logo.name or ""):
        storage = settings_row.logo.storage
        transaction.on_commit(lambda: storage.delete(old_logo))
    log_action(settings_row.event, "netral.certificate.settings_changed", user=user, data={
        "require_present": settings_row.require_present, "require_post_test": settings_row.require_post_test,
        "require_survey": settings_row.require_survey, "number_format": settings_row.number_format})
    return settings_row


def save_signatory(signatory: Signatory, *, user=None, signature=None, remove_signature: bool = False) -> Signatory:
    if signatory.pk is None and Signatory.objects.filter(event=signatory.event).count() >= MAX_SIGNATORIES:
        raise ReportError(_("At most {n} signatories.").format(n=MAX_SIGNATORIES), code="count")
    if signature is not None:
        clean = clean_image(signature, field="signature", keep_alpha=True)
        signatory.signature.save("signature.png", ContentFile(clean.data), save=False)
    elif remove_signature:
        signatory.signature = ""
    signatory.save()
    log_action(signatory.event, "netral.certificate.signatory_saved", user=user, data={"signatory": signatory.pk})
    return signatory


def delete_signatory(signatory: Signatory, *, user=None) -> None:
    log_action(signatory.event, "netral.certificate.signatory_deleted", user=user, data={"signatory": signatory.pk})
    name = signatory.signature.name if signatory.signature else ""
    storage = signatory.signature.storage
    signatory.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))


# --------------------------------------------------------------------------- certificates


def _candidates(event: Event, rules: CertificateSettings) -> list[dict]:
    """Everyone entitled to a certificate, each once, in a stable order: participants by
    name, then speakers, then organisers."""
    people = [{"role": CertificateRole.PARTICIPANT, "participant": p, "name": p.name, "nip": p.nip,
               "agency": p.agency} for p in selectors.eligible_participants(event, rules)]
    if rules.include_speakers:
        for sp in event.speakers.order_by("name", "id"):
            people.append({"role": CertificateRole.SPEAKER, "speaker": sp, "name": sp.display_name, "nip": "",
                           "agency": sp.institution})
    if rules.include_organisers:
        users = [event.owner, *event.team.order_by("username")]
        seen = set()
        for u in users:
            if u.pk in seen:
                continue
            seen.add(u.pk)
            people.append({"role": CertificateRole.ORGANISER, "user": u,
                           "name": u.get_full_name() or u.username, "nip": "",
                           "agency": getattr(u, "institution", "") or event.organiser_name})
    return people


def _holder_key(entry: dict) -> tuple:
    for field in ("participant", "speaker", "user"):
        if entry.get(field) is not None:
            return field, entry[field].pk
    raise ValueError("no holder")


def _issue(event: Event, entries: list[dict], *, user, rules: CertificateSettings) -> list[Certificate]:
    when = timezone.localtime(event.starts_at)
    seq = Certificate.objects.filter(event=event).aggregate(m=Max("seq"))["m"] or 0
    used = set()
    created = []
    now = timezone.now()
    for entry in entries:
        seq += 1
        code = new_code()
        while code in used or Certificate.objects.filter(code=code).exists():
            code = new_code()
        used.add(code)
        number = format_number(rules.number_format, seq=seq, code=event.code, month=when.month, year=when.year,
                               role=ROLE_LETTERS[entry["role"]])
        created.append(Certificate(
            event=event, role=entry["role"], participant=entry.get("participant"), speaker=entry.get("speaker"),
            user=entry.get("user"), name=entry["name"][:250], nip=entry["nip"], agency=(entry["agency"] or "")[:250],
            code=code, seq=seq, number=number[:150], issued_at=now,
            issued_by=user if getattr(user, "is_authenticated", False) else None))
    Certificate.objects.bulk_create(created, batch_size=500)
    return created


def issue_certificates(event: Event, *, user=None) -> list[Certificate]:
    """Issue a certificate to everyone eligible who has none yet (idempotent: a second run
    issues nothing). A revoked holder is not issued a new one here (see
    :func:`reissue_certificate`)."""
    rules = selectors.certificate_settings(event)
    try:
        check_number_format(rules.number_format)
    except NumberFormatError:
        raise ReportError(_("The number format may only use {seq}, {code}, {month}, {year} and {role}, and "
                            "must contain {seq}."), code="number_format", field="number_format") from None
    with transaction.atomic():
        # One issuer at a time per event: running numbers must not collide.
        Event.objects.select_for_update().filter(pk=event.pk).first()
        existing = set()
        for p, s, u in Certificate.objects.filter(event=event).values_list("participant_id", "speaker_id", "user_id"):
            if p:
                existing.add(("participant", p))
            if s:
                existing.add(("speaker", s))
            if u:
                existing.add(("user", u))
        todo = [e for e in _candidates(event, rules) if _holder_key(e) not in existing]
        created = _issue(event, todo, user=user, rules=rules) if todo else []
        if created:
            log_action(event, "netral.certificate.issued", user=user,
                       data={"count": len(created), "first": created[0].seq, "last": created[-1].seq})
    return created


def revoke_certificate(certificate: Certificate, *, reason: str, user=None) -> Certificate:
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise ReportError(_("Give the reason for the revocation (at least 5 characters)."), code="reason",
                          field="reason")
    if certificate.revoked_at is not None:
        raise ReportError(_("This certificate is already revoked."), code="already_revoked")
    certificate.revoked_at = timezone.now()
    certificate.revoked_reason = reason[:1000]
    certificate.revoked_by = user if getattr(user, "is_authenticated", False) else None
    certificate.save(update_fields=["revoked_at", "revoked_reason", "revoked_by", "updated_at"])
    log_action(certificate, "netral.certificate.revoked", user=user,
               data={"number": certificate.number, "reason": certificate.revoked_reason})
    return certificate


def reissue_certificate(certificate: Certificate, *, user=None) -> Certificate:
    """A new certificate (new number and code, current name) for the holder of a revoked one,
    e.g. after a misspelt name was corrected."""
    if certificate.revoked_at is None:
        raise ReportError(_("Revoke the certificate first, with the reason, then issue a new one."),
                          code="not_revoked")
    event = certificate.event
    rules = selectors.certificate_settings(event)
    # Fresh rows: the holder's name may have been corrected since the certificate was issued.
    if certificate.participant_id:
        p = Participant.objects.get(pk=certificate.participant_id)
        entry = {"role": certificate.role, "participant": p, "name": p.name, "nip": p.nip, "agency": p.agency}
    elif certificate.speaker_id:
        sp = Speaker.objects.get(pk=certificate.speaker_id)
        entry = {"role": certificate.role, "speaker": sp, "name": sp.display_name, "nip": "",
                 "agency": sp.institution}
    elif certificate.user_id:
        u = type(certificate.user).objects.get(pk=certificate.user_id)
        entry = {"role": certificate.role, "user": u, "name": u.get_full_name() or u.username, "nip": "",
                 "agency": certificate.agency}
    else:
        raise ReportError(_("The holder of this certificate no longer exists."), code="no_holder")
    with transaction.atomic():
        Event.objects.select_for_update().filter(pk=event.pk).first()
        try:
            with transaction.atomic():
                new = _issue(event, [entry], user=user, rules=rules)[0]
        except IntegrityError:
            raise ReportError(_("This person already has a valid certificate."), code="exists") from None
        log_action(new, "netral.certificate.reissued", user=user, data={"replaces": certificate.number})
    return new
