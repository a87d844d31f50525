#!/usr/bin/env python3
"""Load benchmark: check-ins and trivial reads against ``netral serve``, SQLite and/or PostgreSQL.

    .venv/bin/python bench/checkin_load.py [--db sqlite|postgres|both] [--duration 10] [--connections 64]

See bench/README.md. Only talks to 127.0.0.1. Every wait is bounded; servers run in their
own process group and are killed on exit; temp dirs and the bench database are removed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PY = sys.executable
NETRAL = [PY, "-m", "netral.cli"]
HOST = "127.0.0.1"
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
USERNAME, PASSWORD = "bench_organiser", "bench-Password-123"
SECRET_KEY = "bench-secret-key-not-for-production-" + "x" * 20

# Goals from shared/PERFORMANCE.md (one 2-vCPU machine, 64 connections).
TARGET_WRITE_RPS, TARGET_WRITE_P99_MS = 1500, 100
TARGET_READ_RPS, TARGET_READ_P99_MS = 3000, 50


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


# --------------------------------------------------------------------------------------
# In-process helpers run as subprocesses with the mode's environment (django.setup()).
# --------------------------------------------------------------------------------------

def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netral.settings")
    import django

    django.setup()


def cmd_seed(ns) -> None:
    """Organiser + one running event + N participants with unique valid NIPs."""
    _django()
    from datetime import date, timedelta

    from django.db import connection, transaction
    from django.utils import timezone as djtz

    from netral.accounts.models import User
    from netral.accounts.nip import build_nip, parse_nip
    from netral.events.enums import EventStatus, ParticipantKind, ParticipantSource
    from netral.events.models import Event, Participant, new_token

    t0 = time.monotonic()
    user = User.objects.create_user(username=USERNAME, password=PASSWORD, role="organiser",
                                    first_name="Bench", last_name="Organiser")
    event = Event.objects.create(
        owner=user, title="Benchmark sosialisasi netralitas ASN", theme="Load test",
        starts_at=djtz.now(), venue_name="Aula Benchmark", organiser_name="Netral bench",
        status=EventStatus.RUNNING, methods=["lecture"],
    )
    base = date(1970, 1, 1)

    def nip(i: int) -> str:
        # serial 001-999, gender 1/2, then the birth date moves on: unique and valid.
        serial, rest = i % 999 + 1, i // 999
        gender, day = rest % 2 + 1, rest // 2
        return build_nip(base + timedelta(days=day), 2000, 1, gender, serial)

    parse_nip(nip(0)), parse_nip(nip(ns.participants - 1))  # sanity: valid NIPs
    # Like bulk_create, but ~10x faster: every column is prepared by its Django field once,
    # from a template participant; only nip, name and token vary per row. Then one
    # executemany (SQLite) or COPY (PostgreSQL).
    template = Participant(event=event, kind=ParticipantKind.PNS, nip=nip(0), name="Peserta",
                           agency="Pemkab Benchmark", unit="Bagian Umum", position="Analis",
                           source=ParticipantSource.IMPORT)
    fields = [f for f in Participant._meta.concrete_fields if not f.primary_key]
    varying = {"nip": lambda i: nip(i), "name": lambda i: f"Peserta {i:06d}", "token": lambda i: new_token()}
    const = {f.attname: f.get_db_prep_save(f.pre_save(template, add=True), connection)
             for f in fields if f.attname not in varying}
    columns = [f.column for f in fields]
    makers = [(varying[f.attname], None) if f.attname in varying else (None, const[f.attname]) for f in fields]
    table = Participant._meta.db_table
    qn = connection.ops.quote_name
    with transaction.atomic():
        with connection.cursor() as cur:
            for lo in range(0, ns.participants, 20000):
                rows = [tuple(make(i) if make else value for make, value in makers)
                        for i in range(lo, min(lo + 20000, ns.participants))]
                if connection.vendor == "postgresql":
                    cols = ", ".join(qn(c) for c in columns)
                    with cur.cursor.copy(f"COPY {qn(table)} ({cols}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
                else:
                    marks = ", ".join(["%s"] * len(columns))
                    cur.executemany(f"INSERT INTO {qn(table)} ({', '.join(qn(c) for c in columns)}) "
                                    f"VALUES ({marks})", rows)
    ids = Participant.objects.filter(event=event).order_by("pk").values_list("pk", flat=True)
    first, last = ids.first(), ids.last()
    count = Participant.objects.filter(event=event).count()
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    print("SEED_JSON " + json.dumps({
        "event_id": event.pk, "event_code": event.code, "first_participant_id": first,
        "last_participant_id": last, "participants": count, "contiguous": last - first + 1 == count,
        "seconds": round(time.monotonic() - t0, 2),
    }), flush=True)


def cmd_verify(ns) -> None:
    """Attendance counts for an event; with --ids-file also which 201 ids have no row."""
    _django()
    from django.db.models import Count, Max

    from netral.events.models import Attendance

    qs = Attendance.objects.filter(event_id=ns.event)
    agg = qs.aggregate(rows=Count("id"), distinct=Count("participant_id", distinct=True),
                       max_pid=Max("participant_id"))
    out = {"rows": agg["rows"], "distinct_participants": agg["distinct"], "max_participant_id": agg["max_pid"]}
    if ns.ids_file:
        ids = json.loads(Path(ns.ids_file).read_text())
        present = set()
        for lo in range(0, len(ids), 5000):
            chunk = ids[lo:lo + 5000]
            present.update(qs.filter(participant_id__in=chunk).values_list("participant_id", flat=True))
        out["ids_201"] = len(ids)
        out["ids_201_unique"] = len(set(ids))
        out["ids_201_without_row"] = len(set(ids) - present)
        if ns.from_id:
            out["rows_in_measured_range"] = qs.filter(participant_id__gte=ns.from_id).count()
    print("VERIFY_JSON " + json.dumps(out), flush=True)


# --------------------------------------------------------------------------------------
# Orchestration
# --------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def run(argv, env, *, timeout, tag, capture=True) -> subprocess.CompletedProcess:
    proc = subprocess.run(argv, env=env, cwd=ROOT, timeout=timeout, text=True,
                          stdout=subprocess.PIPE if capture else None, stderr=subprocess.PIPE)
    if proc.returncode != 0:
        raise RuntimeError(f"{tag} failed ({proc.returncode}):\n{(proc.stdout or '')[-2000:]}\n{proc.stderr[-4000:]}")
    return proc


def tagged_json(text: str, tag: str) -> dict:
    for line in text.splitlines():
        if line.startswith(tag + " "):
            return json.loads(line[len(tag) + 1:])
    raise RuntimeError(f"no {tag} line in output:\n{text[-3000:]}")


class Server:
    """A server subprocess in its own process group, output to files."""

    def __init__(self, name, argv, env, workdir: Path, cwd=ROOT):
        self.name = name
        self.out_path = workdir / f"{name}.stdout.log"
        self.err_path = workdir / f"{name}.stderr.log"
        self._out = open(self.out_path, "wb")
        self._err = open(self.err_path, "wb")
        self.proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=self._out, stderr=self._err,
                                     stdin=subprocess.DEVNULL, start_new_session=True)

    def wait_ready(self, port: int, path: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                status, _, _ = http_request("GET", port, path, timeout=2)
                if status == 200:
                    return
                last = f"status {status}"
            except OSError as exc:
                last = exc
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} not ready on :{port}{path} ({last}); stderr:\n{self.stderr()[-3000:]}")

    def stderr(self) -> str:
        self._err.flush()
        return self.err_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
                try:
                    os.killpg(self.proc.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    self.proc.wait(timeout=wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        else:
            # The leader exited; make sure no worker of its group survives.
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        self._out.close()
        self._err.close()


def http_request(method, port, path, *, body=None, headers=None, timeout=10):
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read()
    finally:
        conn.close()


def parse_wrk(stdout: str) -> dict:
    data = tagged_json(stdout, "BENCH_JSON")
    secs = data["duration_us"] / 1e6
    data["rps"] = round(data["requests"] / secs, 1) if secs else 0.0
    m = re.search(r"Requests/sec:\s+([\d.]+)", stdout)
    data["rps_wrk"] = float(m.group(1)) if m else None
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", stdout)
    data["non2xx_wrk"] = int(m.group(1)) if m else 0
    e = data["errors"]
    data["socket_errors"] = e["connect"] + e["read"] + e["write"] + e["timeout"]
    lat = data["latency_us"]
    data["ms"] = {k: round(lat[k] / 1000, 2) for k in ("p50", "p95", "p99", "max")}
    return data


_HZ = os.sysconf("SC_CLK_TCK")


def _machine_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    with open("/proc/stat") as fh:
        vals = [int(v) for v in fh.readline().split()[1:]]
    idle = vals[3] + (vals[4] if len(vals) > 4 else 0)
    return sum(vals) - idle, sum(vals)


def _group_ticks(pgid: int | None) -> int:
    """utime+stime of every live process in a process group."""
    if pgid is None:
        return 0
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields[0] is state; pgrp is field 5 overall
            total += int(fields[11]) + int(fields[12])
    return total


class CpuSample:
    """Cores used during a measurement by the server, by wrk and by everything else
    (other engineers' tests share this machine: 'other' shows how noisy the run was)."""

    def __init__(self, pgid):
        import resource

        self.pgid = pgid
        self._res = resource
        self.t0 = time.monotonic()
        self.m0 = _machine_ticks()
        self.s0 = _group_ticks(pgid)
        ru = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.w0 = ru.ru_utime + ru.ru_stime

    def done(self) -> dict:
        wall = time.monotonic() - self.t0
        m1 = _machine_ticks()
        ru = self._res.getrusage(self._res.RUSAGE_CHILDREN)
        busy = (m1[0] - self.m0[0]) / _HZ / wall
        server = (_group_ticks(self.pgid) - self.s0) / _HZ / wall
        wrk_cores = (ru.ru_utime + ru.ru_stime - self.w0) / wall
        return {"machine_busy_cores": round(busy, 2), "server_cores": round(server, 2),
                "wrk_cores": round(wrk_cores, 2), "other_cores": round(max(0.0, busy - server - wrk_cores), 2),
                "cpus": os.cpu_count()}


def wrk(port, path, *, seconds, args, script, script_args=(), pgid=None) -> dict:
    argv = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{seconds}s", "--latency",
            "--timeout", f"{args.wrk_timeout}s", "-s", str(BENCH / script), f"http://{HOST}:{port}{path}"]
    if script_args:
        argv += ["--", *map(str, script_args)]
    cpu = CpuSample(pgid)
    proc = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=seconds + 60)
    if proc.returncode != 0:
        raise RuntimeError(f"wrk failed: {proc.stderr[-2000:]}\n{proc.stdout[-2000:]}")
    res = parse_wrk(proc.stdout)
    res["cpu"] = cpu.done()
    return res


def cpu_note(res) -> str:
    c = res["cpu"]
    return f"cpu: server {c['server_cores']}, wrk {c['wrk_cores']}, other {c['other_cores']} cores"


def measure_get(name, port, path, args, pgid) -> dict:
    status, headers, _ = http_request("GET", port, path)
    if status != 200:
        raise RuntimeError(f"{name}: GET {path} -> {status}, expected 200")
    wrk(port, path, seconds=args.warmup, args=args, script="report.lua", pgid=pgid)
    res = wrk(port, path, seconds=args.duration, args=args, script="report.lua", pgid=pgid)
    res.update(scenario=name, path=path, non2xx=res["errors"]["status"])
    log(f"  {name:<12} {res['rps']:>9.1f} req/s  p50 {res['ms']['p50']} ms  p99 {res['ms']['p99']} ms  "
        f"({cpu_note(res)})")
    return res


def baseline(args, workdir: Path) -> dict:
    port = free_port()
    argv = granian_argv(args, port, "hello_asgi:app")
    env = dict(os.environ)
    srv = Server("hello", argv, env, workdir, cwd=BENCH)
    try:
        srv.wait_ready(port, "/", timeout=30)
        log(f"baseline: hello ASGI on granian :{port} ({args.server_workers} workers)")
        return measure_get("hello", port, "/", args, srv.proc.pid)
    finally:
        srv.stop()


def granian_argv(args, port, target) -> list[str]:
    granian = shutil.which("granian", path=os.path.dirname(PY)) or "granian"
    # Same flags as netral.core.management.commands.serve.
    return [granian, "--interface", "asgi", "--host", HOST, "--port", str(port),
            "--workers", str(args.server_workers), "--loop", "auto", "--no-ws",
            "--log-level", "warning", target]


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=10) as conn:
        conn.execute(sql)


def run_mode(mode: str, args, workdir: Path) -> dict:
    result: dict = {"mode": mode, "scenarios": {}}
    data_dir = Path(tempfile.mkdtemp(prefix=f"netral-bench-{mode}-", dir=workdir))
    env = dict(os.environ)
    for key in ("DATABASE_URL", "REDIS_URL", "NETRAL_DEBUG", "NETRAL_PUBLIC_URL", "NETRAL_MEDIA_DIR"):
        env.pop(key, None)
    env.update(NETRAL_DATA_DIR=str(data_dir), NETRAL_SECRET_KEY=SECRET_KEY, DJANGO_SETTINGS_MODULE="netral.settings",
               NETRAL_LOG_LEVEL="WARNING", PYTHONUNBUFFERED="1")
    if args.workers:
        env["NETRAL_WORKERS"] = str(args.workers)
    env.update(args.server_env_map)
    if mode == "postgres":
        dbname = args.pg_db
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{dbname}"
        if args.redis:
            env["REDIS_URL"] = args.redis_url
            env["NETRAL_CACHE_PREFIX"] = f"netral_bench_{os.getpid()}"
        pg_admin(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        pg_admin(f'CREATE DATABASE "{dbname}"')
    result["env"] = {k: env[k] for k in ("NETRAL_DATA_DIR", "DATABASE_URL", "REDIS_URL") if k in env}

    t0 = time.monotonic()
    run([*NETRAL, "migrate", "--noinput", "-v0"], env, timeout=300, tag="migrate")
    run([*NETRAL, "collectstatic", "--noinput", "-v0"], env, timeout=300, tag="collectstatic")
    t1 = time.monotonic()
    seed = tagged_json(run([PY, str(BENCH / "checkin_load.py"), "_seed", "--participants", str(args.participants)],
                           env, timeout=600, tag="seed").stdout, "SEED_JSON")
    result["setup"] = {"migrate_collectstatic_s": round(t1 - t0, 1), "seed_s": seed["seconds"], **seed}
    log(f"{mode}: migrated in {t1 - t0:.1f}s, seeded {seed['participants']} participants in {seed['seconds']}s "
        f"(event {seed['event_id']} code {seed['event_code']})")
    if not seed["contiguous"]:
        log("  WARNING: participant ids are not contiguous; some check-ins may 404")

    manifest = json.loads((data_dir / "static" / "staticfiles.json").read_text())
    static_path = "/static/" + manifest["paths"]["netral/css/netral.css"]

    port = free_port()
    serve = [*NETRAL, "serve", "--host", HOST, "--port", str(port), "--no-migrate"]
    if args.workers:
        serve += ["--workers", str(args.workers)]
    srv = Server(f"netral-{mode}", serve, env, workdir)
    try:
        srv.wait_ready(port, "/api/health", timeout=60)
        status, _, body = http_request("POST", port, "/api/auth/token",
                                       body=json.dumps({"username": USERNAME, "password": PASSWORD}),
                                       headers={"Content-Type": "application/json"})
        if status != 200:
            raise RuntimeError(f"token: {status} {body[:300]!r}")
        token = json.loads(body)["token"]
        log(f"{mode}: netral serve on :{port} ready, token issued")

        sc = result["scenarios"]
        sc["health"] = measure_get("health", port, "/api/health", args, srv.proc.pid)
        sc["static"] = measure_get("static", port, static_path, args, srv.proc.pid)
        sc["event_page"] = measure_get("event_page", port, f"/e/{seed['event_code']}/", args, srv.proc.pid)
        sc["checkin"] = measure_checkin(port, env, seed, token, args, workdir, mode, srv.proc.pid)
    finally:
        time.sleep(0.5)
        stderr = srv.stderr()
        srv.stop()
        result["server_stderr_lines"] = len(stderr.splitlines())
        result["database_is_locked"] = stderr.count("database is locked")
        result["server_tracebacks"] = stderr.count("Traceback (most recent call last)")
        result["server_stderr_tail"] = stderr[-1500:]
    if args.compare_wsgi:
        result["wsgi_compare"] = compare_wsgi(mode, args, env, seed, token, workdir)
    return result


def compare_wsgi(mode, args, env, seed, token, workdir: Path) -> dict:
    """Diagnostic: the same Django app under granian's own WSGI interface
    (--blocking-threads 1), i.e. without netral.asgi + wsgibridge."""
    port = free_port()
    argv = granian_argv(args, port, "netral.wsgi:application")
    argv[argv.index("asgi")] = "wsgi"
    argv[argv.index("--no-ws"):argv.index("--no-ws") + 1] = ["--blocking-threads", "1"]
    srv = Server(f"wsgi-{mode}", argv, env, workdir)
    out = {"server": "granian --interface wsgi --blocking-threads 1 netral.wsgi:application", "scenarios": {}}
    try:
        srv.wait_ready(port, "/api/health", timeout=60)
        log(f"{mode}: diagnostic: granian WSGI (no bridge) on :{port}")
        out["scenarios"]["health"] = measure_get("wsgi:health", port, "/api/health", args, srv.proc.pid)
        out["scenarios"]["checkin"] = measure_checkin(port, env, seed, token, args, workdir, mode + "-wsgi",
                                                      srv.proc.pid)
    except Exception as exc:  # noqa: BLE001 -- diagnostic only
        out["error"] = str(exc)
        log(f"{mode}: wsgi diagnostic failed: {exc}")
    finally:
        time.sleep(0.5)
        stderr = srv.stderr()
        srv.stop()
        out["database_is_locked"] = stderr.count("database is locked")
    return out


def verify(env, event_id, *, ids_file=None, from_id=None) -> dict:
    argv = [PY, str(BENCH / "checkin_load.py"), "_verify", "--event", str(event_id)]
    if ids_file:
        argv += ["--ids-file", str(ids_file), "--from-id", str(from_id)]
    return tagged_json(run(argv, env, timeout=120, tag="verify").stdout, "VERIFY_JSON")


def measure_checkin(port, env, seed, token, args, workdir: Path, mode: str, pgid) -> dict:
    path = f"/api/events/{seed['event_id']}/checkins"
    first = seed["first_participant_id"]
    pre = verify(env, seed["event_id"])
    first = max(first, (pre["max_participant_id"] or 0) + 1)
    status, _, body = http_request("POST", port, path, body=json.dumps({"participant_id": first}),
                                   headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    if status != 201:
        raise RuntimeError(f"check-in preflight: {status} {body[:300]!r}")
    # Warm-up on its own id range.
    warm = wrk(port, path, seconds=args.warmup, args=args, script="checkin.lua",
               script_args=(path, token, first + 1, args.threads), pgid=pgid)
    time.sleep(args.settle)  # let requests in flight when wrk stopped finish
    before = verify(env, seed["event_id"])
    start_id = max(before["max_participant_id"] or first, warm["next_id"]) + 1
    expected = (args.duration * 6000) + start_id
    if expected > seed["last_participant_id"]:
        log(f"  WARNING: {seed['last_participant_id'] - start_id} participants left; a fast run may run out (404s)")
    res = wrk(port, path, seconds=args.duration, args=args, script="checkin.lua",
              script_args=(path, token, start_id, args.threads), pgid=pgid)
    time.sleep(args.settle)
    ids = res.pop("created_ids")
    ids_file = workdir / f"created-{mode}.json"
    ids_file.write_text(json.dumps(ids))
    after = verify(env, seed["event_id"], ids_file=ids_file, from_id=start_id)
    statuses = {int(k): v for k, v in res["statuses"].items()}
    created = statuses.get(201, 0)
    rows_added = after["rows"] - before["rows"]
    res.update(
        scenario="checkin", path=path, first_id=start_id,
        non2xx=sum(v for k, v in statuses.items() if not 200 <= k < 300),
        created_201=created, rps_201=round(created / (res["duration_us"] / 1e6), 1),
        db={
            "rows_before": before["rows"], "rows_after": after["rows"], "rows_added": rows_added,
            "rows_in_measured_range": after.get("rows_in_measured_range"),
            "distinct_participants": after["distinct_participants"],
            "duplicates": after["rows"] - after["distinct_participants"],
            "lost_201_without_row": after["ids_201_without_row"],
            "duplicate_201_ids": after["ids_201"] - after["ids_201_unique"],
            # Requests wrk had sent but not read a response for when it stopped may still
            # be committed by the server: rows_added - 201s is at most the connection count.
            "unacknowledged_rows": rows_added - created,
        },
        warmup={"requests": warm["requests"], "statuses": warm["statuses"]},
    )
    db = res["db"]
    db["ok"] = (db["duplicates"] == 0 and db["lost_201_without_row"] == 0 and db["duplicate_201_ids"] == 0
                and 0 <= db["unacknowledged_rows"] <= args.connections and res["unparsed_201"] == 0)
    log(f"  {'checkin':<12} {res['rps']:>9.1f} req/s  p50 {res['ms']['p50']} ms  p99 {res['ms']['p99']} ms  "
        f"201s {created}  rows +{rows_added}  statuses {res['statuses']}  ({cpu_note(res)})")
    return res


# --------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------

def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def summarise(results: dict) -> list[str]:
    lines = []
    base = results.get("baseline")
    hdr = f"{'mode':<9}{'scenario':<12}{'req/s':>10}{'x hello':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}" \
          f"{'max ms':>9}{'non-2xx':>9}{'sock err':>9}{'cpu srv/wrk/other':>19}"
    lines += [hdr, "-" * len(hdr)]

    def row(mode, name, r):
        ratio = f"{r['rps'] / base['rps']:.3f}" if base and base.get("rps") else "-"
        m = r["ms"]
        return (f"{mode:<9}{name:<12}{r['rps']:>10.1f}{ratio:>9}{m['p50']:>9.2f}{m['p95']:>9.2f}{m['p99']:>9.2f}"
                f"{m['max']:>9.1f}{r['non2xx']:>9}{r['socket_errors']:>9}"
                f"{'{server_cores:.2f}/{wrk_cores:.2f}/{other_cores:.2f}'.format(**r['cpu']):>19}")

    if base:
        lines.append(row("-", "hello", base))
    for mode, res in results["modes"].items():
        if "error" in res:
            lines.append(f"{mode:<9}ERROR: {res['error'][:200]}")
            continue
        for name, r in res["scenarios"].items():
            lines.append(row(mode, name, r))
        for name, r in res.get("wsgi_compare", {}).get("scenarios", {}).items():
            lines.append(row(mode, "wsgi:" + name, r))
    lines.append("")
    for mode, res in results["modes"].items():
        if "error" in res:
            continue
        c = res["scenarios"].get("checkin")
        if c:
            db = c["db"]
            lines.append(
                f"{mode}: check-in 201s {c['created_201']} ({c['rps_201']}/s), statuses {c['statuses']}; "
                f"DB rows +{db['rows_added']} (unacknowledged {db['unacknowledged_rows']}), duplicates "
                f"{db['duplicates']}, lost {db['lost_201_without_row']} -> {'OK' if db['ok'] else 'INCONSISTENT'}; "
                f"'database is locked' in server stderr: {res['database_is_locked']}, tracebacks: "
                f"{res['server_tracebacks']}")
        for t in res.get("targets", []):
            lines.append(f"  {t['verdict']}  {t['name']}: {t['measured']}")
    return lines


def targets(res: dict, connections: int) -> list[dict]:
    out = []
    c = res["scenarios"].get("checkin")
    if c:
        ok = (c["rps_201"] >= TARGET_WRITE_RPS and c["ms"]["p99"] <= TARGET_WRITE_P99_MS and c["non2xx"] == 0
              and c["socket_errors"] == 0 and c["db"]["ok"])
        out.append({"name": f"check-ins >= {TARGET_WRITE_RPS}/s, p99 <= {TARGET_WRITE_P99_MS} ms, 0 errors, "
                            f"0 lost/dup @ c={connections}",
                    "measured": f"{c['rps_201']}/s, p99 {c['ms']['p99']} ms, non-2xx {c['non2xx']}, "
                                f"sock err {c['socket_errors']}, db {'ok' if c['db']['ok'] else 'INCONSISTENT'}",
                    "verdict": verdict(ok)})
    for name in ("health", "static", "event_page"):
        r = res["scenarios"].get(name)
        if r:
            ok = r["rps"] >= TARGET_READ_RPS and r["ms"]["p99"] <= TARGET_READ_P99_MS and r["non2xx"] == 0
            out.append({"name": f"read {name} >= {TARGET_READ_RPS}/s, p99 <= {TARGET_READ_P99_MS} ms",
                        "measured": f"{r['rps']}/s, p99 {r['ms']['p99']} ms", "verdict": verdict(ok)})
    if c is not None:
        out.append({"name": "no 'database is locked'", "measured": str(res["database_is_locked"]),
                    "verdict": verdict(res["database_is_locked"] == 0)})
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--duration", type=int, default=10, help="seconds per measured scenario (default 10)")
    parser.add_argument("--warmup", type=int, default=3, help="warm-up seconds before each scenario (default 3)")
    parser.add_argument("--connections", "-c", type=int, default=64)
    parser.add_argument("--threads", "-t", type=int, default=1, help="wrk threads (default 1)")
    parser.add_argument("--workers", type=int, default=0,
                        help="netral serve --workers (default: serve's default, one per CPU)")
    parser.add_argument("--participants", type=int, default=200_000)
    parser.add_argument("--no-baseline", action="store_true", help="skip the hello-world ASGI baseline")
    parser.add_argument("--pg-db", default="netral_bench")
    parser.add_argument("--no-redis", dest="redis", action="store_false",
                        help="postgres mode without REDIS_URL (default: redis://127.0.0.1:6379/0)")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--wrk-timeout", type=int, default=10, help="wrk per-request timeout, seconds")
    parser.add_argument("--settle", type=float, default=1.0, help="pause after a check-in run before counting")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (logs, SQLite file)")
    parser.add_argument("--compare-wsgi", action="store_true",
                        help="diagnostic: also run health + check-ins under granian's WSGI interface "
                             "(netral.wsgi, --blocking-threads 1), i.e. without the ASGI bridge (+~30 s/mode)")
    parser.add_argument("--server-env", action="append", default=[], metavar="KEY=VALUE",
                        help="extra environment for netral (repeatable), e.g. NETRAL_DJANGO_THREADS=4")
    sub = parser.add_subparsers(dest="internal")
    p = sub.add_parser("_seed")
    p.add_argument("--participants", type=int, required=True)
    p = sub.add_parser("_verify")
    p.add_argument("--event", type=int, required=True)
    p.add_argument("--ids-file")
    p.add_argument("--from-id", type=int)
    args = parser.parse_args(argv)
    if args.internal == "_seed":
        cmd_seed(args)
        return 0
    if args.internal == "_verify":
        cmd_verify(args)
        return 0

    if not shutil.which("wrk"):
        print("wrk not found (apt-get install wrk)", file=sys.stderr)
        return 2
    args.server_workers = args.workers or os.cpu_count() or 1
    args.server_env_map = dict(item.split("=", 1) for item in args.server_env)
    modes = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    started = datetime.now(timezone.utc)
    workdir = Path(tempfile.mkdtemp(prefix="netral-bench-"))
    results = {
        "started_utc": started.isoformat(timespec="seconds"),
        "command": " ".join([os.path.relpath(PY, ROOT), os.path.relpath(__file__, ROOT), *sys.argv[1:]]),
        "machine": {"cpus": os.cpu_count(), "loadavg_at_start": os.getloadavg(), "python": platform.python_version(),
                    "platform": platform.platform()},
        "config": {"duration_s": args.duration, "warmup_s": args.warmup, "connections": args.connections,
                   "wrk_threads": args.threads, "server_workers": args.server_workers,
                   "participants": args.participants, "wrk_timeout_s": args.wrk_timeout,
                   "server_env": args.server_env_map},
        "targets_source": "shared/PERFORMANCE.md goals",
        "modes": {},
    }
    try:
        import django
        import granian

        results["versions"] = {"django": django.get_version(), "granian": granian.__version__,
                               "wrk": subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split("\n")[0]}
    except Exception:  # noqa: BLE001 -- informative only
        pass
    log(f"modes {modes}, {args.duration}s per scenario after {args.warmup}s warm-up, "
        f"wrk -t{args.threads} -c{args.connections}, {args.server_workers} server workers, "
        f"load average {os.getloadavg()[0]:.2f}")
    interrupted = False
    try:
        if not args.no_baseline:
            results["baseline"] = baseline(args, workdir)
        for mode in modes:
            try:
                res = run_mode(mode, args, workdir)
                res["targets"] = targets(res, args.connections)
            except KeyboardInterrupt:
                raise
            except Exception as exc:  # noqa: BLE001 -- report, carry on with the next mode
                log(f"{mode}: ERROR {exc}")
                res = {"mode": mode, "error": str(exc)}
            finally:
                if mode == "postgres":
                    try:
                        pg_admin(f'DROP DATABASE IF EXISTS "{args.pg_db}" WITH (FORCE)')
                    except Exception as exc:  # noqa: BLE001
                        log(f"could not drop {args.pg_db}: {exc}")
            results["modes"][mode] = res
    except KeyboardInterrupt:
        interrupted = True
        log("interrupted; cleaning up")
    finally:
        results["loadavg_at_end"] = os.getloadavg()
        results["elapsed_s"] = round((datetime.now(timezone.utc) - started).total_seconds(), 1)
        if args.keep:
            log(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    save_results(results, summarise(results), started=started)
    return 130 if interrupted else 0


def save_results(results: dict, lines: list[str], *, started, prefix: str = "") -> Path:
    """Print the summary and keep the whole run as JSON in bench/results/ (git-ignored)."""
    print()
    print("\n".join(lines))
    out_dir = BENCH / "results"
    out_dir.mkdir(exist_ok=True)
    out = out_dir / f"{prefix}{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    results["summary"] = lines
    out.write_text(json.dumps(results, indent=2, default=str))
    print(f"\nresults: {os.path.relpath(out, ROOT)}  (elapsed {results['elapsed_s']} s, "
          f"load average start {results['machine']['loadavg_at_start'][0]:.2f} / end {results['loadavg_at_end'][0]:.2f})")
    return out


if __name__ == "__main__":
    sys.exit(main())
