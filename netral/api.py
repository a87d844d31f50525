"""The JSON API (django-ninja): one NinjaAPI, one router per app. OpenAPI at /api/docs."""

from django.core.exceptions import PermissionDenied, ValidationError as DjangoValidationError
from django.db import connection
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer, SessionAuth

import netral
from netral.core.errors import NetralError


class BearerAuth(HttpBearer):
    def authenticate(self, request, token):
        from netral.accounts.tokens import user_for_token  # noqa: PLC0415 -- models load after apps

        user = user_for_token(token)
        if user is None:
            return None
        request.user = user
        return user


class StaffSessionAuth(SessionAuth):
    """The browser session (with CSRF on unsafe methods)."""


staff_auth = [BearerAuth(), StaffSessionAuth()]

api = NinjaAPI(
    title="Netral API",
    version=netral.__version__,
    description="Sosialisasi netralitas ASN. Errors: {detail, errors: {field: [messages]}}.",
    urls_namespace="api",
)


def _error(request, status, detail, errors=None):
    return api.create_response(request, {"detail": detail, "errors": errors or {}}, status=status)


@api.exception_handler(ValidationError)
def on_validation_error(request, exc):
    errors: dict[str, list[str]] = {}
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "query", "path", "form", "payload")]
        errors.setdefault(".".join(loc) or "__all__", []).append(str(err.get("msg")))
    return _error(request, 422, _("The request contains invalid fields."), errors)


@api.exception_handler(DjangoValidationError)
def on_django_validation_error(request, exc):
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return _error(request, 400, _("The request contains invalid fields."), errors)


@api.exception_handler(NetralError)
def on_netral_error(request, exc):
    errors = {exc.field: [exc.message]} if exc.field else {}
    return _error(request, 400, exc.message, errors)


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return _error(request, 401, _("Authentication required: log in or send Authorization: Bearer <token>."))


@api.exception_handler(PermissionDenied)
def on_permission_denied(request, exc):
    return _error(request, 403, _("Your account may not do this."))


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return _error(request, 404, _("Not found."))


@api.exception_handler(HttpError)
def on_http_error(request, exc):
    return _error(request, exc.status_code, str(exc))


@api.get("/health", tags=["system"], summary="Health check")
def health(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"status": "ok", "database": connection.vendor, "version": netral.__version__}


from netral.accounts.api import router as accounts_router  # noqa: E402
from netral.events.api import router as events_router  # noqa: E402
from netral.knowledge.api import router as knowledge_router  # noqa: E402
from netral.discussion.api import router as discussion_router  # noqa: E402
from netral.evaluation.api import router as evaluation_router  # noqa: E402
from netral.reports.api import router as reports_router  # noqa: E402
from netral.complaints.api import router as complaints_router  # noqa: E402

api.add_router("/", accounts_router)
api.add_router("/", events_router)
api.add_router("/", knowledge_router)
api.add_router("/", discussion_router)
api.add_router("/", evaluation_router)
api.add_router("/", reports_router)
api.add_router("/", complaints_router)
