"""Absolute URLs for QR codes: the address phones in the hall can reach."""

from django.conf import settings
from django.urls import reverse


def base_url(request) -> str:
    if settings.NETRAL_PUBLIC_URL:
        return settings.NETRAL_PUBLIC_URL
    return f"{request.scheme}://{request.get_host()}"


def absolute(request, name: str, **kwargs) -> str:
    return base_url(request) + reverse(name, kwargs=kwargs)
