"""Reads of the evaluation: a participant's tests, and the whole event's statistics.

``event_evaluation(event)`` is what the evaluation page, ``GET /api/events/{id}/evaluation``
and the activity report show. It reads one row per submitted attempt (the score and choice
vectors stored on submit), never one row per answer, and is cached until the next submit.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
from collections import Counter
from itertools import repeat
from operator import itemgetter

import numpy as np
from django.core.cache import cache
from django.db.models import Count
from django.utils import translation
from django.utils.translation import gettext as _

from . import stats
from netral.events.models import Participant

from .models import FIELD_SEP, OPTION_IDS, Attempt, ItemType, Response, Test, TestItem, Topic
from .services import close_expired, score_answer, structure

CACHE_SECONDS = 3600
_CACHE_FORMAT = 2  # of the cached value (see _pack): part of the key


def tests_for(event) -> dict[str, Test]:
    return {t.kind: t for t in Test.objects.filter(event=event)}


def completed_participant_ids(event, kind: str) -> set[int]:
    """Participants who submitted the event's test of ``kind`` (pre, post, survey)."""
    return set(Attempt.objects.filter(test__event=event, test__kind=kind, submitted_at__isnull=False)
               .values_list("participant_id", flat=True))


def _cache_key(event, tests: dict) -> tuple[str, dict]:
    """The cache key, which changes with every submission and every change of a test, and
    the attempts started and submitted per test. Per test two index-only counts and the
    latest submission (one index lookup); a GROUP BY over the attempts took twice as long."""
    from django.db import connection  # noqa: PLC0415 -- leaf

    counts, done = {}, {}
    if tests:
        qn = connection.ops.quote_name
        attempts, test_id, submitted_at = (qn(Attempt._meta.db_table), qn(Attempt._meta.get_field("test").column),
                                           qn(Attempt._meta.get_field("submitted_at").column))
        pk = qn(Test._meta.pk.column)
        per_test = f"FROM {attempts} a WHERE a.{test_id} = t.{pk}"
        sql = (f"SELECT t.{pk}, (SELECT COUNT(*) {per_test}), "
               f"(SELECT COUNT(*) {per_test} AND a.{submitted_at} IS NOT NULL), "
               f"(SELECT MAX(a.{submitted_at}) {per_test}) "
               f"FROM {qn(Test._meta.db_table)} t WHERE t.{pk} IN ({', '.join(['%s'] * len(tests))})")
        with connection.cursor() as cursor:
            cursor.execute(sql, [t.pk for t in tests.values()])
            for pk, started, n, last in cursor.fetchall():
                counts[pk] = {"started": started, "submitted": n}
                if n:
                    done[pk] = (n, str(last))
    stamp = "|".join(f"{t.pk}.{t.structure_version}.{t.updated_at.timestamp()}.{done.get(t.pk)}"
                     for t in sorted(tests.values(), key=lambda t: t.pk))
    # Stable across processes (shared through Redis), and per language: the result holds
    # translated warnings and labels.
    digest = hashlib.blake2b(stamp.encode(), digest_size=12).hexdigest()
    return f"evaluation:event:{event.pk}:{_CACHE_FORMAT}:{translation.get_language()}:{digest}", counts


def _meta(test: Test) -> list[dict]:
    out = []
    rows = (TestItem.objects.filter(test=test).order_by("order")
            .values_list("pk", "order", "marks", "version__number", "version__stem", "version__options",
                         "version__item__key", "version__item__type", "version__item__topic", "version__item__codes"))
    labels = {}
    for pk, order, marks, number, stem, options, key, type_, topic, codes in rows:
        if topic not in labels:
            labels[topic] = _topic_label(topic)
        out.append({"test_item": pk, "order": order, "key": key, "version": number,
                    "type": type_, "topic": topic, "topic_label": labels[topic],
                    "stem": stem, "marks": marks, "codes": codes,
                    "options": [{"id": o["id"], "text": o["text"], "correct": bool(o.get("correct"))}
                                for o in options],
                    "correct": "".join(o["id"] for o in options if o.get("correct"))})
    return out


def _topic_label(topic: str) -> str:
    try:
        return str(Topic(topic).label)
    except ValueError:
        return topic


class Sheet:
    """The submitted attempts of one test: participant ids, totals and every answer.

    ``codes`` (attempts × items) are the option bitmasks stored on submit
    (``Attempt.answer_codes``: A = 1, B = 2, C = 4 …, -1 none or typed text), read as one
    buffer for all attempts. Typed answers (short text, survey comments) come from
    ``Attempt.answer_line`` and are read only for tests that have such items."""

    def __init__(self, rows: list[tuple], k: int, *, with_text: bool):
        self.n, self.k = n, k = len(rows), k
        self.participant_ids = np.fromiter(map(itemgetter(0), rows), dtype=np.int64, count=n)
        # None (no score recorded) becomes NaN.
        self.score = np.array(list(map(itemgetter(1), rows)), dtype=float)
        self.max_score = np.array(list(map(itemgetter(2), rows)), dtype=float)
        try:
            buffer = b"".join(map(itemgetter(3), rows))
        except TypeError:  # a NULL
            buffer = b"".join([r[3] or b"" for r in rows])
        if len(buffer) == 2 * n * k:  # int16, read-only (a view of the buffer)
            self.codes = np.frombuffer(buffer, dtype="<i2").reshape(n, k)
        else:  # some attempt stored another number of items: one at a time, padded
            self.codes = np.full((n, k), -1, dtype="<i2")
            for i, r in enumerate(rows):
                row = np.frombuffer(bytes(r[3] or b""), dtype="<i2")[:k]
                self.codes[i, :len(row)] = row
        self.answers: list[str] = []
        if with_text and self.n and self.k:
            lines = [r[4] or "" for r in rows]
            self.answers = FIELD_SEP.join(lines).split(FIELD_SEP)
            if len(self.answers) != self.n * self.k:
                self.answers = []
                for line in lines:
                    parts = line.split(FIELD_SEP) if line else []
                    self.answers.extend((parts + [""] * self.k)[:self.k])

    def column(self, j: int) -> list[str]:
        return self.answers[j::self.k]


_LETTERS = {n: "".join(c for i, c in enumerate(OPTION_IDS) if n >> i & 1) for n in range(1, 2 ** len(OPTION_IDS))}


def _submitted(test: Test, meta: list[dict]) -> Sheet:
    from django.db import connection  # noqa: PLC0415 -- leaf

    with_text = test.kind == Test.Kind.SURVEY or any(m["type"] == ItemType.SHORT for m in meta)
    columns = "participant_id, score, max_score, answer_codes" + (", answer_line" if with_text else "")
    sql = (f"SELECT {columns} FROM {connection.ops.quote_name(Attempt._meta.db_table)} "
           "WHERE test_id = %s AND submitted_at IS NOT NULL")
    return Sheet(_fetch_all(sql, [test.pk]), len(meta), with_text=with_text)


def _fetch_all(sql: str, params: list) -> list[tuple]:
    """Every row of a large read. On PostgreSQL in the binary protocol, in the connection's
    transaction: the answer codes and scores arrive as they are stored, without text to
    parse (12,500 attempts: 13 ms instead of 19)."""
    from django.db import connection  # noqa: PLC0415 -- leaf

    if connection.vendor == "postgresql":
        import psycopg  # noqa: PLC0415 -- PostgreSQL only

        connection.ensure_connection()
        # Django's cursors bind parameters client-side, which psycopg cannot combine with
        # binary results: a server-binding cursor on the same connection, never preparing
        # (prepared statements do not survive a transaction-pooling proxy).
        with psycopg.Cursor(connection.connection) as cursor:
            cursor.execute(sql, params, binary=True, prepare=False)
            return cursor.fetchall()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _test_summary(test: Test, meta: list[dict], counts: dict) -> dict:
    """``counts``: the attempts started and submitted (``_cache_key`` counts them)."""
    return {"id": test.pk, "kind": test.kind, "title": test.title,
            "items": len(meta),
            "opens_at": test.opens_at, "closes_at": test.closes_at, "time_limit_minutes": test.time_limit_minutes,
            "started": counts["started"], "submitted": counts["submitted"],
            "in_progress": counts["started"] - counts["submitted"]}


_CODE_SLOTS = 2 ** len(OPTION_IDS) + 1  # answer codes -1 (none), 0 … 2^options − 1, shifted by one


def _code_cells(sheet: Sheet) -> np.ndarray | None:
    """Each answer's cell in an items × _CODE_SLOTS table: item·_CODE_SLOTS + code + 1
    (None if some stored code is out of range)."""
    codes = sheet.codes
    if codes.size and (int(codes.min()) < -1 or int(codes.max()) > _CODE_SLOTS - 2):
        return None
    cells = codes.astype(np.intp)
    cells += np.arange(sheet.k, dtype=np.intp) * _CODE_SLOTS + 1
    return cells


def _score_matrix(test: Test, sheet: Sheet, cells: np.ndarray | None, seen: np.ndarray | None) -> np.ndarray:
    """Marks per attempt and item from the coded answers and the test's key (the same rule
    as ``services.score_answer``, applied once per distinct answer of each item, not once
    per row). ``cells``/``seen``: ``_code_cells`` and the number of answers in each cell
    (None: a stored code is out of range)."""
    struct = structure(test.pk, test.structure_version)
    k = sheet.k
    if cells is None:  # a stored code out of range: the general way (one table per item)
        present = [int(c) for c in np.unique(sheet.codes) if c > 0]
        tables = np.zeros((k, 2 ** len(OPTION_IDS) + 1))
        for j, item in enumerate(struct.items[:k]):
            if item.scored and item.type != ItemType.SHORT:
                for code in present:
                    tables[j, code] = score_answer(item, _LETTERS[code], "")
        scores = tables[np.arange(k)[None, :], sheet.codes]
    else:
        # A table of marks per item and answer code (the codes that occur), then one
        # gather; no answer (code -1) and code 0 read 0.
        tables = np.zeros((k, _CODE_SLOTS))
        for j, item in enumerate(struct.items[:k]):
            if item.scored and item.type != ItemType.SHORT:
                for code in (np.flatnonzero(seen[j, 2:]) + 1).tolist():
                    tables[j, code + 1] = score_answer(item, _LETTERS[code], "")
        scores = np.take(tables.ravel(), cells)
    for j, item in enumerate(struct.items[:k]):
        if item.scored and item.type == ItemType.SHORT:
            scores[:, j] = [score_answer(item, "", text) for text in sheet.column(j)]
    return scores


def _item_analysis(test: Test, meta: list[dict], sheet: Sheet) -> dict:
    k = len(meta)
    marks = np.array([m["marks"] for m in meta], dtype=float) if k else np.zeros(0)
    if not sheet.n or not k:
        result = stats.item_statistics(np.zeros((0, k)), max_marks=marks if k else None).as_dict()
    else:
        # A finished attempt's unanswered item counts 0, as in Moodle (stats module docstring).
        cells = _code_cells(sheet)
        seen = (None if cells is None else
                np.bincount(cells.ravel(), minlength=k * _CODE_SLOTS).reshape(k, _CODE_SLOTS))
        scores = _score_matrix(test, sheet, cells, seen)
        # Responses as bitmask codes (NaN = no answer, and for typed text: no options to
        # count); labels are turned back into letters below.
        short = [j for j, m in enumerate(meta) if m["type"] == ItemType.SHORT]
        if cells is not None:  # one gather from a table of the code values per item
            values = np.arange(-1.0, _CODE_SLOTS - 1)
            values[:2] = np.nan  # -1 (none) and 0
            table = np.tile(values, (k, 1))
            table[short] = np.nan
            responses = np.take(table.ravel(), cells)
        else:
            responses = sheet.codes.astype(float)
            responses[sheet.codes <= 0] = np.nan
            responses[:, short] = np.nan
        options = []
        for j, m in enumerate(meta):
            if m["type"] in (ItemType.SINGLE, ItemType.TRUEFALSE):
                options.append([float(1 << i) for i in range(len(m["options"]))])
            elif m["type"] == ItemType.SHORT:
                options.append([])
            elif seen is not None:  # the codes chosen, ascending
                options.append([float(c) for c in (np.flatnonzero(seen[j, 2:]) + 1).tolist()])
            else:
                options.append([float(c) for c in np.unique(sheet.codes[:, j]) if c > 0])
        result = stats.item_statistics(scores, max_marks=marks, responses=responses, options=options).as_dict()
        for item in result["items"]:
            dist = item.get("distractors")
            for option in (dist or {}).get("options", []):
                option["label"] = _LETTERS.get(int(option["label"]), str(option["label"]))
    for item, m in zip(result["items"], meta):
        item["meta"] = m
    return result


def _survey(test: Test, meta: list[dict], sheet: Sheet, counts: dict) -> dict:
    """``counts``: the attempts started and submitted (see ``_test_summary``)."""
    questions, comments = [], []
    for j, m in enumerate(meta):
        values = [v for v in sheet.column(j) if v] if sheet.answers else []
        if m["type"] == ItemType.LIKERT:
            points = [o["id"] for o in m["options"]]
            chosen = Counter(values)
            dist = [chosen.get(p, 0) for p in points]
            n = sum(dist)
            mean = sum((i + 1) * c for i, c in enumerate(dist)) / n if n else None
            agree = sum(dist[-2:]) / n if n and len(dist) >= 4 else None
            questions.append({"key": m["key"], "stem": m["stem"], "labels": [o["text"] for o in m["options"]],
                              "distribution": dist, "n": n, "mean": mean, "agree_share": agree})
        elif m["type"] == ItemType.SHORT:
            texts = [v for v in values if v.strip()]
            comments.append({"key": m["key"], "stem": m["stem"], "texts": texts})
    means = [q["mean"] for q in questions if q["mean"] is not None]
    return {"test": _test_summary(test, meta, counts), "n_submitted": sheet.n, "questions": questions,
            "comments": comments, "overall_mean": sum(means) / len(means) if means else None}


def _topics(pre_stats: dict | None, post_stats: dict | None) -> list[dict]:
    """Mastery per topic before and after: the mean facility of the topic's items in each
    test (``stats.topic_mastery``), so parallel forms (different items per test) work too;
    the change and its normalized gain as in ``stats.topic_mastery_change``."""
    def per_topic(result):
        if not result:
            return {}
        groups: dict[str, list[float]] = {}
        for item in result["items"]:
            if item["facility"] is not None:
                groups.setdefault(item["meta"]["topic"], []).append(item["facility"])
            else:
                groups.setdefault(item["meta"]["topic"], [])
        return {t: (sum(v) / len(v) if v else None, len(v)) for t, v in groups.items()}

    pre, post = per_topic(pre_stats), per_topic(post_stats)
    out = []
    for topic in [t for t in Topic.values if t in pre or t in post]:
        pre_m = pre.get(topic, (None, 0))[0]
        post_m = post.get(topic, (None, 0))[0]
        change = gain = None
        if pre_m is not None and post_m is not None:
            change = post_m - pre_m
            gain = change / (1.0 - pre_m) if pre_m < 1.0 else None
        out.append({"topic": topic, "label": _topic_label(topic), "pre": pre_m, "post": post_m, "change": change,
                    "normalized_gain": gain, "band": stats.hake_band(gain),
                    "items_pre": pre.get(topic, (None, 0))[1], "items_post": post.get(topic, (None, 0))[1]})
    return out


def _weak_topics(topics: list[dict], threshold: float = 0.7) -> list[dict]:
    return [t for t in topics if (t["post"] if t["post"] is not None else t["pre"] or 0) < threshold
            and (t["post"] is not None or t["pre"] is not None)]


PARALLEL_FROM = 2000  # attempts per test from which the pre and post analyses run side by side
_executor = None


def _pool():
    global _executor  # noqa: PLW0603 -- one small pool per process, created on first use
    if _executor is None:
        from concurrent.futures import ThreadPoolExecutor  # noqa: PLC0415 -- leaf

        _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="evaluation-stats")
    return _executor


def event_evaluation(event, *, use_cache: bool = True) -> dict:
    """All statistics of the event's evaluation, JSON-ready (see the module docstring)."""
    tests = tests_for(event)
    for test in tests.values():
        close_expired(test)
    key, counts = _cache_key(event, tests)
    if use_cache:
        cached = cache.get(key)
        if cached is not None:
            return _unpack(cached)
    no_attempts = {"started": 0, "submitted": 0}
    result: dict = {"event": {"id": event.pk, "title": event.title}, "tests": {}, "warnings": []}
    analyses, submitted = {}, {}
    for kind in (Test.Kind.PRE, Test.Kind.POST):
        test = tests.get(kind)
        if test is None:
            continue
        meta = _meta(test)
        sheet = _submitted(test, meta)
        submitted[kind] = sheet
        result["tests"][kind] = _test_summary(test, meta, counts.get(test.pk, no_attempts))
        structure(test.pk, test.structure_version)  # cached here: the analysis threads read no database
        analyses[kind.value] = (test, meta, sheet)
    # The two item analyses are numpy work that releases the GIL for much of its time: side
    # by side on two threads they take ~60% of the time one after the other (no database).
    # Only they overlap: a thread building Python objects (fetching rows, the participants'
    # list) holds the GIL for milliseconds at a time and stalls a numpy thread at each call.
    if len(analyses) == 2 and min(a[2].n for a in analyses.values()) >= PARALLEL_FROM:
        pre = _pool().submit(_item_analysis, *analyses["pre"])
        post = _item_analysis(*analyses["post"])
        analyses = {"pre": pre.result(), "post": post}
    else:
        analyses = {kind: _item_analysis(*args) for kind, args in analyses.items()}
    result["items"] = {kind: analyses.get(kind) for kind in (Test.Kind.PRE, Test.Kind.POST)}

    # Matched participants on the percent scale (pre and post may differ in length).
    percent = {kind: (sheet.participant_ids, 100.0 * sheet.score / sheet.max_score)
               for kind, sheet in submitted.items()}
    ids = np.unique(np.concatenate([p for p, _v in percent.values()])) if percent else np.zeros(0, np.int64)

    def aligned(kind):
        out = np.full(ids.size, np.nan)
        if kind in percent:
            pids, values = percent[kind]
            out[np.searchsorted(ids, pids)] = values
        return out

    pre, post = aligned("pre"), aligned("post")
    # Per-participant values go into result["participants"] (with names), not twice.
    analysis = stats.learning_gain(pre, post, 100.0) if ids.size else None
    gain = dataclasses.replace(analysis, participants=None).as_dict() if analysis else None
    result["gain"] = gain
    columns = _participant_columns(event, ids, pre, post, analysis)
    result["participants"] = _people(columns)
    if gain:
        if gain["only_pre"]:
            result["warnings"].append(_("%(n)d participants took only the pre-test.") % {"n": gain["only_pre"]})
        if gain["only_post"]:
            result["warnings"].append(_("%(n)d participants took only the post-test.") % {"n": gain["only_post"]})
    topics = _topics(analyses.get("pre"), analyses.get("post"))
    result["topics"] = topics
    result["weak_topics"] = [t["topic"] for t in _weak_topics(topics)]
    result["flagged_items"] = {
        kind: [{"key": i["meta"]["key"], "stem": i["meta"]["stem"], "flags": i["flags"], "facility": i["facility"],
                "discrimination_index": i["discrimination_index"]}
               for i in (analyses[kind]["items"]) if set(i["flags"]) - {"no_responses"}]
        for kind in analyses}
    survey = tests.get(Test.Kind.SURVEY)
    if survey:
        survey_meta = _meta(survey)
        result["survey"] = _survey(survey, survey_meta, _submitted(survey, survey_meta),
                                   counts.get(survey.pk, no_attempts))
    else:
        result["survey"] = None
    if survey:
        result["tests"]["survey"] = result["survey"]["test"]
    # The statistics' as_dict() output is JSON-ready already; dates and numpy scalars remain
    # only in the small parts.
    for part in ("tests", "survey", "event"):
        result[part] = _jsonable(result[part])
    cache.set(key, _pack(result, columns), CACHE_SECONDS)
    return result


_PEOPLE_KEYS = ("participant_id", "name", "nip", "agency", "pre", "post", "gain", "band")


def _participant_columns(event, ids: np.ndarray, pre: np.ndarray, post: np.ndarray, analysis) -> tuple[list, ...]:
    """``result["participants"]`` as one list per key of ``_PEOPLE_KEYS`` (what is cached:
    lists of plain values pickle and unpickle several times faster than 12,500 small dicts)."""
    from django.db import connection  # noqa: PLC0415 -- leaf

    with connection.cursor() as cursor:  # 12,500 names: a plain cursor, not model rows
        cursor.execute(f"SELECT id, name, nip, agency FROM {connection.ops.quote_name(Participant._meta.db_table)} "
                       "WHERE event_id = %s", [event.pk])
        rows = cursor.fetchall()
    participants = dict(zip(map(itemgetter(0), rows), rows))
    pids = ids.tolist()
    who = list(map(participants.get, pids, repeat((None, "", "", ""), len(pids))))
    names, nips, agencies = (list(map(itemgetter(i), who)) for i in (1, 2, 3))
    gains = _none_for_nan(analysis.participants.gain) if analysis else [None] * ids.size
    band = {g: stats.hake_band(g) for g in set(gains)}  # many participants share a gain
    bands = list(map(band.__getitem__, gains))
    return pids, names, nips, agencies, _none_for_nan(pre), _none_for_nan(post), gains, bands


def _none_for_nan(values: np.ndarray) -> list:
    """Python floats, None for NaN."""
    out = values.astype(object)
    out[np.isnan(values)] = None
    return out.tolist()


def _people(columns: tuple[list, ...]) -> list[dict]:
    k0, k1, k2, k3, k4, k5, k6, k7 = _PEOPLE_KEYS
    return [{k0: a, k1: b, k2: c, k3: d, k4: e, k5: f, k6: g, k7: h} for a, b, c, d, e, f, g, h in zip(*columns)]


def _pack(result: dict, columns: tuple[list, ...]) -> dict:
    """What is cached: the result with its participants as columns."""
    return {**result, "participants": columns}


def _unpack(cached: dict) -> dict:
    return {**cached, "participants": _people(cached["participants"])}


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, np.generic):
        return _jsonable(value.item())
    return value


def item_breakdown(test_item_id: int) -> list[dict]:
    """How many chose each option of one question (an index-only scan of the responses)."""
    return list(Response.objects.filter(test_item_id=test_item_id).values("choice")
                .annotate(n=Count("pk")).order_by("choice"))
