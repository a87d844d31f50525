#!/usr/bin/env python3
"""Live-board benchmark: many server-sent-event subscribers while questions and votes arrive.

    .venv/bin/python bench/stream_load.py [--clients 2000] [--duration 10] [--questions-per-s 20]
                                          [--votes-per-s 200] [--mode single|redis|both]

Per mode: a fresh SQLite data dir, ``netral migrate`` + ``collectstatic``, a seeded running event
with one session and enough participants (one per question and one per vote, so the
per-participant question limit never triggers), then ``netral serve --workers 1``:

- ``single``: one server process; messages reach the stream handlers in-process.
- ``redis``:  two server processes (A and B) sharing ``REDIS_URL=redis://127.0.0.1:6379/11``;
  subscribers are split half/half; every POST goes to A, so what clients on B receive came
  through Redis pub/sub.

``NETRAL_RATELIMIT=0`` on the servers (IP rate limits would throttle one load generator).
The subscribers are raw asyncio connections in this process (``GET /api/events/<id>/stream``,
HTTP/1.1, chunked transfer decoded, ``id:``/``data:`` parsed incrementally); they reconnect with
``Last-Event-ID`` like a browser if the server closes them. Questions and votes are posted
from the same event loop over a pool of keep-alive connections, so send and arrival times
come from one ``time.monotonic()``.

Reports delivery delay (POST start -> arrival on each subscriber), missed messages per
subscriber, server RSS and threads before/after connecting and after the load, and PASS/MISS
against shared/PERFORMANCE.md. JSON goes to bench/results/stream-<UTC timestamp>.json.
Only talks to 127.0.0.1; every loop and wait is bounded; servers are killed by process group,
temp dirs removed, the Redis database used is flushed (only if it was empty at the start).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import re
import resource
import shutil
import sys
import tempfile
import time
from array import array
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from checkin_load import (
    HOST,
    NETRAL,
    PY,
    ROOT,
    SECRET_KEY,
    Server,
    _group_ticks,
    _machine_ticks,
    free_port,
    run,
    save_results,
    tagged_json,
)

BENCH = Path(__file__).resolve().parent
_HZ = os.sysconf("SC_CLK_TCK")

# Goals from shared/PERFORMANCE.md (live board).
TARGET_P95_S = 1.0
TARGET_KB_PER_SUB = 30.0
TARGET_SUBSCRIBERS = 2000
THREAD_GROWTH_ALLOWED = 4  # the hub's one thread + a Redis connection may start with the first subscriber

CSRF_SECRET = "BenchCsrfSecret0123456789abcdefZ"  # 32 alphanumerics: valid as cookie and header
assert len(CSRF_SECRET) == 32 and CSRF_SECRET.isalnum()


def log(msg: str) -> None:
    print(f"[stream {time.strftime('%H:%M:%S')}] {msg}", flush=True)


# --------------------------------------------------------------------------------------
# Seeding, run as a subprocess with the mode's environment (django.setup()).
# --------------------------------------------------------------------------------------

def cmd_seed(ns) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netral.settings")
    import django

    django.setup()
    from django.core import signing
    from django.utils import timezone as djtz

    from netral.accounts.models import User
    from netral.events.enums import EventStatus, ParticipantKind
    from netral.events.identity import SALT, cookie_name
    from netral.events.models import Event, Participant, Session

    t0 = time.monotonic()
    user = User.objects.create_user(username="bench_stream_organiser", password=None, role="organiser")
    event = Event.objects.create(
        owner=user, title="Benchmark live board", theme="Load test", starts_at=djtz.now(),
        venue_name="Aula Benchmark", organiser_name="Netral bench", status=EventStatus.RUNNING,
        methods=["discussion"],
    )
    session = Session.objects.create(event=event, order=1, title="Sesi benchmark")
    Participant.objects.bulk_create(
        [Participant(event=event, kind=ParticipantKind.OTHER, name=f"Bench peserta {i:06d}",
                     agency="Bench") for i in range(ns.participants)], batch_size=2000)
    name = cookie_name(event)
    # As HttpResponse.set_signed_cookie(name, value, salt=SALT) does.
    salt = signing._cookie_signer_salt(name, SALT) if hasattr(signing, "_cookie_signer_salt") else name + SALT
    signer = signing.get_cookie_signer(salt=salt)
    rows = Participant.objects.filter(event=event).order_by("pk").values_list("pk", "token")
    cookies = [signer.sign(f"{pk}:{token}") for pk, token in rows]
    print("SEED_JSON " + json.dumps({
        "event_id": event.pk, "session_id": session.pk, "cookie_name": name, "cookies": cookies,
        "seconds": round(time.monotonic() - t0, 2),
    }), flush=True)


# --------------------------------------------------------------------------------------
# Server process inspection
# --------------------------------------------------------------------------------------

def group_procs(pgid: int) -> list[dict]:
    """Every live process of a process group: pid, ppid, name, VmRSS (kB), Threads."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            if int(fields[2]) != pgid:
                continue
            status = {}
            with open(f"/proc/{entry}/status") as fh:
                for line in fh:
                    key, _, value = line.partition(":")
                    status[key] = value.strip()
        except (OSError, ValueError, IndexError):
            continue
        out.append({"pid": int(entry), "ppid": int(fields[1]), "name": status.get("Name", "?"),
                    "rss_kb": int(status.get("VmRSS", "0 kB").split()[0]), "threads": int(status.get("Threads", 0))})
    return sorted(out, key=lambda p: p["pid"])


def sample(servers: dict) -> dict:
    """RSS and threads per server: the whole group, and the worker(s) (every process but the leader)."""
    res = {}
    for label, srv in servers.items():
        procs = group_procs(srv.proc.pid)
        workers = [p for p in procs if p["pid"] != srv.proc.pid]
        res[label] = {
            "total_rss_kb": sum(p["rss_kb"] for p in procs),
            "worker_rss_kb": sum(p["rss_kb"] for p in workers),
            "worker_threads": sum(p["threads"] for p in workers),
            "total_threads": sum(p["threads"] for p in procs),
            "procs": procs,
        }
    return res


def fd_count(pgid: int) -> int:
    n = 0
    for p in group_procs(pgid):
        try:
            n += len(os.listdir(f"/proc/{p['pid']}/fd"))
        except OSError:
            pass
    return n


# --------------------------------------------------------------------------------------
# Subscribers
# --------------------------------------------------------------------------------------

# One SSE message as netral.live.stream.format_message writes it. The data JSON starts with
# "kind", then the payload's own keys: a question payload starts with "id"; a vote payload is
# {"id", "votes", "session"}. A regex over whole messages keeps parsing in C.
MSG_RX = re.compile(rb'id: (\d+)\ndata: \{"kind":"([a-z.]+)"(?:,"id":(\d+))?(?:,"votes":(\d+))?')


class Stats:
    """Arrival times, shared by all subscribers of one server (array('d') keeps 400k floats small)."""

    def __init__(self):
        self.q_arrivals: dict[int, array] = {}
        self.v_arrivals: dict[tuple[int, int], array] = {}


class Subscriber(asyncio.Protocol):
    """One SSE connection. An asyncio.Protocol: bytes are parsed in data_received, without
    waking a coroutine per message (the load generator shares the machine with the servers)."""

    def __init__(self, idx, label, port, path, stats):
        self.idx, self.label, self.port, self.path, self.stats = idx, label, port, path, stats
        self.last_id: int | None = None
        self.n_q = self.n_v = self.n_other = self.dups = self.drops = self.reconnects = self.replayed = 0
        # The server sends only the newest vote count of a question within one 100 ms write
        # (netral/live/stream.py): a client is complete when it saw each question's final count.
        self.v_max = {}
        self.connected: asyncio.Future = asyncio.get_running_loop().create_future()  # first message read
        self.error: str | None = None
        self.connect_s: float | None = None
        self.task = None
        self.transport = None
        self.closing = False
        self.retry_s = 3.0
        self.hello_id = None
        self._lost: asyncio.Future | None = None

    # -- connection life (a task per subscriber; it only wakes on connect/close) --------------
    async def run(self, reconnect_until: list, max_reconnects: int, open_timeout: float):
        loop = asyncio.get_running_loop()
        while True:
            self._reset()
            self._lost = loop.create_future()
            self._t0 = time.monotonic()
            timer = loop.call_later(open_timeout, self._first_timeout, open_timeout) \
                if not self.connected.done() else None
            try:
                await asyncio.wait_for(loop.create_connection(lambda: self, HOST, self.port), open_timeout)
                reason = await self._lost
            except asyncio.CancelledError:
                if self.transport is not None:
                    self.transport.abort()
                raise
            except Exception as exc:  # noqa: BLE001 -- record and maybe reconnect
                reason = f"{type(exc).__name__}: {exc}"
            finally:
                if timer is not None:
                    timer.cancel()
            if self.transport is not None:
                self.transport.abort()
                self.transport = None
            if not self.connected.done():
                self.error = reason
                self.connected.set_result(False)
                return
            if self.closing:
                return
            self.drops += 1
            self.error = reason
            if self.reconnects >= max_reconnects or time.monotonic() + self.retry_s > reconnect_until[0]:
                return
            await asyncio.sleep(self.retry_s)  # like a browser: the stream's "retry:" value
            self.reconnects += 1

    def _reset(self):
        self._head = b""
        self._in_body = False
        self._chunked = True
        self._raw = b""
        self._need = -1
        self._tail = b""
        self._resumed = self.last_id is not None

    def _first_timeout(self, seconds):
        if not self.connected.done():
            self._fail(f"no stream data within {seconds:.0f} s of connecting")

    def _fail(self, reason):
        if self._lost is not None and not self._lost.done():
            self._lost.set_result(reason)
        if self.transport is not None:
            self.transport.abort()

    def connection_made(self, transport):
        self.transport = transport
        extra = f"Last-Event-ID: {self.last_id}\r\n" if self.last_id is not None else ""
        transport.write((f"GET {self.path} HTTP/1.1\r\nHost: {HOST}:{self.port}\r\nAccept: text/event-stream\r\n"
                         f"Cache-Control: no-cache\r\n{extra}\r\n").encode())

    def connection_lost(self, exc):
        if self._lost is not None and not self._lost.done():
            self._lost.set_result(f"closed: {exc}" if exc else "eof")

    def eof_received(self):
        if self._lost is not None and not self._lost.done():
            self._lost.set_result("eof")
        return False

    # -- parsing ----------------------------------------------------------------------------
    def data_received(self, data):
        now = time.monotonic()
        if not self._in_body:
            self._head += data
            end = self._head.find(b"\r\n\r\n")
            if end < 0:
                if len(self._head) > 65536:
                    self._fail("response head too large")
                return
            head, data = self._head[:end], self._head[end + 4:]
            self._head = b""
            status_line, _, header_blob = head.partition(b"\r\n")
            parts = status_line.split()
            if len(parts) < 2 or parts[1] != b"200":
                self._fail(f"status {status_line[:80]!r}")
                return
            self._chunked = b"transfer-encoding: chunked" in header_blob.lower()
            self._in_body = True
            if not data:
                return
        if self._chunked:
            raw = self._raw + data if self._raw else data
            pos, need, end = 0, self._need, len(raw)
            bodies = []
            while True:
                if need < 0:
                    i = raw.find(b"\r\n", pos)
                    if i < 0:
                        break
                    size = int(raw[pos:i].split(b";", 1)[0], 16)
                    pos = i + 2
                    if size == 0:
                        self._fail("stream ended (last chunk)")
                        return
                    need = size
                if end - pos < need + 2:
                    break
                bodies.append(raw[pos:pos + need])
                pos += need + 2
                need = -1
            self._raw = raw[pos:]
            self._need = need
            if not bodies:
                return
            text = b"".join(bodies)
        else:
            text = data
        if self._tail:
            text = self._tail + text
        cut = text.rfind(b"\n\n")
        if cut < 0:
            self._tail = text
            return
        self._tail = text[cut + 2:]
        self._parse(text, cut + 2, now)

    def _parse(self, text, stop, now):
        stats = self.stats
        q_arr, v_arr = stats.q_arrivals, stats.v_arrivals
        last_id = self.last_id
        resumed = self._resumed
        for m in MSG_RX.finditer(text, 0, stop):
            mid = int(m.group(1))
            kind = m.group(2)
            if kind == b"hello":
                self.hello_id = mid
                if last_id is None or mid > last_id:
                    last_id = mid
                continue
            if last_id is not None and mid <= last_id:
                self.dups += 1
                continue
            last_id = mid
            if resumed:
                self.replayed += 1
            if kind == b"question":
                qid = int(m.group(3))
                a = q_arr.get(qid)
                if a is None:
                    a = q_arr[qid] = array("d")
                a.append(now)
                self.n_q += 1
            elif kind == b"vote" and m.group(4) is not None:
                key = (int(m.group(3)), int(m.group(4)))
                if key[1] > self.v_max.get(key[0], -1):
                    self.v_max[key[0]] = key[1]
                a = v_arr.get(key)
                if a is None:
                    a = v_arr[key] = array("d")
                a.append(now)
                self.n_v += 1
            else:
                self.n_other += 1
        self.last_id = last_id
        self._resumed = False  # only what the first batch after a reconnect brings counts as replayed
        if not self.connected.done():
            self.connect_s = now - self._t0
            self.connected.set_result(True)


# --------------------------------------------------------------------------------------
# Posting (keep-alive HTTP/1.1 connections in the same event loop)
# --------------------------------------------------------------------------------------

class HttpConn:
    def __init__(self, port):
        self.port = port
        self.reader = self.writer = None

    async def request(self, method, path, headers: dict, body: bytes, timeout: float):
        for attempt in (1, 2):
            if self.writer is None:
                self.reader, self.writer = await asyncio.wait_for(asyncio.open_connection(HOST, self.port), timeout)
            try:
                return await asyncio.wait_for(self._request(method, path, headers, body), timeout)
            except (ConnectionError, asyncio.IncompleteReadError) as exc:
                self.close()
                if attempt == 2:
                    raise RuntimeError(f"connection failed: {exc}") from exc
            except BaseException:
                self.close()
                raise
        raise AssertionError("unreachable")

    async def _request(self, method, path, headers, body):
        lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{self.port}", f"Content-Length: {len(body)}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        lower = head.lower()
        m = re.search(rb"\r\ncontent-length:\s*(\d+)", lower)
        if m:
            data = await self.reader.readexactly(int(m.group(1)))
        elif b"transfer-encoding: chunked" in lower:
            parts = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                chunk = await self.reader.readexactly(size + 2)
                if size == 0:
                    break
                parts.append(chunk[:-2])
            data = b"".join(parts)
        else:
            data = b""
        if b"\r\nconnection: close" in lower:
            self.close()
        return status, data

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


class Poster:
    def __init__(self, port, seed, args):
        self.port = port
        self.seed = seed
        self.args = args
        self.pool: asyncio.Queue = asyncio.Queue()
        for _ in range(args.post_connections):
            self.pool.put_nowait(HttpConn(port))
        self.cookies = list(seed["cookies"])
        self.next_participant = 0
        self.q_sent: dict[int, float] = {}      # question id -> POST start
        self.q_answered: dict[int, float] = {}  # question id -> response read
        self.q_sched: dict[int, float] = {}     # question id -> when the schedule wanted it sent
        self.v_sched: dict[tuple[int, int], float] = {}
        self.q_latency: list[float] = []
        self.q_status: dict[str, int] = {}
        self.q_lag: list[float] = []            # POST start - scheduled time
        self.posted: list[int] = []             # question ids, in order of 201
        self.v_sent: dict[tuple[int, int], float] = {}  # (question id, votes after) -> POST start
        self.v_answered: dict[tuple[int, int], float] = {}
        self.v_latency: list[float] = []
        self.v_status: dict[str, int] = {}
        self.v_lag: list[float] = []
        self.v_counted = 0
        self.v_not_counted = 0
        self.v_no_target = 0
        self.errors: list[str] = []
        self.have_question = asyncio.Event()
        self.first_start: float | None = None
        self.last_answer: float | None = None

    def _headers(self):
        cookie = self.cookies[self.next_participant]
        self.next_participant += 1
        return {"Content-Type": "application/json", "X-CSRFToken": CSRF_SECRET, "Accept": "application/json",
                "Cookie": f"{self.seed['cookie_name']}={cookie}; csrftoken={CSRF_SECRET}"}

    async def _send(self, path, headers, body):
        conn = await self.pool.get()
        try:
            t = time.monotonic()
            if self.first_start is None:
                self.first_start = t
            status, data = await conn.request("POST", path, headers, body, self.args.post_timeout)
            self.last_answer = end = time.monotonic()
            return t, end - t, status, data
        finally:
            self.pool.put_nowait(conn)

    async def question(self, n, scheduled):
        headers = self._headers()
        try:
            body = json.dumps({"text": f"bench q {n} {time.monotonic():.6f}"}).encode()
            t, lat, status, data = await self._send(f"/api/sessions/{self.seed['session_id']}/questions", headers, body)
        except Exception as exc:  # noqa: BLE001 -- count and go on
            self.q_status["error"] = self.q_status.get("error", 0) + 1
            self.errors.append(f"question {n}: {type(exc).__name__}: {exc}"[:300])
            return
        self.q_lag.append(t - scheduled)
        self.q_status[str(status)] = self.q_status.get(str(status), 0) + 1
        if status == 201:
            qid = json.loads(data)["id"]
            self.q_sent[qid] = t
            self.q_sched[qid] = scheduled
            self.q_answered[qid] = t + lat
            self.q_latency.append(lat)
            self.posted.append(qid)
            self.have_question.set()
        else:
            self.errors.append(f"question {n}: {status} {data[:200]!r}")

    async def vote(self, n, scheduled, rng):
        if not self.posted:
            try:
                await asyncio.wait_for(self.have_question.wait(), 5)
            except TimeoutError:
                self.v_no_target += 1
                return
        qid = rng.choice(self.posted)
        headers = self._headers()
        try:
            t, lat, status, data = await self._send(f"/api/questions/{qid}/votes", headers, b"")
        except Exception as exc:  # noqa: BLE001 -- count and go on
            self.v_status["error"] = self.v_status.get("error", 0) + 1
            self.errors.append(f"vote {n}: {type(exc).__name__}: {exc}"[:300])
            return
        self.v_lag.append(t - scheduled)
        self.v_status[str(status)] = self.v_status.get(str(status), 0) + 1
        if status == 200:
            out = json.loads(data)
            self.v_latency.append(lat)
            if out.get("counted"):
                self.v_counted += 1
                self.v_sent[(out["question"], out["votes"])] = t
                self.v_sched[(out["question"], out["votes"])] = scheduled
                self.v_answered[(out["question"], out["votes"])] = t + lat
            else:
                self.v_not_counted += 1
        else:
            self.errors.append(f"vote {n}: {status} {data[:200]!r}")

    async def drive(self, duration, qps, vps):
        """Open-loop: requests start on schedule whatever the answers take (bounded by the pool)."""
        rng = random.Random(1234)
        t0 = time.monotonic()
        tasks = []
        plan = [(i / qps, "q", i) for i in range(int(qps * duration))] if qps > 0 else []
        plan += [(i / vps, "v", i) for i in range(int(vps * duration))] if vps > 0 else []
        plan.sort()
        for offset, kind, i in plan:
            when = t0 + offset
            delay = when - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            coro = self.question(i, when) if kind == "q" else self.vote(i, when, rng)
            tasks.append(asyncio.ensure_future(coro))
        send_window = time.monotonic() - t0
        _done, pending = await asyncio.wait(tasks, timeout=self.args.post_timeout + 10) if tasks else (set(), set())
        for task in pending:
            task.cancel()
        while not self.pool.empty():
            self.pool.get_nowait().close()
        answered = len(self.q_latency) + len(self.v_latency)
        span = (self.last_answer - self.first_start) if self.first_start and self.last_answer else 0
        return {"send_window_s": round(send_window, 3), "all_answered_s": round(time.monotonic() - t0, 3),
                "unfinished": len(pending), "answered_ok": answered,
                "achieved_posts_per_s": round(answered / span, 1) if span else 0.0,
                "offered_posts_per_s": qps + vps}


# --------------------------------------------------------------------------------------
# One load run (in the event loop)
# --------------------------------------------------------------------------------------

async def loop_lag_monitor(samples: list, stop: asyncio.Event, period=0.05):
    while not stop.is_set():
        t = time.monotonic()
        await asyncio.sleep(period)
        samples.append(time.monotonic() - t - period)


async def load(args, seed, servers: dict, ports: dict) -> dict:
    out: dict = {}
    path = f"/api/events/{seed['event_id']}/stream"
    labels = list(ports)
    stats = {label: Stats() for label in labels}
    subs = [Subscriber(i, labels[i % len(labels)], ports[labels[i % len(labels)]], path,
                       stats[labels[i % len(labels)]]) for i in range(args.clients)]
    reconnect_until = [time.monotonic() + 3600]
    lag: list[float] = []
    stop_lag = asyncio.Event()
    lag_task = asyncio.ensure_future(loop_lag_monitor(lag, stop_lag))

    # Warm-up: one stream per server (starts the hub's pump, its thread, the Redis subscription).
    for label in labels:
        w = Subscriber(-1, label, ports[label], path, Stats())
        w.task = asyncio.ensure_future(w.run(reconnect_until, 0, args.open_timeout))
        try:
            ok = await asyncio.wait_for(asyncio.shield(w.connected), args.open_timeout + 5)
        except TimeoutError:
            ok = False
        w.closing = True
        w.task.cancel()
        await asyncio.gather(w.task, return_exceptions=True)
        if not ok:
            raise RuntimeError(f"warm-up stream on {label} failed: {w.error}")
    await asyncio.sleep(1.0)
    out["mem_before"] = sample(servers)

    # Open the subscribers, a batch at a time.
    log(f"  opening {args.clients} streams in batches of {args.batch}")
    t_open = time.monotonic()
    batch_times = []
    for lo in range(0, len(subs), args.batch):
        if lo and not any(s.connected.done() and s.connected.result() for s in subs[lo - args.batch:lo]):
            log(f"  a whole batch failed to open: not trying the other {len(subs) - lo} streams")
            for s in subs[lo:]:
                s.error = "not attempted (the previous batch failed entirely)"
                s.connected.set_result(False)
            break
        tb = time.monotonic()
        batch = subs[lo:lo + args.batch]
        for s in batch:
            s.task = asyncio.ensure_future(s.run(reconnect_until, args.max_reconnects, args.open_timeout))
        await asyncio.sleep(0)
        await asyncio.wait([asyncio.shield(s.connected) for s in batch], timeout=args.open_timeout + 5)
        batch_times.append(round(time.monotonic() - tb, 3))
    open_s = time.monotonic() - t_open
    connected = [s for s in subs if s.connected.done() and s.connected.result()]
    failed = [s for s in subs if not (s.connected.done() and s.connected.result())]
    connect_times = sorted(s.connect_s for s in connected if s.connect_s is not None)
    out["open"] = {"seconds": round(open_s, 3), "connected": len(connected), "failed": len(failed),
                   "batch_seconds": batch_times, "per_connection_ms": pct_ms(connect_times),
                   "failure_samples": sorted({s.error for s in failed if s.error})[:5]}
    log(f"  {len(connected)}/{len(subs)} streams open in {open_s:.2f}s ({len(failed)} failed)")
    out["mem_connected"] = sample(servers)
    out["server_fds_connected"] = {label: fd_count(srv.proc.pid) for label, srv in servers.items()}
    idle_cpu = CpuMeter(servers)
    await asyncio.sleep(args.settle)
    out["cpu_idle"] = idle_cpu.done()
    out["mem_idle"] = sample(servers)
    out["subscribers_per_server"] = {label: sum(1 for s in connected if s.label == label) for label in labels}
    lag_idle = list(lag)
    lag.clear()

    # Load: every POST to the first server.
    poster = Poster(ports[labels[0]], seed, args)
    cpu = CpuMeter(servers)
    log(f"  load: {args.questions_per_s} questions/s + {args.votes_per_s} votes/s for {args.duration}s -> {labels[0]}")
    t_load = time.monotonic()
    drive = await poster.drive(args.duration, args.questions_per_s, args.votes_per_s)
    # Drain: until every subscriber has what was posted, bounded.
    exp_q, exp_v = len(poster.q_sent), poster.v_counted
    final_votes = {}
    for qid, count in poster.v_sent:
        final_votes[qid] = max(count, final_votes.get(qid, 0))

    def votes_missing(sub):
        return sum(1 for qid, count in final_votes.items() if sub.v_max.get(qid, -1) < count)
    reconnect_until[0] = time.monotonic() + args.drain
    t_drain = time.monotonic()
    live = [s for s in connected]
    while time.monotonic() - t_drain < args.drain:
        if all(s.n_q >= exp_q and votes_missing(s) == 0 for s in live):
            break
        await asyncio.sleep(0.1)
    drain_s = time.monotonic() - t_drain
    out["cpu_load"] = cpu.done()
    out["mem_after"] = sample(servers)
    out["load"] = {**drive, "drain_s": round(drain_s, 3), "drain_limit_s": args.drain,
                   "load_wall_s": round(time.monotonic() - t_load, 3)}
    lag_load = list(lag)
    stop_lag.set()

    # Close everything.
    for s in subs:
        s.closing = True
        if s.task is not None:
            s.task.cancel()
    await asyncio.gather(*(s.task for s in subs if s.task is not None), return_exceptions=True)
    await asyncio.gather(lag_task, return_exceptions=True)

    out["posts"] = {
        "questions": {"planned": int(args.questions_per_s * args.duration), "status": poster.q_status,
                      "ok": len(poster.q_sent), "latency_ms": pct_ms(sorted(poster.q_latency)),
                      "start_lag_ms": pct_ms(sorted(poster.q_lag))},
        "votes": {"planned": int(args.votes_per_s * args.duration), "status": poster.v_status,
                  "counted": poster.v_counted, "not_counted": poster.v_not_counted, "no_target": poster.v_no_target,
                  "latency_ms": pct_ms(sorted(poster.v_latency)), "start_lag_ms": pct_ms(sorted(poster.v_lag))},
        "error_samples": poster.errors[:10], "errors": len(poster.errors),
    }
    out["bench_loop_lag_ms"] = {"idle": pct_ms(sorted(lag_idle)), "load": pct_ms(sorted(lag_load))}

    # Delivery delays.
    delays = {}
    after_answer = array("d")  # arrival - POST answer: the fan-out part alone (negative: before the answer)
    from_sched_q, from_sched_v = array("d"), array("d")  # arrival - scheduled send: includes waiting for the server
    unknown_q = unknown_v = 0
    incomplete = {"question": 0, "vote": 0}  # (message, subscriber) pairs that never arrived
    live_per_label = {label: sum(1 for s in connected if s.label == label) for label in labels}
    for label in labels:
        qd, vd = array("d"), array("d")
        for qid, arr in stats[label].q_arrivals.items():
            t = poster.q_sent.get(qid)
            if t is None:
                unknown_q += len(arr)
                continue
            qd.extend(a - t for a in arr)
            ta = poster.q_answered[qid]
            after_answer.extend(a - ta for a in arr)
            ts = poster.q_sched[qid]
            from_sched_q.extend(a - ts for a in arr)
        for key, arr in stats[label].v_arrivals.items():
            t = poster.v_sent.get(key)
            if t is None:
                unknown_v += len(arr)
                continue
            vd.extend(a - t for a in arr)
            ta = poster.v_answered[key]
            after_answer.extend(a - ta for a in arr)
            ts = poster.v_sched[key]
            from_sched_v.extend(a - ts for a in arr)
        for qid in poster.q_sent:
            incomplete["question"] += max(0, live_per_label[label] - len(stats[label].q_arrivals.get(qid, ())))
        for key in final_votes.items():
            incomplete["vote"] += max(0, live_per_label[label] - len(stats[label].v_arrivals.get(key, ())))
        delays[label] = {"question": sorted(qd), "vote": sorted(vd)}
    all_q = sorted(x for label in labels for x in delays[label]["question"])
    all_v = sorted(x for label in labels for x in delays[label]["vote"])
    out["delay_ms"] = {
        "question": pct_ms(all_q), "vote": pct_ms(all_v), "after_post_answer": pct_ms(sorted(after_answer)),
        "question_from_schedule": pct_ms(sorted(from_sched_q)), "vote_from_schedule": pct_ms(sorted(from_sched_v)),
        "by_server": {label: {"question": pct_ms(delays[label]["question"]), "vote": pct_ms(delays[label]["vote"])}
                      for label in labels},
        "unmatched_question_arrivals": unknown_q, "unmatched_vote_arrivals": unknown_v,
    }

    # Misses per subscriber.
    missing = []
    for s in subs:
        mq, mv = exp_q - s.n_q, votes_missing(s)
        if mq or mv or s.dups or not (s.connected.done() and s.connected.result()):
            missing.append({"client": s.idx, "server": s.label, "questions": s.n_q, "votes": s.n_v,
                            "missing_q": mq, "missing_v": mv, "dups": s.dups, "drops": s.drops,
                            "reconnects": s.reconnects, "error": s.error})
    out["delivery"] = {
        "expected_questions": exp_q, "expected_votes": exp_v,
        "undelivered_pairs": incomplete,  # per answered POST: connected subscribers that never got its message
        "arrivals_for_unanswered_posts": {"question": unknown_q, "vote": unknown_v},
        "clients_with_miss": sum(1 for m in missing if m["missing_q"] > 0 or m["missing_v"] > 0),
        "clients_with_dups": sum(1 for m in missing if m["dups"]),
        "clients_with_extra": sum(1 for m in missing if m["missing_q"] < 0 or m["missing_v"] < 0),
        "missing_question_msgs": sum(max(0, m["missing_q"]) for m in missing),
        "missing_vote_msgs": sum(max(0, m["missing_v"]) for m in missing),
        "drops": sum(s.drops for s in subs), "reconnects": sum(s.reconnects for s in subs),
        "replayed_msgs": sum(s.replayed for s in subs), "other_kind_msgs": sum(s.n_other for s in subs),
        "by_server": {label: {
            "clients": sum(1 for s in subs if s.label == label),
            "clients_with_miss": sum(1 for m in missing if m["server"] == label and (m["missing_q"] > 0 or m["missing_v"] > 0)),
            "drops": sum(s.drops for s in subs if s.label == label)} for label in labels},
        "samples": missing[:20],
        "drop_reasons": sorted({s.error for s in subs if s.drops and s.error})[:5],
    }
    return out


class CpuMeter:
    def __init__(self, servers):
        self.servers = servers
        self.t0 = time.monotonic()
        self.m0 = _machine_ticks()
        self.s0 = {label: _group_ticks(srv.proc.pid) for label, srv in servers.items()}
        ru = resource.getrusage(resource.RUSAGE_SELF)
        self.b0 = ru.ru_utime + ru.ru_stime

    def done(self) -> dict:
        wall = time.monotonic() - self.t0
        busy = (_machine_ticks()[0] - self.m0[0]) / _HZ / wall
        srv = {label: round((_group_ticks(s.proc.pid) - self.s0[label]) / _HZ / wall, 2)
               for label, s in self.servers.items()}
        ru = resource.getrusage(resource.RUSAGE_SELF)
        bench = (ru.ru_utime + ru.ru_stime - self.b0) / wall
        return {"wall_s": round(wall, 2), "server_cores": srv, "bench_cores": round(bench, 2),
                "machine_busy_cores": round(busy, 2),
                "other_cores": round(max(0.0, busy - sum(srv.values()) - bench), 2), "cpus": os.cpu_count()}


def pct_ms(sorted_values) -> dict:
    n = len(sorted_values)
    if not n:
        return {"n": 0}

    def p(q):
        return round(sorted_values[min(n - 1, int(q * n))] * 1000, 1)

    return {"n": n, "p50": p(0.50), "p95": p(0.95), "p99": p(0.99), "max": round(sorted_values[-1] * 1000, 1)}


# --------------------------------------------------------------------------------------
# Orchestration
# --------------------------------------------------------------------------------------

def redis_dbsize(url: str) -> int:
    import redis

    client = redis.Redis.from_url(url, socket_timeout=5)
    try:
        return client.dbsize()
    finally:
        client.close()


def redis_flush(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url, socket_timeout=5)
    try:
        client.flushdb()
    finally:
        client.close()


def run_mode(mode: str, args, workdir: Path) -> dict:
    result: dict = {"mode": mode}
    data_dir = Path(tempfile.mkdtemp(prefix=f"stream-{mode}-", dir=workdir))
    env = dict(os.environ)
    for key in ("DATABASE_URL", "REDIS_URL", "NETRAL_DEBUG", "NETRAL_PUBLIC_URL", "NETRAL_MEDIA_DIR",
                "NETRAL_WORKERS", "NETRAL_CACHE_PREFIX"):
        env.pop(key, None)
    env.update(NETRAL_DATA_DIR=str(data_dir), NETRAL_SECRET_KEY=SECRET_KEY, DJANGO_SETTINGS_MODULE="netral.settings",
               NETRAL_LOG_LEVEL="WARNING", NETRAL_RATELIMIT="0", PYTHONUNBUFFERED="1")
    env.update(args.server_env_map)
    redis_used = False
    if mode == "redis":
        if redis_dbsize(args.redis_url):
            raise RuntimeError(f"{args.redis_url} is not empty: choose a spare database with --redis-url")
        env["REDIS_URL"] = args.redis_url
        env["NETRAL_CACHE_PREFIX"] = f"netral_stream_bench_{os.getpid()}"
        redis_used = True
    result["env"] = {k: env[k] for k in ("NETRAL_DATA_DIR", "REDIS_URL", "NETRAL_RATELIMIT", *args.server_env_map)
                     if k in env}

    servers: dict[str, Server] = {}
    try:
        t0 = time.monotonic()
        run([*NETRAL, "migrate", "--noinput", "-v0"], env, timeout=300, tag="migrate")
        run([*NETRAL, "collectstatic", "--noinput", "-v0"], env, timeout=300, tag="collectstatic")
        t1 = time.monotonic()
        participants = int(args.questions_per_s * args.duration) + int(args.votes_per_s * args.duration) + 50
        seed = tagged_json(run([PY, str(BENCH / "stream_load.py"), "_seed", "--participants", str(participants)],
                               env, timeout=600, tag="seed").stdout, "SEED_JSON")
        result["setup"] = {"migrate_collectstatic_s": round(t1 - t0, 1), "seed_s": seed["seconds"],
                           "participants": len(seed["cookies"]), "event_id": seed["event_id"],
                           "session_id": seed["session_id"]}
        log(f"{mode}: migrated in {t1 - t0:.1f}s, seeded event {seed['event_id']} session {seed['session_id']} "
            f"with {len(seed['cookies'])} participants")
        labels = ["A", "B"] if mode == "redis" else ["A"]
        ports = {}
        for label in labels:
            port = free_port()
            ports[label] = port
            argv = [*NETRAL, "serve", "--host", HOST, "--port", str(port), "--workers", "1", "--no-migrate"]
            servers[label] = Server(f"stream-{mode}-{label}", argv, env, workdir)
        for label in labels:
            servers[label].wait_ready(ports[label], "/api/health", timeout=60)
        log(f"{mode}: netral serve --workers 1 ready on " + ", ".join(f"{k} :{v}" for k, v in ports.items()))
        result["ports"] = ports
        result.update(asyncio_run(load(args, seed, servers, ports), args))
    finally:
        time.sleep(0.3)
        tails = {}
        for label, srv in servers.items():
            err = srv.stderr()
            srv.stop()
            tails[label] = {"tracebacks": err.count("Traceback (most recent call last)"),
                            "database_is_locked": err.count("database is locked"),
                            "stderr_lines": len(err.splitlines()), "stderr_tail": err[-1500:]}
        result["server_logs"] = tails
        if redis_used:
            try:
                redis_flush(args.redis_url)
            except Exception as exc:  # noqa: BLE001
                log(f"could not flush {args.redis_url}: {exc}")
    return result


def asyncio_run(coro, args):
    if args.uvloop:
        try:
            import uvloop

            with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
                return runner.run(coro)
        except ImportError:
            pass
    return asyncio.run(coro)


# --------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------

def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def analyse(res: dict, args) -> list[dict]:
    out = []
    d = res["delay_ms"]
    dl = res["delivery"]
    ld = res["load"]
    # The delay only counts for the offered load: posts never answered are updates that never showed.
    sustained = (ld["unfinished"] == 0 and res["posts"]["errors"] == 0 and ld["achieved_posts_per_s"] is not None
                 and ld["answered_ok"] >= 0.99 * (res["posts"]["questions"]["planned"] + res["posts"]["votes"]["planned"])
                 and ld["achieved_posts_per_s"] >= 0.9 * ld["offered_posts_per_s"])
    note = "" if sustained else (f"; offered load NOT sustained: {ld['answered_ok']} of "
                                 f"{res['posts']['questions']['planned'] + res['posts']['votes']['planned']} posts answered "
                                 f"({ld['achieved_posts_per_s']}/s of {ld['offered_posts_per_s']}/s)")
    q95, v95 = d["question"].get("p95"), d["vote"].get("p95")
    out.append({"name": "question on every screen within 1 s (p95)",
                "measured": f"p95 {q95} ms from POST start (n={d['question']['n']})" + note,
                "verdict": verdict(sustained and q95 is not None and q95 <= TARGET_P95_S * 1000)})
    out.append({"name": "vote update on every screen within 1 s (p95)",
                "measured": f"p95 {v95} ms from POST start (n={d['vote']['n']})" + note,
                "verdict": verdict(sustained and v95 is not None and v95 <= TARGET_P95_S * 1000)})
    und = dl["undelivered_pairs"]
    ok = (dl["clients_with_miss"] == 0 and res["open"]["failed"] == 0 and dl["clients_with_dups"] == 0
          and und["question"] == 0 and und["vote"] == 0)
    out.append({"name": "no missed events",
                "measured": f"{dl['clients_with_miss']} clients missed {dl['missing_question_msgs']} question + "
                            f"{dl['missing_vote_msgs']} vote msgs; undelivered (msg, client) pairs {und['question']} q + "
                            f"{und['vote']} v; {res['open']['failed']} failed to open; "
                            f"{dl['drops']} dropped by server",
                "verdict": verdict(ok)})
    per = per_sub_kb(res)
    worst = max(per.values()) if per else None
    out.append({"name": f"<= {TARGET_KB_PER_SUB:.0f} KB per idle subscriber",
                "measured": ", ".join(f"{k} {v:.1f} KB" for k, v in per.items()),
                "verdict": verdict(worst is not None and worst <= TARGET_KB_PER_SUB)})
    growth = {k: res["mem_idle"][k]["worker_threads"] - res["mem_before"][k]["worker_threads"] for k in res["mem_before"]}
    out.append({"name": "thread count independent of subscribers",
                "measured": ", ".join(f"{k} {res['mem_before'][k]['worker_threads']}->{res['mem_idle'][k]['worker_threads']}"
                                      f" (+{res['subscribers_per_server'][k]} subs)" for k in growth),
                "verdict": verdict(all(g <= THREAD_GROWTH_ALLOWED for g in growth.values()))})
    per_proc = max(res["subscribers_per_server"].values())
    out.append({"name": f">= {TARGET_SUBSCRIBERS} stream subscribers per process (connected and served)",
                "measured": f"{per_proc} on the busiest process (" + ", ".join(
                    f"{k} {v}" for k, v in res["subscribers_per_server"].items()) + ")",
                "verdict": verdict(per_proc >= TARGET_SUBSCRIBERS and res["open"]["failed"] == 0)
                if len(res["subscribers_per_server"]) == 1 else "n/a (subscribers split over 2 processes)"})
    return out


def per_sub_kb(res) -> dict:
    out = {}
    for k, n in res["subscribers_per_server"].items():
        if n:
            out[k] = (res["mem_idle"][k]["total_rss_kb"] - res["mem_before"][k]["total_rss_kb"]) / n  # kB (KiB)
    return out


def summarise(results: dict) -> list[str]:
    lines = []
    for mode, res in results["modes"].items():
        extra = {k: v for k, v in results["config"]["server_env"].items() if k != "NETRAL_RATELIMIT"}
        lines.append(f"== mode {mode}: {results['config']['clients']} clients, {results['config']['questions_per_s']} "
                     f"questions/s + {results['config']['votes_per_s']} votes/s for {results['config']['duration_s']} s"
                     + (f"; server env {extra}" if extra else "") + " ==")
        if "error" in res:
            lines.append(f"ERROR: {res['error'][:500]}")
            continue
        o = res["open"]
        lines.append(f"open: {o['connected']}/{o['connected'] + o['failed']} streams in {o['seconds']} s "
                     f"(batches of {results['config']['batch']}; per connection p50 {o['per_connection_ms'].get('p50')} "
                     f"p99 {o['per_connection_ms'].get('p99')} ms); subscribers per server {res['subscribers_per_server']}")
        p = res["posts"]
        for kind in ("questions", "votes"):
            r = p[kind]
            ok = r["ok"] if kind == "questions" else r["counted"]
            lines.append(f"POST {kind:<9} planned {r['planned']:>5}  ok {ok:>5}  status {r['status']}  latency ms "
                         f"p50 {r['latency_ms'].get('p50')} p95 {r['latency_ms'].get('p95')} p99 {r['latency_ms'].get('p99')} "
                         f"max {r['latency_ms'].get('max')}  start lag p99 {r['start_lag_ms'].get('p99')} ms")
        ld = res["load"]
        lines.append(f"load: offered {ld['offered_posts_per_s']} POST/s, server answered {ld['achieved_posts_per_s']} POST/s; "
                     f"schedule done at {ld['send_window_s']} s, last answer at {ld['all_answered_s']} s, "
                     f"unfinished (cancelled) posts {ld['unfinished']}; drain {ld['drain_s']} s (limit {ld['drain_limit_s']})")
        hdr = f"{'delay (POST start -> screen)':<32}{'n':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}"
        lines += [hdr, "-" * len(hdr)]

        def row(name, d):
            return (f"{name:<32}{d.get('n', 0):>9}{d.get('p50', '-'):>9}{d.get('p95', '-'):>9}{d.get('p99', '-'):>9}"
                    f"{d.get('max', '-'):>9}")

        d = res["delay_ms"]
        lines.append(row("question, all clients", d["question"]))
        lines.append(row("vote, all clients", d["vote"]))
        lines.append(row("(any, from POST answer)", d["after_post_answer"]))
        lines.append(row("(question, from scheduled send)", d["question_from_schedule"]))
        lines.append(row("(vote, from scheduled send)", d["vote_from_schedule"]))
        if len(d["by_server"]) > 1:
            for label, dd in d["by_server"].items():
                lines.append(row(f"question, clients on {label}", dd["question"]))
                lines.append(row(f"vote, clients on {label}", dd["vote"]))
        dl = res["delivery"]
        lines.append(f"delivery: expected {dl['expected_questions']} questions + the final vote count of each question per client; "
                     f"clients with a miss {dl['clients_with_miss']} (missing {dl['missing_question_msgs']} q, "
                     f"{dl['missing_vote_msgs']} final vote counts), dups {dl['clients_with_dups']}, "
                     f"dropped by server {dl['drops']}, reconnects {dl['reconnects']} (replayed {dl['replayed_msgs']} msgs); "
                     f"arrivals for posts the bench gave up on {dl['arrivals_for_unanswered_posts']}"
                     + (", by server " + ", ".join(f"{k}: {v['clients_with_miss']} missing/{v['drops']} drops"
                                                   for k, v in dl["by_server"].items())
                        if len(dl["by_server"]) > 1 else ""))
        hdr = f"{'server':<8}{'RSS MB before':>14}{'connected':>10}{'idle':>8}{'after':>8}{'KB/sub':>8}" \
              f"{'threads before/idle/after':>27}{'fds':>7}{'cpu load':>9}"
        lines += [hdr, "-" * len(hdr)]
        per = per_sub_kb(res)
        for label in res["mem_before"]:
            mb = {key: res[key][label]["total_rss_kb"] / 1024
                  for key in ("mem_before", "mem_connected", "mem_idle", "mem_after")}
            th = "/".join(str(res[k][label]["worker_threads"]) for k in ("mem_before", "mem_idle", "mem_after"))
            lines.append(f"{label:<8}{mb['mem_before']:>14.1f}{mb['mem_connected']:>10.1f}{mb['mem_idle']:>8.1f}"
                         f"{mb['mem_after']:>8.1f}{per.get(label, 0):>8.1f}{th:>27}"
                         f"{res['server_fds_connected'][label]:>7}{res['cpu_load']['server_cores'][label]:>9.2f}")
        c = res["cpu_load"]
        lg = res["bench_loop_lag_ms"]["load"]
        ci = res["cpu_idle"]
        lines.append(f"cpu during load+drain ({c['wall_s']} s, {c['cpus']} cpus): bench {c['bench_cores']} cores, "
                     f"other {c['other_cores']}; bench event-loop lag p99 {lg.get('p99')} ms max {lg.get('max')} ms; "
                     f"servers idle with subscribers: {ci['server_cores']} cores")
        logs = res.get("server_logs", {})
        lines.append("server logs: " + ", ".join(f"{k}: {v['tracebacks']} tracebacks, {v['database_is_locked']} locked"
                                                 for k, v in logs.items()))
        for t in res.get("targets", []):
            lines.append(f"  {t['verdict']}  {t['name']}: {t['measured']}")
        lines.append("")
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=2000, help="SSE subscribers (default 2000)")
    parser.add_argument("--duration", type=float, default=10, help="seconds of posting (default 10)")
    parser.add_argument("--questions-per-s", type=float, default=20)
    parser.add_argument("--votes-per-s", type=float, default=200)
    parser.add_argument("--mode", choices=["single", "redis", "both"], default="both")
    parser.add_argument("--batch", type=int, default=200, help="streams opened at a time (default 200)")
    parser.add_argument("--settle", type=float, default=2.0, help="idle seconds after connecting (default 2)")
    parser.add_argument("--drain", type=float, default=20.0,
                        help="max seconds after the last POST for deliveries to finish (default 20)")
    parser.add_argument("--post-connections", type=int, default=16, help="keep-alive POST connections (default 16)")
    parser.add_argument("--post-timeout", type=float, default=30.0)
    parser.add_argument("--open-timeout", type=float, default=30.0)
    parser.add_argument("--max-reconnects", type=int, default=5, help="per subscriber, like a browser (default 5)")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/11",
                        help="spare Redis database for mode redis; must be empty; flushed afterwards")
    parser.add_argument("--no-uvloop", dest="uvloop", action="store_false", help="plain asyncio loop for the bench")
    parser.add_argument("--server-env", action="append", default=[], metavar="KEY=VALUE",
                        help="extra environment for the servers (repeatable), e.g. GRANIAN_BACKPRESSURE=4096")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (server logs, SQLite file)")
    sub = parser.add_subparsers(dest="internal")
    p = sub.add_parser("_seed")
    p.add_argument("--participants", type=int, required=True)
    args = parser.parse_args(argv)
    if args.internal == "_seed":
        cmd_seed(args)
        return 0

    args.server_env_map = dict(item.split("=", 1) for item in args.server_env)
    # Subscribers + POST pool + slack, for this process and the servers (which inherit it).
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = args.clients + args.post_connections + 1024
    if soft < want:
        new = want if hard == resource.RLIM_INFINITY else min(hard, max(want, soft))
        resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))
    nofile = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if nofile < args.clients + args.post_connections + 64:
        log(f"WARNING: RLIMIT_NOFILE is {nofile}; {args.clients} clients may not fit")

    modes = ["single", "redis"] if args.mode == "both" else [args.mode]
    started = datetime.now(UTC)
    workdir = Path(tempfile.mkdtemp(prefix="netral-stream-bench-"))
    results = {
        "started_utc": started.isoformat(timespec="seconds"),
        "command": " ".join([os.path.relpath(PY, ROOT), os.path.relpath(__file__, ROOT), *sys.argv[1:]]),
        "machine": {"cpus": os.cpu_count(), "loadavg_at_start": os.getloadavg(), "python": platform.python_version(),
                    "platform": platform.platform(), "rlimit_nofile": nofile},
        "config": {"clients": args.clients, "duration_s": args.duration, "questions_per_s": args.questions_per_s,
                   "votes_per_s": args.votes_per_s, "batch": args.batch, "settle_s": args.settle,
                   "drain_s": args.drain, "post_connections": args.post_connections, "uvloop": args.uvloop,
                   "server": "netral serve --workers 1 --no-migrate", "server_env": {"NETRAL_RATELIMIT": "0", **args.server_env_map},
                   "redis_url": args.redis_url},
        "targets_source": "shared/PERFORMANCE.md, live board",
        "modes": {},
    }
    try:
        import django
        import granian

        results["versions"] = {"django": django.get_version(), "granian": granian.__version__}
    except Exception as exc:  # noqa: BLE001 -- informative only
        results["versions"] = {"error": str(exc)}
    log(f"modes {modes}: {args.clients} subscribers, {args.questions_per_s} questions/s + {args.votes_per_s} votes/s "
        f"for {args.duration}s; server env NETRAL_RATELIMIT=0{''.join(' ' + e for e in args.server_env)}; "
        f"RLIMIT_NOFILE {nofile}; load average {os.getloadavg()[0]:.2f}")
    interrupted = False
    try:
        for mode in modes:
            try:
                res = run_mode(mode, args, workdir)
                res["targets"] = analyse(res, args)
            except KeyboardInterrupt:
                raise
            except Exception as exc:  # noqa: BLE001 -- report, carry on with the next mode
                import traceback

                log(f"{mode}: ERROR {exc}")
                res = {"mode": mode, "error": f"{exc}\n{traceback.format_exc()[-2000:]}"}
            results["modes"][mode] = res
    except KeyboardInterrupt:
        interrupted = True
        log("interrupted; cleaning up")
    finally:
        results["loadavg_at_end"] = os.getloadavg()
        results["elapsed_s"] = round((datetime.now(UTC) - started).total_seconds(), 1)
        if args.keep:
            log(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    save_results(results, summarise(results), started=started, prefix="stream-")
    return 130 if interrupted else 0


if __name__ == "__main__":
    sys.exit(main())
