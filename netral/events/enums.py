from django.db import models
from django.utils.translation import gettext_lazy as _, pgettext_lazy


class EventStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("event status", "Draft")
    PUBLISHED = "published", pgettext_lazy("event status", "Published")
    RUNNING = "running", pgettext_lazy("event status", "Running")
    FINISHED = "finished", pgettext_lazy("event status", "Finished")


PUBLIC_STATUSES = (EventStatus.PUBLISHED, EventStatus.RUNNING, EventStatus.FINISHED)


class Method(models.TextChoices):
    LECTURE = "lecture", _("Lecture")
    DISCUSSION = "discussion", _("Discussion")
    EVALUATION = "evaluation", _("Evaluation")
    WORKSHOP = "workshop", _("Workshop")
    SIMULATION = "simulation", _("Simulation")


class ParticipantKind(models.TextChoices):
    PNS = "pns", _("Civil servant (PNS, NIP)")
    PPPK = "pppk", _("Contract civil servant (PPPK, NI PPPK)")
    OTHER = "other", _("Non-ASN")


class Gender(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class CheckinMethod(models.TextChoices):
    SELF_QR = "self_qr", _("Scanned the check-in QR")
    ORGANISER_SCAN = "organiser_scan", _("Personal QR scanned by organiser")
    MANUAL = "manual", _("Marked by organiser")
    API = "api", _("API")


class ParticipantSource(models.TextChoices):
    IMPORT = "import", _("Imported")
    SELF = "self", _("Self-registered")
    MANUAL = "manual", _("Added by organiser")
    API = "api", _("API")


class MaterialKind(models.TextChoices):
    PDF = "pdf", "PDF"
    PPTX = "pptx", _("Slides (PPTX)")
    DOCX = "docx", _("Document (DOCX)")
    IMAGE = "image", _("Image")
