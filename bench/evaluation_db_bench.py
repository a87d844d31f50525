#!/usr/bin/env python3
"""Evaluation reads at scale: the per-question breakdown and the whole event's statistics
with 1,000,000 stored responses (12,500 participants × 40 items × pre and post).

    .venv/bin/python bench/evaluation_db_bench.py [--participants 12500] [--data-dir DIR]
        [--postgres [--keep] [--no-vacuum]] [--profile]

A scratch SQLite file in a temp dir (or, with --postgres, a scratch database
netral_bench_evaldb on 127.0.0.1, dropped afterwards). ``--data-dir DIR`` keeps the SQLite
file in DIR, ``--postgres --keep`` the database; either is reused when it was seeded with
the same sizes (for quick re-runs). Seeding writes attempts with their score/choice vectors
and every response row (executemany / COPY), then ANALYZE; on PostgreSQL VACUUM ANALYZE,
the state autovacuum soon reaches after the inserts (``--no-vacuum``: ANALYZE only, as
right after a bulk insert: index-only scans still visit the heap). Then times, in-process:

* ``selectors.item_breakdown(test_item)``: how many chose each option of one question
  (an index-only scan of ``evaluation_response_breakdown``), median of 30 calls over
  different items; goal ≤ 10 ms;
* ``selectors.event_evaluation(event, use_cache=False)``: every statistic of the event
  (item analysis of both tests, learning gain, topics), median of 5; goal ≤ 200 ms;
* the same call answered from the cache (what the evaluation page normally costs).

Reports figures; never fails on a missed goal.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG_DB = "netral_bench_evaldb"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--participants", type=int, default=12_500)
    ap.add_argument("--items", type=int, default=40)
    ap.add_argument("--postgres", action="store_true")
    ap.add_argument("--profile", action="store_true",
                    help="print a cProfile of one full statistics call (this thread only: the pre-test's "
                         "item analysis runs on a worker thread)")
    ap.add_argument("--data-dir", help="SQLite only: keep (and reuse) the seeded database in this directory")
    ap.add_argument("--no-vacuum", action="store_true",
                    help="PostgreSQL: only ANALYZE after seeding (no VACUUM: index-only scans visit the heap)")
    ap.add_argument("--keep", action="store_true",
                    help=f"PostgreSQL only: keep (and reuse) the database {PG_DB} instead of dropping it")
    args = ap.parse_args()
    if args.data_dir and args.postgres:
        ap.error("--data-dir is for SQLite only")
    if args.keep and not args.postgres:
        ap.error("--keep is for PostgreSQL only (SQLite: --data-dir)")
    tmp = args.data_dir or tempfile.mkdtemp(prefix="netral-evaldb-")
    os.makedirs(tmp, exist_ok=True)
    os.environ.update(NETRAL_DATA_DIR=tmp, DJANGO_SETTINGS_MODULE="netral.settings",
                      NETRAL_SECRET_KEY="bench-" + "x" * 50, OPENBLAS_NUM_THREADS="1")
    os.environ.pop("REDIS_URL", None)
    if args.postgres:
        import psycopg

        with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [PG_DB]).fetchone()
            if not (args.keep and exists):
                conn.execute(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{PG_DB}"')
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{PG_DB}"
    else:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    try:
        call_command("migrate", verbosity=0)
        result = run(args, connection)
    finally:
        connection.close()
        if args.postgres and not args.keep:
            import psycopg

            with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')
    print(json.dumps(result, indent=2))
    return 0


def run(args, connection) -> dict:
    from netral.evaluation.models import Response
    from netral.events.models import Event

    title = f"Bench evaluasi {args.participants}x{args.items}"
    event = Event.objects.filter(title=title).first()
    if event is not None and Response.objects.count() == 2 * args.participants * args.items:
        seed_s = 0.0  # reused (--data-dir, --keep)
    else:
        t0 = time.perf_counter()
        event = seed(args, connection, title)
        seed_s = time.perf_counter() - t0
    return measure(args, connection, event, seed_s)


def seed(args, connection, title: str):
    """One event with a pre- and a post-test of ``args.items`` items, every participant
    submitted both (attempts with their score/choice vectors, and every response row)."""
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from netral.accounts.models import User
    from netral.evaluation import services
    from netral.evaluation.models import FIELD_SEP, Attempt, Response, Test
    from netral.events.models import Event, Participant

    user = User.objects.create_user(username=f"bench-{args.participants}-{args.items}", password="bench-Password-1",
                                    role="organiser")
    event = Event.objects.create(owner=user, title=title, starts_at=timezone.now(), venue_name="Aula",
                                 organiser_name="Bench", status="running")
    services.load_default_bank()
    pre = services.create_test(event, Test.Kind.PRE, count=args.items)
    post = services.create_test(event, Test.Kind.POST)
    Participant.objects.bulk_create(
        [Participant(event=event, kind="pns", name=f"Peserta {i}", agency=f"Dinas {i % 25}") for i in range(args.participants)],
        batch_size=5000)
    people = list(Participant.objects.filter(event=event).values_list("pk", flat=True))
    rng = random.Random(1)
    now = timezone.now()
    qn = connection.ops.quote_name
    for test, shift in ((pre, -0.4), (post, 0.5)):
        struct = services.structure(test.pk, test.structure_version)
        keys = {ti.pk: ti.version for ti in test.test_items.select_related("version")}
        ability = {p: rng.gauss(shift, 1.0) for p in people}
        attempts = []
        for p in people:
            scores, choices = [], []
            for item in struct.items:
                version = keys[item.id]
                right = [o["id"] for o in version.options if o.get("correct")]
                wrong = [o["id"] for o in version.options if not o.get("correct")]
                correct = rng.random() < 1 / (1 + 2.718 ** (-(ability[p] + 0.8)))
                choice = "".join(right) if correct else rng.choice(wrong)
                scores.append(services.score_answer(item, choice, ""))
                choices.append(choice)
            attempts.append(Attempt(test=test, participant_id=p, started_at=now - timedelta(minutes=20),
                                    submitted_at=now, submitted_by="participant", layout=[],
                                    score=sum(scores), max_score=struct.max_score, item_scores=scores, choices=choices,
                                    answer_line=FIELD_SEP.join(choices),
                                    answer_codes=services.encode_codes([services.choice_code(c) for c in choices])))
        with transaction.atomic():
            Attempt.objects.bulk_create(attempts, batch_size=2000)
        ids = dict(Attempt.objects.filter(test=test).values_list("participant_id", "pk"))
        at = connection.ops.adapt_datetimefield_value(now)
        rows = [(ids[a.participant_id], item.id, a.choices[j], "", a.item_scores[j], at)
                for a in attempts for j, item in enumerate(struct.items)]
        cols = "attempt_id, test_item_id, choice, text, score, answered_at"
        with transaction.atomic(), connection.cursor() as cur:
            if connection.vendor == "postgresql":
                with cur.cursor.copy(f"COPY {qn(Response._meta.db_table)} ({cols}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                cur.executemany(f"INSERT INTO {qn(Response._meta.db_table)} ({cols}) VALUES (%s, %s, %s, %s, %s, %s)",
                                rows)
    with connection.cursor() as cur:
        # PostgreSQL: also set the visibility map, as autovacuum does soon after the inserts
        # (without it every index-only scan, the sheet's and the counts', visits the heap).
        cur.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" and not args.no_vacuum else "ANALYZE")
    return event


def measure(args, connection, event, seed_s: float) -> dict:
    from netral.evaluation import selectors
    from netral.evaluation.models import Response, Test

    pre, post = Test.objects.get(event=event, kind=Test.Kind.PRE), Test.objects.get(event=event, kind=Test.Kind.POST)
    items = list(pre.test_items.values_list("pk", flat=True)) + list(post.test_items.values_list("pk", flat=True))
    selectors.item_breakdown(items[0])  # warm
    breakdown = []
    for n in range(30):
        t = time.perf_counter()
        counts = selectors.item_breakdown(items[n % len(items)])
        breakdown.append((time.perf_counter() - t) * 1000)
    assert sum(c["n"] for c in counts) == args.participants
    full = []
    for _ in range(5):
        t = time.perf_counter()
        result = selectors.event_evaluation(event, use_cache=False)
        full.append((time.perf_counter() - t) * 1000)
    if args.profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        prof.enable()
        selectors.event_evaluation(event, use_cache=False)
        prof.disable()
        pstats.Stats(prof).sort_stats("tottime").print_stats(25)
    t = time.perf_counter()
    selectors.event_evaluation(event)
    selectors.event_evaluation(event)
    cached = (time.perf_counter() - t) / 2 * 1000
    return {
        "database": connection.vendor, "participants": args.participants, "items_per_test": args.items,
        "responses": Response.objects.count(), "seed_s": round(seed_s, 1),
        "breakdown_ms": {"median": round(statistics.median(breakdown), 2), "max": round(max(breakdown), 2),
                         "goal": 10},
        "event_statistics_ms": {"median": round(statistics.median(full), 1), "min": round(min(full), 1),
                                "max": round(max(full), 1), "runs": [round(v, 1) for v in full], "goal": 200},
        "event_statistics_cached_ms": round(cached, 2),
        "check": {"gain": result["gain"]["class_average_gain"], "n_pairs": result["gain"]["n_pairs"],
                  "alpha_post": result["items"]["post"]["test"]["alpha"]},
    }


if __name__ == "__main__":
    sys.exit(main())
