from datetime import timedelta

import pytest
from django.utils import timezone

from netral.complaints import selectors, services
from netral.complaints.enums import ComplaintState as S
from netral.complaints.models import Complaint
from tests.factories.events import EventFactory, ParticipantFactory

from .factories import report

pytestmark = pytest.mark.django_db


def _close_after(complaint, user, days):
    now = complaint.created_at + timedelta(days=days)
    services.set_complaint_state(complaint, S.REJECTED, user=user, public_note="x", now=now)


def test_median_days_to_close(verifier):
    for days in (2, 4, 10):
        c = report()
        for state in (S.VERIFYING, S.FORWARDED, S.NOT_PROVEN):
            extra = {"channel": "ppk", "recipient": "PPK"} if state == S.FORWARDED else {}
            services.set_complaint_state(c, state, user=verifier, **extra)
        services.set_complaint_state(c, S.CLOSED, user=verifier, now=c.created_at + timedelta(days=days))
    _close_after(report(), verifier, 100)  # rejected: not a closed case

    assert selectors.median_resolution_days(Complaint.objects.all()) == 4.0


def test_dashboard_counts_by_category_state_agency_regency_and_month(verifier):
    report(code="B10", subject_agency="Kelurahan Brebes")
    report(code="B10", subject_agency="Kel. Brebes", region_code="33.29.03")
    c = report(code="B06", subject_agency="Puskesmas Brebes", region_code="33.02")
    services.set_complaint_state(c, S.VERIFYING, user=verifier)

    d = selectors.dashboard()

    assert d["total"] == 3 and d["open"] == 3
    assert [(r["code"], r["n"]) for r in d["by_category"]] == [("B10", 2), ("B06", 1)]
    assert {s["state"]: s["n"] for s in d["by_state"] if s["n"]} == {"received": 2, "verifying": 1}
    assert [(a["key"], a["n"]) for a in d["by_agency"]] == [("kelurahan brebes", 2), ("puskesmas brebes", 1)]
    assert [(r["code"], r["n"]) for r in d["by_regency"]] == [("33.29", 2), ("33.02", 1)]
    assert sum(m["n"] for m in d["by_month"]) == 3


def test_dashboard_filters(verifier):
    report(code="B10")
    report(code="B06", region_code="33.02")

    assert selectors.dashboard(filters={"category": "b06"})["total"] == 1
    assert selectors.dashboard(filters={"regency": "33.29"})["total"] == 1
    assert selectors.dashboard(filters={"state": "closed"})["total"] == 0


def test_duplicates_by_name_and_by_nip(verifier):
    from netral.accounts.nip import build_nip
    from datetime import date

    nip = build_nip(date(1980, 1, 1), 2005, 3, "M", 7)
    report(subject_name="Budi Santoso", subject_agency="Kecamatan Brebes")
    report(subject_name="Budi Santoso, S.Sos.", subject_agency="Kec. Brebes")
    report(subject_name="B. Santoso", subject_agency="Dinas X", subject_nip=nip)
    report(subject_name="Budi S", subject_agency="Dinas X", subject_nip=nip)
    report(subject_name="Orang Lain")

    groups = selectors.duplicates(Complaint.objects.all())

    assert sorted((g["by"], g["n"]) for g in groups) == [("name", 2), ("nip", 2)]
    first = Complaint.objects.filter(subject_name="Budi Santoso").get()
    assert [c.subject_name for c in selectors.related_cases(first)] == ["Budi Santoso, S.Sos."]


def test_overdue_cases_stand_out(verifier):
    late = report()
    Complaint.objects.filter(pk=late.pk).update(deadline_at=timezone.now() - timedelta(hours=1))
    report()

    d = selectors.dashboard()

    assert d["overdue"] == 1
    assert [c.pk for c in d["overdue_cases"]] == [late.pk]


def test_socialization_effect_before_and_after_per_agency_and_region(organiser):
    today = timezone.localdate()
    event_day = today - timedelta(days=60)
    event = EventFactory(owner=organiser, starts_at=timezone.make_aware(
        timezone.datetime.combine(event_day, timezone.datetime.min.time().replace(hour=9))),
        venue_address="Jl. A. Yani No. 15, Kec. Brebes, Kab. Brebes", status="finished")
    ParticipantFactory(event=event, agency="Kelurahan Brebes")
    for days_before in (10, 20, 30, 40):
        report(occurred_on=event_day - timedelta(days=days_before), subject_agency="Kel. Brebes")
    report(occurred_on=event_day + timedelta(days=5), subject_agency="Kelurahan Brebes")
    report(occurred_on=event_day - timedelta(days=200), subject_agency="Kelurahan Brebes")  # outside the window

    rows = {r["kind"]: r for r in selectors.socialization_effect(window_days=90, today=today)}

    agency = rows["agency"]
    assert (agency["key"], agency["before"], agency["after"], agency["events"]) == ("kelurahan brebes", 4, 1, 1)
    assert agency["after_days"] == 61
    assert agency["before_rate"] == round(4 * 30 / 90, 2)
    region = rows["region"]
    assert (region["key"], region["label"], region["before"], region["after"]) == ("33.29", "Kabupaten Brebes", 4, 1)


def test_public_statistics_have_no_names():
    report(subject_name="Nama Tidak Boleh Muncul")

    stats = selectors.public_statistics()

    assert "Nama Tidak Boleh Muncul" not in repr(stats)
    assert "by_agency" not in stats and stats["total"] == 1
