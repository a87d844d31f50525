"""Shared pieces of the ASGI routes that answer the hottest API calls under ``netral serve``
without Django's request/response cycle (middleware, URL resolving, django-ninja): test
answers (netral.evaluation.fast) and question votes (netral.discussion.fast). The work
itself runs on the Django thread through the same function as the django-ninja view, so
both paths answer exactly alike; only the plumbing is skipped."""

import asyncio
import json
import threading
import time

_local = threading.local()
RECYCLE_SECONDS = 1.0


def recycle_connection() -> None:
    """Django's request signals run close_old_connections() around every request, which with
    PostgreSQL's health checks costs a SELECT 1 round trip per request; here it runs at most
    once a second per thread, and at once after an error."""
    from django.db import close_old_connections, connection  # noqa: PLC0415 -- after setup

    now = time.monotonic()
    if now - getattr(_local, "checked", 0.0) > RECYCLE_SECONDS or connection.errors_occurred:
        close_old_connections()
        _local.checked = now


def language(headers: dict) -> str:
    """The interface language as netral.core.middleware.LanguageMiddleware chooses it."""
    from django.conf import settings  # noqa: PLC0415

    cookie = headers.get(b"cookie", b"").decode("latin1")
    for part in cookie.split(";"):
        name, _, value = part.strip().partition("=")
        if name == settings.LANGUAGE_COOKIE_NAME and value in {code for code, _n in settings.LANGUAGES}:
            return value
    return settings.LANGUAGE_CODE


async def read_body(receive, limit: int) -> bytes | None:
    """The whole request body, or None once it grows beyond ``limit`` bytes."""
    body, more = b"", True
    while more:
        message = await receive()
        body += message.get("body", b"")
        more = message.get("more_body", False)
        if len(body) > limit:
            return None
    return body


def encode(payload) -> bytes:
    from django.core.serializers.json import DjangoJSONEncoder  # noqa: PLC0415

    return json.dumps(payload, cls=DjangoJSONEncoder).encode()


async def send_json(send, status: int, data: bytes, extra_headers=()) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode()),
                            (b"cache-control", b"no-store"), (b"x-content-type-options", b"nosniff"),
                            *extra_headers]})
    await send({"type": "http.response.body", "body": data})


TOO_LARGE = json.dumps({"detail": "Request body too large.", "errors": {}}).encode()


def make_route(executor, fallback, *, method: str, max_body: int, call):
    """An ASGI app for one path: ``method`` requests run ``call(scope, body)`` on the Django
    thread (``executor``), which returns (status, JSON bytes); other methods go to
    ``fallback`` (Django)."""

    async def app(scope, receive, send):
        if scope.get("method") != method:
            await fallback(scope, receive, send)
            return
        body = await read_body(receive, max_body)
        if body is None:
            status, data = 413, TOO_LARGE
        else:
            status, data = await asyncio.get_running_loop().run_in_executor(executor, call, scope, body)
        await send_json(send, status, data, [(b"vary", b"Cookie")])

    return app
