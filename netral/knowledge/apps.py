from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "netral.knowledge"
    label = "knowledge"
    verbose_name = _("Knowledge base")

    def ready(self):
        import reversion

        from . import models

        for model in (models.Regulation, models.Article, models.Sanction, models.Behaviour, models.Page,
                      models.FAQ, models.Synonym):
            if not reversion.is_registered(model):
                reversion.register(model)
