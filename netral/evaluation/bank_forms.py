"""Input of the item bank pages: the bank and item forms, the import upload, and the
translation between stored items and the plain item dicts of :mod:`.interchange`.

Two fraction scales meet here: :mod:`.services` stores Moodle's partial credit as a share
(``1.0`` = full marks), :mod:`.interchange` writes it in percent (``100``). Every crossing
goes through :func:`version_to_dict` (model → dict) or :func:`dict_to_data` (dict → the
``data`` of ``services.create_item``/``update_item``).
"""

from __future__ import annotations

import io
import re
import zipfile

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import interchange
from .models import OPTION_IDS, ItemBank, ItemType, ItemVersion, Topic

OPTION_ROWS = len(OPTION_IDS)  # 10: what services accept
IMPORT_MAX_BYTES = 5 * 1024 * 1024
KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
DIFFICULTIES = (("easy", gettext_lazy("Easy")), ("medium", gettext_lazy("Medium")), ("hard", gettext_lazy("Hard")))
DIFFICULTY_ALIASES = {"easy": "easy", "mudah": "easy", "medium": "medium", "sedang": "medium",
                      "hard": "hard", "sulit": "hard", "sukar": "hard"}
# Likert presets: used when an organiser leaves the scale rows empty.
SCALES = {
    "agree5": ["Sangat tidak setuju", "Tidak setuju", "Netral", "Setuju", "Sangat setuju"],
    "agree4": ["Sangat tidak setuju", "Tidak setuju", "Setuju", "Sangat setuju"],
    "satisfied5": ["Sangat tidak puas", "Tidak puas", "Cukup", "Puas", "Sangat puas"],
}
SCALE_CHOICES = (
    ("", gettext_lazy("(fill in the rows myself)")),
    ("agree5", "Sangat tidak setuju … Sangat setuju (5)"),
    ("agree4", "Sangat tidak setuju … Sangat setuju (4)"),
    ("satisfied5", "Sangat tidak puas … Sangat puas (5)"),
)
FORMATS = (("auto", gettext_lazy("Recognise from the content")), ("moodle", "Moodle XML"), ("gift", "GIFT"),
           ("xlsx", "Excel (XLSX)"))


def behaviour_codes(codes) -> set[str]:
    """The codes among ``codes`` that the knowledge base knows."""
    from netral.knowledge.models import Behaviour  # noqa: PLC0415 -- leaf

    return set(Behaviour.objects.filter(code__in=list(codes)).values_list("code", flat=True))


def split_codes(text) -> list[str]:
    parts = re.split(r"[,;\s]+", text) if isinstance(text, str) else list(text or [])
    out: list[str] = []
    for part in parts:
        code = str(part).strip().upper()
        if code and code not in out:
            out.append(code)
    return out


# --------------------------------------------------------------------------------------
# Stored item <-> interchange dict
# --------------------------------------------------------------------------------------

def version_to_dict(item, version: ItemVersion | None = None) -> dict:
    """The interchange dict of an item's version (default: its current one)."""
    version = version or item.current
    out = {"key": item.key, "type": item.type, "topic": item.topic, "stem": version.stem,
           "codes": list(item.codes or []), "explanation": version.explanation,
           "legal_basis": version.legal_basis, "difficulty": item.difficulty, "author": item.author}
    if item.type == ItemType.SHORT:
        out["answers"] = [{"text": a["text"], "fraction": round(100.0 * float(a.get("fraction", 1.0)), 6)}
                          for a in version.answers]
    elif item.type == ItemType.LIKERT:
        out["options"] = [{"text": o["text"]} for o in version.options]
    else:
        out["options"] = []
        for o in version.options:
            entry = {"text": o["text"], "correct": bool(o.get("correct"))}
            if item.type == ItemType.MULTIPLE and o.get("fraction") is not None:
                entry["fraction"] = round(100.0 * float(o["fraction"]), 6)
            out["options"].append(entry)
    return {k: v for k, v in out.items() if v not in ("", None)}


def dict_to_data(item: dict) -> dict:
    """``services.create_item`` data from a canonical interchange dict. Multiple-response
    options always get explicit fractions (the file's, else interchange's defaults), so
    an imported item scores exactly as the file says."""
    kind = item["type"]
    data = {k: item.get(k, "") for k in ("key", "type", "topic", "stem", "explanation", "legal_basis",
                                         "difficulty", "author")}
    data["codes"] = list(item.get("codes") or [])
    if kind == ItemType.SHORT:
        data["answers"] = [{"text": a["text"], "fraction": float(a.get("fraction", 100)) / 100.0}
                           for a in item["answers"]]
        return data
    options = item.get("options") or []
    if kind == ItemType.MULTIPLE:
        correct = [bool(o.get("correct")) for o in options]
        defaults = interchange._default_fractions(kind, correct)  # noqa: SLF001 -- the one definition
        data["options"] = [{"text": o["text"], "correct": c,
                            "fraction": float(o.get("fraction", d)) / 100.0}
                           for o, c, d in zip(options, correct, defaults)]
    else:
        data["options"] = [{"text": o["text"], "correct": bool(o.get("correct"))} for o in options]
    return data


def check_for_bank(item: dict, *, known_codes: set[str]) -> list[dict]:
    """What a valid interchange item still lacks to be stored in a bank: ``[{field, message}]``."""
    errors = []
    key = item.get("key", "")
    if key and (len(key) > 40 or not KEY_RE.match(key)):
        errors.append({"field": "key", "message": _(
            "The code may have at most 40 letters, digits, dots, dashes or underscores.")})
    if item.get("topic") and item["topic"] not in Topic.values:
        errors.append({"field": "topic", "message": _('Unknown topic "{topic}"; use one of: {topics}.').format(
            topic=item["topic"], topics=", ".join(Topic.values))})
    if len(item.get("options") or []) > OPTION_ROWS:
        errors.append({"field": "options", "message": _("An item may have at most {n} options; this one has {m}.")
                       .format(n=OPTION_ROWS, m=len(item["options"]))})
    unknown = [c for c in item.get("codes") or [] if c.upper() not in known_codes]
    if unknown:
        errors.append({"field": "codes", "message": _(
            "Unknown behaviour code: {codes}. Use the codes of the knowledge base (e.g. B05).").format(
                codes=", ".join(unknown))})
    if item.get("difficulty") and item["difficulty"].lower() not in DIFFICULTY_ALIASES:
        errors.append({"field": "difficulty", "message": _(
            'Unknown difficulty "{value}"; use easy, medium or hard.').format(value=item["difficulty"])})
    if len(item.get("legal_basis", "")) > 500:
        errors.append({"field": "legal_basis", "message": _("The legal basis is longer than 500 characters.")})
    if len(item.get("author", "")) > 200:
        errors.append({"field": "author", "message": _("The author is longer than 200 characters.")})
    return errors


# --------------------------------------------------------------------------------------
# Forms
# --------------------------------------------------------------------------------------

class BankForm(forms.ModelForm):
    class Meta:
        model = ItemBank
        fields = ["name", "description", "shared"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}
        help_texts = {"shared": gettext_lazy("Other organisers can see the items and use them in their tests, "
                                             "but only you can change them.")}


class ItemForm(forms.Form):
    """One item, every type in one form (no JavaScript needed): the fields of the other
    types are ignored. Option rows are fixed; empty rows are skipped."""

    key = forms.CharField(label=gettext_lazy("Code"), max_length=40, required=False,
                          help_text=gettext_lazy("Unique in the bank, e.g. N51. Empty: given automatically."))
    type = forms.ChoiceField(label=gettext_lazy("Type"), choices=ItemType.choices)
    topic = forms.ChoiceField(label=gettext_lazy("Topic"), choices=Topic.choices)
    stem = forms.CharField(label=gettext_lazy("Question"), widget=forms.Textarea(attrs={"rows": 4}),
                           max_length=4000)
    options = forms.CharField(required=False, widget=forms.HiddenInput)  # carries the errors of the rows
    truefalse_answer = forms.ChoiceField(
        label=gettext_lazy("Correct answer (true / false)"), required=False, widget=forms.RadioSelect,
        choices=(("true", "Benar"), ("false", "Salah")))
    scale = forms.ChoiceField(label=gettext_lazy("Scale"), required=False, choices=SCALE_CHOICES,
                              help_text=gettext_lazy("Likert items: a ready scale, used when the rows are empty."))
    answers = forms.CharField(
        label=gettext_lazy("Accepted answers (short text)"), required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("One per line; case and spacing are ignored. Partial credit: "
                               "write the percent after a bar, e.g. Bawaslu | 50. Leave empty for an open "
                               "comment (not scored, e.g. in a survey)."))
    explanation = forms.CharField(label=gettext_lazy("Explanation (shown after the test)"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    legal_basis = forms.CharField(label=gettext_lazy("Legal basis"), required=False, max_length=500)
    codes = forms.CharField(label=gettext_lazy("Rule codes"), required=False, max_length=200,
                            help_text=gettext_lazy("Behaviour codes of the knowledge base, separated by commas, "
                                                   "e.g. B05, B21."))
    difficulty = forms.ChoiceField(label=gettext_lazy("Intended difficulty"), required=False,
                                   choices=(("", "—"), *DIFFICULTIES))
    author = forms.CharField(label=gettext_lazy("Author"), required=False, max_length=200)

    def __init__(self, *args, bank: ItemBank, item=None, answered: bool = False, **kwargs):
        self.bank, self.item = bank, item
        if item is not None and "initial" not in kwargs:
            # Also when bound: the disabled fields (code, type) take their value from here.
            kwargs["initial"] = self.initial_for(item)
        super().__init__(*args, **kwargs)
        for n in range(OPTION_ROWS):
            self.fields[f"option_{n}"] = forms.CharField(
                label=_("Option {id}").format(id=OPTION_IDS[n]), required=False, max_length=1000)
            self.fields[f"correct_{n}"] = forms.BooleanField(label=_("correct"), required=False)
            self.fields[f"fraction_{n}"] = forms.FloatField(
                label=_("Credit % (multiple response)"), required=False, min_value=-100, max_value=100,
                widget=forms.NumberInput(attrs={"step": "any", "class": "fraction"}))
        if item is not None:
            # update_item keeps the code; changing it would break the link to exports.
            self.fields["key"].disabled = True
            self.fields["key"].help_text = ""
            if answered:
                # services refuse a type change of an answered item; say so before the submit.
                self.fields["type"].disabled = True

    @staticmethod
    def initial_for(item) -> dict:
        version = item.current
        initial = {"key": item.key, "type": item.type, "topic": item.topic, "stem": version.stem,
                   "explanation": version.explanation, "legal_basis": version.legal_basis,
                   "codes": ", ".join(item.codes or []), "difficulty": item.difficulty, "author": item.author}
        options = version.options or []
        if item.type == ItemType.TRUEFALSE and options:
            initial["truefalse_answer"] = "true" if options[0].get("correct") else "false"
        elif item.type != ItemType.SHORT:
            n_correct = sum(bool(o.get("correct")) for o in options) or 1
            for n, o in enumerate(options[:OPTION_ROWS]):
                initial[f"option_{n}"] = o["text"]
                initial[f"correct_{n}"] = bool(o.get("correct"))
                fraction = o.get("fraction")
                default = (1.0 if o.get("correct") else -1.0) / n_correct
                if item.type == ItemType.MULTIPLE and fraction is not None and abs(fraction - default) > 1e-6:
                    initial[f"fraction_{n}"] = round(100 * fraction, 4)
        lines = []
        for a in version.answers or []:
            fraction = float(a.get("fraction", 1.0))
            lines.append(a["text"] if abs(fraction - 1.0) < 1e-9 else "{} | {:g}".format(a["text"], 100 * fraction))
        initial["answers"] = "\n".join(lines)
        return initial

    def option_rows(self):
        return [{"id": OPTION_IDS[n], "text": self[f"option_{n}"], "correct": self[f"correct_{n}"],
                 "fraction": self[f"fraction_{n}"]} for n in range(OPTION_ROWS)]

    def clean_key(self):
        if self.item is not None:
            return self.item.key
        key = self.cleaned_data["key"].strip()
        if key and not KEY_RE.match(key):
            raise forms.ValidationError(_("Use letters, digits, dots, dashes or underscores only, e.g. N51."))
        if key and self.bank.items.filter(key=key).exists():
            raise forms.ValidationError(_("The code {key} is already used in this bank.").format(key=key))
        return key

    def clean_codes(self):
        codes = split_codes(self.cleaned_data["codes"])
        unknown = [c for c in codes if c not in behaviour_codes(codes)]
        if unknown:
            raise forms.ValidationError(_("Unknown behaviour code: {codes}. Use the codes of the knowledge base "
                                          "(e.g. B05).").format(codes=", ".join(unknown)))
        return codes

    def _rows(self):
        rows, problems = [], []
        for n in range(OPTION_ROWS):
            text = (self.cleaned_data.get(f"option_{n}") or "").strip()
            correct = bool(self.cleaned_data.get(f"correct_{n}"))
            fraction = self.cleaned_data.get(f"fraction_{n}")
            if text:
                rows.append((OPTION_IDS[n], text, correct, fraction))
            elif correct or fraction is not None:
                problems.append(_("Row {id} is marked but has no text.").format(id=OPTION_IDS[n]))
        return rows, problems

    def _choice_options(self, kind, rows):
        errors = []
        if len(rows) < 2:
            errors.append(_("Fill in at least two options."))
        n_correct = sum(r[2] for r in rows)
        if kind == ItemType.SINGLE and len(rows) >= 2 and n_correct != 1:
            errors.append(_("Tick exactly one correct option ({n} ticked).").format(n=n_correct))
        if kind == ItemType.MULTIPLE and len(rows) >= 2 and n_correct == 0:
            errors.append(_("Tick at least one correct option."))
        options = [{"text": t, "correct": c} for _i, t, c, _f in rows]
        fractions = [f for *_r, f in rows]
        if kind == ItemType.MULTIPLE and any(f is not None for f in fractions):
            if any(f is None for f in fractions):
                errors.append(_("Give a credit % for every option, or for none (then correct options share "
                                "100% and each wrong one takes the same share away)."))
            else:
                for (row_id, _t, correct, f), option in zip(rows, options):
                    if correct != (f > 0):
                        errors.append(_("Option {id}: a correct option needs a credit above 0, a wrong one 0 "
                                        "or less.").format(id=row_id))
                    option["fraction"] = f / 100.0
                total = sum(f for *_r, f in rows if f > 0)
                if abs(total - 100) > 0.01:
                    errors.append(_("The credits of the correct options add up to %(total)s%%; they must add up "
                                    "to 100%%.") % {"total": "{:g}".format(total)})
        elif kind != ItemType.MULTIPLE:
            ignored = [r[0] for r in rows if r[3] is not None]
            if ignored:
                errors.append(_("A credit percentage is only for multiple-response items; clear it in row "
                                "%(ids)s.") % {"ids": ", ".join(ignored)})
        return options, errors

    def _short_answers(self):
        answers, errors = [], []
        for line_no, line in enumerate((self.cleaned_data.get("answers") or "").splitlines(), start=1):
            text, _bar, percent = line.partition("|")
            text = text.strip()
            if not text:
                continue
            fraction = 100.0
            if percent.strip():
                try:
                    fraction = float(percent.strip().rstrip("%").replace(",", "."))
                except ValueError:
                    errors.append(_("Line {n}: after the bar write a percent, e.g. 50.").format(n=line_no))
                    continue
                if not 0 < fraction <= 100:
                    errors.append(_("Line {n}: the percent must be above 0 and at most 100.").format(n=line_no))
                    continue
            answers.append({"text": text, "fraction": fraction / 100.0})
        if answers and not any(a["fraction"] >= 1.0 - 1e-9 for a in answers):
            errors.append(_("At least one answer must give full marks (no percent, or 100)."))
        return answers, errors

    def clean(self):
        data = super().clean()
        kind = data.get("type")
        if not kind:
            return data
        item = {k: data.get(k) or "" for k in ("key", "type", "topic", "stem", "explanation", "legal_basis",
                                                "difficulty", "author")}
        item["codes"] = data.get("codes") or []
        rows, problems = self._rows()
        if kind in (ItemType.SINGLE, ItemType.MULTIPLE):
            item["options"], errors = self._choice_options(kind, rows)
            for message in problems + errors:
                self.add_error("options", message)
        elif kind == ItemType.TRUEFALSE:
            answer = data.get("truefalse_answer")
            if not answer:
                self.add_error("truefalse_answer", _("Choose whether the statement is true (Benar) or false "
                                                     "(Salah)."))
            item["options"] = [{"text": "Benar", "correct": answer == "true"},
                               {"text": "Salah", "correct": answer == "false"}]
        elif kind == ItemType.LIKERT:
            if rows:
                item["options"] = [{"text": t, "correct": False} for _i, t, _c, _f in rows]
                if len(rows) < 2:
                    self.add_error("options", _("A scale needs at least two points."))
            elif data.get("scale"):
                item["options"] = [{"text": t, "correct": False} for t in SCALES[data["scale"]]]
            else:
                self.add_error("scale", _("Choose a scale or fill in its points in the rows."))
        else:
            item["answers"], errors = self._short_answers()
            for message in errors:
                self.add_error("answers", message)
        if not self.errors and not (kind == ItemType.SHORT and not item["answers"]):
            # The interchange rules too (e.g. two options with the same text), so every
            # stored item can be exported.
            as_dict = {**item, "answers": [{"text": a["text"], "fraction": 100 * a["fraction"]}
                                           for a in item.get("answers", [])]}
            if kind != ItemType.MULTIPLE:
                as_dict["options"] = [{"text": o["text"], "correct": o["correct"]} for o in item.get("options", [])]
            else:
                as_dict["options"] = [{**o, **({"fraction": 100 * o["fraction"]} if "fraction" in o else {})}
                                      for o in item["options"]]
            if kind == ItemType.LIKERT:
                as_dict["options"] = [{"text": o["text"]} for o in item["options"]]
            for problem in interchange.validate_item(as_dict):
                field = problem["field"] if problem["field"] in self.fields else "options"
                self.add_error(field, problem["message"])
        self.item_data = item
        return data


class ItemFilterForm(forms.Form):
    topic = forms.ChoiceField(label=gettext_lazy("Topic"), required=False, choices=(("", "—"), *Topic.choices))
    type = forms.ChoiceField(label=gettext_lazy("Type"), required=False, choices=(("", "—"), *ItemType.choices))
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=200)
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False,
                               choices=(("", gettext_lazy("Active")), ("retired", gettext_lazy("Retired")),
                                        ("all", gettext_lazy("All"))))

    def filter(self, items):
        from django.db.models import Q  # noqa: PLC0415 -- leaf

        if not self.is_valid():
            return items.filter(retired=False)
        data = self.cleaned_data
        if data["status"] == "retired":
            items = items.filter(retired=True)
        elif data["status"] != "all":
            items = items.filter(retired=False)
        if data["topic"]:
            items = items.filter(topic=data["topic"])
        if data["type"]:
            items = items.filter(type=data["type"])
        if data["q"].strip():
            q = data["q"].strip()
            items = items.filter(Q(key__icontains=q) | Q(current__stem__icontains=q)
                                 | Q(current__explanation__icontains=q) | Q(author__icontains=q))
        return items


class ImportUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File (Moodle XML, GIFT or XLSX)"),
                           widget=forms.FileInput(attrs={"accept": ".xml,.gift,.txt,.xlsx"}))
    format = forms.ChoiceField(label=gettext_lazy("Format"), choices=FORMATS, initial="auto")
    default_topic = forms.ChoiceField(label=gettext_lazy("Topic for items without one"), choices=Topic.choices,
                                      initial=Topic.PRINCIPLES)

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload is None:
            return data
        if upload.size > IMPORT_MAX_BYTES:
            self.add_error("file", _("The file is {size} MB; the limit is {limit} MB.").format(
                size="{:.1f}".format(upload.size / 1048576).replace(".", ","), limit=IMPORT_MAX_BYTES // 1048576))
            return data
        upload.seek(0)
        content = upload.read(IMPORT_MAX_BYTES + 1)
        if not content.strip():
            self.add_error("file", _("The file is empty."))
            return data
        found = sniff_format(content)
        wanted = data.get("format") or "auto"
        if found is None:
            self.add_error("file", _("This is not a Moodle XML, GIFT or XLSX file. Export the questions from "
                                     "Moodle as Moodle XML or GIFT, or use the XLSX template."))
        elif wanted != "auto" and wanted != found:
            self.add_error("format", _("The file's content is {found}, not {wanted}.").format(
                found=dict(FORMATS)[found], wanted=dict(FORMATS)[wanted]))
        data["content"], data["detected"] = content, found
        return data


def sniff_format(content: bytes) -> str | None:
    """The format from the bytes, never from the file name."""
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, EOFError, ValueError):
            return None
        return "xlsx" if "xl/workbook.xml" in names else None
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    if "\x00" in text:
        return None
    head = text.lstrip()[:500].lower()
    if head.startswith("<?xml") or head.startswith("<quiz"):
        return "moodle"
    if "{" in text:
        return "gift"
    return None
