"""Role checks used by every staff view and API endpoint."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from netral.accounts.models import Role


def has_role(user, *roles) -> bool:
    return bool(user and user.is_authenticated and user.is_active and (user.is_superuser or user.role in roles))


def role_required(*roles):
    """Staff-only view: anonymous users go to the login page, other roles get 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


organiser_required = role_required(Role.ORGANISER)


def get_managed_event(request, pk):
    """The event if this user manages it; 404 otherwise (no hint that it exists)."""
    from netral.events.selectors import events_for_user  # noqa: PLC0415 -- circular import

    return get_object_or_404(events_for_user(request.user), pk=pk)


__all__ = ["PermissionDenied", "get_managed_event", "has_role", "organiser_required", "role_required"]
