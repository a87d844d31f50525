#!/usr/bin/env python3
"""Speed of the complaints dashboard with 100,000 reports, in a scratch database.

    .venv/bin/python bench/complaints_dashboard.py                    # SQLite in a temp folder
    .venv/bin/python bench/complaints_dashboard.py --db postgres      # scratch database, dropped afterwards
    .venv/bin/python bench/complaints_dashboard.py --reports 20000 --repeat 3

Generates the reports directly with ``bulk_create`` (realistic spread over categories, states,
~60 regencies, ~800 agencies, two years, some subjects reported several times, deadlines and
resolution times), plus 40 socialization events with participants from those agencies; then
times the selectors behind the pages: ``dashboard`` (verifier view, with duplicates and overdue
cases), ``dashboard`` for organisers, ``socialization_effect``, ``public_statistics`` (cache
cleared) and the first page of the case list. Goal (issue #7): the dashboard under 1 s.
Reports figures and never fails on a missed goal.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone as dt_timezone
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
TARGET_S = 1.0
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql)


def setup_django(args, data_dir: Path) -> None:
    os.environ["NETRAL_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "netral.settings"
    os.environ.pop("REDIS_URL", None)
    if args.db == "postgres":
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{args.pg_db}"
    else:
        os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def seed(n: int, rng: random.Random) -> dict:
    from django.db import transaction
    from django.utils import timezone

    from netral.accounts.models import Role, User
    from netral.complaints import deadlines, normalize, regions, tracking
    from netral.complaints.enums import OPEN_STATES, TERMINAL_STATES, ComplaintState as S
    from netral.complaints.models import Complaint
    from netral.events.models import Event, Participant
    from netral.knowledge.models import Behaviour

    t0 = time.monotonic()
    verifier, _ = User.objects.get_or_create(username="bench_verifier", defaults={"role": Role.VERIFIER})
    organiser, _ = User.objects.get_or_create(username="bench_organiser", defaults={"role": Role.ORGANISER})
    codes = list(Behaviour.objects.exclude(verdict="allowed").values_list("code", flat=True))
    weights = [8 if c in ("B10", "B11", "B12", "B13", "B14") else 1 for c in codes]
    regencies = [code for province in ("33", "32", "35", "73", "74") for code, _ in regions.children(province)][:60]
    villages = {r: [c for d, _ in regions.children(r)[:3] for c, _ in regions.children(d)[:5]] or [r]
                for r in regencies}
    kinds = ["Kelurahan", "Kecamatan", "Dinas Pendidikan", "Dinas Kesehatan", "Puskesmas", "SD Negeri", "Bappeda"]
    agencies = [(f"{rng.choice(kinds)} {regions.bare_regency_name(r)} {i}", r) for i, r in
                enumerate(rng.choices(regencies, k=800))]
    states = list(S.values)
    state_weights = [6, 6, 8, 3, 3, 4, 50, 15, 5]
    now = timezone.now()
    start = now - timedelta(days=730)
    people = [f"Terlapor {i}" for i in range(60000)]
    rows = []
    used = set()
    for i in range(n):
        agency, regency = agencies[int(rng.paretovariate(1.2)) % len(agencies)]
        name = people[int(rng.paretovariate(1.05) * 3) % len(people)] if i % 5 == 0 else people[i % len(people)]
        created = start + timedelta(seconds=rng.randint(0, 730 * 86400))
        state = rng.choices(states, weights=state_weights)[0]
        closed = state in TERMINAL_STATES
        resolution = rng.randint(2 * 86400, 90 * 86400) if closed else None
        deadline = created + timedelta(days=rng.choice([7, 7, 10])) if state in OPEN_STATES else None
        region = rng.choice(villages[regency])
        while True:
            code = tracking.new_code()
            if code not in used:
                used.add(code)
                break
        rows.append(Complaint(
            tracking_code=code, state=state, created_at=created, updated_at=created, state_changed_at=created,
            source="bench", subject_name=name, subject_agency=agency, subject_position="Staf",
            subject_nip="", subject_key=normalize.subject_key(name, agency), agency_key=normalize.agency(agency),
            category_id=rng.choices(codes, weights=weights)[0], description="Laporan uji dasbor.",
            occurred_on=(created - timedelta(days=rng.randint(0, 6))).date(), region_code=region,
            province_code=region[:2], regency_code=region[:5], links=[], anonymous=i % 3 != 0,
            received_month=timezone.localtime(created).strftime("%Y-%m"),
            assigned_to=verifier if state != S.RECEIVED else None, awaiting_reply=i % 50 == 0 and not closed,
            deadline_at=deadline, closed_at=created + timedelta(seconds=resolution) if closed else None,
            resolution_seconds=resolution))
    with transaction.atomic():
        Complaint.objects.bulk_create(rows, batch_size=2000)
        for e in range(40):
            agency, regency = agencies[e * 7 % len(agencies)]
            day = start + timedelta(days=rng.randint(100, 650))
            event = Event.objects.create(owner=organiser, code=f"BN{e:04d}"[:8], title=f"Sosialisasi bench {e}",
                                         starts_at=day, venue_name="Aula",
                                         venue_address=f"Kab. {regions.bare_regency_name(regency)}",
                                         organiser_name="Bench", status="finished")
            Participant.objects.bulk_create([
                Participant(event=event, kind="other", name=f"Peserta {e}-{p}",
                            agency=agencies[(e * 7 + p % 5) % len(agencies)][0]) for p in range(30)])
    _ = deadlines  # the deadlines above mimic deadlines.DEFAULTS (7 days, 10 after forwarding)
    return {"reports": n, "seconds": round(time.monotonic() - t0, 1)}


def timed(fn, repeat: int) -> dict:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return {"first_s": round(times[0], 3), "median_s": round(statistics.median(times), 3),
            "max_s": round(max(times), 3)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--pg-db", default="netral_bench_dashboard")
    ap.add_argument("--reports", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="netral-bench-dashboard-"))
    if args.db == "postgres":
        pg_admin(f'DROP DATABASE IF EXISTS "{args.pg_db}" WITH (FORCE)')
        pg_admin(f'CREATE DATABASE "{args.pg_db}"')
    try:
        t0 = time.monotonic()
        setup_django(args, workdir / "data")
        log(f"{args.db}: migrated in {time.monotonic() - t0:.1f}s")
        seeded = seed(args.reports, random.Random(args.seed))
        log(f"seeded {seeded['reports']} reports in {seeded['seconds']} s")
        from django.core.cache import cache
        from django.db import connection

        from netral.accounts.models import User
        from netral.complaints import selectors

        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("VACUUM ANALYZE")  # the steady state autovacuum keeps (index-only scans)
        verifier = User.objects.get(username="bench_verifier")

        def public():
            cache.clear()
            selectors.public_statistics()

        def effect():
            cache.clear()
            selectors.socialization_effect()

        def page():
            # What GET /verifikasi/pengaduan/dasbor/ computes (the socialization view is cached 5 min).
            cache.clear()
            selectors.dashboard(user=verifier, with_subjects=True)
            selectors.socialization_effect()

        scenarios = {
            "dashboard page (cold cache)": page,
            "dashboard (verifier)": lambda: selectors.dashboard(user=verifier, with_subjects=True),
            "dashboard (organiser)": lambda: selectors.dashboard(with_subjects=False),
            "dashboard filtered (1 regency)": lambda: selectors.dashboard(
                filters={"regency": "33.29"}, with_subjects=True),
            "socialization_effect (no cache)": effect,
            "public_statistics (no cache)": public,
            "case list, first page": lambda: list(selectors.case_list(filters={}, user=verifier)[:50]),
            "case list, overdue": lambda: list(selectors.case_list(filters={"overdue": True}, user=verifier)[:50]),
        }
        results = {name: timed(fn, args.repeat) for name, fn in scenarios.items()}
        width = max(len(n) for n in results)
        print(f"\n{'scenario':<{width}}  first s  median s  max s")
        for name, r in results.items():
            print(f"{name:<{width}}  {r['first_s']:>7}  {r['median_s']:>8}  {r['max_s']:>5}")
        dash = results["dashboard page (cold cache)"]
        print(f"\ngoal dashboard < {TARGET_S} s ({args.reports} reports, {args.db}): "
              f"{'PASS' if dash['median_s'] < TARGET_S else 'MISS'} (median {dash['median_s']} s, "
              f"first {dash['first_s']} s)")
        out = BENCH / "results"
        out.mkdir(exist_ok=True)
        stamp = datetime.now(dt_timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        (out / f"complaints-dashboard-{args.db}-{stamp}.json").write_text(json.dumps(
            {"args": vars(args), "seed": seeded, "results": results}, indent=2))
    finally:
        if args.db == "postgres" and not args.keep:
            from django.db import connections

            connections.close_all()
            pg_admin(f'DROP DATABASE IF EXISTS "{args.pg_db}" WITH (FORCE)')
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            log(f"kept {workdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
