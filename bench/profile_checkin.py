#!/usr/bin/env python3
"""Where does a check-in request spend its time? Drives Django's WSGI app in-process
(no server, no sockets), one request at a time, on a fresh SQLite data dir (or the
PostgreSQL database in DATABASE_URL if you set it yourself).

    .venv/bin/python bench/profile_checkin.py [--requests 3000] [--top 40] [--reads]

Prints: time per request without profiler, the SQL issued by one check-in, a cProfile
top list, and the share of time by area (middleware, ninja, auth, ORM, sqlite, ...).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=3000)
    ap.add_argument("--participants", type=int, default=20000)
    ap.add_argument("--top", type=int, default=35)
    ap.add_argument("--reads", action="store_true", help="also profile GET /api/health")
    ap.add_argument("--dump", help="write the raw cProfile stats here (for snakeviz etc.)")
    ap.add_argument("--postgres", action="store_true",
                    help="use a scratch PostgreSQL database netral_bench_profile on 127.0.0.1 (dropped after)")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="netral-profile-")
    os.environ["NETRAL_DATA_DIR"] = tmp
    os.environ.setdefault("NETRAL_SECRET_KEY", "profile-secret-" + "x" * 40)
    os.environ["DJANGO_SETTINGS_MODULE"] = "netral.settings"
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    pg = "netral_bench_profile"
    if args.postgres:
        from checkin_load import pg_admin  # noqa: PLC0415

        pg_admin(f'DROP DATABASE IF EXISTS "{pg}" WITH (FORCE)')
        pg_admin(f'CREATE DATABASE "{pg}"')
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{pg}"
    try:
        return run(args)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if args.postgres:
            from django.db import connections  # noqa: PLC0415

            connections.close_all()
            pg_admin(f'DROP DATABASE IF EXISTS "{pg}" WITH (FORCE)')


def run(args) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", interactive=False, verbosity=0)
    import checkin_load  # noqa: E402 -- bench/ on sys.path

    sys.argv = ["x", "_seed", "--participants", str(args.participants)]
    buf = io.StringIO()
    stdout, sys.stdout = sys.stdout, buf
    try:
        checkin_load.main(["_seed", "--participants", str(args.participants)])
    finally:
        sys.stdout = stdout
    seed = json.loads(buf.getvalue().split("SEED_JSON ", 1)[1])

    from netral.accounts.models import ApiToken, User

    _, raw = ApiToken.issue(User.objects.get(username=checkin_load.USERNAME))
    app = get_wsgi_application()
    path = f"/api/events/{seed['event_id']}/checkins"
    next_id = [seed["first_participant_id"]]

    def environ(method, path_info, body=b"", headers=None):
        env = {
            "REQUEST_METHOD": method, "SCRIPT_NAME": "", "PATH_INFO": path_info, "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1", "REMOTE_PORT": "5555", "CONTENT_LENGTH": str(len(body)),
            "wsgi.version": (1, 0), "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr, "wsgi.multithread": True, "wsgi.multiprocess": True,
            "wsgi.run_once": False, "HTTP_HOST": "127.0.0.1:8000",
        }
        env.update(headers or {})
        return env

    statuses = {}

    def start_response(status, headers, exc_info=None):
        code = int(status[:3])
        statuses[code] = statuses.get(code, 0) + 1

    def checkin():
        pid = next_id[0]
        next_id[0] += 1
        body = json.dumps({"participant_id": pid}).encode()
        result = app(environ("POST", path, body, {"CONTENT_TYPE": "application/json",
                                                  "HTTP_AUTHORIZATION": f"Bearer {raw}"}), start_response)
        b"".join(result)
        if hasattr(result, "close"):
            result.close()

    def health():
        result = app(environ("GET", "/api/health"), start_response)
        b"".join(result)
        result.close()

    for _ in range(200):  # warm-up
        checkin()
    with CaptureQueriesContext(connection) as ctx:
        checkin()
    print(f"SQL for one check-in ({len(ctx.captured_queries)} statements):")
    for q in ctx.captured_queries:
        print(f"  {q['time']:>6}s  {q['sql'][:160]}")
    reset_queries()

    t0 = time.perf_counter()
    n = args.requests
    for _ in range(n):
        checkin()
    el = time.perf_counter() - t0
    print(f"\ncheck-in: {n} requests in {el:.2f}s = {el / n * 1e3:.3f} ms/request "
          f"({n / el:.0f}/s on one thread, no server); statuses {statuses}")

    # Time inside the database driver (execute + commit), no profiler.
    db_time = [0.0, 0]

    def timer(execute, sql, params, many, context):
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            db_time[0] += time.perf_counter() - t
            db_time[1] += 1

    raw_conn_commit = connection.commit  # noqa: F841 -- commits go through _commit below
    orig_commit = connection._commit

    def timed_commit():
        t = time.perf_counter()
        try:
            return orig_commit()
        finally:
            db_time[0] += time.perf_counter() - t

    connection._commit = timed_commit
    m = min(n, 1000)
    t0 = time.perf_counter()
    with connection.execute_wrapper(timer):
        for _ in range(m):
            checkin()
    el_db = time.perf_counter() - t0
    connection._commit = orig_commit
    print(f"  of which in DB driver (execute+commit): {db_time[0] / m * 1e3:.3f} ms/request "
          f"({100 * db_time[0] / el_db:.0f}%), {db_time[1] / m:.1f} statements/request "
          "(BEGIN/SAVEPOINT/COMMIT included); the rest is Python")
    if args.reads:
        t0 = time.perf_counter()
        for _ in range(n):
            health()
        el2 = time.perf_counter() - t0
        print(f"health:   {n} requests in {el2:.2f}s = {el2 / n * 1e3:.3f} ms/request ({n / el2:.0f}/s)")

    bridge_cost(n)

    prof = cProfile.Profile()
    prof.enable()
    for _ in range(n):
        checkin()
    prof.disable()
    if args.dump:
        prof.dump_stats(args.dump)
    stats = pstats.Stats(prof)
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(args.top)
    print("\n=== cProfile, check-in, by own time ===")
    print(out.getvalue().split("\n", 4)[-1])
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(args.top + 20)
    print("\n=== cProfile, check-in, cumulative ===")
    print(out.getvalue().split("\n", 4)[-1])

    # Inclusive time of a few landmarks (cumulative, per request).
    print("\n=== landmarks (cumulative ms per check-in; nested, do not add up) ===")
    landmarks = {
        "whole WSGI call": ("django/core/handlers/wsgi.py", "__call__"),
        "ninja view dispatch (PathView)": ("ninja/router.py", "_sync_view"),
        "ninja operation.run": ("ninja/operation.py", "run"),
        "ninja auth (_run_authentication)": ("ninja/operation.py", "_run_authentication"),
        "BearerAuth.authenticate": ("netral/api.py", "authenticate"),
        "ApiToken.lookup": ("netral/accounts/models.py", "lookup"),
        "ninja _get_values (parse body/schema)": ("ninja/operation.py", "_get_values"),
        "ninja _result_to_response": ("ninja/operation.py", "_result_to_response"),
        "create_checkin view": ("netral/events/api.py", "create_checkin"),
        "_managed_event": ("netral/events/api.py", "_managed_event"),
        "check_in service": ("netral/events/services/checkin.py", "check_in"),
        "get_or_create": ("django/db/models/query.py", "get_or_create"),
        "transaction.atomic __enter__": ("django/db/transaction.py", "__enter__"),
        "transaction.atomic __exit__ (commit)": ("django/db/transaction.py", "__exit__"),
        "sqlite3 execute": ("django/db/backends/sqlite3/base.py", "execute"),
        "SQL compile (as_sql)": ("django/db/models/sql/compiler.py", "as_sql"),
        "request_finished signal (close_old_connections)": ("django/db/__init__.py", "close_old_connections"),
        "get_response (middleware chain)": ("django/core/handlers/base.py", "get_response"),
        "LocaleMiddleware": ("django/middleware/locale.py", "process_request"),
        "CSP middleware": ("csp/middleware.py", "process_response"),
        "WhiteNoise middleware": ("whitenoise/middleware.py", "__call__"),
        "json dumps (ninja renderer)": ("ninja/renderers.py", "render"),
        "pydantic validation": ("ninja/signature/details.py", "resolve"),
    }
    raw_stats = stats.stats
    for label, (fname, func) in landmarks.items():
        total = 0.0
        calls = 0
        for (f, _line, fn), (cc, nc, tt, ct, callers) in raw_stats.items():
            if fn == func and f.replace("\\", "/").endswith(fname):
                total = max(total, ct)
                calls += nc
        if calls:
            print(f"  {label:<52} {total / n * 1e3:7.3f} ms   ({calls / n:.1f} calls/request)")

    # Own time by area.
    areas = {
        "DB driver (sqlite3/psycopg)": ("of 'sqlite3", "SQLiteCursorWrapper.execute", "psycopg"),
        "django ORM (db/models)": ("django/db/models",),
        "django db backends": ("django/db/backends", "django/db/transaction", "django/db/utils"),
        "django middleware": ("django/middleware", "django/contrib/sessions", "django/contrib/auth/middleware",
                              "django/contrib/messages", "csp/", "django_htmx", "whitenoise"),
        "django http/handlers/urls": ("django/http", "django/core/handlers", "django/urls"),
        "django signals/dispatch": ("django/dispatch",),
        "django i18n/translation": ("django/utils/translation",),
        "django other": ("django/",),
        "ninja": ("ninja/",),
        "pydantic": ("pydantic",),
        "netral": ("netral/",),
        "builtins/stdlib": ("json/", "python3.11", "<frozen", "<built-in", "<method", "{built-in", "{method"),
    }
    buckets = {k: 0.0 for k in areas}
    buckets["unclassified"] = 0.0
    for (f, _line, fn), (cc, nc, tt, ct, callers) in raw_stats.items():
        key = f.replace("\\", "/") if f != "~" else fn
        for area, needles in areas.items():
            if any(nd in key for nd in needles):
                buckets[area] += tt
                break
        else:
            buckets["unclassified"] += tt
    tot = sum(buckets.values())
    print("\n=== own time by area (profiled; profiler overhead inflates Python-heavy areas) ===")
    for area, t in sorted(buckets.items(), key=lambda kv: -kv[1]):
        print(f"  {area:<32} {t / n * 1e3:7.3f} ms/request  {100 * t / tot:5.1f}%")
    return 0


def bridge_cost(n: int) -> None:
    """Cost of the ASGI->WSGI hop (netral.core.wsgibridge) around a trivial WSGI app."""
    import asyncio

    from netral.core.wsgibridge import WSGIBridge

    def hello(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    bridge = WSGIBridge(hello, threads=1)
    scope = {"type": "http", "method": "POST", "path": "/api/x", "headers": [(b"content-type", b"application/json"),
             (b"authorization", b"Bearer x" * 8), (b"host", b"127.0.0.1")], "query_string": b"",
             "server": ("127.0.0.1", 8000), "client": ("127.0.0.1", 5555)}

    async def go():
        async def receive():
            return {"type": "http.request", "body": b'{"participant_id": 1}', "more_body": False}

        async def send(message):
            pass

        for _ in range(200):
            await bridge(scope, receive, send)
        t0 = time.perf_counter()
        for _ in range(n):
            await bridge(scope, receive, send)
        return time.perf_counter() - t0

    el = asyncio.run(go())
    bridge.executor.shutdown()
    print(f"WSGI bridge around a trivial app: {el / n * 1e6:.0f} us/request (thread hop + environ), sequential")


if __name__ == "__main__":
    sys.exit(main())
