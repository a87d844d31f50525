"""``PUT /api/attempts/{id}/answers`` under ``netral serve``: an ASGI route that calls the
same function as the django-ninja view (``api.answer_request``) on the Django thread, but
without building a Django request, running middleware and resolving URLs — about half of
the cost of an answer (bench/answers_load.py). Every other method on the path (and every
other path) goes to Django as usual. The attempt's own token authenticates the call, so no
session, cookie or CSRF token is involved, as in the view."""

import asyncio
import re

from netral.core import fastroute

PATH = re.compile(r"^/api/attempts/(\d+)/answers/?$")
MAX_BODY = 256 * 1024


def _call(attempt_id: int, token: str, body: bytes, language: str) -> tuple[int, bytes]:
    from django.utils import translation  # noqa: PLC0415

    from .api import answer_request  # noqa: PLC0415 -- models load after apps

    fastroute.recycle_connection()
    with translation.override(language):
        status, payload = answer_request(attempt_id, token, body)
        return status, fastroute.encode(payload)


def make_app(executor, fallback):
    async def app(scope, receive, send):
        if scope.get("method") != "PUT":
            await fallback(scope, receive, send)
            return
        attempt_id = int(PATH.match(scope["path"]).group(1))
        headers = dict(scope.get("headers") or [])
        body = await fastroute.read_body(receive, MAX_BODY)
        if body is None:
            status, data = 413, fastroute.TOO_LARGE
        else:
            token = headers.get(b"x-attempt-token", b"").decode("latin1")
            status, data = await asyncio.get_running_loop().run_in_executor(
                executor, _call, attempt_id, token, body, fastroute.language(headers))
        await fastroute.send_json(send, status, data)

    return app
