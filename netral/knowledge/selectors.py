"""Reads for the knowledge base, and the per-process self-check index."""

import threading

from django.core.cache import cache

from .models import Behaviour, Synonym
from .search import Outcome, SelfCheckIndex, apply_caution

_VERSION_KEY = "knowledge:index-version"
_lock = threading.Lock()
_built: dict = {"version": None, "index": None}

# The guided path: each yes/no answer keeps behaviours whose facet agrees (or does not
# apply) and demotes those that contradict it.
GUIDED_QUESTIONS = ("candidate", "campaign", "public", "office")
AGREE, CONTRADICT = 1.15, 0.35


def invalidate_index() -> None:
    """Content changed: every process rebuilds its index on the next search (shared via the
    cache, which is Redis when scaled out)."""
    try:
        cache.incr(_VERSION_KEY)
    except ValueError:
        cache.set(_VERSION_KEY, 1, None)


def get_index() -> SelfCheckIndex:
    version = cache.get(_VERSION_KEY, 0)
    with _lock:
        if _built["index"] is None or _built["version"] != version:
            documents = list(Behaviour.objects.values("code", "title", "phrasings", "examples", "summary",
                                                      "conditions"))
            synonyms = dict(Synonym.objects.values_list("term", "expansion"))
            _built["index"] = SelfCheckIndex(documents, synonyms)
            _built["version"] = version
        return _built["index"]


def self_check(query: str, *, answers: dict | None = None, limit: int = 5) -> tuple[Outcome, list]:
    """Ranked behaviours for an everyday sentence, re-ranked by the guided answers."""
    outcome = get_index().search(query, limit=limit * 3 if answers else limit)
    scores = dict(outcome.results)
    behaviours = {b.code: b for b in Behaviour.objects.filter(code__in=scores).prefetch_related("sanctions")}
    if answers:
        for code, behaviour in behaviours.items():
            for question, answer in answers.items():
                facet = behaviour.facets.get(question)
                if facet is None or answer is None:
                    continue
                scores[code] *= AGREE if facet == answer else CONTRADICT
    order = sorted(((code, scores[code]) for code in behaviours), key=lambda pair: (-pair[1], pair[0]))[:limit]
    order, outcome.ambiguous = apply_caution(order, {code: b.verdict for code, b in behaviours.items()})
    ranked = [behaviours[code] for code, _score in order]
    for behaviour in ranked:
        behaviour.score = round(scores[behaviour.code], 3)
    return outcome, ranked
