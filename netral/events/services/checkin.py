"""Check-in: one idempotent service for all three ways in (QR, scan, click)."""

import base64
import hashlib
import hmac

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from netral.core.errors import NetralError

from ..models import Attendance, Event, Participant


class CheckInError(NetralError):
    pass


def check_in(participant: Participant, *, method: str, user=None, at=None) -> tuple[Attendance, bool]:
    """Record the participant as present. A repeated check-in returns the first record
    and ``created=False``: a retried POST from a phone on weak Wi-Fi changes nothing.

    One ``INSERT … ON CONFLICT DO NOTHING RETURNING`` statement (SQLite ≥ 3.35 and
    PostgreSQL): no read-then-write, so concurrent scans of the same person cannot race
    and SQLite's write lock is held for a single statement."""
    at = at or timezone.now()
    table = connection.ops.quote_name(Attendance._meta.db_table)
    by = getattr(user, "pk", None)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (event_id, participant_id, checked_in_at, method, checked_in_by_id) "  # noqa: S608
            "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (participant_id) DO NOTHING RETURNING id",
            [participant.event_id, participant.pk, _db_datetime(at), method, by],
        )
        row = cursor.fetchone()
    if row is None:
        return Attendance.objects.get(participant_id=participant.pk), False
    attendance = Attendance(id=row[0], event_id=participant.event_id, participant=participant,
                            checked_in_at=at, method=method, checked_in_by_id=by)
    return attendance, True


def _db_datetime(value):
    return connection.ops.adapt_datetimefield_value(value)


@transaction.atomic
def undo_check_in(participant: Participant, *, user) -> bool:
    from netral.core.audit import log_action  # noqa: PLC0415 -- leaf

    deleted, _ = Attendance.objects.filter(participant=participant).delete()
    if deleted:
        log_action(participant.event, "netral.attendance.undone", user=user, data={"participant": participant.pk})
    return bool(deleted)


def _window(at) -> int:
    return int(at.timestamp()) // settings.NETRAL_CHECKIN_QR_PERIOD


def checkin_token(event: Event, *, at=None, window: int | None = None) -> str:
    """The rotating token of the check-in QR shown on the projector.

    It changes every ``NETRAL_CHECKIN_QR_PERIOD`` seconds (60 by default), so a photo of
    the QR sent to an absent colleague stops working within two minutes."""
    if window is None:
        window = _window(at or timezone.now())
    message = f"{event.pk}:{event.checkin_secret}:{window}".encode()
    mac = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:9]).decode()


def verify_checkin_token(event: Event, token: str, *, at=None) -> bool:
    """Accept the current and the previous window (a scan just as the code changes)."""
    current = _window(at or timezone.now())
    return any(
        hmac.compare_digest(checkin_token(event, window=w), token or "") for w in (current, current - 1)
    )


def seconds_to_next_token(*, at=None) -> int:
    at = at or timezone.now()
    period = settings.NETRAL_CHECKIN_QR_PERIOD
    return period - int(at.timestamp()) % period


_STAFF_CHECKIN_SQL = """
INSERT INTO {attendance} (event_id, participant_id, checked_in_at, method, checked_in_by_id)
SELECT p.event_id, p.id, %s, %s, %s
FROM {participant} p JOIN {event} e ON e.id = p.event_id
WHERE p.event_id = %s AND p.{column} = %s
  AND (%s OR e.owner_id = %s OR EXISTS (SELECT 1 FROM {team} t WHERE t.event_id = e.id AND t.user_id = %s))
ON CONFLICT (participant_id) DO NOTHING
RETURNING participant_id
"""


def try_fast_staff_check_in(event_id: int, *, user, method: str, column: str, value) -> tuple[int, str, object] | None:
    """The scanner/API hot path: one ``INSERT … SELECT`` that inserts only if the
    participant is in the event and ``user`` manages it (owner, team or superuser — the
    rule of ``selectors.can_manage_event``). Returns (participant id, name, check-in time)
    for a new attendance; ``None`` when nothing was written, and the caller then takes the
    ordinary path, which tells "not yours", "no such participant" and "already present" apart."""
    from ..models import Event  # noqa: PLC0415 -- leaf

    if column not in ("id", "nip", "token"):
        raise ValueError(column)
    at = timezone.now()
    quote = connection.ops.quote_name
    sql = _STAFF_CHECKIN_SQL.format(
        attendance=quote(Attendance._meta.db_table), participant=quote(Participant._meta.db_table),
        event=quote(Event._meta.db_table), team=quote(Event.team.through._meta.db_table), column=column)
    with connection.cursor() as cursor:
        cursor.execute(sql, [_db_datetime(at), method, user.pk, event_id, value,
                             bool(user.is_superuser), user.pk, user.pk])
        row = cursor.fetchone()
        if row is None:
            return None
        cursor.execute(f"SELECT name FROM {quote(Participant._meta.db_table)} WHERE id = %s", [row[0]])  # noqa: S608
        return row[0], cursor.fetchone()[0], at
