"""Who the participant on this phone is: a signed cookie per event, no password."""

from django.conf import settings
from django.core import signing

from .models import Event, Participant

SALT = "netral.participant"


def cookie_name(event: Event) -> str:
    return f"np_{event.pk}"


def current_participant(request, event: Event) -> Participant | None:
    value = request.get_signed_cookie(cookie_name(event), default=None, salt=SALT,
                                      max_age=settings.NETRAL_PARTICIPANT_COOKIE_DAYS * 86400)
    if not value or ":" not in value:
        return None
    pk, token = value.split(":", 1)
    if not pk.isdigit():
        return None
    return Participant.objects.filter(event=event, pk=int(pk), token=token).select_related("attendance").first()


def signed_participants(request) -> list[tuple[int, int, str]]:
    """Every participant identity this browser holds, as (event id, participant id, token),
    from the signed per-event cookies alone: no query. Callers check them against the
    database in the same statement that uses them (netral.discussion.services.fast_vote)."""
    found = []
    for name in request.COOKIES:
        if not (name.startswith("np_") and name[3:].isdigit()):
            continue
        value = request.get_signed_cookie(name, default=None, salt=SALT,
                                          max_age=settings.NETRAL_PARTICIPANT_COOKIE_DAYS * 86400)
        pk, _sep, token = (value or "").partition(":")
        if pk.isdigit() and token:
            found.append((int(name[3:]), int(pk), token))
    return found


def remember_participant(response, participant: Participant) -> None:
    response.set_signed_cookie(
        cookie_name(participant.event), f"{participant.pk}:{participant.token}", salt=SALT,
        max_age=settings.NETRAL_PARTICIPANT_COOKIE_DAYS * 86400, httponly=True, samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def forget_participant(response, event: Event) -> None:
    response.delete_cookie(cookie_name(event), samesite="Lax")


GRANT_SALT = "netral.checkin.grant"
GRANT_MAX_AGE = 600


def make_checkin_grant(event: Event) -> str:
    """Proof that a valid rotating token was scanned, for the few minutes a new participant
    needs to identify before the check-in is recorded."""
    return signing.TimestampSigner(salt=GRANT_SALT).sign(str(event.pk))


def check_checkin_grant(event: Event, grant: str) -> bool:
    try:
        return signing.TimestampSigner(salt=GRANT_SALT).unsign(grant or "", max_age=GRANT_MAX_AGE) == str(event.pk)
    except signing.BadSignature:
        return False
