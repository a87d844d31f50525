"""Reads of the discussion: lists for phones and the board, and the record for reports."""

import re
from collections import Counter
from functools import lru_cache

from django.db.models import Count, Q

from .models import Question

_WORD = re.compile(r"[a-zA-Z\u00C0-\u024F]{3,}")


def visible_questions(event, *, session=None, order: str = "votes"):
    qs = Question.objects.filter(event=event, status=Question.Status.VISIBLE)
    if session is not None:
        qs = qs.filter(session=session)
    ordering = ["-pinned", "-created_at"] if order == "time" else ["-pinned", "-votes", "created_at"]
    return qs.select_related("session", "speaker").order_by(*ordering)


def board(event) -> dict:
    questions = Question.objects.filter(event=event)
    visible = questions.filter(status=Question.Status.VISIBLE)
    counts = questions.exclude(status=Question.Status.HIDDEN).aggregate(
        questions=Count("id"), answered=Count("id", filter=Q(answered_at__isnull=False)),
        askers=Count("participant", distinct=True))
    return {
        "pinned": visible.filter(pinned=True).first(),
        "top": list(visible.filter(pinned=False, answered_at__isnull=True).order_by("-votes", "created_at")[:6]),
        **counts,
    }


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from stop_words import get_stop_words  # noqa: PLC0415 -- slow import

    return frozenset(get_stop_words("indonesian")) | frozenset(get_stop_words("english"))


def frequent_words(texts, *, blocked=frozenset(), limit: int = 20) -> list[tuple[str, int]]:
    """Most frequent words, Indonesian stop words (stop-words package) and the event's block
    list (candidate and party names) left out."""
    counter = Counter()
    stop = _stop_words()
    for text in texts:
        for word in _WORD.findall(text.lower()):
            if word not in stop and word not in blocked:
                counter[word] += 1
    return counter.most_common(limit)


def record(event, *, blocked=frozenset()) -> dict:
    """Per session and for the event: askers, questions, answered share, the questions with
    their answers and the frequent words (data for exports and the activity report)."""
    questions = (Question.objects.filter(event=event).exclude(status=Question.Status.HIDDEN)
                 .select_related("session").order_by("session__order", "created_at"))
    by_session = {}
    for q in questions:
        by_session.setdefault(q.session, []).append(q)

    def summary(items):
        askers = {q.participant_id for q in items if q.participant_id}
        answered = sum(1 for q in items if q.answered)
        return {"questions": len(items), "askers": len(askers), "anonymous": sum(1 for q in items if not q.participant_id),
                "answered": answered, "answered_share": (answered / len(items)) if items else None,
                "words": frequent_words([q.text for q in items], blocked=blocked)}

    sessions = [{"session": s, "items": items, **summary(items)}
                for s, items in sorted(by_session.items(), key=lambda kv: (kv[0].order, kv[0].pk))]
    return {"sessions": sessions, **summary(list(questions)),
            "unanswered": [q for q in questions if q.status == Question.Status.VISIBLE and not q.answered]}
