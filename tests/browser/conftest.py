"""Real headless Chromium (Debian's /usr/bin/chromium) driven by Playwright's sync API.

Never run ``playwright install``: the browser comes from the system package, which the
project's test command installs. Without it the browser tests are skipped, with a reason.

Screenshots of every step go to ``test-artifacts/browser/`` at the repository root
(git-ignored); a failing test also leaves ``FAILED-<test>-<context><page>.png`` there.

Two servers: ``new_context`` opens pages on pytest-django's ``live_server`` (Django's WSGI
handler in a thread of the test process); ``served_context`` opens them on ``netral_server``,
a real ``netral serve`` subprocess (granian, the ASGI front of netral/asgi.py, the
long-lived async live stream, collected static files) on the same test database.
"""

import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # This machine has no internet: keep Chromium from phoning home and stalling.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts" / "browser"
# ``collectstatic`` output for the served process, one folder per fingerprint of the source
# files (WhiteNoise's compression takes ~20 s on this machine: done once, not per run).
STATIC_CACHE = REPO / "test-artifacts" / "served-static"
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}

SKIP_REASON = (f"{CHROMIUM} not found: install Debian's chromium package (never "
               "`playwright install`) to run the browser tests")

SERVER_START_SECONDS = 60  # import, warm-up and bind on a busy 2-core machine: ~2.5 s idle
SERVER_STOP_SECONDS = 10

# Wraps window.EventSource before the page's scripts run (Playwright injects init scripts
# through the DevTools protocol, so the page's CSP does not apply). ``window.__sse`` counts
# the connections the browser opened and the errors (a closed stream is an error, then a
# reconnection), and logs every message with its id, kind and arrival time (ms since epoch).
SSE_PROBE = """
(() => {
  const Native = window.EventSource;
  if (!Native || Native.__probed) return;
  const probe = window.__sse = {opens: 0, errors: 0, firstOpenAt: null, sources: [], messages: []};
  class Probed extends Native {
    constructor(url, init) {
      super(url, init);
      probe.sources.push(this);
      this.addEventListener("open", () => {
        probe.opens += 1;
        if (probe.firstOpenAt === null) probe.firstOpenAt = Date.now();
      });
      this.addEventListener("error", () => { probe.errors += 1; });
      this.addEventListener("message", (e) => {
        let kind = null;
        try { kind = JSON.parse(e.data).kind; } catch (err) { kind = "?"; }
        probe.messages.push({id: Number(e.lastEventId), kind: kind, at: Date.now()});
      });
    }
  }
  Probed.__probed = true;
  window.EventSource = Probed;
})();
"""


def watch_event_sources(context):
    """Every page of ``context`` gets the EventSource probe (``window.__sse``)."""
    context.add_init_script(SSE_PROBE)


def event_source_state(page) -> dict | None:
    """The probe's record of ``page``: opens, errors, readyStates (1 = OPEN), messages."""
    return page.evaluate("""() => {
      const p = window.__sse;
      return p ? {opens: p.opens, errors: p.errors, firstOpenAt: p.firstOpenAt, now: Date.now(),
                  readyStates: p.sources.map((s) => s.readyState), messages: p.messages} : null;
    }""")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)  # lets fixtures know whether the test failed
    return report


@pytest.fixture(scope="session")
def artifacts_dir():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for stale in ARTIFACTS.glob("FAILED-*.png"):  # step pictures are simply overwritten
        stale.unlink(missing_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 -- only when the browser exists

    if not CHROMIUM.exists():
        pytest.skip(SKIP_REASON)
    # Playwright's sync API keeps an asyncio loop "running" on the test thread, so Django's
    # async-safety check would refuse every ORM call the test (and pytest-django's flush at
    # teardown) makes. Allowed only while the browser runs, not for the rest of the suite.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                              headless=True)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _contexts(browser, base_url, artifacts_dir, request):
    """Factory of isolated browser contexts (one per person: organiser, participant's phone).

    Indonesian locale and Jakarta time, like the users'. Uncaught JavaScript errors of
    every page are collected in ``context.js_errors``, console errors (CSP violations,
    missing files) in ``context.console_errors``."""
    contexts = []

    def make(base_url=base_url, **options):
        context = browser.new_context(base_url=base_url, locale="id-ID",
                                      timezone_id="Asia/Jakarta", **{**DESKTOP, **options})
        context.set_default_timeout(10_000)
        context.js_errors = []
        context.console_errors = []

        def watch(page):
            page.on("pageerror", lambda exc: context.js_errors.append(f"{page.url}: {exc}"))
            page.on("console", lambda msg: msg.type == "error" and context.console_errors.append(
                f"{page.url}: {msg.text}"))

        context.on("page", watch)
        contexts.append(context)
        return context

    yield make
    report = getattr(request.node, "rep_call", None)
    for i, context in enumerate(contexts):
        if report is not None and report.failed:
            for j, page in enumerate(context.pages):
                try:
                    page.screenshot(path=artifacts_dir / f"FAILED-{request.node.name}-{i}{j}.png",
                                    full_page=True)
                except Exception:  # noqa: BLE001 -- best effort, never hide the real failure
                    pass
        context.close()


@pytest.fixture
def new_context(browser, live_server, artifacts_dir, request):
    """Contexts on pytest-django's ``live_server`` (``make(base_url=...)`` to point elsewhere)."""
    yield from _contexts(browser, live_server.url, artifacts_dir, request)


@pytest.fixture
def served_context(browser, netral_server, artifacts_dir, request):
    """Contexts on the real ``netral serve`` process of ``netral_server``."""
    yield from _contexts(browser, netral_server.url, artifacts_dir, request)


@pytest.fixture
def shot(artifacts_dir):
    """``shot(page, "step01_login")`` saves a full-page PNG artifact."""

    def save(page, name):
        page.screenshot(path=artifacts_dir / f"{name}.png", full_page=True)

    return save


# --- a real `netral serve` ----------------------------------------------------------------

def _static_fingerprint() -> str:
    """What ``collectstatic`` would produce depends on these files and versions only."""
    from importlib.metadata import version  # noqa: PLC0415

    import django  # noqa: PLC0415
    from django.contrib.staticfiles import finders  # noqa: PLC0415

    digest = hashlib.sha256(f"{django.__version__} {version('whitenoise')}".encode())
    entries = []
    for finder in finders.get_finders():
        for path, storage in finder.list(["CVS", ".*", "*~"]):
            stat = os.stat(storage.path(path))
            entries.append(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}")
    for entry in sorted(entries):
        digest.update(entry.encode() + b"\n")
    return digest.hexdigest()[:16]


@pytest.fixture(scope="session")
def collected_static():
    """STATIC_ROOT for the served process: production's manifest + compressed files.

    Collected once per change of the source files into test-artifacts/served-static/<hash>
    (built aside, then renamed: concurrent runs never see half a folder)."""
    STATIC_CACHE.mkdir(parents=True, exist_ok=True)
    target = STATIC_CACHE / _static_fingerprint()
    if not (target / "staticfiles.json").is_file():
        build = STATIC_CACHE / f".build-{os.getpid()}-{time.monotonic_ns()}"
        env = {**_base_env(), "NETRAL_DATA_DIR": str(build), "NETRAL_SECRET_KEY": "collectstatic-only"}
        done = subprocess.run([sys.executable, "-m", "netral", "collectstatic", "--noinput", "-v", "0"],
                              env=env, cwd=REPO, capture_output=True, text=True, timeout=600)
        if done.returncode != 0 or not (build / "static" / "staticfiles.json").is_file():
            shutil.rmtree(build, ignore_errors=True)
            pytest.fail(f"collectstatic failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
        try:
            (build / "static").rename(target)
        except OSError:  # another run got there first: theirs is the same
            if not (target / "staticfiles.json").is_file():
                raise
        shutil.rmtree(build, ignore_errors=True)
    os.utime(target)  # marks it in use
    for old in STATIC_CACHE.iterdir():  # other fingerprints (35 MB each) unused for an hour
        try:
            unused = time.time() - old.stat().st_mtime
        except FileNotFoundError:  # pruned by a concurrent run
            continue
        if old != target and unused > 3600:
            shutil.rmtree(old, ignore_errors=True)
    return target


def _base_env() -> dict:
    """The test process's environment without Netral's and Django's settings (set explicitly)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("NETRAL_", "DJANGO_")) and k not in ("DATABASE_URL", "REDIS_URL")}
    venv_bin = str(Path(sys.executable).parent)  # `serve` execs the granian found on PATH first
    env["PATH"] = venv_bin + os.pathsep + env.get("PATH", "")
    env["DJANGO_SETTINGS_MODULE"] = "netral.settings"
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _database_env(data_dir: Path) -> dict:
    """Point the served process at the test database of this process (after its setup)."""
    from django.db import connection  # noqa: PLC0415

    db = connection.settings_dict
    if connection.vendor == "sqlite":
        name = str(db["NAME"])
        if name == ":memory:" or name.startswith("file:"):
            pytest.skip("netral serve needs the SQLite test database in a file")
        # Embedded mode exactly as in production (WAL, IMMEDIATE transactions, busy timeout
        # come with the data folder's database, not with a DATABASE_URL): the data folder's
        # netral.sqlite3 is a link to the test database (SQLite follows it for -wal/-shm).
        link = data_dir / "netral.sqlite3"
        link.unlink(missing_ok=True)
        link.symlink_to(Path(name).resolve())
        return {}
    if connection.vendor == "postgresql":
        host = db.get("HOST") or "127.0.0.1"
        auth = quote(db.get("USER") or "", safe="")
        if db.get("PASSWORD"):
            auth += ":" + quote(db["PASSWORD"], safe="")
        return {"DATABASE_URL": f"postgres://{auth}@{quote(host, safe='')}:{db.get('PORT') or 5432}/"
                                f"{quote(db['NAME'], safe='')}"}
    pytest.skip(f"netral serve against a {connection.vendor} test database is not set up")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class NetralServer:
    """One ``netral serve --workers 1`` process group on 127.0.0.1, its output in ``log``."""

    def __init__(self, env: dict, log: Path):
        self.env = env
        self.log = log
        self.process: subprocess.Popen | None = None
        self.port: int | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, port: int | None = None):
        """Start on ``port`` (default: a free one) and wait for /api/health."""
        for attempt in range(3):
            self.port = port or _free_port()
            with self.log.open("a") as out:
                out.write(f"\n===== netral serve on port {self.port} (attempt {attempt + 1}) =====\n")
                out.flush()
                # --no-migrate: the test database is migrated by pytest-django, and static
                # files are collected (collected_static) into the data folder already.
                self.process = subprocess.Popen(
                    [sys.executable, "-m", "netral", "serve", "--host", "127.0.0.1", "--port", str(self.port),
                     "--workers", "1", "--no-migrate"],
                    env=self.env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                    start_new_session=True)  # its own process group: granian and its worker
            health = self._wait_healthy()
            if health is not None:
                from django.db import connection  # noqa: PLC0415

                if health.get("database") == connection.vendor:
                    return self
                self.stop()
                pytest.fail(f"netral serve runs on {health}, the tests on {connection.vendor}", pytrace=False)
            exited = self.process.poll() is not None
            self.stop()
            if not (exited and port is None and "in use" in self.log_tail().lower()):
                break  # retry only when the free port was taken in between
        pytest.fail(f"netral serve did not answer /api/health within {SERVER_START_SECONDS} s; "
                    f"log {self.log}:\n{self.log_tail()}", pytrace=False)

    def _wait_healthy(self) -> dict | None:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return None
            try:
                with urllib.request.urlopen(self.url + "/api/health", timeout=2) as response:
                    health = json.loads(response.read())
            except (urllib.error.URLError, OSError, ValueError):
                time.sleep(0.1)
                continue
            return health
        return None

    def stop(self):
        """SIGTERM to the whole group (granian stops its worker), SIGKILL if it lingers."""
        process, self.process = self.process, None
        if process is None:
            return
        # Then SIGKILL: the leader may be gone already; anything left in its group goes too.
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(process.pid, sig)
            except ProcessLookupError:
                pass
            try:
                process.wait(timeout=SERVER_STOP_SECONDS)
            except subprocess.TimeoutExpired:
                pass

    def log_text(self) -> str:
        try:
            return self.log.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])


# What the served process logs when a request failed on its side (a 403 or 404 is logged
# too, with a traceback for PermissionDenied, and is not an error of the server).
SERVER_ERROR_MARKERS = ("Internal Server Error", "Application callable raised an exception",
                        "live pump failed", "Exception in ")


def assert_no_server_errors(server: NetralServer):
    text = server.log_text()
    found = [marker for marker in SERVER_ERROR_MARKERS if marker in text]
    assert not found, f"netral serve logged {found}; see {server.log}:\n{server.log_tail()}"


@pytest.fixture(scope="session")
def served_data_dir(tmp_path_factory, collected_static):
    """NETRAL_DATA_DIR of served processes: the collected static files (and, on SQLite, the
    link to the test database), nothing of the developer's data folder."""
    data_dir = tmp_path_factory.mktemp("served-data")
    (data_dir / "static").symlink_to(collected_static, target_is_directory=True)
    return data_dir


@pytest.fixture
def netral_server(transactional_db, served_data_dir, artifacts_dir, request, settings):
    """A real ``netral serve`` on a free port of 127.0.0.1, on this test's database.

    The test's rows are committed (``transactional_db``), so the server sees them; it gets
    this process's SECRET_KEY (signed cookies made here are valid there), production's
    DEBUG off, no Redis (live messages stay in the process, as in embedded mode), rate
    limits off. Its output goes to test-artifacts/browser/served-<test>.log, whose tail is
    printed when the test fails. Stopped (process group) at teardown."""
    env = {**_base_env(), **_database_env(served_data_dir),
           "NETRAL_DATA_DIR": str(served_data_dir),
           "NETRAL_MEDIA_DIR": str(settings.MEDIA_ROOT),
           "NETRAL_SECRET_KEY": settings.SECRET_KEY,
           "NETRAL_DEBUG": "0",
           "NETRAL_RATELIMIT": "0",
           "NETRAL_SERVER_LOG": "info"}
    log = artifacts_dir / f"served-{re.sub(r'[^A-Za-z0-9_.-]+', '_', request.node.name)}.log"
    log.unlink(missing_ok=True)
    server = NetralServer(env, log)
    try:
        yield server.start()
    finally:
        server.stop()
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed:
            print(f"--- netral serve log ({log}), last lines ---\n{server.log_tail()}")
