#!/usr/bin/env python3
"""Load benchmark: attempts and answer writes from simulated phones against ``netral serve``.

    .venv/bin/python bench/answers_load.py [--db sqlite|postgres|both] [--duration 10] [--connections 64]

Per database mode: a fresh database, one running event with 4,000 participants and a
40-item pre-test; then (1) ``POST /api/tests/{id}/attempts`` for every participant from 64
connections (an organiser's bearer token, as a kiosk would) and (2) ``PUT
/api/attempts/{id}/answers`` with each attempt's own X-Attempt-Token, one answer per request,
every request a different (attempt, item) pair (bench/answers.lua). Afterwards the database
is checked: one attempt per participant, one row per acknowledged answer, none lost, none
duplicated. The bare ASGI hello world under the same granian flags is measured first as
the baseline. Reports figures; never fails on a missed target.

Reuses the machinery of bench/checkin_load.py (servers in their own process group, wrk,
CPU sampling, result files under bench/results/).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import checkin_load as cl  # noqa: E402

TARGET_RPS, TARGET_P99_MS = 1500, 100
ITEMS = 40


def cmd_seed(ns) -> None:
    """Organiser, event, participants (checkin_load's fast seeding) and a 40-item pre-test."""
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        cl.cmd_seed(ns)
    seed = cl.tagged_json(buf.getvalue(), "SEED_JSON")
    from netral.evaluation import services
    from netral.evaluation.models import Test
    from netral.events.models import Event

    event = Event.objects.get(pk=seed["event_id"])
    services.load_default_bank()
    test = services.create_test(event, Test.Kind.PRE, count=ITEMS, shuffle_items=True, shuffle_options=True)
    seed.update(test_id=test.pk, items=list(test.test_items.order_by("order").values_list("pk", flat=True)))
    print("SEED_JSON " + json.dumps(seed), flush=True)


def cmd_attempts(ns) -> None:
    """Write "id token" of the test's attempts to a file; counts for the checks."""
    cl._django()
    from django.db.models import Count

    from netral.evaluation.models import Attempt, Response

    qs = Attempt.objects.filter(test_id=ns.test).order_by("pk")
    rows = list(qs.values_list("pk", "token"))
    if ns.out:
        Path(ns.out).write_text("".join(f"{pk} {token}\n" for pk, token in rows))
    per_participant = qs.values("participant_id").annotate(n=Count("pk")).filter(n__gt=1).count()
    out = {"attempts": len(rows), "participants_with_two": per_participant,
           "responses": Response.objects.filter(attempt__test_id=ns.test).count()}
    if ns.acked:
        acked = json.loads(Path(ns.acked).read_text())
        pairs = {tuple(map(int, a.split(":"))) for a in acked}
        present = set()
        want = sorted(pairs)
        for lo in range(0, len(want), 2000):
            chunk = want[lo:lo + 2000]
            attempts = {a for a, _ in chunk}
            for a, i in Response.objects.filter(attempt_id__in=attempts).values_list("attempt_id", "test_item_id"):
                present.add((a, i))
        out.update(acked=len(acked), acked_unique=len(pairs), acked_without_row=len(pairs - present))
        dup = (Response.objects.filter(attempt__test_id=ns.test).values("attempt_id", "test_item_id")
               .annotate(n=Count("pk")).filter(n__gt=1).count())
        out["duplicate_rows"] = dup
    print("ATTEMPTS_JSON " + json.dumps(out), flush=True)


def _helper(env, *args, tag):
    return cl.tagged_json(cl.run([cl.PY, str(BENCH / "answers_load.py"), *args], env, timeout=600,
                                 tag=tag).stdout, tag)


def run_mode(mode: str, args, workdir: Path) -> dict:
    result: dict = {"mode": mode}
    data_dir = Path(tempfile.mkdtemp(prefix=f"netral-answers-{mode}-", dir=workdir))
    env = dict(os.environ)
    for key in ("DATABASE_URL", "REDIS_URL", "NETRAL_DEBUG"):
        env.pop(key, None)
    env.update(NETRAL_DATA_DIR=str(data_dir), NETRAL_SECRET_KEY=cl.SECRET_KEY, DJANGO_SETTINGS_MODULE="netral.settings",
               NETRAL_LOG_LEVEL="WARNING", PYTHONUNBUFFERED="1")
    if mode == "postgres":
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{args.pg_db}"
        if args.redis:
            env["REDIS_URL"] = args.redis_url
            env["NETRAL_CACHE_PREFIX"] = f"netral_answers_{os.getpid()}"
        cl.pg_admin(f'DROP DATABASE IF EXISTS "{args.pg_db}" WITH (FORCE)')
        cl.pg_admin(f'CREATE DATABASE "{args.pg_db}"')
    cl.run([*cl.NETRAL, "migrate", "--noinput", "-v0"], env, timeout=300, tag="migrate")
    seed = _helper(env, "_seed", "--participants", str(args.participants), tag="SEED_JSON")
    log = cl.log
    log(f"{mode}: seeded {seed['participants']} participants, test {seed['test_id']} with {len(seed['items'])} items")

    port = cl.free_port()
    srv = cl.Server(f"netral-answers-{mode}", [*cl.NETRAL, "serve", "--host", cl.HOST, "--port", str(port),
                                                "--no-migrate"], env, workdir)
    try:
        srv.wait_ready(port, "/api/health", timeout=60)
        status, _, body = cl.http_request("POST", port, "/api/auth/token",
                                          body=json.dumps({"username": cl.USERNAME, "password": cl.PASSWORD}),
                                          headers={"Content-Type": "application/json"})
        token = json.loads(body)["token"]
        pgid = srv.proc.pid

        # 1. Attempts: every participant once (checkin.lua posts {"participant_id": n}).
        path = f"/api/tests/{seed['test_id']}/attempts"
        first = seed["first_participant_id"]
        res = cl.wrk(port, path, seconds=args.attempt_seconds, args=args, script="checkin.lua",
                     script_args=(path, token, first, args.threads), pgid=pgid)
        time.sleep(args.settle)
        created = res.pop("created_ids")
        check = _helper(env, "_attempts", "--test", str(seed["test_id"]), "--out", str(workdir / f"attempts-{mode}.txt"),
                        tag="ATTEMPTS_JSON")
        res.update(created_201=len(created), created_unique=len(set(created)), db=check,
                   rps_201=round(len(created) / (res["duration_us"] / 1e6), 1))
        result["attempts"] = res
        log(f"  attempts     {res['rps']:>9.1f} req/s  p99 {res['ms']['p99']} ms  201s {len(created)}  "
            f"statuses {res['statuses']}  db attempts {check['attempts']} (participants with two: "
            f"{check['participants_with_two']})  ({cl.cpu_note(res)})")
        n_attempts = check["attempts"]

        # 2. Answers: warm-up on its own range of pairs, then the measured run.
        items = ",".join(map(str, seed["items"]))
        attempts_file = str(workdir / f"attempts-{mode}.txt")
        warm = cl.wrk(port, "/", seconds=args.warmup, args=args, script="answers.lua",
                      script_args=(attempts_file, items, 0, args.threads), pgid=pgid)
        time.sleep(args.settle)
        before = _helper(env, "_attempts", "--test", str(seed["test_id"]), tag="ATTEMPTS_JSON")
        start = warm["next_n"] + 1
        capacity = n_attempts * len(seed["items"])
        res = cl.wrk(port, "/", seconds=args.duration, args=args, script="answers.lua",
                     script_args=(attempts_file, items, start, args.threads), pgid=pgid)
        time.sleep(args.settle)
        if res["next_n"] > capacity:
            log(f"  WARNING: {res['next_n']} requests exceed the {capacity} distinct pairs: later ones overwrite")
        acked = res.pop("acked")
        acked_file = workdir / f"acked-{mode}.json"
        acked_file.write_text(json.dumps(acked))
        after = _helper(env, "_attempts", "--test", str(seed["test_id"]), "--acked", str(acked_file),
                        tag="ATTEMPTS_JSON")
        statuses = {int(k): v for k, v in res["statuses"].items()}
        added = after["responses"] - before["responses"]
        res.update(
            acked=len(acked), rps_acked=round(len(acked) / (res["duration_us"] / 1e6), 1),
            non2xx=sum(v for k, v in statuses.items() if not 200 <= k < 300),
            db={"rows_added": added, "acked_without_row": after["acked_without_row"],
                "duplicate_acks": after["acked"] - after["acked_unique"], "duplicate_rows": after["duplicate_rows"],
                "unacknowledged_rows": added - len(acked)},
            warmup={"requests": warm["requests"], "statuses": warm["statuses"]})
        db = res["db"]
        db["ok"] = (db["acked_without_row"] == 0 and db["duplicate_acks"] == 0 and db["duplicate_rows"] == 0
                    and 0 <= db["unacknowledged_rows"] <= args.connections and res["unparsed_200"] == 0
                    and check["participants_with_two"] == 0)
        result["answers"] = res
        log(f"  answers      {res['rps']:>9.1f} req/s  p50 {res['ms']['p50']} ms  p99 {res['ms']['p99']} ms  "
            f"acked {len(acked)}  rows +{added}  statuses {res['statuses']}  ({cl.cpu_note(res)})")
    finally:
        time.sleep(0.5)
        stderr = srv.stderr()
        srv.stop()
        result["database_is_locked"] = stderr.count("database is locked")
        result["server_tracebacks"] = stderr.count("Traceback (most recent call last)")
        result["server_stderr_tail"] = stderr[-1500:]
    return result


def summarise(results: dict) -> list[str]:
    base = results.get("baseline")
    lines = [f"{'mode':<9}{'scenario':<10}{'req/s':>10}{'x hello':>9}{'p50 ms':>9}{'p99 ms':>9}{'non-2xx':>9}"
             f"{'cpu srv/wrk/other':>19}"]

    def row(mode, name, r):
        ratio = f"{r['rps'] / base['rps']:.3f}" if base else "-"
        c = r["cpu"]
        return (f"{mode:<9}{name:<10}{r['rps']:>10.1f}{ratio:>9}{r['ms']['p50']:>9.2f}{r['ms']['p99']:>9.2f}"
                f"{r['errors']['status']:>9}{c['server_cores']:>7.2f}/{c['wrk_cores']:.2f}/{c['other_cores']:.2f}")

    if base:
        lines.append(row("-", "hello", base))
    for mode, res in results["modes"].items():
        if "error" in res:
            lines.append(f"{mode}: ERROR {res['error'][:300]}")
            continue
        lines.append(row(mode, "attempts", res["attempts"]))
        lines.append(row(mode, "answers", res["answers"]))
    lines.append("")
    for mode, res in results["modes"].items():
        if "error" in res:
            continue
        a, at = res["answers"], res["attempts"]
        db = a["db"]
        ok = a["rps_acked"] >= TARGET_RPS and a["ms"]["p99"] <= TARGET_P99_MS and a["non2xx"] == 0 and db["ok"]
        lines.append(f"{mode}: attempts {at['db']['attempts']} for {at['created_201']} 201s, participants with two "
                     f"attempts: {at['db']['participants_with_two']}; answers acknowledged {a['acked']} "
                     f"({a['rps_acked']}/s), rows +{db['rows_added']}, lost {db['acked_without_row']}, duplicate rows "
                     f"{db['duplicate_rows']} -> {'OK' if db['ok'] else 'INCONSISTENT'}; 'database is locked': "
                     f"{res['database_is_locked']}, tracebacks: {res['server_tracebacks']}")
        lines.append(f"  {'MET ' if ok else 'MISS'}  answers >= {TARGET_RPS}/s, p99 <= {TARGET_P99_MS} ms, 0 errors, "
                     f"0 lost/dup @ c={results['config']['connections']}: {a['rps_acked']}/s, p99 {a['ms']['p99']} ms")
    return lines


def main(argv=None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    if argv and argv[0] == "_seed":
        p = argparse.ArgumentParser()
        p.add_argument("--participants", type=int, required=True)
        cl._django()
        cmd_seed(p.parse_args(argv[1:]))
        return 0
    if argv and argv[0] == "_attempts":
        p = argparse.ArgumentParser()
        p.add_argument("--test", type=int, required=True)
        p.add_argument("--out")
        p.add_argument("--acked")
        cmd_attempts(p.parse_args(argv[1:]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--attempt-seconds", type=int, default=5,
                        help="length of the attempt-creation run (every participant at most once)")
    parser.add_argument("--connections", "-c", type=int, default=64)
    parser.add_argument("--threads", "-t", type=int, default=1)
    parser.add_argument("--participants", type=int, default=4000)
    parser.add_argument("--pg-db", default="netral_bench_answers")
    parser.add_argument("--no-redis", dest="redis", action="store_false")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--wrk-timeout", type=int, default=10)
    parser.add_argument("--settle", type=float, default=1.0)
    parser.add_argument("--no-baseline", action="store_true")
    args = parser.parse_args(argv)
    args.server_workers = os.cpu_count() or 1
    started = datetime.now(timezone.utc)
    results = {"config": {"connections": args.connections, "duration": args.duration, "participants": args.participants,
                          "items": ITEMS, "server_workers": args.server_workers}, "modes": {},
               "machine": {"cpus": os.cpu_count(), "loadavg_at_start": os.getloadavg()}}
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="netral-answers-") as tmp:
        workdir = Path(tmp)
        if not args.no_baseline:
            results["baseline"] = cl.baseline(args, workdir)
        for mode in (["sqlite", "postgres"] if args.db == "both" else [args.db]):
            try:
                results["modes"][mode] = run_mode(mode, args, workdir)
            except Exception as exc:  # noqa: BLE001 -- reported, the other mode still runs
                cl.log(f"{mode}: ERROR {exc}")
                results["modes"][mode] = {"error": str(exc)}
            finally:
                if mode == "postgres":
                    try:
                        cl.pg_admin(f'DROP DATABASE IF EXISTS "{args.pg_db}" WITH (FORCE)')
                    except Exception:  # noqa: BLE001
                        pass
    results["elapsed_s"] = round(time.monotonic() - t0, 1)
    results["loadavg_at_end"] = os.getloadavg()
    cl.save_results(results, summarise(results), started=started, prefix="answers-")
    return 0


if __name__ == "__main__":
    sys.exit(main())
