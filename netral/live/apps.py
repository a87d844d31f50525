from django.apps import AppConfig


class LiveConfig(AppConfig):
    name = "netral.live"
    label = "live"
    verbose_name = "Live"
