from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from netral.evaluation import selectors, services, stats
from netral.evaluation.models import Attempt, ItemBank, ItemType, ItemVersion, Response, Test
from tests.concurrency import run_at_once
from tests.evaluation.conftest import correct_answers, wrong_answers
from tests.factories.events import ParticipantFactory

pytestmark = pytest.mark.django_db


def test_default_bank_loads_once_with_every_item(bank):
    again = services.load_default_bank()

    assert again.pk == bank.pk
    assert bank.items.count() == 62
    assert bank.items.filter(type=ItemType.LIKERT).count() == 10
    assert ItemVersion.objects.filter(item__bank=bank).count() == 62  # unchanged content: no new version
    assert all(item.current.explanation and item.current.legal_basis
               for item in bank.items.exclude(topic="survei").select_related("current"))
    assert ItemBank.objects.filter(is_default=True).count() == 1


def test_pre_test_spreads_items_over_topics_and_post_test_reuses_them(event, pre_test, post_test):
    pre_items = [ti.version_id for ti in pre_test.test_items.all()]
    topics = {ti.version.item.topic for ti in pre_test.test_items.select_related("version__item")}

    assert len(pre_items) == 10
    assert len(topics) == 7
    assert [ti.version_id for ti in post_test.test_items.all()] == pre_items
    assert pre_test.feedback == Test.Feedback.NEVER
    with pytest.raises(services.EvaluationError):
        services.create_test(event, Test.Kind.PRE)


def test_one_attempt_per_participant_is_a_database_constraint(pre_test, participant):
    services.start_attempt(pre_test, participant)

    with pytest.raises(IntegrityError), transaction.atomic():
        Attempt.objects.create(test=pre_test, participant=participant, started_at=timezone.now())


@pytest.mark.django_db(transaction=True)
def test_simultaneous_starts_give_one_attempt(event, bank):
    test = services.create_test(event, Test.Kind.PRE, count=5)
    participant = ParticipantFactory(event=event)
    results, errors = run_at_once(lambda: services.start_attempt(test, participant)[0].pk, 6)

    assert errors == []
    assert len(set(results)) == 1
    assert Attempt.objects.count() == 1


def test_answers_are_upserted_and_invalid_ones_reported_without_losing_the_rest(pre_test, participant):
    attempt, _ = services.start_attempt(pre_test, participant)
    first, second = [str(ti.pk) for ti in pre_test.test_items.all()[:2]]

    services.save_answers(attempt.pk, attempt.token, {first: ["A"]})
    result = services.save_answers(attempt.pk, attempt.token, {first: ["B"], second: ["Z"], "999999": ["A"]})

    assert result["saved"] == 1
    assert set(result["errors"]) == {second, "999999"}
    assert list(Response.objects.filter(attempt=attempt).values_list("choice", flat=True)) == ["B"]
    services.save_answers(attempt.pk, attempt.token, {first: None})
    assert not Response.objects.filter(attempt=attempt).exists()


def test_wrong_token_is_refused(pre_test, participant):
    attempt, _ = services.start_attempt(pre_test, participant)

    with pytest.raises(services.EvaluationError) as exc:
        services.save_answers(attempt.pk, "forged", {})
    assert exc.value.code == "not_found"


def test_single_choice_refuses_two_options(pre_test, participant):
    attempt, _ = services.start_attempt(pre_test, participant)
    single = next(ti for ti in pre_test.test_items.select_related("version__item")
                  if ti.version.item.type == ItemType.SINGLE)

    result = services.save_answers(attempt.pk, attempt.token, {str(single.pk): ["A", "B"]})

    assert result["saved"] == 0 and str(single.pk) in result["errors"]


def test_submit_scores_and_is_idempotent(pre_test, participant):
    attempt, _ = services.start_attempt(pre_test, participant)
    services.save_answers(attempt.pk, attempt.token, correct_answers(attempt))

    first, created = services.submit_attempt(attempt)
    services.save_answers  # noqa: B018
    again, created_again = services.submit_attempt(attempt)

    assert created and not created_again
    assert first.score == first.max_score == 10
    assert again.submitted_at == first.submitted_at and again.score == first.score
    assert len(first.item_scores) == 10 and len(first.choices) == 10
    with pytest.raises(services.EvaluationError) as exc:
        services.save_answers(attempt.pk, attempt.token, correct_answers(attempt))
    assert exc.value.code == "submitted"


def test_wrong_answers_score_zero_and_unanswered_items_count_zero(pre_test, participant):
    attempt, _ = services.start_attempt(pre_test, participant)
    answers = wrong_answers(attempt)
    services.save_answers(attempt.pk, attempt.token, dict(list(answers.items())[:5]))

    attempt, _ = services.submit_attempt(attempt)

    assert attempt.score == 0
    assert attempt.item_scores.count(None) == 5


def test_multiple_response_gives_partial_credit_like_moodle(event, bank):
    item = services.create_item(bank, {"key": "X1", "type": "multiple", "topic": "etika", "stem": "Pilih dua.",
                                       "options": [{"text": "a", "correct": True}, {"text": "b", "correct": True},
                                                   {"text": "c"}, {"text": "d"}]})
    test = services.create_test(event, Test.Kind.PRE, versions=[item.current])
    scores = {}
    for label, choice in {"both": ["A", "B"], "one": ["A"], "one_wrong": ["A", "C"], "all": ["A", "B", "C", "D"],
                          "wrong": ["C"]}.items():
        participant = ParticipantFactory(event=event)
        attempt, _ = services.start_attempt(test, participant)
        services.save_answers(attempt.pk, attempt.token, {str(test.test_items.get().pk): choice})
        scores[label] = services.submit_attempt(attempt)[0].score

    assert scores == {"both": 1.0, "one": 0.5, "one_wrong": 0.0, "all": 0.0, "wrong": 0.0}


def test_short_text_ignores_case_and_spacing(event, bank):
    item = services.create_item(bank, {"key": "X2", "type": "short", "topic": "sanksi", "stem": "Lembaga?",
                                       "answers": [{"text": "Badan Kepegawaian Negara"}, {"text": "BKN"}]})
    test = services.create_test(event, Test.Kind.PRE, versions=[item.current])
    attempt, _ = services.start_attempt(test, ParticipantFactory(event=event))
    services.save_answers(attempt.pk, attempt.token, {str(test.test_items.get().pk): "  badan  kepegawaian NEGARA "})

    assert services.submit_attempt(attempt)[0].score == 1.0


def test_editing_an_answered_item_creates_a_version_and_old_attempts_keep_theirs(event, pre_test, participant):
    attempt, _ = services.start_attempt(pre_test, participant)
    services.save_answers(attempt.pk, attempt.token, correct_answers(attempt))
    services.submit_attempt(attempt)
    ti = pre_test.test_items.select_related("version__item").first()
    item, old = ti.version.item, ti.version
    data = {"type": item.type, "topic": item.topic, "stem": old.stem + " (diperbaiki)",
            "options": old.options, "explanation": old.explanation, "legal_basis": old.legal_basis}

    new = services.update_item(item, data)
    ti.refresh_from_db()

    assert new.number == 2 and new.pk != old.pk
    assert ti.version_id == old.pk  # the answered test keeps the version it showed
    old.refresh_from_db()
    assert not old.stem.endswith("(diperbaiki)")


def test_editing_an_unanswered_item_edits_in_place_and_unstarted_tests_follow_new_versions(event, bank):
    item = bank.items.get(key="N01")
    version = item.current
    services.update_item(item, {"type": item.type, "topic": item.topic, "stem": "Baru?", "options": version.options})
    version.refresh_from_db()
    assert version.stem == "Baru?" and item.versions.count() == 1

    test = services.create_test(event, Test.Kind.PRE, versions=[item.current])
    other = services.create_test(ParticipantFactory().event, Test.Kind.PRE, versions=[item.current])
    services.submit_attempt(services.start_attempt(other, ParticipantFactory(event=other.event))[0])
    attempt, _ = services.start_attempt(other, ParticipantFactory(event=other.event))
    services.save_answers(attempt.pk, attempt.token, {str(other.test_items.get().pk): ["A"]})

    new = services.update_item(item, {"type": item.type, "topic": item.topic, "stem": "Lebih baru?",
                                      "options": version.options})

    assert test.test_items.get().version_id == new.pk  # nobody started it: it moves on
    assert other.test_items.get().version_id == version.pk


def test_time_limit_is_enforced_by_the_server(event, bank, participant):
    test = services.create_test(event, Test.Kind.PRE, count=3, time_limit_minutes=10)
    start = timezone.now()
    attempt, _ = services.start_attempt(test, participant, now=start)
    key = correct_answers(attempt)
    first = next(iter(key))
    services.save_answers(attempt.pk, attempt.token, {first: key[first]}, now=start + timedelta(minutes=5))

    with pytest.raises(services.EvaluationError) as exc:
        services.save_answers(attempt.pk, attempt.token, key, now=start + timedelta(minutes=11))
    assert exc.value.code == "time_up"

    closed = services.close_expired(test, now=start + timedelta(minutes=12))
    attempt.refresh_from_db()
    assert closed == 1 and attempt.submitted_by == "deadline"
    assert attempt.score == 1.0
    assert attempt.submitted_at == attempt.deadline


def test_answers_saved_after_the_deadline_do_not_count(event, bank, participant):
    test = services.create_test(event, Test.Kind.PRE, count=2, time_limit_minutes=1)
    start = timezone.now() - timedelta(minutes=5)
    attempt, _ = services.start_attempt(test, participant, now=start)
    Response.objects.bulk_create(Response(attempt=attempt, test_item_id=int(k), choice="".join(v),
                                          score=1.0, answered_at=timezone.now())
                                 for k, v in correct_answers(attempt).items())

    attempt, _ = services.submit_attempt(attempt)

    assert attempt.score == 0


def test_closed_and_unopened_tests_refuse_new_attempts(event, bank, participant):
    now = timezone.now()
    later = services.create_test(event, Test.Kind.PRE, count=2, opens_at=now + timedelta(hours=1))
    with pytest.raises(services.EvaluationError) as exc:
        services.start_attempt(later, participant)
    assert exc.value.code == "not_open" and exc.value.message == "Tes ini belum dibuka."
    services.update_test(later, opens_at=None, closes_at=now - timedelta(minutes=1))
    with pytest.raises(services.EvaluationError) as exc:
        services.start_attempt(later, participant)
    assert exc.value.code == "closed"


def test_shuffle_gives_each_participant_an_order_of_the_same_items(pre_test):
    layouts = [services.start_attempt(pre_test, ParticipantFactory(event=pre_test.event))[0].layout
               for _ in range(6)]

    assert all(sorted(i for i, _o in layout) == sorted(i for i, _o in layouts[0]) for layout in layouts)
    assert len({tuple(i for i, _o in layout) for layout in layouts}) > 1


def test_survey_is_not_scored_and_summarised(event, bank):
    survey = services.create_test(event, Test.Kind.SURVEY)
    items = list(survey.test_items.select_related("version__item"))
    for value in ("E", "D", "D"):  # the scale's points in authored order: A = 1 … E = 5
        attempt, _ = services.start_attempt(survey, ParticipantFactory(event=event))
        answers = {str(ti.pk): [value] for ti in items if ti.version.item.type == ItemType.LIKERT}
        answers[str(items[-2].pk)] = "Materi sanksi sangat jelas"
        assert services.save_answers(attempt.pk, attempt.token, answers)["errors"] == {}
        attempt, _ = services.submit_attempt(attempt)
        assert attempt.score is None

    services.start_attempt(survey, ParticipantFactory(event=event))  # one still answering
    result = selectors.event_evaluation(event)
    summary = result["survey"]

    assert summary["n_submitted"] == 3
    assert {k: summary["test"][k] for k in ("started", "submitted", "in_progress")} == \
        {"started": 4, "submitted": 3, "in_progress": 1}
    assert result["tests"]["survey"]["submitted"] == 3
    assert summary["questions"][0]["distribution"] == [0, 0, 0, 2, 1]
    assert summary["questions"][0]["mean"] == pytest.approx(13 / 3)
    assert summary["comments"][0]["texts"] == ["Materi sanksi sangat jelas"] * 3


def _take(test, participant, n_correct):
    attempt, _ = services.start_attempt(test, participant)
    key, wrong = correct_answers(attempt), wrong_answers(attempt)
    answers = {k: (key[k] if i < n_correct else wrong[k]) for i, k in enumerate(sorted(key, key=int))}
    services.save_answers(attempt.pk, attempt.token, answers)
    return services.submit_attempt(attempt)[0]


def test_event_evaluation_matches_the_statistics_module(event, pre_test, post_test):
    pairs = [(3, 6), (5, 9), (4, 4), (7, 10), (2, 5), (6, 5)]
    people = [ParticipantFactory(event=event) for _ in pairs]
    for person, (pre, post) in zip(people, pairs):
        _take(pre_test, person, pre)
        _take(post_test, person, post)
    only_pre = ParticipantFactory(event=event, name="Hanya Pra")
    _take(pre_test, only_pre, 8)

    result = selectors.event_evaluation(event)
    expected = stats.learning_gain([p * 10 for p, _ in pairs] + [80], [q * 10 for _, q in pairs] + [float("nan")],
                                   100.0)

    assert result["gain"]["n_pairs"] == 6 and result["gain"]["only_pre"] == 1
    assert result["gain"]["class_average_gain"] == pytest.approx(expected.class_average_gain)
    assert result["gain"]["t_test"]["p_value"] == pytest.approx(expected.t_test.p_value)
    assert result["warnings"] == ["1 peserta hanya mengerjakan pre-test."]
    hanya = next(p for p in result["participants"] if p["name"] == "Hanya Pra")
    assert hanya["pre"] == 80 and hanya["post"] is None
    assert result["items"]["pre"]["test"]["n_examinees"] == 7
    assert len(result["items"]["post"]["items"]) == 10
    assert {t["topic"] for t in result["topics"]} >= {"prinsip", "sanksi"}
    assert result["tests"]["pre"]["submitted"] == 7


def test_event_evaluation_is_cached_until_the_next_submit(event, pre_test):
    _take(pre_test, ParticipantFactory(event=event), 5)
    first = selectors.event_evaluation(event)
    _take(pre_test, ParticipantFactory(event=event), 9)

    assert selectors.event_evaluation(event)["tests"]["pre"]["submitted"] == first["tests"]["pre"]["submitted"] + 1


def test_item_breakdown_counts_choices(pre_test):
    ti = pre_test.test_items.first()
    for choice in ("A", "A", "B"):
        attempt, _ = services.start_attempt(pre_test, ParticipantFactory(event=pre_test.event))
        services.save_answers(attempt.pk, attempt.token, {str(ti.pk): [choice]})

    assert selectors.item_breakdown(ti.pk) == [{"choice": "A", "n": 2}, {"choice": "B", "n": 1}]


def test_completed_participant_ids(event, pre_test):
    done = ParticipantFactory(event=event)
    _take(pre_test, done, 3)
    services.start_attempt(pre_test, ParticipantFactory(event=event))

    assert selectors.completed_participant_ids(event, "pre") == {done.pk}
    assert selectors.completed_participant_ids(event, "post") == set()


def test_item_statistics_from_answer_lines_equal_those_from_the_stored_scores(event, bank):
    """The statistics read the compact answer lines and re-derive marks; they must agree
    with the marks computed at submission (multiple response with partial credit too)."""
    import numpy as np

    multiple = services.create_item(bank, {"key": "M1", "type": "multiple", "topic": "etika", "stem": "Pilih.",
                                           "options": [{"text": "a", "correct": True}, {"text": "b", "correct": True},
                                                       {"text": "c"}]})
    versions = services.pick_items(bank, 6, seed=3) + [multiple.current]
    test = services.create_test(event, Test.Kind.PRE, versions=versions)
    import random

    rng = random.Random(5)
    for _ in range(12):
        attempt, _ = services.start_attempt(test, ParticipantFactory(event=event))
        answers = {}
        for ti in test.test_items.select_related("version__item"):
            ids = [o["id"] for o in ti.version.options]
            if rng.random() < 0.15:
                continue
            answers[str(ti.pk)] = rng.sample(ids, 2) if ti.version.item.type == "multiple" else [rng.choice(ids)]
        services.save_answers(attempt.pk, attempt.token, answers)
        services.submit_attempt(attempt)

    result = selectors.event_evaluation(event)
    rows = [a.item_scores for a in Attempt.objects.filter(test=test).order_by("pk")]
    scores = np.nan_to_num(np.array(rows, dtype=float))
    expected = stats.item_statistics(scores, max_marks=[1.0] * 7)

    got = result["items"]["pre"]
    assert [i["facility"] for i in got["items"]] == pytest.approx([i.facility for i in expected.items])
    assert got["test"]["alpha"] == pytest.approx(expected.test.alpha)
    labels = {o["label"] for i in got["items"] for o in i["distractors"]["options"]}
    assert "A" in labels and all(label.isalpha() and label == "".join(sorted(label)) for label in labels)
