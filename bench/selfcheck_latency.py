#!/usr/bin/env python3
"""Self-check latency at a fixed request rate against `netral serve` on 127.0.0.1.

    .venv/bin/python bench/selfcheck_latency.py [--rate 200] [--duration 10]

Starts a fresh SQLite instance (migrate loads the shipped content), then sends
`GET /api/selfcheck?q=...` with the situations of bench/selfcheck_cases.csv at a constant
rate (open loop: requests are scheduled on time whether or not earlier ones returned, so
slow responses show up as latency), and prints achieved rate and p50/p95/p99/max."""

import argparse
import csv
import http.client
import os
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from checkin_load import Server, free_port, run  # noqa: E402

HOST = "127.0.0.1"


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--threads", type=int, default=32)
    args = parser.parse_args()
    with open(BENCH / "selfcheck_cases.csv", encoding="utf-8") as fh:
        queries = [row["query"] for row in csv.DictReader(fh)]
    workdir = Path(tempfile.mkdtemp(prefix="netral-selfcheck-"))
    env = {**os.environ, "NETRAL_DATA_DIR": str(workdir), "NETRAL_SECRET_KEY": "bench", "NETRAL_RATELIMIT": "0"}
    env.pop("DATABASE_URL", None)
    netral = str(Path(sys.executable).parent / "netral")
    started = time.perf_counter()
    run([netral, "migrate"], env, timeout=300, tag="migrate")
    run([netral, "collectstatic", "--noinput"], env, timeout=300, tag="collectstatic")
    print(f"migrate + collectstatic: {time.perf_counter() - started:.1f} s")
    port = free_port()
    server = Server("serve", [netral, "serve", "--host", HOST, "--port", str(port), "--no-migrate"], env, workdir)
    try:
        server.wait_ready(port, "/api/health")
        first = time.perf_counter()
        conn = http.client.HTTPConnection(HOST, port, timeout=10)
        conn.request("GET", "/api/selfcheck?q=boleh+nyoblos")
        conn.getresponse().read()
        print(f"first self-check after start: {(time.perf_counter() - first) * 1000:.0f} ms")
        total = int(args.rate * args.duration)
        latencies, errors, lock = [], [], threading.Lock()
        t0 = time.perf_counter() + 0.5
        counter = iter(range(total))

        def worker():
            conn = http.client.HTTPConnection(HOST, port, timeout=10)
            for i in counter:
                due = t0 + i / args.rate
                delay = due - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                path = "/api/selfcheck?q=" + urllib.parse.quote(queries[i % len(queries)])
                try:
                    conn.request("GET", path)
                    response = conn.getresponse()
                    response.read()
                    ok = response.status == 200
                except OSError as exc:
                    ok, conn = False, http.client.HTTPConnection(HOST, port, timeout=10)
                    errors.append(repr(exc))
                # Open loop: latency is measured from the scheduled time, not the send time.
                with lock:
                    latencies.append(time.perf_counter() - due)
                    if not ok:
                        errors.append(i)

        threads = [threading.Thread(target=worker) for _ in range(args.threads)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=args.duration + 60)
        elapsed = time.perf_counter() - t0
        ms = [x * 1000 for x in latencies]
        print(f"{len(latencies)} requests in {elapsed:.1f} s = {len(latencies) / elapsed:.0f}/s (target rate "
              f"{args.rate:.0f}/s), errors {len(errors)}")
        print(f"latency ms: p50 {percentile(ms, 50):.1f}  p95 {percentile(ms, 95):.1f}  p99 {percentile(ms, 99):.1f}  "
              f"max {max(ms):.1f}   target p99 < 50 ms: {'PASS' if percentile(ms, 99) < 50 else 'MISS'}")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
