"""Writes of the evaluation: item banks and versions, tests, attempts, answers, submission.

The answer path (``save_answers``) is the hot one: a phone saves each answer as it is
given. It costs one SELECT (the attempt with its test) and one INSERT … ON CONFLICT
DO UPDATE, whatever the number of answers in the request; the test's structure (items,
keys, marks) comes from a per-process cache keyed by ``Test.structure_version``.
"""

from __future__ import annotations

import hmac
import json
import random
import struct
import threading
import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from netral.core.audit import log_action
from netral.core.errors import NetralError

from .models import (
    CHOICE_TYPES,
    FIELD_SEP,
    OPTION_IDS,
    SCORED_TYPES,
    Attempt,
    Item,
    ItemBank,
    ItemType,
    ItemVersion,
    Response,
    Test,
    TestItem,
)

CONTENT = Path(__file__).resolve().parent / "content"
MAX_TEXT = 2000
# Answers that arrive this long after the deadline still count: a phone on a slow link
# may have sent them just before.
GRACE = timedelta(seconds=30)
DEFAULT_TEST_ITEMS = 20


class EvaluationError(NetralError):
    pass


# --------------------------------------------------------------------------------------
# Items and banks
# --------------------------------------------------------------------------------------

def _normalise_options(item_type: str, options: list[dict]) -> list[dict]:
    """Give options their stable ids (A, B, …) and a fraction (Moodle's partial credit)."""
    if len(options) > len(OPTION_IDS):
        raise EvaluationError(_("An item may have at most %(n)d options.") % {"n": len(OPTION_IDS)}, field="options")
    out = []
    for index, option in enumerate(options):
        text = str(option.get("text", "")).strip()
        if not text:
            raise EvaluationError(_("Option %(id)s has no text.") % {"id": OPTION_IDS[index]}, field="options")
        out.append({"id": OPTION_IDS[index], "text": text, "correct": bool(option.get("correct"))})
    if item_type in (ItemType.SINGLE, ItemType.TRUEFALSE, ItemType.MULTIPLE):
        n_correct = sum(o["correct"] for o in out)
        if len(out) < 2:
            raise EvaluationError(_("A choice item needs at least two options."), field="options")
        if n_correct == 0:
            raise EvaluationError(_("Mark the correct option."), field="options")
        if item_type != ItemType.MULTIPLE and n_correct != 1:
            raise EvaluationError(_("A single-choice item has exactly one correct option."), field="options")
        given = [o.get("fraction") for o in options]
        for o, fraction in zip(out, given):
            if fraction is not None and item_type == ItemType.MULTIPLE:
                o["fraction"] = float(fraction)
            elif item_type == ItemType.MULTIPLE:
                # Moodle's default for multiple response: correct options share the credit,
                # each wrong one takes the same share away (the total never goes below 0).
                o["fraction"] = (1.0 if o["correct"] else -1.0) / n_correct
            else:
                o["fraction"] = 1.0 if o["correct"] else 0.0
    elif item_type == ItemType.LIKERT:
        if len(out) < 2:
            raise EvaluationError(_("A scale needs at least two points."), field="options")
        for o in out:
            o["correct"] = False
    return out


def _version_fields(item_type: str, data: dict) -> dict:
    stem = str(data.get("stem", "")).strip()
    if not stem:
        raise EvaluationError(_("The question text is empty."), field="stem")
    options = _normalise_options(item_type, list(data.get("options") or [])) if item_type in CHOICE_TYPES else []
    answers = []
    if item_type == ItemType.SHORT:
        for answer in data.get("answers") or []:
            text = str(answer.get("text", "")).strip()
            if text:
                answers.append({"text": text, "fraction": float(answer.get("fraction", 1.0))})
    return {"stem": stem, "options": options, "answers": answers,
            "explanation": str(data.get("explanation", "")).strip(),
            "legal_basis": str(data.get("legal_basis", "")).strip()}


def _item_fields(data: dict) -> dict:
    item_type = data.get("type")
    if item_type not in ItemType.values:
        raise EvaluationError(_("Unknown item type: %(type)s.") % {"type": item_type}, field="type")
    return {"type": item_type, "topic": data.get("topic") or "prinsip",
            "codes": [str(c).strip().upper() for c in data.get("codes") or [] if str(c).strip()],
            "difficulty": data.get("difficulty", "") or "", "author": data.get("author", "") or ""}


def version_is_answered(version: ItemVersion) -> bool:
    return Response.objects.filter(test_item__version=version).exists()


@transaction.atomic
def create_item(bank: ItemBank, data: dict, *, user=None) -> Item:
    fields = _item_fields(data)
    key = str(data.get("key") or "").strip() or f"Q{bank.items.count() + 1:03d}"
    if bank.items.filter(key=key).exists():
        raise EvaluationError(_("The code %(key)s is already used in this bank.") % {"key": key}, field="key")
    item = Item.objects.create(bank=bank, key=key, **fields)
    version = ItemVersion.objects.create(item=item, number=1, created_by=user, **_version_fields(item.type, data))
    item.current = version
    item.save(update_fields=["current"])
    return item


@transaction.atomic
def update_item(item: Item, data: dict, *, user=None) -> ItemVersion:
    """Edit an item. If anybody has answered its current version, the edit becomes a new
    version (old attempts keep the one they saw) and tests nobody has started move to it;
    otherwise the current version is edited in place."""
    item = Item.objects.select_for_update().get(pk=item.pk)
    fields = _item_fields({**data, "type": data.get("type", item.type)})
    if fields["type"] != item.type and item.current and version_is_answered(item.current):
        raise EvaluationError(_("The type of an answered item cannot change; create a new item."), field="type")
    version_data = _version_fields(fields["type"], data)
    for name, value in fields.items():
        setattr(item, name, value)
    item.save()
    current = item.current
    if current is not None and not version_is_answered(current):
        for name, value in version_data.items():
            setattr(current, name, value)
        current.save()
        return current
    number = (item.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = ItemVersion.objects.create(item=item, number=number, created_by=user, **version_data)
    item.current = version
    item.save(update_fields=["current"])
    if current is not None:
        unstarted = TestItem.objects.filter(version=current).exclude(test__attempts__isnull=False)
        tests = list(unstarted.values_list("test_id", flat=True))
        unstarted.update(version=version)
        Test.objects.filter(pk__in=tests).update(structure_version=F("structure_version") + 1)
    log_action(item, "evaluation.item.version", user=user, data={"number": number})
    return version


def set_item_retired(item: Item, retired: bool, *, user=None) -> None:
    """Retire (no longer offered for new tests) or bring back an item; never deleted."""
    Item.objects.filter(pk=item.pk).update(retired=retired, updated_at=timezone.now())
    log_action(item, "evaluation.item.retire" if retired else "evaluation.item.unretire", user=user,
               data={"bank": item.bank_id, "key": item.key})


def _bank_content() -> list[dict]:
    items = json.loads((CONTENT / "items.json").read_text(encoding="utf-8"))
    survey = json.loads((CONTENT / "survey.json").read_text(encoding="utf-8"))
    return items + survey


@transaction.atomic
def load_default_bank() -> ItemBank:
    """The shipped bank (``content/items.json`` + ``content/survey.json``), idempotent:
    changed content becomes a new version of the item, as an edit would."""
    bank = ItemBank.objects.filter(is_default=True).first()
    if bank is None:
        bank = ItemBank.objects.create(
            name="Bank soal netralitas ASN (Netral)", is_default=True, shared=True,
            description="Soal bawaan Netral: prinsip netralitas, media sosial, kampanye, fasilitas negara, "
                        "sanksi dan prosedur, etika, pelaporan; serta survei kepuasan.")
    existing = {item.key: item for item in bank.items.select_related("current")}
    for data in _bank_content():
        data = {**data, "author": data.get("author") or "Tim Netral"}
        item = existing.get(data["key"])
        if item is None:
            create_item(bank, data)
            continue
        version = item.current
        wanted = _version_fields(data["type"], data)
        if version is None or any(getattr(version, k) != v for k, v in wanted.items()) or \
                any(getattr(item, k) != v for k, v in _item_fields(data).items()):
            update_item(item, data)
    return bank


def default_bank() -> ItemBank:
    return ItemBank.objects.filter(is_default=True).first() or load_default_bank()


# --------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------

KIND_TITLES = {
    Test.Kind.PRE: "Pre-test: pemahaman netralitas ASN",
    Test.Kind.POST: "Post-test: pemahaman netralitas ASN",
    Test.Kind.SURVEY: "Survei kepuasan peserta",
}


def pick_items(bank: ItemBank, count: int, *, seed: int = 0) -> list[ItemVersion]:
    """A balanced selection: the bank's topics in turn, easy to hard within each topic."""
    order = {"easy": 0, "medium": 1, "hard": 2}
    by_topic: dict[str, list[Item]] = {}
    items = (bank.items.filter(retired=False, type__in=sorted(SCORED_TYPES)).exclude(topic="survei")
             .select_related("current"))
    for item in sorted(items, key=lambda i: (order.get(i.difficulty, 1), i.key)):
        by_topic.setdefault(item.topic, []).append(item)
    rng = random.Random(seed)
    topics = sorted(by_topic)
    rng.shuffle(topics)
    chosen: list[ItemVersion] = []
    while len(chosen) < count and any(by_topic.values()):
        for topic in topics:
            if by_topic[topic] and len(chosen) < count:
                chosen.append(by_topic[topic].pop(0).current)
    return chosen


@transaction.atomic
def create_test(event, kind: str, *, user=None, versions: list[ItemVersion] | None = None,
                bank: ItemBank | None = None, count: int = DEFAULT_TEST_ITEMS, **options) -> Test:
    """A test of ``kind`` for the event. Without ``versions``: a post-test reuses the
    pre-test's items (shuffled per participant), otherwise a balanced pick from the bank;
    a survey takes the bank's survey items."""
    if Test.objects.filter(event=event, kind=kind).exists():
        raise EvaluationError(_("This event already has a %(kind)s.") % {"kind": Test.Kind(kind).label}, field="kind")
    bank = bank or default_bank()
    if versions is None:
        if kind == Test.Kind.SURVEY:
            versions = [i.current for i in bank.items.filter(topic="survei", retired=False).select_related("current")
                        .order_by("key")]
        else:
            pre = Test.objects.filter(event=event, kind=Test.Kind.PRE).first()
            if kind == Test.Kind.POST and pre is not None:
                versions = [ti.version for ti in pre.test_items.select_related("version")]
            else:
                versions = pick_items(bank, count, seed=event.pk)
    options.setdefault("title", KIND_TITLES[kind])
    if kind == Test.Kind.PRE:
        # Answers before the lecture would spoil the post-test.
        options.setdefault("feedback", Test.Feedback.NEVER)
    if kind == Test.Kind.SURVEY:
        options.setdefault("shuffle_items", False)
        options.setdefault("shuffle_options", False)
        options.setdefault("feedback", Test.Feedback.NEVER)
    test = Test.objects.create(event=event, kind=kind, **options)
    TestItem.objects.bulk_create(TestItem(test=test, version=v, order=n) for n, v in enumerate(versions, start=1))
    log_action(test, "evaluation.test.create", user=user, data={"kind": kind, "items": len(versions)})
    return test


@transaction.atomic
def set_test_items(test: Test, versions: list[ItemVersion], *, user=None) -> None:
    if test.attempts.exists():
        raise EvaluationError(_("Participants have started this test; its items can no longer change."))
    test.test_items.all().delete()
    TestItem.objects.bulk_create(TestItem(test=test, version=v, order=n) for n, v in enumerate(versions, start=1))
    Test.objects.filter(pk=test.pk).update(structure_version=F("structure_version") + 1)
    log_action(test, "evaluation.test.items", user=user, data={"items": len(versions)})


def update_test(test: Test, *, user=None, **fields) -> Test:
    for name, value in fields.items():
        setattr(test, name, value)
    test.full_clean()
    test.save()
    log_action(test, "evaluation.test.update", user=user,
               data={k: str(v) for k, v in fields.items()})
    return test


# --------------------------------------------------------------------------------------
# The structure cache
# --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class StructItem:
    id: int                    # TestItem id
    order: int
    marks: float
    type: str
    option_ids: tuple[str, ...]
    fractions: dict            # option id -> fraction (choice items)
    answers: tuple             # (normalised text, fraction) for short items
    scored: bool


@dataclass(frozen=True)
class Structure:
    test_id: int
    version: int
    kind: str
    items: tuple[StructItem, ...]
    by_id: dict

    @property
    def max_score(self) -> float:
        return sum(i.marks for i in self.items if i.scored)


_structures: dict[int, Structure] = {}
_structures_lock = threading.Lock()


def normalise_text(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def structure(test_id: int, version: int) -> Structure:
    cached = _structures.get(test_id)
    if cached is not None and cached.version == version:
        return cached
    test = Test.objects.only("kind").get(pk=test_id)
    scored_test = test.kind != Test.Kind.SURVEY
    items = []
    for ti in TestItem.objects.filter(test_id=test_id).select_related("version__item").order_by("order"):
        v = ti.version
        items.append(StructItem(
            id=ti.pk, order=ti.order, marks=ti.marks, type=v.item.type,
            option_ids=tuple(o["id"] for o in v.options),
            fractions={o["id"]: float(o.get("fraction", 1.0 if o.get("correct") else 0.0)) for o in v.options},
            answers=tuple((normalise_text(a["text"]), float(a.get("fraction", 1.0))) for a in v.answers),
            scored=scored_test and v.item.type in SCORED_TYPES and (v.item.type != ItemType.SHORT or bool(v.answers)),
        ))
    built = Structure(test_id=test_id, version=version, kind=test.kind, items=tuple(items),
                      by_id={i.id: i for i in items})
    with _structures_lock:
        _structures[test_id] = built
    return built


def score_answer(item: StructItem, choice: str, text: str) -> float | None:
    """Marks obtained: single/true-false all or nothing; multiple response the sum of the
    chosen options' fractions, clamped to [0, 1] (Moodle's multichoice); short text the
    best matching accepted answer, case and spacing ignored."""
    if not item.scored:
        return None
    if item.type == ItemType.SHORT:
        given = normalise_text(text)
        fraction = max((f for a, f in item.answers if a == given), default=0.0)
    else:
        fraction = sum(item.fractions.get(c, 0.0) for c in choice)
    return item.marks * min(1.0, max(0.0, fraction))


def clean_answer(item: StructItem, value) -> tuple[str, str]:
    """(choice, text) from what a phone sent: option ids (a list or a string) or text."""
    if item.type == ItemType.SHORT:
        text = str(value if value is not None else "").strip()
        if len(text) > MAX_TEXT:
            raise EvaluationError(_("The answer is too long (at most %(n)d characters).") % {"n": MAX_TEXT},
                                  field=str(item.id))
        return "", text
    ids = value if isinstance(value, (list, tuple)) else list(str(value or ""))
    ids = sorted({str(c).strip().upper() for c in ids if str(c).strip()})
    if any(c not in item.option_ids for c in ids):
        raise EvaluationError(_("Choose one of the options shown."), field=str(item.id))
    if item.type != ItemType.MULTIPLE and len(ids) > 1:
        raise EvaluationError(_("Choose only one option."), field=str(item.id))
    return "".join(ids), ""


# --------------------------------------------------------------------------------------
# Attempts
# --------------------------------------------------------------------------------------

def test_state(test: Test, now=None) -> str:
    now = now or timezone.now()
    if test.opens_at and now < test.opens_at:
        return "not_open"
    if test.closes_at and now >= test.closes_at:
        return "closed"
    return "open"


def _layout(test: Test, struct: Structure, rng: random.Random) -> list:
    items = list(struct.items)
    if test.shuffle_items:
        rng.shuffle(items)
    layout = []
    for item in items:
        ids = list(item.option_ids)
        if test.shuffle_options and item.type in (ItemType.SINGLE, ItemType.MULTIPLE):
            rng.shuffle(ids)
        layout.append([item.id, "".join(ids)])
    return layout


def start_attempt(test: Test, participant, *, now=None) -> tuple[Attempt, bool]:
    """The participant's attempt (created on first call; the same one afterwards)."""
    now = now or timezone.now()
    existing = Attempt.objects.filter(test=test, participant=participant).first()
    if existing is not None:
        return existing, False
    if participant.event_id != test.event_id:
        raise EvaluationError(_("This test belongs to another event."))
    state = test_state(test, now)
    if state == "not_open":
        raise EvaluationError(_("This test is not open yet."), code="not_open")
    if state == "closed":
        raise EvaluationError(_("This test is closed."), code="closed")
    struct = structure(test.pk, test.structure_version)
    if not struct.items:
        raise EvaluationError(_("This test has no items yet."))
    deadline = None
    if test.time_limit_minutes:
        deadline = now + timedelta(minutes=test.time_limit_minutes)
    if test.closes_at and (deadline is None or test.closes_at < deadline):
        deadline = test.closes_at
    attempt = Attempt(test=test, participant=participant, started_at=now, deadline=deadline,
                      layout=_layout(test, struct, random.Random()))
    try:
        with transaction.atomic():
            attempt.save()
    except IntegrityError:  # a second tab or a retried request won the race
        return Attempt.objects.get(test=test, participant=participant), False
    return attempt, True


# attempt id -> (token, test id, structure version, deadline). All four are fixed once the
# attempt exists (a started test's items cannot change), so phones' answers skip the lookup;
# whether the attempt is still open is checked by the write itself.
_attempts: dict[int, tuple[str, int, int, object]] = {}
_ATTEMPT_CACHE_MAX = 200_000


def _attempt_row(attempt_id: int, token: str):
    cached = _attempts.get(attempt_id)
    if cached is not None and hmac.compare_digest(cached[0], token):
        return cached
    row = (Attempt.objects.filter(pk=attempt_id)
           .values_list("token", "test_id", "test__structure_version", "deadline").first())
    if row is not None:
        if len(_attempts) >= _ATTEMPT_CACHE_MAX:
            _attempts.clear()
        _attempts[attempt_id] = row
    return row


_UPSERT_SQL = (
    "INSERT INTO {response} (attempt_id, test_item_id, choice, text, score, answered_at) "
    "SELECT a.id, v.item, v.choice, v.text, v.score, %s FROM {attempt} a, ({values}) v "
    "WHERE a.id = %s AND a.submitted_at IS NULL "
    "ON CONFLICT (attempt_id, test_item_id) DO UPDATE SET choice = excluded.choice, text = excluded.text, "
    "score = excluded.score, answered_at = excluded.answered_at"
)


_UPSERT_ONE_SQL = (
    "INSERT INTO {response} (attempt_id, test_item_id, choice, text, score, answered_at) "
    "SELECT a.id, %s, %s, %s, %s, %s FROM {attempt} a WHERE a.id = %s AND a.submitted_at IS NULL "
    "ON CONFLICT (attempt_id, test_item_id) DO UPDATE SET choice = excluded.choice, text = excluded.text, "
    "score = excluded.score, answered_at = excluded.answered_at"
)


def _upsert(attempt_id: int, rows: list[tuple], now) -> int:
    """One statement for all answers, written only while the attempt is not submitted."""
    from django.db import connection  # noqa: PLC0415 -- leaf

    qn = connection.ops.quote_name
    if len(rows) == 1:  # the usual case (one answer as it is given): no derived table to plan
        sql = _UPSERT_ONE_SQL.format(response=qn(Response._meta.db_table), attempt=qn(Attempt._meta.db_table))
        params = [*rows[0], connection.ops.adapt_datetimefield_value(now), attempt_id]
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # A prepared statement on the server: parsed and planned once per connection.
            connection.ensure_connection()
            with connection.connection.cursor() as cursor:
                cursor.execute(sql, params, prepare=True)
                return cursor.rowcount
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.rowcount
    one = "SELECT %s AS item, %s AS choice, %s AS text, %s AS score"
    if connection.vendor == "postgresql":
        one = "SELECT %s::bigint AS item, %s::varchar AS choice, %s::text AS text, %s::double precision AS score"
    values = " UNION ALL ".join([one] * len(rows))
    sql = _UPSERT_SQL.format(response=qn(Response._meta.db_table), attempt=qn(Attempt._meta.db_table), values=values)
    # Placeholders in order: answered_at, the answers' values, the attempt id.
    params = [connection.ops.adapt_datetimefield_value(now), *(v for row in rows for v in row), attempt_id]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def save_answers(attempt_id: int, token: str, answers: dict, *, now=None) -> dict:
    """Save answers ``{test_item_id: value}`` of an open attempt: one upsert for all.
    ``value`` None or empty removes the answer. Returns the saved count and the deadline."""
    now = now or timezone.now()
    row = _attempt_row(attempt_id, token or "")
    if row is None or not hmac.compare_digest(row[0], token or ""):
        raise EvaluationError(_("Attempt not found."), code="not_found")
    _token, test_id, version, deadline = row
    if deadline is not None and now > deadline + GRACE:
        raise EvaluationError(_("The time is up; answers can no longer change."), code="time_up")
    struct = structure(test_id, version)
    rows, removed, errors = [], [], {}
    for key, value in answers.items():
        try:
            item = struct.by_id.get(int(key))
        except (TypeError, ValueError):
            item = None
        if item is None:
            errors[str(key)] = [_("This question is not part of the test.")]
            continue
        try:
            choice, text = clean_answer(item, value)
        except EvaluationError as exc:
            errors[str(key)] = [exc.message]
            continue
        if not choice and not text:
            removed.append(item.id)
            continue
        rows.append((item.id, choice, text, score_answer(item, choice, text)))
    if rows and _upsert(attempt_id, rows, now) == 0:
        raise EvaluationError(_("This test has already been submitted; answers can no longer change."),
                              code="submitted")
    if removed:
        if Attempt.objects.filter(pk=attempt_id, submitted_at__isnull=False).exists():
            raise EvaluationError(_("This test has already been submitted; answers can no longer change."),
                                  code="submitted")
        Response.objects.filter(attempt_id=attempt_id, test_item_id__in=removed).delete()
    return {"attempt": attempt_id, "saved": len(rows), "saved_items": [r[0] for r in rows],
            "removed": len(removed), "errors": errors, "deadline": deadline}


def submit_attempt(attempt: Attempt, *, now=None, by: str = "participant") -> tuple[Attempt, bool]:
    """Score and close the attempt. Idempotent: submitting again returns the first result
    (``created`` False). Answers saved after the deadline (plus grace) do not count."""
    now = now or timezone.now()
    with transaction.atomic():
        attempt = Attempt.objects.select_for_update().select_related("test").get(pk=attempt.pk)
        if attempt.submitted_at is not None:
            return attempt, False
        struct = structure(attempt.test_id, attempt.test.structure_version)
        responses = Response.objects.filter(attempt=attempt)
        if attempt.deadline is not None:
            responses = responses.filter(answered_at__lte=attempt.deadline + GRACE)
        saved = {r.test_item_id: r for r in responses}
        scores, choices = [], []
        for item in struct.items:
            r = saved.get(item.id)
            if r is None:
                scores.append(None)
                choices.append(None)
            else:
                scores.append(score_answer(item, r.choice, r.text))
                choices.append(r.choice or (r.text[:200] if item.type == ItemType.SHORT else ""))
        scored = [(s, i) for s, i in zip(scores, struct.items) if i.scored]
        attempt.item_scores = scores
        attempt.choices = choices
        attempt.answer_line = FIELD_SEP.join(line_value(c) for c in choices)
        attempt.answer_codes = encode_codes([choice_code(c) if i.type != ItemType.SHORT else -1
                                             for c, i in zip(choices, struct.items)])
        attempt.max_score = sum(i.marks for _s, i in scored) if struct.kind != Test.Kind.SURVEY else None
        attempt.score = sum(s or 0.0 for s, _i in scored) if struct.kind != Test.Kind.SURVEY else None
        submitted = now if attempt.deadline is None or now <= attempt.deadline + GRACE else attempt.deadline
        attempt.submitted_at = max(submitted, attempt.started_at)
        attempt.submitted_by = by
        attempt.save(update_fields=["item_scores", "choices", "answer_line", "answer_codes", "score", "max_score", "submitted_at",
                                    "submitted_by"])
    return attempt, True


def choice_code(choice: str | None) -> int:
    """Option letters as a bitmask: "A" → 1, "AC" → 5; no answer → -1."""
    if not choice:
        return -1
    code = 0
    for letter in choice:
        position = OPTION_IDS.find(letter)
        if position < 0:
            return -1
        code |= 1 << position
    return code


def encode_codes(codes: list[int]) -> bytes:
    return struct.pack(f"<{len(codes)}h", *codes)


def line_value(choice: str | None) -> str:
    """One item's answer as stored in ``Attempt.answer_line``: separators and newlines out."""
    if not choice:
        return ""
    return choice.replace(FIELD_SEP, " ").replace("\x1e", " ").replace("\n", " ")[:500]


def close_expired(test: Test, *, now=None) -> int:
    """Submit, with what they saved, the attempts whose time is up (the server enforces
    the time limit even when a phone never comes back)."""
    now = now or timezone.now()
    expired = Attempt.objects.filter(test=test, submitted_at__isnull=True, deadline__lt=now - GRACE)
    count = 0
    for attempt in expired:
        _a, created = submit_attempt(attempt, now=now, by="deadline")
        count += created
    return count


def feedback_visible(test: Test, now=None) -> bool:
    if test.feedback == Test.Feedback.AFTER_SUBMIT:
        return True
    if test.feedback == Test.Feedback.AFTER_CLOSE:
        return test_state(test, now) == "closed"
    return False
