"""Item banks with versioned items, tests (pre, post, survey), attempts and responses.

An item's wording lives in :class:`ItemVersion`; editing an item that someone has already
answered creates a new version, so an attempt always keeps the exact text and key it saw.
A test points at item versions through :class:`TestItem`. An :class:`Attempt` is unique per
test and participant (a database constraint); a :class:`Response` is unique per attempt
and test item, so saving an answer again overwrites it (an upsert) instead of adding one.

On submit the attempt keeps its score vector and its chosen options in test order
(``item_scores``, ``choices``): the statistics of a whole test read one row per attempt
instead of one row per answer.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from netral.core.models import TimeStampedModel
from netral.events.models import Event, Participant

OPTION_IDS = "ABCDEFGHIJ"  # option ids in authored order; shuffling only changes display order
FIELD_SEP = "\x1f"  # between the items of Attempt.answer_line (never inside an answer)


def new_attempt_token() -> str:
    return secrets.token_urlsafe(18)


def new_structure_version() -> int:
    # Random, not 1: a per-process cache keyed on (test id, version) stays right even where
    # ids are reused (rolled-back test transactions).
    return secrets.randbelow(2**31 - 1) + 1


class ItemType(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple response")
    TRUEFALSE = "truefalse", _("True / false")
    LIKERT = "likert", _("Likert scale")
    SHORT = "short", _("Short text")


CHOICE_TYPES = {ItemType.SINGLE, ItemType.MULTIPLE, ItemType.TRUEFALSE, ItemType.LIKERT}
SCORED_TYPES = {ItemType.SINGLE, ItemType.MULTIPLE, ItemType.TRUEFALSE, ItemType.SHORT}


class Topic(models.TextChoices):
    PRINCIPLES = "prinsip", _("Principles of neutrality")
    SOCIAL_MEDIA = "media_sosial", _("Social media")
    CAMPAIGNS = "kampanye", _("Campaigns and candidates")
    FACILITIES = "fasilitas", _("State facilities and authority")
    SANCTIONS = "sanksi", _("Sanctions and procedure")
    ETHICS = "etika", _("Ethics")
    REPORTING = "pelaporan", _("Reporting")
    SURVEY = "survei", _("Satisfaction")


class ItemBank(TimeStampedModel):
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="item_banks")
    shared = models.BooleanField(_("shared with all organisers"), default=False)
    is_default = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("item bank")
        ordering = ["-is_default", "name"]
        constraints = [models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True),
                                               name="evaluation_one_default_bank")]

    def __str__(self):
        return self.name


class Item(TimeStampedModel):
    bank = models.ForeignKey(ItemBank, on_delete=models.CASCADE, related_name="items")
    key = models.CharField(_("code"), max_length=40)
    type = models.CharField(_("type"), max_length=10, choices=ItemType.choices)
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices)
    codes = models.JSONField(_("rule codes"), default=list, blank=True,
                             help_text=_("Codes of the knowledge base's rules this item tests, e.g. B05."))
    difficulty = models.CharField(_("intended difficulty"), max_length=10, blank=True)
    author = models.CharField(_("author"), max_length=200, blank=True)
    current = models.ForeignKey("ItemVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    retired = models.BooleanField(_("retired"), default=False)

    class Meta:
        verbose_name = _("item")
        ordering = ["bank", "key"]
        constraints = [models.UniqueConstraint(fields=["bank", "key"], name="evaluation_item_key_unique")]

    def __str__(self):
        return f"{self.key}"


class ItemVersion(models.Model):
    """The wording, options and key of an item as participants saw it. Never edited once
    answered: see ``services.update_item``."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(default=1)
    stem = models.TextField(_("question"))
    # [{"id": "A", "text": ..., "correct": bool, "fraction": float}]  (likert: no correct)
    options = models.JSONField(_("options"), default=list, blank=True)
    # short text: [{"text": ..., "fraction": 1.0}]
    answers = models.JSONField(_("accepted answers"), default=list, blank=True)
    explanation = models.TextField(_("explanation"), blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = _("item version")
        ordering = ["item", "number"]
        constraints = [models.UniqueConstraint(fields=["item", "number"], name="evaluation_version_unique")]

    def __str__(self):
        return f"{self.item.key} v{self.number}"

    @property
    def correct_ids(self) -> list[str]:
        return [o["id"] for o in self.options if o.get("correct")]


class Test(TimeStampedModel):
    __test__ = False  # not a pytest test class

    class Kind(models.TextChoices):
        PRE = "pre", _("Pre-test")
        POST = "post", _("Post-test")
        SURVEY = "survey", _("Satisfaction survey")

    class Feedback(models.TextChoices):
        NEVER = "never", _("Never")
        AFTER_SUBMIT = "submit", _("Right after submitting")
        AFTER_CLOSE = "close", _("After the test closes")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="tests")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    instructions = models.TextField(_("instructions"), blank=True)
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    time_limit_minutes = models.PositiveSmallIntegerField(_("time limit (minutes)"), null=True, blank=True)
    shuffle_items = models.BooleanField(_("shuffle items per participant"), default=True)
    shuffle_options = models.BooleanField(_("shuffle options per participant"), default=True)
    feedback = models.CharField(_("show score, answers and explanations"), max_length=8,
                                choices=Feedback.choices, default=Feedback.AFTER_SUBMIT)
    # Bumped whenever the item list changes: per-process caches of the structure key on it.
    structure_version = models.PositiveBigIntegerField(default=new_structure_version, editable=False)

    class Meta:
        verbose_name = _("test")
        ordering = ["event", "kind"]
        constraints = [models.UniqueConstraint(fields=["event", "kind"], name="evaluation_one_test_per_kind")]

    def __str__(self):
        return f"{self.title}"

    @property
    def scored(self) -> bool:
        return self.kind != self.Kind.SURVEY


class TestItem(models.Model):
    test = models.ForeignKey(Test, on_delete=models.CASCADE, related_name="test_items")
    version = models.ForeignKey(ItemVersion, on_delete=models.PROTECT, related_name="test_items")
    order = models.PositiveSmallIntegerField()
    marks = models.FloatField(default=1.0)

    class Meta:
        ordering = ["test", "order"]
        constraints = [
            models.UniqueConstraint(fields=["test", "order"], name="evaluation_testitem_order_unique"),
            models.UniqueConstraint(fields=["test", "version"], name="evaluation_testitem_version_unique"),
            models.CheckConstraint(condition=Q(marks__gt=0), name="evaluation_testitem_marks_positive"),
        ]


class Attempt(models.Model):
    test = models.ForeignKey(Test, on_delete=models.CASCADE, related_name="attempts")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="attempts")
    token = models.CharField(max_length=32, unique=True, default=new_attempt_token, editable=False)
    started_at = models.DateTimeField()
    deadline = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # "participant" | "deadline" (closed by the server at the time limit) | "close"
    submitted_by = models.CharField(max_length=12, blank=True)
    # Display order for this participant: [[test_item_id, "CADB"], ...]
    layout = models.JSONField(default=list)
    score = models.FloatField(null=True, blank=True)
    max_score = models.FloatField(null=True, blank=True)
    # Filled on submit, in test-item order: marks obtained (None: not answered) and choices.
    item_scores = models.JSONField(null=True, blank=True)
    choices = models.JSONField(null=True, blank=True)
    # The same choices as one line ("A\x1fAC\x1f\x1fB…"): what the statistics read, because
    # splitting one string per attempt is ~20x faster than decoding JSON at 12,500 attempts.
    answer_line = models.TextField(blank=True, editable=False)
    # And as option bitmasks (A = 1, B = 2, C = 4 …; -1 none or typed text), little-endian
    # int16 per item: 12,500 attempts load in one buffer, without any parsing.
    answer_codes = models.BinaryField(blank=True, default=b"", editable=False)

    class Meta:
        verbose_name = _("attempt")
        constraints = [
            models.UniqueConstraint(fields=["test", "participant"], name="evaluation_one_attempt"),
            models.CheckConstraint(condition=Q(submitted_at__isnull=True) | Q(submitted_at__gte=models.F("started_at")),
                                   name="evaluation_attempt_submitted_after_start"),
        ]
        indexes = [
            models.Index(fields=["test", "submitted_at"], name="evaluation_attempt_submitted"),
            # Covers what the statistics read of a test's attempts (selectors._submitted):
            # an index-only scan instead of reading every wide attempt row.
            models.Index(fields=["test", "submitted_at", "participant", "score", "max_score", "answer_codes"],
                         name="evaluation_attempt_sheet"),
        ]

    def __str__(self):
        return f"{self.test} / {self.participant}"

    @property
    def submitted(self) -> bool:
        return self.submitted_at is not None

    @property
    def percent(self) -> float | None:
        if self.score is None or not self.max_score:
            return None
        return 100.0 * self.score / self.max_score


class Response(models.Model):
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="responses")
    test_item = models.ForeignKey(TestItem, on_delete=models.CASCADE, related_name="responses")
    # Option ids in authored order, sorted ("B", "AC"); the scale value for Likert items.
    choice = models.CharField(max_length=10, blank=True)
    text = models.TextField(blank=True)
    score = models.FloatField(null=True, blank=True)
    answered_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["attempt", "test_item"], name="evaluation_one_response")]
        # The per-question breakdown is an index-only scan.
        indexes = [models.Index(fields=["test_item", "choice"], name="evaluation_response_breakdown")]
