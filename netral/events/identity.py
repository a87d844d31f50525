"""Who the participant on this phone is: a signed cookie per event, no password."""

from django.conf import settings
from django.core import signing

from .models import Event, Participant

SALT = "netral.participant"
COOKIE_PREFIX = "np_"  # + the event's id


def cookie_name(event: Event) -> str:
    return f"{COOKIE_PREFIX}{event.pk}"


def _signed_identity(request, name: str) -> tuple[int, str] | None:
    """(participant id, token) from the signed cookie ``name``, if it is there and genuine."""
    value = request.get_signed_cookie(name, default=None, salt=SALT,
                                      max_age=settings.NETRAL_PARTICIPANT_COOKIE_DAYS * 86400)
    pk, _sep, token = (value or "").partition(":")
    return (int(pk), token) if pk.isdigit() and token else None


def current_participant(request, event: Event) -> Participant | None:
    identity = _signed_identity(request, cookie_name(event))
    if identity is None:
        return None
    pk, token = identity
    return Participant.objects.filter(event=event, pk=pk, token=token).select_related("attendance").first()


def signed_participants(request) -> list[tuple[int, int, str]]:
    """Every participant identity this browser holds, as (event id, participant id, token),
    from the signed per-event cookies alone: no query. Callers check them against the
    database in the same statement that uses them (netral.discussion.services.fast_vote)."""
    found = []
    for name in request.COOKIES:
        event_id = name.removeprefix(COOKIE_PREFIX)
        if event_id != name and event_id.isdigit():
            identity = _signed_identity(request, name)
            if identity is not None:
                found.append((int(event_id), *identity))
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
