from django.conf import settings


def netral(request):
    return {"NETRAL_VERSION": settings.NETRAL_VERSION}
