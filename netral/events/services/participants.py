"""Participant identity: NIP / NI PPPK validated by structure, non-ASN by name + institution."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from netral.accounts import nip as nip_parser

from ..enums import ParticipantKind, ParticipantSource
from ..models import Event, Participant

IDENTITY_FIELDS = ("kind", "nip", "name", "agency", "unit", "position", "rank", "phone", "email")
_MAX_LENGTHS = {"name": 200, "agency": 200, "unit": 200, "position": 200, "rank": 100, "phone": 30, "email": 254}


@dataclass
class CleanIdentity:
    kind: str
    nip: str
    name: str
    agency: str
    unit: str
    position: str
    rank: str
    phone: str
    email: str
    gender: str
    birth_date: object

    def as_fields(self) -> dict:
        return dict(self.__dict__)


def clean_identity(data: dict, *, today=None) -> CleanIdentity:
    """Validate one participant's fields. Raises ValidationError({field: [message]}) with
    every problem found, each message in the active language (NIP reasons in Indonesian)."""
    today = today or timezone.localdate()
    values = {k: ("" if data.get(k) is None else str(data.get(k)).strip()) for k in IDENTITY_FIELDS}
    errors: dict[str, list[str]] = {}
    kind = values["kind"].lower()
    raw_nip = values["nip"]
    if not kind:
        kind = ParticipantKind.PNS if raw_nip else ParticipantKind.OTHER
    if kind not in ParticipantKind.values:
        errors["kind"] = [_("Unknown participant type “{value}”: use PNS, PPPK or Non-ASN.").format(value=values["kind"])]
    parsed = None
    if kind in (ParticipantKind.PNS, ParticipantKind.PPPK):
        if not raw_nip:
            errors["nip"] = [_("NIP is required for ASN participants.")]
        else:
            try:
                # A PNS NIP whose digits 13-14 are no month is read as an NI PPPK.
                if kind == ParticipantKind.PNS:
                    parsed = nip_parser.parse_any(raw_nip, today=today)
                else:
                    parsed = nip_parser.parse_ni_pppk(raw_nip, today=today)
                kind = parsed.kind
            except nip_parser.NIPError as exc:
                errors["nip"] = [exc.message]
    elif raw_nip:
        errors["nip"] = [_("A non-ASN participant has no NIP; choose PNS or PPPK, or leave NIP empty.")]
    if not values["name"]:
        errors["name"] = [_("Name is required.")]
    if kind == ParticipantKind.OTHER and not values["agency"]:
        errors["agency"] = [_("Institution is required for non-ASN participants.")]
    for field, limit in _MAX_LENGTHS.items():
        if len(values[field]) > limit:
            errors.setdefault(field, []).append(
                _("At most {limit} characters (now {count}).").format(limit=limit, count=len(values[field]))
            )
    if values["email"]:
        try:
            validate_email(values["email"])
        except ValidationError:
            errors["email"] = [_("“{value}” is not a valid email address.").format(value=values["email"])]
    if errors:
        raise ValidationError(errors)
    return CleanIdentity(
        kind=kind,
        nip=parsed.nip if parsed else "",
        name=values["name"],
        agency=values["agency"],
        unit=values["unit"],
        position=values["position"],
        rank=values["rank"],
        phone=values["phone"],
        email=values["email"].lower(),
        gender=parsed.gender if parsed else "",
        birth_date=parsed.birth_date if parsed else None,
    )


def find_participant(event: Event, identity: CleanIdentity) -> Participant | None:
    """The existing registration for this identity: by NIP, else by name + institution."""
    qs = Participant.objects.filter(event=event)
    if identity.nip:
        return qs.filter(nip=identity.nip).first()
    return qs.filter(nip="", name__iexact=identity.name, agency__iexact=identity.agency).first()


def register_participant(event: Event, identity: CleanIdentity, *, source=ParticipantSource.MANUAL,
                         update=False) -> tuple[Participant, bool]:
    """Create the participant, or return the existing one (updated if ``update``)."""
    existing = find_participant(event, identity)
    if existing:
        if update:
            changed = [f for f, v in identity.as_fields().items() if v and getattr(existing, f) != v]
            for f in changed:
                setattr(existing, f, getattr(identity, f))
            if changed:
                existing.save(update_fields=[*changed, "updated_at"])
        return existing, False
    try:
        with transaction.atomic():
            return Participant.objects.create(event=event, source=source, **identity.as_fields()), True
    except IntegrityError:
        # A concurrent registration of the same NIP won the race: that row is the one.
        return Participant.objects.get(event=event, nip=identity.nip), False
