from django.db import models
from django.utils.translation import gettext_lazy as _, pgettext_lazy


class Verdict(models.TextChoices):
    PROHIBITED = "prohibited", pgettext_lazy("verdict", "Prohibited")
    ALLOWED = "allowed", pgettext_lazy("verdict", "Allowed")
    CONDITIONAL = "conditional", pgettext_lazy("verdict", "Allowed with conditions")


class Topic(models.TextChoices):
    PRINCIPLES = "prinsip", _("Principles of neutrality")
    SOCIAL_MEDIA = "media_sosial", _("Social media")
    CAMPAIGN = "kampanye", _("Campaigns and candidates")
    FACILITIES = "fasilitas", _("State facilities and authority")
    SANCTIONS = "sanksi", _("Sanctions and procedure")
    ETHICS = "etika", _("Ethics")
    REPORTING = "pelaporan", _("Reporting")
    CANDIDACY = "pencalonan", _("Running for office")
