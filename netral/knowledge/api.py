from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django_ratelimit.core import is_ratelimited
from ninja import Router, Schema
from ninja.errors import HttpError

from .models import Behaviour
from .selectors import GUIDED_QUESTIONS, self_check

router = Router(tags=["knowledge"])


class SanctionOut(Schema):
    code: str
    name: str
    severity: int


class RuleSummary(Schema):
    code: str
    title: str
    title_en: str
    verdict: str
    contested: bool
    topic: str
    legal_basis: str
    url: str


class RuleOut(RuleSummary):
    summary: str
    summary_en: str
    contested_note: str
    conditions: list[str]
    sanction: str
    sanctions: list[SanctionOut]
    legal_basis_items: list[dict]
    unverified: list[str]
    examples: list[str]
    counter_examples: list[str]


def _summary(b: Behaviour) -> dict:
    return {"code": b.code, "title": b.title, "title_en": b.title_en, "verdict": b.verdict,
            "contested": b.contested, "topic": b.topic, "legal_basis": b.legal_basis_text,
            "url": b.get_absolute_url()}


def _rule(b: Behaviour) -> dict:
    return {**_summary(b), "summary": b.summary, "summary_en": b.summary_en, "contested_note": b.contested_note,
            "conditions": b.conditions, "sanction": b.sanction_text,
            "sanctions": [{"code": s.code, "name": s.name, "severity": s.severity} for s in b.sanctions.all()],
            "legal_basis_items": b.legal_basis, "unverified": b.unverified, "examples": b.examples,
            "counter_examples": b.counter_examples}


@router.get("/rules", response=list[RuleSummary], summary="The behaviour catalogue (B01…)")
def list_rules(request):
    return [_summary(b) for b in Behaviour.objects.order_by("code")]


@router.get("/rules/{code}", response=RuleOut, summary="One behaviour with verdict, sanction and basis")
def get_rule(request, code: str):
    return _rule(get_object_or_404(Behaviour.objects.prefetch_related("sanctions"), code=code.upper()))


class SelfCheckResult(Schema):
    code: str
    title: str
    verdict: str
    score: float
    contested: bool
    contested_note: str
    why: str
    conditions: list[str]
    sanction: str
    legal_basis: str
    url: str


class SelfCheckOut(Schema):
    query: str
    results: list[SelfCheckResult]
    confident: bool
    ambiguous: bool
    corrections: dict[str, str]
    message: str


@router.get("/selfcheck", response=SelfCheckOut, summary="May I do this? An everyday sentence → matching rules")
def selfcheck(request, q: str = "", candidate: str | None = None, campaign: str | None = None,
              public: str | None = None, office: str | None = None):
    if is_ratelimited(request, group="api.selfcheck", key="ip", rate="120/m", method="GET", increment=True):
        raise HttpError(429, _("Too many requests. Wait a minute and try again."))
    q = q.strip()[:300]
    if not q:
        raise HttpError(400, _("Write the situation in the q parameter."))
    raw = {"candidate": candidate, "campaign": campaign, "public": public, "office": office}
    answers = {k: v == "ya" for k, v in raw.items() if k in GUIDED_QUESTIONS and v in ("ya", "tidak")}
    outcome, results = self_check(q, answers=answers)
    message = "" if outcome.confident else _(
        "No rule matches this well enough. Browse the catalogue or ask the reporting channel.")
    if outcome.confident and outcome.ambiguous:
        message = _("It depends on the details: the closest rules differ. Answer the guided questions "
                    "(candidate, campaign, public, office) to narrow it down.")
    return {"query": q, "confident": outcome.confident, "ambiguous": outcome.ambiguous,
            "corrections": outcome.corrections, "message": message,
            "results": [{"code": b.code, "title": b.title, "verdict": b.verdict, "score": b.score,
                         "contested": b.contested, "contested_note": b.contested_note, "why": b.summary,
                         "conditions": b.conditions, "sanction": b.sanction_text,
                         "legal_basis": b.legal_basis_text, "url": b.get_absolute_url()} for b in results]}
