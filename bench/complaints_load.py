#!/usr/bin/env python3
"""Load benchmark: public complaints with evidence, at a steady rate, against ``netral serve``.

    .venv/bin/python bench/complaints_load.py                          # own server, SQLite, 200/min, 1 MB JPEG, 300 s
    .venv/bin/python bench/complaints_load.py --db postgres --duration 60
    .venv/bin/python bench/complaints_load.py --url http://127.0.0.1:8000 --duration 60   # a server you started

Sends ``POST /api/complaints`` (multipart, one evidence file of ``--size-kb``) open-loop on a fixed
schedule (``--rate`` per minute) from ``--concurrency`` threads; each request is timed from its
scheduled start. Afterwards every acknowledged tracking code is looked up: in the database
(own server) or through ``GET /api/complaints/{code}`` (``--url``). ``lost`` = 201 answers whose
report or evidence is missing. Goals (issue #7): zero lost, p99 < 1 s. Reports figures and never
fails on a missed goal. Only talks to 127.0.0.1 unless ``--url`` says otherwise; every wait is
bounded; the own server runs in its own process group and is killed on exit. A server you start
yourself needs ``NETRAL_RATELIMIT=0`` (the public form is rate-limited per IP).
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
from checkin_load import NETRAL, PY, SECRET_KEY, Server, free_port, log, pg_admin, run  # noqa: E402

TARGET_P99_MS = 1000


def make_evidence(kind: str, size: int) -> tuple[str, str, bytes]:
    """A photo (noisy JPEG with GPS EXIF, ~size bytes), a PDF or an MP4 of about ``size`` bytes."""
    if kind == "pdf":
        return "bukti.pdf", "application/pdf", b"%PDF-1.4\n" + os.urandom(max(0, size - 20)) + b"\n%%EOF\n"
    if kind == "mp4":
        return "video.mp4", "video/mp4", b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + os.urandom(size)
    from PIL import Image

    side = 400
    while True:
        img = Image.frombytes("RGB", (side, side * 3 // 4), os.urandom(side * (side * 3 // 4) * 3))
        exif = Image.Exif()
        gps = exif.get_ifd(0x8825)
        gps[1], gps[2], gps[3], gps[4] = "S", (6.0, 52.0, 30.0), "E", (109.0, 2.0, 40.0)
        buf = io.BytesIO()
        img.save(buf, format="JPEG", quality=85, exif=exif)
        if buf.tell() >= size or side > 3000:
            return "foto.jpg", "image/jpeg", buf.getvalue()
        side = int(side * 1.25)


def multipart(fields: dict, files: list[tuple[str, str, str, bytes]]) -> tuple[bytes, str]:
    boundary = "netralbench" + uuid.uuid4().hex
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for field, filename, ctype, data in files:
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
                  f"Content-Type: {ctype}\r\n\r\n".encode())
        out.write(data)
        out.write(b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def report_fields(i: int) -> dict:
    return {"subject_name": f"Terlapor Bench {i}", "subject_agency": f"Instansi Bench {i % 40}",
            "subject_position": "Staf", "category": ("B10", "B11", "B13", "B06", "B21")[i % 5],
            "description": f"Laporan uji beban nomor {i}: membagikan unggahan kampanye calon di media sosial.",
            "occurred_on": date.today().isoformat(), "region_code": "33.29.09.1002",
            "links": f"https://contoh.invalid/{i}", "anonymous": "true" if i % 3 else "false",
            "reporter_name": f"Pelapor {i}", "reporter_contact": f"0812{i:08d}"}


def cmd_verify(ns) -> None:
    """Run with the server's environment: which codes exist, each with its evidence on disk."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netral.settings")
    import django

    django.setup()
    from netral.complaints import tracking
    from netral.complaints.models import Complaint, Evidence

    codes = [tracking.normalize(c) for c in json.loads(Path(ns.codes).read_text())]
    found = set(Complaint.objects.filter(tracking_code__in=codes).values_list("tracking_code", flat=True))
    with_file = set()
    for ev in Evidence.objects.filter(complaint__tracking_code__in=codes).select_related("complaint"):
        if ev.file.storage.exists(ev.file.name) and ev.file.size == ev.size:
            with_file.add(ev.complaint.tracking_code)
    print("VERIFY_JSON " + json.dumps({"acknowledged": len(codes), "found": len(found & set(codes)),
                                       "with_evidence": len(with_file & set(codes)),
                                       "total_rows": Complaint.objects.count()}))


def send_all(base: str, args, evidence) -> dict:
    parts = urlsplit(base)
    host, port = parts.hostname, parts.port or 80
    interval = 60.0 / args.rate
    total = int(args.duration * args.rate / 60)
    results: list[dict] = []
    lock = threading.Lock()
    t0 = time.monotonic() + 0.5

    def one(i: int) -> None:
        scheduled = t0 + i * interval
        delay = scheduled - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        body, ctype = multipart(report_fields(i), [("evidence", *evidence)])
        rec = {"i": i, "status": None, "code": None, "error": None}
        start = time.monotonic()
        try:
            conn = http.client.HTTPConnection(host, port, timeout=args.timeout)
            conn.request("POST", "/api/complaints", body=body, headers={"Content-Type": ctype})
            resp = conn.getresponse()
            data = resp.read()
            conn.close()
            rec["status"] = resp.status
            if resp.status == 201:
                rec["code"] = json.loads(data)["tracking_code"]
            else:
                rec["error"] = data[:200].decode(errors="replace")
        except Exception as exc:  # noqa: BLE001 -- counted, reported
            rec["error"] = repr(exc)[:200]
        end = time.monotonic()
        rec["latency_ms"] = (end - scheduled) * 1000  # from the schedule: includes queueing
        rec["service_ms"] = (end - start) * 1000
        with lock:
            results.append(rec)

    log(f"sending {total} reports at {args.rate}/min ({args.duration} s), evidence {len(evidence[2]) // 1024} KB "
        f"{evidence[1]}, {args.concurrency} threads")
    with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
        list(pool.map(one, range(total)))
    return {"results": results, "elapsed_s": time.monotonic() - t0}


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    k = min(len(values) - 1, max(0, int(round(q / 100 * (len(values) - 1)))))
    return values[k]


def verify_by_api(base: str, codes: list[str]) -> dict:
    parts = urlsplit(base)
    found = 0
    for code in codes:
        conn = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=10)
        conn.request("GET", f"/api/complaints/{code}")
        found += conn.getresponse().status == 200
        conn.close()
    return {"acknowledged": len(codes), "found": found, "with_evidence": None}


def main(argv=None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    if argv[:1] == ["_verify"]:
        p = argparse.ArgumentParser()
        p.add_argument("_cmd")
        p.add_argument("--codes", required=True)
        cmd_verify(p.parse_args(argv))
        return 0
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", help="an already running server (default: start one on 127.0.0.1)")
    ap.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite", help="own server's database")
    ap.add_argument("--pg-db", default="netral_bench_complaints")
    ap.add_argument("--rate", type=float, default=200, help="reports per minute (default 200)")
    ap.add_argument("--duration", type=float, default=300, help="seconds (default 300)")
    ap.add_argument("--size-kb", type=int, default=1024, help="evidence size (default 1024)")
    ap.add_argument("--kind", choices=["jpeg", "pdf", "mp4"], default="jpeg")
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--timeout", type=float, default=30)
    ap.add_argument("--workers", type=int, default=0)
    ap.add_argument("--warmup", type=float, default=5,
                    help="seconds at the start left out of the latency figures (still checked for loss)")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args(argv)

    evidence = make_evidence(args.kind, args.size_kb * 1024)
    workdir = Path(tempfile.mkdtemp(prefix="netral-bench-complaints-"))
    srv = None
    env = dict(os.environ)
    try:
        if args.url:
            base = args.url.rstrip("/")
        else:
            for key in ("DATABASE_URL", "REDIS_URL", "NETRAL_DEBUG", "NETRAL_MEDIA_DIR"):
                env.pop(key, None)
            env.update(NETRAL_DATA_DIR=str(workdir / "data"), NETRAL_SECRET_KEY=SECRET_KEY, NETRAL_RATELIMIT="0",
                       DJANGO_SETTINGS_MODULE="netral.settings", PYTHONUNBUFFERED="1")
            if args.db == "postgres":
                pg_admin(f'DROP DATABASE IF EXISTS "{args.pg_db}" WITH (FORCE)')
                pg_admin(f'CREATE DATABASE "{args.pg_db}"')
                env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{args.pg_db}"
            run([*NETRAL, "migrate", "--noinput", "-v0"], env, timeout=300, tag="migrate")
            run([*NETRAL, "collectstatic", "--noinput", "-v0"], env, timeout=300, tag="collectstatic")
            port = free_port()
            serve = [*NETRAL, "serve", "--host", "127.0.0.1", "--port", str(port), "--no-migrate"]
            if args.workers:
                serve += ["--workers", str(args.workers)]
            srv = Server("netral-complaints", serve, env, workdir)
            srv.wait_ready(port, "/api/health", timeout=60)
            base = f"http://127.0.0.1:{port}"
            log(f"netral serve ({args.db}) ready on {base}")
        run_data = send_all(base, args, evidence)
        time.sleep(1.0)
        results = run_data["results"]
        codes = [r["code"] for r in results if r["code"]]
        if srv is not None:
            codes_file = workdir / "codes.json"
            codes_file.write_text(json.dumps(codes))
            out = run([PY, str(BENCH / "complaints_load.py"), "_verify", "--codes", str(codes_file)], env,
                      timeout=300, tag="verify").stdout
            check = json.loads(next(line for line in out.splitlines() if line.startswith("VERIFY_JSON "))[12:])
        else:
            check = verify_by_api(base, codes)
        statuses: dict[str, int] = {}
        for r in results:
            key = str(r["status"]) if r["status"] else "error"
            statuses[key] = statuses.get(key, 0) + 1
        warm = int(args.warmup * args.rate / 60)
        measured = [r for r in results if r["i"] >= warm and r["status"] == 201]
        latencies = [r["latency_ms"] for r in measured]
        service = [r["service_ms"] for r in measured]
        lost = check["acknowledged"] - (check["with_evidence"] if check["with_evidence"] is not None
                                        else check["found"])
        summary = {
            "sent": len(results), "statuses": statuses, "acknowledged": len(codes), "lost": lost,
            "achieved_per_min": round(len(codes) / run_data["elapsed_s"] * 60, 1),
            "p50_ms": round(percentile(latencies, 50), 1), "p95_ms": round(percentile(latencies, 95), 1),
            "p99_ms": round(percentile(latencies, 99), 1), "max_ms": round(max(latencies or [float("nan")]), 1),
            "service_p99_ms": round(percentile(service, 99), 1),
            "mean_ms": round(statistics.fmean(latencies), 1) if latencies else None,
            "evidence_bytes": len(evidence[2]), "verify": check, "warmup_requests": warm,
            "warmup_max_ms": round(max([r["latency_ms"] for r in results if r["i"] < warm] or [0]), 1),
        }
        if srv is not None:
            stderr = srv.stderr()
            summary["server_tracebacks"] = stderr.count("Traceback (most recent call last)")
            summary["database_is_locked"] = stderr.count("database is locked")
        errors = [r["error"] for r in results if r["error"]][:5]
        print(json.dumps(summary, indent=2))
        if errors:
            print("first errors:", *errors, sep="\n  ")
        ok_lost = lost == 0 and statuses.get("201", 0) == len(results)
        print(f"goal zero lost / all acknowledged: {'PASS' if ok_lost else 'MISS'}")
        print(f"goal p99 < {TARGET_P99_MS} ms: {'PASS' if summary['p99_ms'] < TARGET_P99_MS else 'MISS'} "
              f"({summary['p99_ms']} ms)")
        results_dir = BENCH / "results"
        results_dir.mkdir(exist_ok=True)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        (results_dir / f"complaints-load-{stamp}.json").write_text(json.dumps(
            {"args": vars(args), "summary": summary, "errors": errors,
             "latency_ms": [round(r["latency_ms"], 1) for r in sorted(results, key=lambda r: r["i"])]},
            indent=2, default=str))
    finally:
        if srv is not None:
            srv.stop()
        if args.db == "postgres" and not args.url:
            try:
                pg_admin(f'DROP DATABASE IF EXISTS "{args.pg_db}" WITH (FORCE)')
            except Exception:  # noqa: BLE001 -- best effort clean-up
                pass
        if not args.keep:
            import shutil

            shutil.rmtree(workdir, ignore_errors=True)
        else:
            log(f"kept {workdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
