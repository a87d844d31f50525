"""A Django WSGI handler for ``/api/`` with only the middleware JSON endpoints need.

Pages need sessions, messages, CSRF, CSP and htmx; the JSON API authenticates itself
(bearer token, or the session with CSRF checked by django-ninja) and returns no HTML.
Skipping the rest is a measurable share of an API call (bench/profile_checkin.py)."""

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler

API_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "netral.core.middleware.LanguageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]


class APIWSGIHandler(WSGIHandler):
    def load_middleware(self, is_async=False):
        # BaseHandler reads settings.MIDDLEWARE; give it the API list for this handler only.
        full = settings.MIDDLEWARE
        settings.MIDDLEWARE = API_MIDDLEWARE
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = full
