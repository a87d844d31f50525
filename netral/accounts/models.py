import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ORGANISER = "organiser", _("Organiser")
    SPEAKER = "speaker", _("Speaker")
    VERIFIER = "verifier", _("Complaint verifier")
    EDITOR = "editor", _("Content editor")


class User(AbstractUser):
    """A staff account: organiser (panitia), speaker (narasumber), verifier or editor.

    Participants have no account; they identify by NIP on their phone (see events).
    """

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.ORGANISER)
    institution = models.CharField(_("institution"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def is_organiser(self) -> bool:
        return self.is_active and (self.role == Role.ORGANISER or self.is_superuser)


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.user} {self.prefix}…"

    @classmethod
    def issue(cls, user) -> tuple["ApiToken", str]:
        raw = "ntr_" + secrets.token_urlsafe(32)
        return cls.objects.create(user=user, key_hash=_hash_token(raw), prefix=raw[4:12]), raw

    @classmethod
    def lookup(cls, raw: str):
        try:
            return cls.objects.select_related("user").get(key_hash=_hash_token(raw), user__is_active=True)
        except cls.DoesNotExist:
            return None
