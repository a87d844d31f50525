from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "netral.core"
    label = "core"
    verbose_name = "Netral"

    def ready(self):
        from . import checks  # noqa: F401 -- registers system checks
