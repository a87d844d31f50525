from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from django_ratelimit.core import is_ratelimited
from ninja import Router, Schema
from ninja.errors import HttpError

from netral.core.audit import log_action

from .models import ApiToken

router = Router(tags=["auth"])


class TokenIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str


def _issue(request, username: str, password: str):
    if is_ratelimited(request, group="api.token", key="ip", rate="10/m", method="POST", increment=True):
        raise HttpError(429, _("Too many attempts. Wait a minute and try again."))
    user = authenticate(request, username=username, password=password)
    if user is None or not user.is_active:
        raise HttpError(401, _("Wrong username or password."))
    token, raw = ApiToken.issue(user)
    log_action(token, "netral.api_token.issued", user=user, data={"prefix": token.prefix})
    return {"token": raw}


_TOKEN_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": TokenIn.json_schema()},
            "application/x-www-form-urlencoded": {"schema": TokenIn.json_schema()},
        },
    }
}


@router.post("/auth/token", response=TokenOut, summary="Issue a bearer token", auth=None,
             openapi_extra=_TOKEN_BODY)
def issue_token(request):
    """Takes ``username`` and ``password`` as JSON or as a form."""
    import json  # noqa: PLC0415 -- leaf

    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            raise HttpError(400, _("The body is not valid JSON.")) from None
    else:
        data = request.POST
    if not isinstance(data, dict) and not hasattr(data, "get"):
        raise HttpError(400, _("Send username and password."))
    username, password = data.get("username"), data.get("password")
    if not isinstance(username, str) or not isinstance(password, str) or not username or not password:
        raise HttpError(400, _("Send username and password."))
    return _issue(request, username, password)
