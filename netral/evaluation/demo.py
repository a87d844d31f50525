"""The Brebes demo's evaluation: pre-test, post-test and satisfaction survey with generated
answers (a two-parameter logistic model, seeded): knowledge rises on average but not for
everyone, two participants miss the post-test and one the pre-test, and two items misbehave
(one far too easy, one that the stronger participants get wrong more often), so every
chart and flag of the evaluation page has something to show."""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction

from . import services
from .models import Attempt, ItemType, Test

WIB = ZoneInfo("Asia/Jakarta")
DAY = datetime(2024, 9, 17, tzinfo=WIB)
DIFFICULTY = {"easy": -1.2, "medium": 0.0, "hard": 1.0}
COMMENTS_USEFUL = [
    "Contoh kasus media sosial sangat membantu, jadi tahu batas like dan share.",
    "Penjelasan sanksi disiplin dan kode etik jelas.",
    "Sesi tanya jawab tentang tekanan dari atasan sangat bermanfaat.",
    "Jadi tahu cara melapor jika melihat pelanggaran netralitas.",
    "Materi tentang fasilitas negara dan kampanye sangat relevan menjelang pilkada.",
]
COMMENTS_NEXT = [
    "Waktu diskusi ditambah.",
    "Materi dibagikan sebelum acara.",
    "Perlu sosialisasi serupa untuk perangkat desa.",
    "Sound system di aula perlu diperbaiki.",
    "Adakan lagi menjelang hari pemungutan suara.",
]


def _logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _choice_for(item_meta, correct: bool, rng: random.Random) -> list[str]:
    options = item_meta["options"]
    right = [o["id"] for o in options if o.get("correct")]
    if correct:
        return right
    wrong = [o["id"] for o in options if not o.get("correct")]
    if item_meta["type"] == ItemType.MULTIPLE:
        # A typical partial answer: one right option and one wrong one.
        return sorted({rng.choice(right), rng.choice(wrong)})
    # The first distractor is the attractive one.
    weights = [3] + [1] * (len(wrong) - 1)
    return [rng.choices(wrong, weights=weights)[0]]


def _answer_test(test: Test, people, abilities, params, start_at, rng, *, duration=(8, 15)):
    metas = {ti.pk: {"type": ti.version.item.type, "options": ti.version.options, "key": ti.version.item.key}
             for ti in test.test_items.select_related("version__item")}
    for participant in people:
        now = start_at + timedelta(seconds=rng.randint(0, 300))
        attempt, created = services.start_attempt(test, participant, now=now)
        if not created:
            continue
        answers = {}
        for ti_id, meta in metas.items():
            if rng.random() < 0.02:  # the odd skipped question
                continue
            a, b = params[meta["key"]]
            p = _logistic(a * (abilities[participant.pk] - b))
            answers[str(ti_id)] = _choice_for(meta, rng.random() < p, rng)
        at = now + timedelta(minutes=rng.randint(*duration))
        services.save_answers(attempt.pk, attempt.token, answers, now=at)
        services.submit_attempt(attempt, now=at + timedelta(seconds=rng.randint(5, 60)))


def _answer_survey(test: Test, people, gains, start_at, rng):
    items = list(test.test_items.select_related("version__item").order_by("order"))
    for participant in people:
        now = start_at + timedelta(seconds=rng.randint(0, 600))
        attempt, created = services.start_attempt(test, participant, now=now)
        if not created:
            continue
        answers = {}
        mood = 0.6 + 0.4 * max(-1.0, min(1.0, gains.get(participant.pk, 0.5)))
        for ti in items:
            if ti.version.item.type == ItemType.LIKERT:
                base = 3.4 + mood + (0.3 if ti.version.item.key in ("S02", "S03", "S10") else 0.0) \
                    - (0.7 if ti.version.item.key in ("S07", "S08") else 0.0)
                point = max(1, min(5, round(rng.gauss(base, 0.7))))
                answers[str(ti.pk)] = [ti.version.options[point - 1]["id"]]
            elif ti.version.item.key == "S11" and rng.random() < 0.45:
                answers[str(ti.pk)] = rng.choice(COMMENTS_USEFUL)
            elif ti.version.item.key == "S12" and rng.random() < 0.35:
                answers[str(ti.pk)] = rng.choice(COMMENTS_NEXT)
        at = now + timedelta(minutes=rng.randint(2, 6))
        services.save_answers(attempt.pk, attempt.token, answers, now=at)
        services.submit_attempt(attempt, now=at + timedelta(seconds=20))


@transaction.atomic
def load_demo_evaluation(event, *, owner) -> dict:
    services.load_default_bank()
    tests = {t.kind: t for t in Test.objects.filter(event=event)}
    for kind in (Test.Kind.PRE, Test.Kind.POST, Test.Kind.SURVEY):
        if kind not in tests:
            tests[kind] = services.create_test(event, kind, user=owner)
    if Attempt.objects.filter(test__event=event).exists():
        return {"tests": len(tests), "attempts": Attempt.objects.filter(test__event=event).count()}

    rng = random.Random(17092024)
    present = list(event.participants.filter(attendance__isnull=False).order_by("pk"))
    abilities_pre = {p.pk: rng.gauss(-0.35, 0.9) for p in present}
    gains = {p.pk: rng.gauss(0.9, 0.55) for p in present}
    abilities_post = {pk: abilities_pre[pk] + gains[pk] for pk in abilities_pre}
    params = {}
    for ti in tests[Test.Kind.PRE].test_items.select_related("version__item"):
        item = ti.version.item
        params[item.key] = (rng.uniform(0.9, 1.8), DIFFICULTY.get(item.difficulty, 0.0) + rng.gauss(0, 0.3))
    keys = sorted(params)
    if len(keys) >= 4:
        params[keys[1]] = (1.0, -3.5)    # nearly everyone gets it right: "too easy"
        params[keys[-2]] = (-0.8, 0.2)   # the stronger participants get it wrong: negative discrimination
    only_pre = present[-2:]
    only_post = present[:1]
    _answer_test(tests[Test.Kind.PRE], [p for p in present if p not in only_post], abilities_pre, params,
                 DAY.replace(hour=9, minute=5), rng)
    _answer_test(tests[Test.Kind.POST], [p for p in present if p not in only_pre], abilities_post, params,
                 DAY.replace(hour=11, minute=25), rng)
    survey_people = [p for p in present if p not in only_pre][:-1]
    _answer_survey(tests[Test.Kind.SURVEY], survey_people, gains, DAY.replace(hour=11, minute=45), rng)
    return {"tests": len(tests), "attempts": Attempt.objects.filter(test__event=event).count()}
