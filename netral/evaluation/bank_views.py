"""The organisers' item bank pages: banks, items with their versions, import and export
(Moodle XML, GIFT, XLSX), and choosing a test's items.

Who sees what: organisers and editors see their own banks, the banks shared with all
organisers and the default bank; another person's private bank is a 404. Only a bank's
owner (or a superuser) changes its items; the default bank is read-only for everybody but
superusers, who adapt it through "copy to my bank".

Importing is upload → review → confirm. The uploaded bytes are staged in the default
storage under ``bank-imports/`` and the review is computed from them again on confirm, so
what is imported is exactly what was reviewed. Invalid questions are listed with their
number (or spreadsheet row), field and reason and are skipped; the valid ones are kept.
A code (key) that already exists in the bank is skipped by default; the organiser may
choose "update" on the review page instead, which edits the item through
``services.update_item`` (a new version if it has been answered; unchanged items are left
alone).
"""

from __future__ import annotations

import io
import secrets
from collections import Counter
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, F, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from netral.accounts.models import Role
from netral.core.audit import log_action
from netral.core.permissions import get_managed_event, role_required

from . import interchange, services
from .bank_forms import (
    DIFFICULTY_ALIASES,
    BankForm,
    ImportUploadForm,
    ItemFilterForm,
    ItemForm,
    behaviour_codes,
    check_for_bank,
    dict_to_data,
    version_to_dict,
)
from .models import Item, ItemBank, ItemType, ItemVersion, Test, Topic
from .views import SLUG_OF, _kind

staff_required = role_required(Role.ORGANISER, Role.EDITOR)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ITEMS_PER_PAGE = 50
CHOICES_SHOWN = 200
STAGE_DIR = "bank-imports"
STAGE_MAX_AGE = timedelta(days=1)
SESSION_KEY = "bank_imports"
PARALLEL_SEED_OFFSET = 7919  # create_test picks the pre-test with seed=event.pk


# --------------------------------------------------------------------------------------
# Permissions
# --------------------------------------------------------------------------------------

def visible_banks(user):
    banks = ItemBank.objects.all()
    if user.is_superuser:
        return banks
    return banks.filter(Q(owner=user) | Q(shared=True) | Q(is_default=True))


def can_edit(bank: ItemBank, user) -> bool:
    return bool(user.is_superuser or (not bank.is_default and bank.owner_id == user.pk))


def _bank(request, pk, *, edit=False) -> ItemBank:
    bank = get_object_or_404(visible_banks(request.user).select_related("owner"), pk=pk)
    if edit and not can_edit(bank, request.user):
        raise PermissionDenied
    return bank


# --------------------------------------------------------------------------------------
# Copying a bank (goes through the form's item conversions, hence here)
# --------------------------------------------------------------------------------------

@transaction.atomic
def copy_bank(source: ItemBank, *, user) -> ItemBank:
    bank = ItemBank.objects.create(name=_("Copy of {name}").format(name=source.name)[:200],
                                   description=source.description, owner=user, shared=False)
    for item in source.items.select_related("current").order_by("key"):
        if item.current is None:
            continue
        copy = services.create_item(bank, {**dict_to_data(version_to_dict(item)), "key": item.key}, user=user)
        if item.retired:
            Item.objects.filter(pk=copy.pk).update(retired=True)
    log_action(bank, "evaluation.bank.copy", user=user, data={"from": source.pk, "items": bank.items.count()})
    return bank


# --------------------------------------------------------------------------------------
# Banks
# --------------------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
@staff_required
def bank_list(request):
    form = BankForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        bank = form.save(commit=False)
        bank.owner = request.user
        bank.save()
        log_action(bank, "evaluation.bank.create", user=request.user,
                   data={"name": bank.name, "shared": bank.shared})
        messages.success(request, _("Item bank created. Add items or import a file."))
        return redirect("evaluation:bank_detail", pk=bank.pk)
    banks = (visible_banks(request.user).select_related("owner")
             .annotate(n_items=Count("items", filter=Q(items__retired=False))))
    rows = [{"bank": b, "mine": b.owner_id == request.user.pk, "can_edit": can_edit(b, request.user)}
            for b in banks]
    return render(request, "evaluation/bank/list.html", {"rows": rows, "form": form})


@require_GET
@staff_required
def bank_detail(request, pk):
    bank = _bank(request, pk)
    filters = ItemFilterForm(request.GET or None)
    items = filters.filter(bank.items.select_related("current")).order_by("key")
    page = Paginator(items, ITEMS_PER_PAGE).get_page(request.GET.get("page"))
    labels = dict(Topic.choices)
    topic_counts = [{"topic": row["topic"], "label": labels.get(row["topic"], row["topic"]), "n": row["n"]}
                    for row in bank.items.filter(retired=False).values("topic").annotate(n=Count("pk"))
                    .order_by("topic")]
    active = [i for i in bank.items.filter(retired=False).select_related("current") if i.current]
    too_wide = [i.key for i in active
                if len(i.current.options or i.current.answers or []) > len(interchange.XLSX_LETTERS)]
    # Open comments (short text without accepted answers) have no place in the formats yet.
    not_exportable = [i.key for i in active if interchange.validate_item(version_to_dict(i))]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "evaluation/bank/detail.html", {
        "bank": bank, "filters": filters, "page": page, "topic_counts": topic_counts,
        "total": sum(t["n"] for t in topic_counts), "can_edit": can_edit(bank, request.user),
        "settings_form": BankForm(instance=bank) if can_edit(bank, request.user) else None,
        "too_wide": too_wide, "not_exportable": not_exportable, "query": query.urlencode(),
    })


@require_POST
@staff_required
def bank_edit(request, pk):
    bank = _bank(request, pk, edit=True)
    form = BankForm(request.POST, instance=bank)
    if form.is_valid():
        form.save()
        log_action(bank, "evaluation.bank.update", user=request.user,
                   data={name: str(form.cleaned_data[name]) for name in form.changed_data})
        messages.success(request, _("Saved."))
    else:
        for field, errors in form.errors.items():
            for error in errors:
                messages.error(request, "{}: {}".format(form.fields[field].label if field in form.fields else "",
                                                        error))
    return redirect("evaluation:bank_detail", pk=bank.pk)


@require_POST
@staff_required
def bank_copy(request, pk):
    source = _bank(request, pk)
    bank = copy_bank(source, user=request.user)
    messages.success(request, _("Copied into your new bank “{name}”. Its items are yours to change.").format(
        name=bank.name))
    return redirect("evaluation:bank_detail", pk=bank.pk)


def _export_items(bank: ItemBank) -> list[dict]:
    items = bank.items.filter(retired=False, current__isnull=False).select_related("current").order_by("key")
    out = []
    for item in items:
        as_dict = version_to_dict(item)
        if not interchange.validate_item(as_dict):
            out.append(as_dict)
    return out


@require_GET
@staff_required
def bank_export(request, pk, fmt):
    bank = _bank(request, pk)
    items = _export_items(bank)
    name = slugify(bank.name)[:60] or "bank-soal"
    if fmt == "xml":
        response = HttpResponse(interchange.to_moodle_xml(items, category=bank.name),
                                content_type="application/xml; charset=utf-8")
        filename = f"{name}.xml"
    elif fmt == "gift":
        response = HttpResponse(interchange.to_gift(items).encode("utf-8"), content_type="text/plain; charset=utf-8")
        filename = f"{name}.gift.txt"
    elif fmt == "xlsx":
        wide = len(interchange.XLSX_LETTERS)
        items = [i for i in items if len(i.get("options") or i.get("answers") or []) <= wide]
        response = HttpResponse(interchange.to_xlsx(items), content_type=XLSX)
        filename = f"{name}.xlsx"
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@staff_required
def bank_template(request):
    response = HttpResponse(interchange.to_xlsx([]), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="templat-bank-soal.xlsx"'
    return response


# --------------------------------------------------------------------------------------
# Import
# --------------------------------------------------------------------------------------

PARSERS = {"moodle": interchange.from_moodle_xml, "gift": interchange.from_gift, "xlsx": interchange.from_xlsx}


def _field_labels() -> dict:
    return {"type": _("Type"), "stem": _("Question"), "options": _("Options"), "answers": _("Accepted answers"),
            "correct": _("Correct answer"), "topic": _("Topic"), "codes": _("Rule codes"), "key": _("Code"),
            "difficulty": _("Intended difficulty"), "legal_basis": _("Legal basis"), "author": _("Author"),
            "explanation": _("Explanation")}


def _xlsx_rows(content: bytes) -> list[int]:
    """The spreadsheet rows ``interchange.from_xlsx`` reads as questions: the non-empty rows
    below the header row, found as it finds them."""
    from openpyxl import load_workbook  # noqa: PLC0415 -- slow import

    wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        ws = wb["Soal"] if "Soal" in wb.sheetnames else wb.worksheets[0]
        rows = list(ws.iter_rows(values_only=True))
    finally:
        wb.close()
    stem = interchange._HEADER_ALIASES["stem"]  # noqa: SLF001 -- the importer's own header rule
    header = next((i for i, row in enumerate(rows[:10])
                   if any(interchange._header_key(v) in stem for v in row)), None)  # noqa: SLF001
    if header is None:
        return []
    return [i + 1 for i in range(header + 1, len(rows))
            if not all(v is None or (isinstance(v, str) and not v.strip()) for v in rows[i])]


def _positions(fmt: str, result, content: bytes) -> list:
    """Where each valid item is in the file: its question number (Moodle XML, GIFT: every
    question is numbered, valid or not, so the valid ones fill the numbers the errors leave
    free) or its spreadsheet row (XLSX: likewise among the rows that hold a question)."""
    if fmt == "xlsx":
        taken = {e.get("row") for e in result.errors}
        free = [row for row in _xlsx_rows(content) if row not in taken] if result.items else []
        return free if len(free) == len(result.items) else [None] * len(result.items)
    taken = {e.get("question") for e in result.errors}
    out, n = [], 0
    for _item in result.items:
        n += 1
        while n in taken:
            n += 1
        out.append(n)
    return out


def build_plan(bank: ItemBank, fmt: str, content: bytes, default_topic: str) -> dict:
    """What an import would do: ``entries`` (valid items, each new or existing) and
    ``errors`` (every problem: where, name, field, message)."""
    result = PARSERS[fmt](content)
    labels = _field_labels()
    errors = [{"question": e.get("question"), "row": e.get("row"), "name": e.get("name"), "field_key": e.get("field"),
               "field": labels.get(e.get("field"), e.get("field") or ""), "message": e["message"]}
              for e in result.errors]
    known = behaviour_codes({str(c).upper() for i in result.items for c in i.get("codes", [])})
    existing = set(bank.items.values_list("key", flat=True))
    entries, seen = [], set()
    row_based = fmt == "xlsx"
    for position, raw in zip(_positions(fmt, result, content), result.items):
        item = {**raw, "codes": [str(c).upper() for c in raw.get("codes", [])]}
        item.setdefault("topic", default_topic)
        if item.get("difficulty"):
            item["difficulty"] = DIFFICULTY_ALIASES.get(item["difficulty"].lower(), item["difficulty"])
        problems = check_for_bank(item, known_codes=known)
        key = item.get("key", "")
        if key and key in seen:
            problems.append({"field": "key", "message": _(
                "The code {key} appears twice in the file; only the first is imported.").format(key=key)})
        if problems:
            errors.extend({"question": None if row_based else position, "row": position if row_based else None,
                           "name": key or raw.get("name"), "field_key": p["field"],
                           "field": labels.get(p["field"], p["field"]), "message": p["message"]}
                          for p in problems)
            continue
        if key:
            seen.add(key)
        entries.append({"position": position, "item": item, "exists": bool(key) and key in existing,
                        "type_label": ItemType(item["type"]).label, "topic_label": Topic(item["topic"]).label})
    errors.sort(key=lambda e: (e["question"] or e["row"] or 0))
    return {"entries": entries, "errors": errors, "row_based": row_based, "existing": sum(e["exists"] for e in entries),
            "new": sum(not e["exists"] for e in entries)}


def _free_key(taken: set[str]) -> str:
    n = len(taken) + 1
    while f"Q{n:03d}" in taken:
        n += 1
    return f"Q{n:03d}"


def apply_plan(bank: ItemBank, plan: dict, *, update: bool, user, fmt: str, filename: str) -> dict:
    """Store the plan's valid items; each in its own savepoint, so one refusal by the
    services leaves the others in place."""
    taken = set(bank.items.values_list("key", flat=True))
    existing = {i.key: i for i in bank.items.select_related("current")}
    done = {"created": [], "updated": [], "skipped": [], "unchanged": [], "failed": []}
    with transaction.atomic():
        for entry in plan["entries"]:
            data = dict_to_data(entry["item"])
            key = data["key"]
            try:
                with transaction.atomic():
                    if key in existing:
                        item = existing[key]
                        if not update:
                            done["skipped"].append(key)
                        elif item.current and interchange.normalize_item(version_to_dict(item)) == \
                                interchange.normalize_item(entry["item"]):
                            done["unchanged"].append(key)
                        else:
                            services.update_item(item, data, user=user)
                            log_action(item, "evaluation.item.update", user=user, data={"key": key, "via": fmt})
                            done["updated"].append(key)
                        continue
                    if not key:
                        key = data["key"] = _free_key(taken)
                    services.create_item(bank, data, user=user)
                    taken.add(key)
                    done["created"].append(key)
            except services.EvaluationError as exc:
                done["failed"].append({"key": key, "message": exc.message})
        log_action(bank, "evaluation.bank.import", user=user, data={
            "format": fmt, "file": filename, "update": update, "errors": len(plan["errors"]), **done})
    return done


def _staged(request, bank, token) -> dict:
    staged = request.session.get(SESSION_KEY, {}).get(token)
    if not staged or staged["bank"] != bank.pk:
        raise Http404
    return staged


def _unstage(request, token) -> None:
    stages = request.session.get(SESSION_KEY, {})
    staged = stages.pop(token, None)
    request.session[SESSION_KEY] = stages
    if staged:
        default_storage.delete(staged["path"])


def _clean_old_stages() -> None:
    try:
        _dirs, files = default_storage.listdir(STAGE_DIR)
    except (FileNotFoundError, NotImplementedError):
        return
    limit = timezone.now() - STAGE_MAX_AGE
    for name in files:
        path = f"{STAGE_DIR}/{name}"
        try:
            if default_storage.get_modified_time(path) < limit:
                default_storage.delete(path)
        except (FileNotFoundError, NotImplementedError, OSError):
            continue


@require_http_methods(["GET", "POST"])
@staff_required
def bank_import(request, pk):
    bank = _bank(request, pk, edit=True)
    form = ImportUploadForm(request.POST, request.FILES) if request.method == "POST" else ImportUploadForm()
    if request.method == "POST" and form.is_valid():
        _clean_old_stages()
        token = secrets.token_urlsafe(16)
        path = default_storage.save(f"{STAGE_DIR}/{token}", ContentFile(form.cleaned_data["content"]))
        stages = request.session.get(SESSION_KEY, {})
        stages[token] = {"bank": bank.pk, "path": path, "format": form.cleaned_data["detected"],
                         "name": form.cleaned_data["file"].name[:200],
                         "topic": form.cleaned_data["default_topic"]}
        request.session[SESSION_KEY] = stages
        return redirect("evaluation:bank_import_review", pk=bank.pk, token=token)
    return render(request, "evaluation/bank/import.html", {"bank": bank, "form": form,
                                                           "columns": interchange._xlsx_column_help()})  # noqa: SLF001


@require_http_methods(["GET", "POST"])
@staff_required
def bank_import_review(request, pk, token):
    bank = _bank(request, pk, edit=True)
    staged = _staged(request, bank, token)
    try:
        with default_storage.open(staged["path"], "rb") as handle:
            content = handle.read()
    except FileNotFoundError:
        _unstage(request, token)
        messages.error(request, _("The uploaded file has expired. Upload it again."))
        return redirect("evaluation:bank_import", pk=bank.pk)
    plan = build_plan(bank, staged["format"], content, staged["topic"])
    if request.method == "POST":
        if request.POST.get("action") != "confirm":
            _unstage(request, token)
            messages.info(request, _("Nothing was imported."))
            return redirect("evaluation:bank_import", pk=bank.pk)
        if not plan["entries"]:
            messages.error(request, _("There are no valid questions to import."))
            return redirect("evaluation:bank_import_review", pk=bank.pk, token=token)
        done = apply_plan(bank, plan, update=request.POST.get("existing") == "update", user=request.user,
                          fmt=staged["format"], filename=staged["name"])
        _unstage(request, token)
        messages.success(request, _("Import finished: {created} added, {updated} updated, {skipped} skipped "
                                    "(code already in the bank), {unchanged} unchanged.").format(
            created=len(done["created"]), updated=len(done["updated"]), skipped=len(done["skipped"]),
            unchanged=len(done["unchanged"])))
        for failure in done["failed"]:
            messages.error(request, "{}: {}".format(failure["key"], failure["message"]))
        return redirect("evaluation:bank_detail", pk=bank.pk)
    return render(request, "evaluation/bank/import_review.html", {
        "bank": bank, "staged": staged, "plan": plan, "token": token,
        "format_label": {"moodle": "Moodle XML", "gift": "GIFT", "xlsx": "Excel (XLSX)"}[staged["format"]],
    })


# --------------------------------------------------------------------------------------
# Items
# --------------------------------------------------------------------------------------

def _item_context(bank, item, form, user):
    answered = bool(item and item.current and services.version_is_answered(item.current))
    versions = item.versions.select_related("created_by").order_by("-number") if item else []
    return {"bank": bank, "item": item, "form": form, "answered": answered, "versions": versions,
            "can_edit": can_edit(bank, user), "rows": form.option_rows()}


@require_http_methods(["GET", "POST"])
@staff_required
def item_create(request, pk):
    bank = _bank(request, pk, edit=True)
    form = ItemForm(request.POST or None, bank=bank)
    if request.method == "POST" and form.is_valid():
        data = form.item_data
        if not data["key"]:
            data = {**data, "key": _free_key(set(bank.items.values_list("key", flat=True)))}
        try:
            item = services.create_item(bank, data, user=request.user)
        except services.EvaluationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            log_action(item, "evaluation.item.create", user=request.user, data={"bank": bank.pk, "key": item.key})
            messages.success(request, _("Item {key} saved.").format(key=item.key))
            if "another" in request.POST:
                return redirect("evaluation:bank_item_create", pk=bank.pk)
            return redirect("evaluation:bank_item", pk=bank.pk, item_pk=item.pk)
    return render(request, "evaluation/bank/item_form.html", _item_context(bank, None, form, request.user))


@require_http_methods(["GET", "POST"])
@staff_required
def item_edit(request, pk, item_pk):
    bank = _bank(request, pk, edit=request.method == "POST")
    item = get_object_or_404(bank.items.select_related("current"), pk=item_pk)
    answered = bool(item.current and services.version_is_answered(item.current))
    form = ItemForm(request.POST or None, bank=bank, item=item, answered=answered)
    if request.method == "POST" and form.is_valid():
        before = item.current.number if item.current else 0
        try:
            version = services.update_item(item, form.item_data, user=request.user)
        except services.EvaluationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            log_action(item, "evaluation.item.update", user=request.user,
                       data={"key": item.key, "version": version.number, "new_version": version.number != before})
            if version.number != before:
                messages.success(request, _("Saved as version {n}; answers already given keep the version they "
                                            "saw.").format(n=version.number))
            else:
                messages.success(request, _("Item {key} saved.").format(key=item.key))
            return redirect("evaluation:bank_item", pk=bank.pk, item_pk=item.pk)
    if not can_edit(bank, request.user):
        for field in form.fields.values():
            field.disabled = True
    return render(request, "evaluation/bank/item_form.html", _item_context(bank, item, form, request.user))


@require_POST
@staff_required
def item_retire(request, pk, item_pk):
    bank = _bank(request, pk, edit=True)
    item = get_object_or_404(bank.items, pk=item_pk)
    retire = request.POST.get("action") != "unretire"
    services.set_item_retired(item, retire, user=request.user)
    if retire:
        messages.success(request, _("Item {key} retired: it is no longer offered for new tests; tests that use "
                                    "it keep it.").format(key=item.key))
    else:
        messages.success(request, _("Item {key} is active again.").format(key=item.key))
    return redirect("evaluation:bank_item", pk=bank.pk, item_pk=item.pk)


# --------------------------------------------------------------------------------------
# Choosing a test's items
# --------------------------------------------------------------------------------------

def parallel_versions(pre: Test, bank: ItemBank, *, seed: int) -> tuple[list[ItemVersion], dict]:
    """Items of ``bank`` other than the pre-test's, as many per topic as the pre-test has,
    in ``pick_items``'s balanced order. Returns (versions, {topic: missing count})."""
    pre_items = list(pre.test_items.select_related("version__item").order_by("order"))
    used = {ti.version.item_id for ti in pre_items}
    quota = Counter(ti.version.item.topic for ti in pre_items)
    topics = dict(bank.items.values_list("pk", "topic"))
    chosen = []
    for version in services.pick_items(bank, len(topics), seed=seed):
        topic = topics.get(version.item_id)
        if version.item_id in used or quota[topic] <= 0:
            continue
        chosen.append(version)
        quota[topic] -= 1
    return chosen, {t: n for t, n in quota.items() if n > 0}


def _manual_versions(request, test, user) -> list[ItemVersion]:
    wanted = []
    for position, value in enumerate(request.POST.getlist("version")):
        try:
            pk = int(value)
        except ValueError:
            continue
        raw = request.POST.get(f"order_{pk}", "").strip()
        try:
            order = int(raw)
        except ValueError:
            order = None
        wanted.append((order if order is not None else 10**6, position, pk))
    ids = [pk for *_rest, pk in wanted]
    in_test = set(test.test_items.values_list("version_id", flat=True))
    allowed = ItemVersion.objects.filter(pk__in=ids).filter(
        Q(pk__in=in_test) | Q(item__current_id=F("pk"), item__retired=False, item__bank__in=visible_banks(user)))
    by_pk = {v.pk: v for v in allowed}
    out, seen = [], set()
    for _order, _position, pk in sorted(wanted):
        if pk in by_pk and pk not in seen:
            out.append(by_pk[pk])
            seen.add(pk)
    return out


@require_http_methods(["GET", "POST"])
@staff_required
def choose_items(request, pk, kind):
    event = get_managed_event(request, pk)
    test = get_object_or_404(Test, event=event, kind=_kind(kind))
    started = test.attempts.exists()
    pre = Test.objects.filter(event=event, kind=Test.Kind.PRE).first() if test.kind == Test.Kind.POST else None
    banks = list(visible_banks(request.user).order_by("-is_default", "name"))
    if request.method == "POST":
        back = redirect("evaluation:choose_items", pk=event.pk, kind=kind)
        if started:
            messages.error(request, _("Participants have started this test; its items can no longer change."))
            return back
        mode = request.POST.get("mode", "manual")
        if mode in ("same", "parallel") and pre is None:
            messages.error(request, _("This event has no pre-test yet."))
            return back
        if mode == "same":
            versions = [ti.version for ti in pre.test_items.select_related("version").order_by("order")]
        elif mode == "parallel":
            bank = next((b for b in banks if str(b.pk) == request.POST.get("bank")), None)
            if bank is None:
                messages.error(request, _("Choose the bank to take the parallel items from."))
                return back
            versions, missing = parallel_versions(pre, bank, seed=event.pk + PARALLEL_SEED_OFFSET)
            if missing:
                labels = dict(Topic.choices)
                messages.error(request, _("The bank has too few other items for a parallel form: {missing}. Choose "
                                          "the items yourself or add items.").format(
                    missing=", ".join("{} ({})".format(labels.get(t, t), n) for t, n in sorted(missing.items()))))
                return back
        else:
            versions = _manual_versions(request, test, request.user)
        if not versions:
            messages.error(request, _("Choose at least one item."))
            return back
        try:
            services.set_test_items(test, versions, user=request.user)
        except services.EvaluationError as exc:
            messages.error(request, exc.message)
            return back
        messages.success(request, _("The test now has {n} items.").format(n=len(versions)))
        return redirect("evaluation:settings", pk=event.pk, kind=kind)

    current = list(test.test_items.select_related("version__item__bank").order_by("order"))
    filters = ItemFilterForm(request.GET or None)
    bank_filter = request.GET.get("bank", "")
    candidates = Item.objects.filter(bank__in=[b.pk for b in banks], current__isnull=False)
    if bank_filter.isdigit():
        candidates = candidates.filter(bank_id=int(bank_filter))
    candidates = (filters.filter(candidates).filter(retired=False)
                  .exclude(current_id__in=[ti.version_id for ti in current])
                  .select_related("current", "bank").order_by("bank__name", "topic", "key"))
    shown = list(candidates[:CHOICES_SHOWN + 1])
    pre_bank = None
    if pre is not None:
        counts = Counter(pre.test_items.values_list("version__item__bank_id", flat=True))
        pre_bank = counts.most_common(1)[0][0] if counts else None
    return render(request, "evaluation/bank/choose_items.html", {
        "event": event, "test": test, "slug": kind, "started": started, "pre": pre, "current": current,
        "candidates": shown[:CHOICES_SHOWN], "more": len(shown) > CHOICES_SHOWN, "filters": filters,
        "banks": banks, "bank_filter": bank_filter, "pre_bank": pre_bank, "slug_of": SLUG_OF,
    })
