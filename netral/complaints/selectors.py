"""Reads of the complaints app: lists, the dashboard aggregates (in SQL), public statistics,
possible duplicates and the before/after view of socialization events."""

import re
from datetime import date, timedelta

from django.core.cache import cache
from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from . import normalize, regions, tracking
from .enums import OPEN_STATES, ComplaintState as S
from .models import Complaint, ComplaintEvent

_NUMBER = re.compile(r"^PGD-\d{4}-(\d{1,9})$", re.IGNORECASE)
PUBLIC_STATS_TTL = 300


def filter_complaints(qs=None, *, filters: dict | None = None, user=None):
    """Apply the dashboard/list filters (``forms.FilterForm.cleaned_data``)."""
    qs = Complaint.objects.all() if qs is None else qs
    f = filters or {}
    if f.get("state"):
        qs = qs.filter(state=f["state"])
    if f.get("category"):
        qs = qs.filter(category_id=f["category"].upper())
    if f.get("regency"):
        qs = qs.filter(regency_code=f["regency"])
    if f.get("agency"):
        qs = qs.filter(agency_key__contains=normalize.agency(f["agency"]))
    if f.get("date_from"):
        qs = qs.filter(created_at__date__gte=f["date_from"])
    if f.get("date_to"):
        qs = qs.filter(created_at__date__lte=f["date_to"])
    if f.get("overdue"):
        qs = qs.filter(state__in=OPEN_STATES, deadline_at__lt=timezone.now())
    if f.get("mine") and user is not None:
        qs = qs.filter(assigned_to=user)
    if f.get("q"):
        qs = qs.filter(_search(f["q"]))
    return qs


def _search(text: str) -> Q:
    text = text.strip()
    number = _NUMBER.match(text)
    if number:
        return Q(pk=int(number.group(1)))
    code = tracking.normalize(text)
    query = Q(subject_name__icontains=text) | Q(subject_agency__icontains=text) | Q(subject_nip=text.replace(" ", ""))
    if code:
        query |= Q(tracking_code=code)
    key = normalize.person_name(text)
    if key:
        query |= Q(subject_key__startswith=key + "|")
    return query


def case_list(*, filters=None, user=None):
    return (filter_complaints(filters=filters, user=user)
            .select_related("category", "assigned_to")
            .only("id", "created_at", "state", "subject_name", "subject_agency", "category__code",
                  "category__title", "regency_code", "region_code", "deadline_at", "awaiting_reply",
                  "assigned_to__username", "occurred_on", "channel", "forwarded_at")
            .order_by("-created_at", "-id"))


def median_resolution_days(qs) -> float | None:
    """Median days from receipt to closing, over closed cases (two indexed queries)."""
    closed = qs.filter(state=S.CLOSED, resolution_seconds__isnull=False)
    n = closed.count()
    if not n:
        return None
    values = list(closed.order_by("resolution_seconds").values_list("resolution_seconds", flat=True)
                  [(n - 1) // 2: n // 2 + 1])
    return round(sum(values) / len(values) / 86400, 1)


def _by(qs, field: str, limit: int | None = None):
    # COUNT(*), not COUNT(id): lets PostgreSQL answer from the index alone (index-only scan).
    rows = qs.values(field).annotate(n=Count("*")).order_by("-n", field)
    return list(rows[:limit] if limit else rows)


def _duplicate_groups(qs, field: str) -> list[tuple[str, int]]:
    """(value, count) of every value of ``field`` seen more than once; grouped on its index alone."""
    return list(qs.exclude(**{field: ""}).values(field).annotate(n=Count("*")).filter(n__gt=1)
                .order_by("-n", field).values_list(field, "n"))


def duplicates(qs, *, limit: int = 20, groups: list | None = None) -> list[dict]:
    """Subjects reported more than once: same normalized name + agency, or same NIP."""
    by_key = (groups if groups is not None else _duplicate_groups(qs, "subject_key"))[:limit]
    by_nip = _duplicate_groups(qs, "subject_nip")[:limit]
    result = []
    if by_key:
        details = {r["subject_key"]: r for r in qs.filter(subject_key__in=[k for k, _ in by_key]).values("subject_key")
                   .annotate(name=Min("subject_name"), agency=Min("subject_agency"), last=Max("created_at"))}
        for key, n in by_key:
            d = details.get(key, {})
            result.append({"by": "name", "n": n, "name": d.get("name", key), "agency": d.get("agency", ""),
                           "query": d.get("name", key), "last": d.get("last")})
    if by_nip:
        details = {r["subject_nip"]: r for r in qs.filter(subject_nip__in=[k for k, _ in by_nip]).values("subject_nip")
                   .annotate(name=Min("subject_name"), agency=Min("subject_agency"), last=Max("created_at"),
                             keys=Count("subject_key", distinct=True))}
        for nip, n in by_nip:
            d = details.get(nip, {})
            if d.get("keys", 0) > 1:  # same NIP under different spellings: not already listed above
                result.append({"by": "nip", "n": n, "name": d.get("name", ""), "agency": d.get("agency", ""),
                               "query": nip, "nip": nip, "last": d.get("last")})
    return sorted(result, key=lambda g: (-g["n"], g["name"]))[:limit]


def duplicate_count(qs) -> int:
    return len(_duplicate_groups(qs, "subject_key"))


def _by_agency(qs, limit: int = 20) -> list[dict]:
    top = list(qs.values("agency_key").annotate(n=Count("*")).order_by("-n", "agency_key")[:limit])
    # One spelling per agency, as typed by a reporter: an indexed one-row lookup each (a MIN()
    # over a large agency's rows would read them all).
    labels = {r["agency_key"]: next(iter(qs.filter(agency_key=r["agency_key"]).order_by()
                                         .values_list("subject_agency", flat=True)[:1]), r["agency_key"])
              for r in top}
    return [{"key": r["agency_key"], "label": labels.get(r["agency_key"], r["agency_key"]), "n": r["n"]} for r in top]


def monthly(qs) -> list[dict]:
    return [{"month": r["received_month"], "n": r["n"]} for r in
            qs.values("received_month").annotate(n=Count("*")).order_by("received_month")]


def _core(qs, now) -> dict:
    """The figures both the dashboard and the public statistics show."""
    from netral.knowledge.models import Behaviour  # noqa: PLC0415 -- leaf

    totals = qs.aggregate(
        total=Count("id"), open=Count("id", filter=Q(state__in=OPEN_STATES)),
        overdue=Count("id", filter=Q(state__in=OPEN_STATES, deadline_at__lt=now)),
        awaiting=Count("id", filter=Q(awaiting_reply=True)),
        anonymous=Count("id", filter=Q(anonymous=True)))
    titles = dict(Behaviour.objects.values_list("code", "title"))
    by_category = [{"code": r["category"], "title": titles.get(r["category"], ""), "n": r["n"]}
                   for r in _by(qs, "category")]
    state_counts = {r["state"]: r["n"] for r in _by(qs, "state")}
    by_state = [{"state": value, "label": label, "n": state_counts.get(value, 0)} for value, label in S.choices]
    by_regency = [{"code": r["regency_code"], "label": regions.regency_label(r["regency_code"]), "n": r["n"]}
                  for r in _by(qs, "regency_code", 30)]
    return {**totals, "by_category": by_category, "by_state": by_state, "by_regency": by_regency,
            "by_month": monthly(qs), "median_days": median_resolution_days(qs)}


def dashboard(*, filters=None, user=None, with_subjects: bool = True) -> dict:
    """Everything the task-force dashboard shows; every figure aggregated by the database."""
    qs = filter_complaints(filters=filters, user=user)
    now = timezone.now()
    groups = _duplicate_groups(qs, "subject_key")
    result = {**_core(qs, now), "by_agency": _by_agency(qs), "duplicate_subjects": len(groups)}
    if with_subjects:
        result["duplicates"] = duplicates(qs, groups=groups)
        result["overdue_cases"] = list(
            qs.filter(state__in=OPEN_STATES, deadline_at__lt=now).select_related("category")
            .only("id", "created_at", "state", "subject_name", "subject_agency", "deadline_at", "category__code")
            .order_by("deadline_at")[:20])
    return result


def public_statistics() -> dict:
    """Aggregates only, for everyone: no names, no agencies (cached for a few minutes)."""
    cached = cache.get("complaints:public-stats")
    if cached is not None:
        return cached
    data = _core(Complaint.objects.all(), timezone.now())
    stats = {key: data[key] for key in ("total", "open", "by_category", "by_state", "by_regency", "by_month",
                                         "median_days")}
    stats["handled"] = data["total"] - data["open"]
    stats["generated_at"] = timezone.now()
    cache.set("complaints:public-stats", stats, PUBLIC_STATS_TTL)
    return stats


def related_cases(complaint) -> list[Complaint]:
    """Other reports about the same person (possible duplicates)."""
    query = Q()
    if complaint.subject_key:
        query |= Q(subject_key=complaint.subject_key)
    if complaint.subject_nip:
        query |= Q(subject_nip=complaint.subject_nip)
    if not query:
        return []
    return list(Complaint.objects.filter(query).exclude(pk=complaint.pk).select_related("category")
                .only("id", "created_at", "state", "subject_name", "category__code").order_by("-created_at")[:20])


def public_history(complaint) -> list[ComplaintEvent]:
    return list(complaint.events.filter(public=True).only("created_at", "kind", "to_state", "note")
                .order_by("created_at", "id"))


def open_question(complaint) -> ComplaintEvent | None:
    if not complaint.awaiting_reply:
        return None
    return complaint.events.filter(kind="question").order_by("-created_at", "-id").first()


# --- link to socialization ----------------------------------------------------------------------

def _event_units(window_start: date):
    """(kind, key, label, first event date, number of events) for every agency whose staff
    attended, and every regency named in a venue, of the events held since ``window_start``."""
    from netral.events.enums import PUBLIC_STATUSES  # noqa: PLC0415 -- leaf
    from netral.events.models import Event, Participant  # noqa: PLC0415 -- leaf

    agencies: dict[str, dict] = {}
    rows = (Participant.objects.filter(event__status__in=PUBLIC_STATUSES, event__starts_at__date__gte=window_start)
            .exclude(agency="").values_list("agency", "event_id", "event__starts_at").distinct())
    for agency_name, event_id, starts_at in rows:
        key = normalize.agency(agency_name)
        day = timezone.localtime(starts_at).date()
        unit = agencies.setdefault(key, {"label": agency_name, "first": day, "events": set()})
        unit["events"].add(event_id)
        unit["first"] = min(unit["first"], day)
    regencies: dict[str, dict] = {}
    complaint_regencies = set(Complaint.objects.values_list("regency_code", flat=True).distinct()[:600])
    events = list(Event.objects.filter(status__in=PUBLIC_STATUSES, starts_at__date__gte=window_start)
                  .values_list("id", "starts_at", "venue_name", "venue_address"))
    for code in complaint_regencies:
        bare = regions.bare_regency_name(code)
        if not bare:
            continue
        pattern = re.compile(r"\b" + re.escape(bare) + r"\b", re.IGNORECASE)
        for event_id, starts_at, venue, address in events:
            if pattern.search(f"{venue} {address}"):
                day = timezone.localtime(starts_at).date()
                unit = regencies.setdefault(code, {"label": regions.regency_label(code), "first": day,
                                                   "events": set()})
                unit["events"].add(event_id)
                unit["first"] = min(unit["first"], day)
    return agencies, regencies


def socialization_effect(*, window_days: int = 90, today: date | None = None) -> list[dict]:
    """Reports (by date of the event reported) in the ``window_days`` before and after the
    first socialization per agency (participants' agency) and per regency (named in the venue).

    Rates are per 30 days, because the *after* window may not be over yet."""
    cache_key = f"complaints:effect:{window_days}:{today}"
    if today is None:
        cached = cache.get(cache_key)
        if cached is not None:
            return cached
    today = today or timezone.localdate()
    window = timedelta(days=window_days)
    agencies, regencies = _event_units(today - timedelta(days=365 * 3))
    rows = []
    for kind, units, field in (("agency", agencies, "agency_key"), ("region", regencies, "regency_code")):
        if not units:
            continue
        first = min(u["first"] for u in units.values())
        counts: dict[str, list[tuple[date, int]]] = {}
        for key, day, n in (Complaint.objects.filter(**{f"{field}__in": list(units)},
                                                     occurred_on__gte=first - window,
                                                     occurred_on__lte=today)
                            .values_list(field, "occurred_on").annotate(n=Count("id"))):
            counts.setdefault(key, []).append((day, n))
        for key, unit in units.items():
            start = unit["first"]
            days = counts.get(key, ())
            before = sum(n for d, n in days if start - window <= d < start)
            after = sum(n for d, n in days if start <= d <= start + window)
            after_days = max(1, min(window_days, (today - start).days + 1))
            before_rate = before * 30 / window_days
            after_rate = after * 30 / after_days
            rows.append({
                "kind": kind, "key": key, "label": unit["label"], "first_event": start, "events": len(unit["events"]),
                "before": before, "after": after, "after_days": after_days,
                "before_rate": round(before_rate, 2), "after_rate": round(after_rate, 2),
                "change": round((after_rate - before_rate) / before_rate * 100) if before_rate else None,
            })
    rows.sort(key=lambda r: (-(r["before"] + r["after"]), r["label"]))
    cache.set(cache_key, rows, 300)
    return rows
