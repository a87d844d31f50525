"""The neutrality rules: regulations and their articles, sanctions, the behaviour catalogue
(codes B01…B35 of shared/domain/behaviours.csv), explanatory pages, FAQ and the synonym
table of the self-check. Shipped content lives in ``content/*.json``; editors change it in
the product, and django-reversion keeps every revision."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from netral.core.models import TimeStampedModel

from .enums import Topic, Verdict


class ContentModel(TimeStampedModel):
    """Shipped content is refreshed by ``load_knowledge`` unless an editor changed it."""

    edited = models.BooleanField(default=False, editable=False,
                                 help_text="Changed in the product: not overwritten by shipped content.")

    class Meta:
        abstract = True


class Regulation(ContentModel):
    code = models.CharField(max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=20)
    short = models.CharField(_("short name"), max_length=80)
    title = models.TextField(_("title"))
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    status = models.CharField(_("status"), max_length=30, blank=True)
    status_note = models.TextField(_("status note"), blank=True)
    sources = models.JSONField(default=list, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("regulation")
        verbose_name_plural = _("regulations")

    def __str__(self):
        return self.short

    def get_absolute_url(self):
        return reverse("knowledge:regulation", kwargs={"code": self.code})


class Article(ContentModel):
    regulation = models.ForeignKey(Regulation, on_delete=models.CASCADE, related_name="articles")
    ref = models.CharField(_("article"), max_length=120)
    text = models.TextField(_("what it says"))
    text_en = models.TextField(_("what it says (English)"), blank=True)
    verified = models.BooleanField(_("verified"), default=True)
    note = models.TextField(_("note"), blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["regulation", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["regulation", "ref"], name="article_unique_ref")]
        verbose_name = _("article")
        verbose_name_plural = _("articles")

    def __str__(self):
        return f"{self.regulation.short} {self.ref}"


class Sanction(ContentModel):
    code = models.CharField(max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    severity = models.PositiveSmallIntegerField(default=0)
    summary = models.TextField(_("what it means"))
    summary_en = models.TextField(_("what it means (English)"), blank=True)
    legal_basis_text = models.TextField(_("legal basis"), blank=True)

    class Meta:
        ordering = ["severity", "code"]
        verbose_name = _("sanction")
        verbose_name_plural = _("sanctions")

    def __str__(self):
        return self.name


class Behaviour(ContentModel):
    """One row of the catalogue: may an ASN do this, why, and what follows if not."""

    code = models.CharField(max_length=8, unique=True)
    title = models.CharField(_("title"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    verdict = models.CharField(_("verdict"), max_length=12, choices=Verdict.choices)
    contested = models.BooleanField(_("contested"), default=False)
    contested_note = models.TextField(_("why it is contested"), blank=True)
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices)
    summary = models.TextField(_("why"))
    summary_en = models.TextField(_("why (English)"), blank=True)
    conditions = models.JSONField(_("conditions"), default=list, blank=True)
    sanctions = models.ManyToManyField(Sanction, blank=True, related_name="behaviours", verbose_name=_("sanctions"))
    sanction_text = models.TextField(_("what the sanction means"), blank=True)
    legal_basis = models.JSONField(_("legal basis (structured)"), default=list, blank=True)
    legal_basis_text = models.TextField(_("legal basis"))
    unverified = models.JSONField(_("unverified points"), default=list, blank=True)
    examples = models.JSONField(_("examples"), default=list, blank=True)
    counter_examples = models.JSONField(_("counter-examples"), default=list, blank=True)
    phrasings = models.JSONField(_("everyday phrasings (for the self-check)"), default=list, blank=True)
    facets = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("behaviour")
        verbose_name_plural = _("behaviours")

    def __str__(self):
        return f"{self.code} {self.title}"

    def get_absolute_url(self):
        return reverse("knowledge:behaviour", kwargs={"code": self.code})


class Page(ContentModel):
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    body = models.TextField(_("text (Markdown)"))
    body_en = models.TextField(_("text in English (Markdown)"), blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "slug"]
        verbose_name = _("page")
        verbose_name_plural = _("pages")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("knowledge:page", kwargs={"slug": self.slug})


class FAQ(ContentModel):
    question = models.TextField(_("question"))
    answer = models.TextField(_("answer"))
    answer_en = models.TextField(_("answer (English)"), blank=True)
    codes = models.JSONField(_("related behaviour codes"), default=list, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    source = models.CharField(max_length=20, default="shipped", editable=False)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("FAQ entry")
        verbose_name_plural = _("FAQ")

    def __str__(self):
        return self.question[:80]


class Synonym(ContentModel):
    """Everyday word → the words the catalogue uses (paslon → pasangan calon)."""

    term = models.CharField(_("word or phrase"), max_length=80, unique=True)
    expansion = models.CharField(_("means"), max_length=200)

    class Meta:
        ordering = ["term"]
        verbose_name = _("synonym")
        verbose_name_plural = _("synonyms")

    def __str__(self):
        return f"{self.term} → {self.expansion}"
