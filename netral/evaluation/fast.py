"""``PUT /api/attempts/{id}/answers`` under ``netral serve``: an ASGI route that calls the
same function as the django-ninja view (``api.answer_request``) on the Django thread, but
without building a Django request, running middleware and resolving URLs — about half of
the cost of an answer (bench/answers_load.py). Every other method on the path (and every
other path) goes to Django as usual. The attempt's own token authenticates the call, so no
session, cookie or CSRF token is involved, as in the view."""

import re

from netral.core import fastroute

PATH = re.compile(r"^/api/attempts/(\d+)/answers/?$")
MAX_BODY = 256 * 1024


def _call(scope, body: bytes) -> tuple[int, bytes]:
    from django.utils import translation  # noqa: PLC0415

    from .api import answer_request  # noqa: PLC0415 -- models load after apps

    headers = dict(scope.get("headers") or [])
    fastroute.recycle_connection()
    with translation.override(fastroute.language(headers)):
        status, payload = answer_request(int(PATH.match(scope["path"]).group(1)),
                                         headers.get(b"x-attempt-token", b"").decode("latin1"), body)
        return status, fastroute.encode(payload)


def make_app(executor, fallback):
    return fastroute.make_route(executor, fallback, method="PUT", max_body=MAX_BODY, call=_call)
