"""``PUT /api/attempts/{id}/answers`` under ``netral serve``: an ASGI route that calls the
same function as the django-ninja view (``api.answer_request``) on the Django thread, but
without building a Django request, running middleware and resolving URLs — about half of
the cost of an answer (bench/answers_load.py). Every other method on the path (and every
other path) goes to Django as usual. The attempt's own token authenticates the call, so no
session, cookie or CSRF token is involved, as in the view."""

import asyncio
import json
import re
import threading
import time

PATH = re.compile(r"^/api/attempts/(\d+)/answers/?$")
MAX_BODY = 256 * 1024


_local = threading.local()
RECYCLE_SECONDS = 1.0


def _call(attempt_id: int, token: str, body: bytes, language: str) -> tuple[int, bytes]:
    from django.core.serializers.json import DjangoJSONEncoder  # noqa: PLC0415 -- after setup
    from django.db import close_old_connections, connection  # noqa: PLC0415
    from django.utils import translation  # noqa: PLC0415

    from .api import answer_request  # noqa: PLC0415 -- models load after apps

    # Django's request signals run close_old_connections() around every request, which with
    # PostgreSQL's health checks costs a SELECT 1 round trip per request; here it runs at
    # most once a second per thread, and at once after an error.
    now = time.monotonic()
    if now - getattr(_local, "checked", 0.0) > RECYCLE_SECONDS or connection.errors_occurred:
        close_old_connections()
        _local.checked = now
    with translation.override(language):
        status, payload = answer_request(attempt_id, token, body)
        return status, json.dumps(payload, cls=DjangoJSONEncoder).encode()


def _language(headers: dict) -> str:
    from django.conf import settings  # noqa: PLC0415

    cookie = headers.get(b"cookie", b"").decode("latin1")
    for part in cookie.split(";"):
        name, _, value = part.strip().partition("=")
        if name == "netral_lang" and value in {code for code, _n in settings.LANGUAGES}:
            return value
    return settings.LANGUAGE_CODE


def make_app(executor, fallback):
    async def app(scope, receive, send):
        if scope.get("method") != "PUT":
            await fallback(scope, receive, send)
            return
        attempt_id = int(PATH.match(scope["path"]).group(1))
        headers = dict(scope.get("headers") or [])
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > MAX_BODY:
                status, data = 413, json.dumps({"detail": "Request body too large.", "errors": {}}).encode()
                break
        else:
            token = headers.get(b"x-attempt-token", b"").decode("latin1")
            status, data = await asyncio.get_running_loop().run_in_executor(
                executor, _call, attempt_id, token, body, _language(headers))
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode()),
                                (b"cache-control", b"no-store"), (b"x-content-type-options", b"nosniff")]})
        await send({"type": "http.response.body", "body": data})

    return app
