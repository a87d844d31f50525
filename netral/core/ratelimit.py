from django.conf import settings


def client_ip(request) -> str:
    """The client address, trusting X-Forwarded-For only for the configured proxy hops."""
    hops = settings.NETRAL_PROXY_COUNT
    if hops:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "")
