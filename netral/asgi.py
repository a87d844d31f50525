"""The one ASGI entry point that ``netral serve`` runs under granian.

Django's pages and API run as a WSGI app on a small pool of persistent threads (netral.core.wsgibridge),
not through Django's ASGI handler, which creates a thread per request (see
shared/PERFORMANCE.md: 375 vs thousands of requests per second). Paths that need to stay
open (the live stream of the discussion) are routed to pure-async handlers registered in
``ASYNC_ROUTES``, which hold no thread per connection.
"""

import os
import re

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netral.settings")

from django.core.wsgi import get_wsgi_application  # noqa: E402

from netral.core.wsgibridge import WSGIBridge  # noqa: E402



def _django_threads() -> int:
    """Threads that run Django in each process.

    SQLite: one. It has one writer, Python threads share one GIL, and one writer thread per
    process keeps the tail latency tight (shared/PERFORMANCE.md): scale with processes.
    PostgreSQL: four. A request there mostly waits on network round trips, during which
    other threads run (bench: 542 → 1,004 check-ins/s on this 2-vCPU machine)."""
    configured = os.environ.get("NETRAL_DJANGO_THREADS")
    if configured:
        return max(1, int(configured))
    from django.db import connection

    return 1 if connection.vendor == "sqlite" else 4


DJANGO_THREADS = _django_threads()

_django = WSGIBridge(get_wsgi_application(), threads=DJANGO_THREADS)

from netral.core.handlers import APIWSGIHandler  # noqa: E402

# The JSON API shares the thread (one writer per process) but not the page middleware.
_api = WSGIBridge(APIWSGIHandler(), executor=_django.executor)

# (compiled path pattern, async ASGI app) pairs; live streaming registers itself here.
ASYNC_ROUTES: list[tuple[re.Pattern, object]] = []


def _static_route():
    from django.conf import settings

    from netral.core.static_asgi import StaticFiles

    if settings.DEBUG or not (settings.STATIC_ROOT / "staticfiles.json").is_file():
        return None  # not collected (development): WhiteNoise inside Django serves from the apps
    return re.compile("^" + re.escape(settings.STATIC_URL)), StaticFiles(
        settings.STATIC_ROOT, prefix=settings.STATIC_URL, fallback=_django)


if (_route := _static_route()) is not None:
    ASYNC_ROUTES.append(_route)

from netral.live import stream as _stream  # noqa: E402

ASYNC_ROUTES.append((_stream.PATH, _stream.app))

from netral.evaluation import fast as _answers  # noqa: E402

# Phones saving test answers: the hottest write, straight to the Django thread.
ASYNC_ROUTES.append((_answers.PATH, _answers.make_app(_django.executor, _api)))

from netral.discussion import fast as _votes  # noqa: E402

# Votes on questions: the discussion's most frequent write.
ASYNC_ROUTES.append((_votes.PATH, _votes.make_app(_django.executor, _api)))


def _warm_up():
    """Build per-process caches before the first visitor pays for them (self-check index)."""
    import logging

    from django.db import DatabaseError, close_old_connections

    try:
        from netral.knowledge.selectors import get_index

        get_index()
    except DatabaseError:  # not migrated yet: the first search builds it
        logging.getLogger(__name__).warning("warm-up skipped: database not ready")
    except Exception:  # noqa: BLE001 -- a cache, never a reason to serve without lifespan
        logging.getLogger(__name__).exception("warm-up failed; the first search builds the index")
    finally:
        close_old_connections()
    # What was loaded so far (modules, settings, the index) lives as long as the process:
    # out of the collector's sight, full collections stop walking it (tens of ms each).
    import gc

    gc.freeze()


async def application(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                import asyncio

                await asyncio.get_running_loop().run_in_executor(_django.executor, _warm_up)
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] == "http":
        path = scope.get("path", "")
        for pattern, app in ASYNC_ROUTES:
            if pattern.match(path):
                await app(scope, receive, send)
                return
        if path.startswith("/api/"):
            await _api(scope, receive, send)
            return
    await _django(scope, receive, send)
