"""The audit trail: ``log_action(obj, "netral.thing.did", user=..., data={...})``."""

from django.contrib.contenttypes.models import ContentType

from .models import AuditLog

_MASKED_KEYS = ("password", "secret", "token", "api_key")


def _mask(data):
    if isinstance(data, dict):
        return {
            k: ("********" if any(m in k.lower() for m in _MASKED_KEYS) else _mask(v))
            for k, v in data.items()
        }
    if isinstance(data, list):
        return [_mask(v) for v in data]
    return data


def log_action(obj, action: str, *, user=None, data: dict | None = None) -> AuditLog:
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    return AuditLog.objects.create(
        action=action,
        user=user,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        data=_mask(data or {}),
    )
