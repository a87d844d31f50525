"""Questions from phones, votes, moderation settings and the per-event block list."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from netral.events.models import Event, Participant, Session, Speaker

MAX_QUESTION_LENGTH = 500


class DiscussionSettings(models.Model):
    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="discussion")
    moderated = models.BooleanField(
        _("questions need approval"), default=False,
        help_text=_("Questions appear only after an organiser or speaker approves them."))
    fully_anonymous = models.BooleanField(
        _("fully anonymous"), default=False,
        help_text=_("The identity of askers is not stored at all."))
    blocked_words = models.TextField(
        _("words left out of the word cloud"), blank=True,
        help_text=_("Names of candidates, parties…, one per line."))

    class Meta:
        verbose_name = _("discussion settings")

    def __str__(self):
        return str(self.event)

    @property
    def blocked(self) -> set[str]:
        return {w.strip().lower() for w in self.blocked_words.splitlines() if w.strip()}


class Question(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        VISIBLE = "visible", _("Visible")
        HIDDEN = "hidden", _("Hidden")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="questions")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="questions")
    speaker = models.ForeignKey(Speaker, null=True, blank=True, on_delete=models.SET_NULL, related_name="questions")
    # Empty in fully anonymous events: then no row links a question to a person.
    participant = models.ForeignKey(Participant, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="questions")
    show_name = models.BooleanField(default=False)
    display_name = models.CharField(max_length=200, blank=True)
    text = models.TextField(_("question"), max_length=MAX_QUESTION_LENGTH)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.VISIBLE)
    pinned = models.BooleanField(default=False)
    votes = models.PositiveIntegerField(default=0)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="merged")
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    answer_summary = models.TextField(_("answer summary"), blank=True)
    codes = models.JSONField(_("behaviour codes"), default=list, blank=True)
    faq = models.ForeignKey("knowledge.FAQ", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-votes", "created_at"]
        indexes = [models.Index(fields=["event", "status", "-votes"]), models.Index(fields=["session", "status"])]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self):
        return self.text[:60]

    @property
    def answered(self) -> bool:
        return self.answered_at is not None

    def public(self) -> dict:
        """What the audience may see: never the asker unless they chose to show their name."""
        return {"id": self.pk, "session": self.session_id, "text": self.text, "votes": self.votes,
                "name": self.display_name if self.show_name else "", "pinned": self.pinned,
                "answered": self.answered, "answer": self.answer_summary}


class Vote(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="vote_set")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="votes")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["question", "participant"], name="one_vote_per_participant")]

    def __str__(self):
        return f"{self.participant_id} → {self.question_id}"
