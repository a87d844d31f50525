"""``POST /api/questions/{id}/votes`` under ``netral serve``: an ASGI route that calls the
same function as the django-ninja view (``api.vote_request``) on the Django thread, with a
plain Django request built from the ASGI scope (cookies, CSRF header, Origin) but without
middleware, URL resolving and django-ninja's machinery. Votes are the discussion's most
frequent write (bench/stream_load.py). Every other method on the path goes to Django."""

import io
import re

from netral.core import fastroute

PATH = re.compile(r"^/api/questions/(\d+)/votes/?$")
MAX_BODY = 16 * 1024


def _call(scope, body: bytes) -> tuple[int, bytes]:
    from django.core.handlers.wsgi import WSGIRequest  # noqa: PLC0415 -- after setup
    from django.utils import translation  # noqa: PLC0415

    from netral.core.wsgibridge import environ_for  # noqa: PLC0415

    from .api import vote_request  # noqa: PLC0415 -- models load after apps

    fastroute.recycle_connection()
    request = WSGIRequest(environ_for(scope, io.BytesIO(body), len(body)))
    with translation.override(fastroute.language(dict(scope.get("headers") or []))):
        status, payload = vote_request(request, int(PATH.match(scope["path"]).group(1)))
        return status, fastroute.encode(payload)


def make_app(executor, fallback):
    return fastroute.make_route(executor, fallback, method="POST", max_body=MAX_BODY, call=_call)
