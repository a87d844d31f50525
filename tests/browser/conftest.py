"""Real headless Chromium (Debian's /usr/bin/chromium) driven by Playwright's sync API.

Never run ``playwright install``: the browser comes from the system package, which the
project's test command installs. Without it the browser tests are skipped, with a reason.

Screenshots of every step go to ``test-artifacts/browser/`` at the repository root
(git-ignored); a failing test also leaves ``FAILED-<test>-<context><page>.png`` there.
"""

import os
from pathlib import Path

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
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}

SKIP_REASON = (f"{CHROMIUM} not found: install Debian's chromium package (never "
               "`playwright install`) to run the browser tests")


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


@pytest.fixture
def new_context(browser, live_server, artifacts_dir, request):
    """Factory of isolated browser contexts (one per person: organiser, participant's phone).

    Indonesian locale and Jakarta time, like the users'. Uncaught JavaScript errors of
    every page are collected in ``context.js_errors``, console errors (CSP violations,
    missing files) in ``context.console_errors``."""
    contexts = []

    def make(**options):
        context = browser.new_context(base_url=live_server.url, locale="id-ID",
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
def shot(artifacts_dir):
    """``shot(page, "step01_login")`` saves a full-page PNG artifact."""

    def save(page, name):
        page.screenshot(path=artifacts_dir / f"{name}.png", full_page=True)

    return save
