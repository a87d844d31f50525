"""``POST /api/questions/{id}/votes`` under ``netral serve``: an ASGI route that calls the
same function as the django-ninja view (``api.vote_request``) on the Django thread, with a
plain Django request built from the ASGI scope (cookies, CSRF header, Origin) but without
middleware, URL resolving and django-ninja's machinery. Votes are the discussion's most
frequent write (bench/stream_load.py). Every other method on the path goes to Django."""

import asyncio
import io
import re

from netral.core import fastroute

PATH = re.compile(r"^/api/questions/(\d+)/votes/?$")
MAX_BODY = 16 * 1024


def _call(question_id: int, environ: dict, language: str) -> tuple[int, bytes]:
    from django.core.handlers.wsgi import WSGIRequest  # noqa: PLC0415 -- after setup
    from django.utils import translation  # noqa: PLC0415

    from .api import vote_request  # noqa: PLC0415 -- models load after apps

    fastroute.recycle_connection()
    with translation.override(language):
        status, payload = vote_request(WSGIRequest(environ), question_id)
        return status, fastroute.encode(payload)


def make_app(executor, fallback):
    from netral.core.wsgibridge import environ_for  # noqa: PLC0415

    async def app(scope, receive, send):
        if scope.get("method") != "POST":
            await fallback(scope, receive, send)
            return
        question_id = int(PATH.match(scope["path"]).group(1))
        body = await fastroute.read_body(receive, MAX_BODY)
        if body is None:
            status, data = 413, fastroute.TOO_LARGE
        else:
            environ = environ_for(scope, io.BytesIO(body), len(body))
            status, data = await asyncio.get_running_loop().run_in_executor(
                executor, _call, question_id, environ, fastroute.language(dict(scope.get("headers") or [])))
        await fastroute.send_json(send, status, data, [(b"vary", b"Cookie")])

    return app
