"""Item interchange: Moodle XML, GIFT and XLSX, on plain dicts (no Django models).

The item dict
-------------
The schema of ``content/items.json``, extended to every item type::

    {"type": "single" | "multiple" | "truefalse" | "likert" | "short",
     "stem": str,
     "options": [{"text": str, "correct": bool, "fraction": float?}],  # choice types
     "answers": [{"text": str, "fraction": float}],                      # short only
     "codes": [str],                                                     # always present
     # optional, left out when empty:
     "name", "key", "topic", "explanation", "legal_basis", "difficulty", "author": str}

* ``single``: exactly one option with ``correct: true``. ``multiple``: one or more.
* ``truefalse``: always the two options ``Benar`` and ``Salah`` in that order.
* ``likert``: options are the scale labels, ``{"text": …}`` only (no ``correct``).
* ``short``: ``answers`` are the accepted answers (compared case-insensitively), each with
  a Moodle fraction in percent (100 = full marks); at least one has 100.
* ``fraction`` on a choice option is Moodle's partial credit in percent (−100 … 100). It is
  only present when it differs from the default: ``single`` 100 for the correct option and
  0 otherwise; ``multiple`` 100/n_correct for each correct option and −100/n_wrong for each
  wrong one (Moodle's recommended setting: ticking every box scores 0).

:func:`normalize_item` gives this canonical form (texts trimmed, ``\\r\\n`` → ``\\n``,
characters XML cannot carry removed, default fractions and a default ``name`` dropped),
and every importer returns canonical items, so for a valid item ``i``::

    from_moodle_xml(to_moodle_xml([i])).items == [normalize_item(i)]
    from_gift(to_gift([i])).items == [normalize_item(i)]

The default bank (``items.json``) is already canonical.

Where each field goes
---------------------
==============  =================================  ======================================
field           Moodle XML                         GIFT
==============  =================================  ======================================
type            ``question type`` (multichoice     answer block (``{=a ~b}`` single,
                ``single`` true/false, truefalse,  ``{~%50%a ~%50%b}`` multiple, ``{T}``,
                shortanswer); likert: multichoice  ``{=a =b}`` short); likert: ``{~a ~b}``
                with all fractions 0 and tag       and ``"type": "likert"`` in the
                ``netral-type:likert``             ``// netral:`` comment
name            ``<name>``                         ``::title::``
key             ``<idnumber>``                     ``// netral:`` comment
stem            ``<questiontext format=            question text (escaped)
                "plain_text">``
options         ``<answer fraction=…>``            ``=`` / ``~`` / ``~%n%`` answers
explanation     ``<generalfeedback>``              ``####`` general feedback
topic           tag ``netral-topic:<topic>``       ``// netral:`` comment
codes           tag ``netral-code:<code>`` (each)  ``// netral:`` comment
legal_basis     tag ``netral-legal:<text>``        ``// netral:`` comment
difficulty      tag ``netral-difficulty:<d>``      ``// netral:`` comment
author          tag ``netral-author:<name>``       ``// netral:`` comment
==============  =================================  ======================================

The ``// netral:`` comment is one line of JSON just above the question; Moodle ignores
comments, so a GIFT file imported into Moodle keeps stem, options, fractions and the
explanation only. Moodle itself cuts tags to 50 characters (``TAG_MAX_LENGTH``), so a long
legal basis survives a Netral → file → Netral round trip but not a trip through Moodle.
Not carried: per-option feedback (read and dropped), images and other files, Moodle's
``defaultgrade``/``penalty`` (Netral marks every item out of 1).

When no name is given, exports use :func:`default_name` (the key, else the start of the
stem), and importers drop a name equal to it, so names round-trip too.

Importing
---------
Every importer returns :class:`ImportResult`: the valid items and one error dict per bad
question or row — ``{"question": n}`` (1-based, categories not counted) or ``{"row": n}``
(spreadsheet row), plus ``"name"``, ``"field"`` and an Indonesian ``"message"``. A broken
file gives one error with ``"question": None`` and no items. Moodle XML is parsed with
``defusedxml`` (no entities, no DTD, no network). HTML texts from Moodle (``format="html"``)
are converted to plain text.
"""

from __future__ import annotations

import io
import json
import math
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from xml.etree import ElementTree as ET

from django.utils.translation import gettext as _

__all__ = [
    "ITEM_TYPES",
    "XLSX_COLUMNS",
    "ImportResult",
    "default_name",
    "from_gift",
    "from_moodle_xml",
    "from_xlsx",
    "normalize_item",
    "to_gift",
    "to_moodle_xml",
    "to_xlsx",
    "validate_item",
]

ITEM_TYPES = ("single", "multiple", "truefalse", "likert", "short")
CHOICE_TYPES = ("single", "multiple", "truefalse", "likert")
TEXT_FIELDS = ("name", "key", "topic", "explanation", "legal_basis", "difficulty", "author")
TRUE_LABEL, FALSE_LABEL = "Benar", "Salah"
TAG_PREFIX = "netral-"
GIFT_META_PREFIX = "// netral:"
XLSX_LETTERS = "ABCDEF"
#: Columns of the XLSX template, in order.
XLSX_COLUMNS = (
    "key", "type", "topic", "stem",
    *("option_" + c.lower() for c in XLSX_LETTERS),
    "correct", "explanation", "legal_basis", "codes", "difficulty", "name", "author",
)
_FRACTION_TOLERANCE = 1e-4
_MAX_BYTES = 20 * 1024 * 1024


@dataclass
class ImportResult:
    """Valid items (canonical dicts) and precise errors for the rest."""

    items: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class _ItemError(Exception):
    def __init__(self, field_name: str | None, message: str):
        super().__init__(message)
        self.field = field_name
        self.message = message


# --------------------------------------------------------------------------- canonical form

_XML_INVALID = re.compile("[^\t\n\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: Any) -> str:
    """Trimmed text with \\n line ends and no character XML 1.0 cannot carry."""
    if text is None:
        return ""
    if isinstance(text, float) and text.is_integer():
        text = int(text)
    text = str(text).replace("\r\n", "\n").replace("\r", "\n")
    return _XML_INVALID.sub("", text).strip()


def default_name(item: dict[str, Any]) -> str:
    """The name exports use when an item has none: its key, else the start of its stem."""
    key = _clean(item.get("key"))
    if key:
        return key
    stem = " ".join(_clean(item.get("stem")).split())
    return stem if len(stem) <= 60 else stem[:59].rstrip() + "…"


def _default_fractions(kind: str, correct: list[bool]) -> list[float]:
    if kind == "multiple":
        n_right = sum(correct)
        n_wrong = len(correct) - n_right
        return [100.0 / n_right if c else (-100.0 / n_wrong if n_wrong else 0.0)
                for c in correct]
    if kind == "single":
        return [100.0 if c else 0.0 for c in correct]
    return [0.0 for _c in correct]


def _as_fraction(value: Any, field_name: str) -> float:
    try:
        f = float(value)
    except (TypeError, ValueError):
        raise _ItemError(field_name, _("The fraction must be a number (percent).")) from None
    if not math.isfinite(f) or f < -100 - 1e-9 or f > 100 + 1e-9:
        raise _ItemError(field_name, _("The fraction must lie between -100 and 100 (percent)."))
    return f


def _truth(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "ya", "benar", "y")
    return bool(value)


def _canonical(item: Any) -> dict[str, Any]:
    """Validate and normalise; raise _ItemError on the first problem."""
    if not isinstance(item, dict):
        raise _ItemError(None, _("An item must be an object (dict)."))
    kind = str(item.get("type") or "").strip().lower()
    if kind not in ITEM_TYPES:
        raise _ItemError("type", _('Unknown item type "{type}"; use one of: {types}.').format(
            type=item.get("type"), types=", ".join(ITEM_TYPES)))
    out: dict[str, Any] = {"type": kind}
    stem = _clean(item.get("stem"))
    if not stem:
        raise _ItemError("stem", _("The question text (stem) is empty."))
    out["stem"] = stem
    for name in TEXT_FIELDS:
        value = _clean(item.get(name))
        if value:
            out[name] = value
    codes = item.get("codes") or []
    if isinstance(codes, str):
        codes = re.split(r"[,;\s]+", codes)
    out["codes"] = [c for c in (_clean(c) for c in codes) if c]

    if kind == "short":
        answers = item.get("answers") or []
        if not answers:
            raise _ItemError("answers", _("A short-answer item needs at least one accepted answer."))
        clean_answers = []
        for pos, ans in enumerate(answers, start=1):
            if isinstance(ans, str):
                ans = {"text": ans, "fraction": 100}
            text = _clean(ans.get("text"))
            if not text:
                raise _ItemError("answers", _("Answer {n} is empty.").format(n=pos))
            fraction = _as_fraction(ans.get("fraction", 100), "answers")
            if fraction <= 0:
                raise _ItemError("answers", _(
                    "Answer {n} of a short-answer item must have a fraction above 0.").format(n=pos))
            clean_answers.append({"text": text, "fraction": fraction})
        if not any(a["fraction"] >= 100 - 1e-9 for a in clean_answers):
            raise _ItemError("answers", _("No accepted answer gives full marks (fraction 100)."))
        out["answers"] = clean_answers
        return out

    options = item.get("options") or []
    if kind == "truefalse":
        return _canonical_truefalse(out, options)
    if len(options) < 2:
        raise _ItemError("options", _("The item needs at least two options."))
    texts = []
    for pos, opt in enumerate(options, start=1):
        text = _clean(opt.get("text") if isinstance(opt, dict) else opt)
        if not text:
            raise _ItemError("options", _("Option {n} is empty.").format(n=pos))
        texts.append(text)
    if len(set(texts)) != len(texts):
        raise _ItemError("options", _("Two options have the same text."))
    if kind == "likert":
        out["options"] = [{"text": t} for t in texts]
        return out
    correct = [_truth(opt.get("correct")) if isinstance(opt, dict) else False for opt in options]
    n_right = sum(correct)
    if n_right == 0:
        raise _ItemError("options", _("No option is marked as the correct answer."))
    if kind == "single" and n_right > 1:
        raise _ItemError("options", _(
            "A single-choice item must have exactly one correct option; {n} are marked.").format(
                n=n_right))
    defaults = _default_fractions(kind, correct)
    clean_options = []
    for pos, (opt, text, right, default) in enumerate(zip(options, texts, correct, defaults),
                                                       start=1):
        entry: dict[str, Any] = {"text": text, "correct": right}
        if isinstance(opt, dict) and opt.get("fraction") is not None:
            fraction = _as_fraction(opt["fraction"], "options")
            if kind == "multiple" and right != (fraction > 0):
                raise _ItemError("options", _(
                    "Option {n}: a correct option needs a fraction above 0 and a wrong one a "
                    "fraction of 0 or less.").format(n=pos))
            if kind == "single" and right and fraction < 100 - 1e-9:
                raise _ItemError("options", _(
                    "Option {n}: the correct option of a single-choice item must have fraction "
                    "100.").format(n=pos))
            if kind == "single" and not right and fraction >= 100 - 1e-9:
                raise _ItemError("options", _(
                    "Option {n} has fraction 100 but is not marked correct.").format(n=pos))
            if abs(fraction - default) > _FRACTION_TOLERANCE:
                entry["fraction"] = fraction
        clean_options.append(entry)
    out["options"] = clean_options
    return out


def _canonical_truefalse(out: dict[str, Any], options: list[Any]) -> dict[str, Any]:
    if len(options) != 2:
        raise _ItemError("options", _("A true/false item has exactly two options."))
    false_words = {"salah", "false", "f", "s", "tidak", "no"}
    first = options[0] if isinstance(options[0], dict) else {"text": options[0]}
    second = options[1] if isinstance(options[1], dict) else {"text": options[1]}
    if _clean(first.get("text")).lower() in false_words:
        first, second = second, first
    t_right, f_right = _truth(first.get("correct")), _truth(second.get("correct"))
    if t_right == f_right:
        raise _ItemError("options", _(
            "A true/false item needs exactly one correct option (Benar or Salah)."))
    out["options"] = [{"text": TRUE_LABEL, "correct": t_right},
                      {"text": FALSE_LABEL, "correct": f_right}]
    return out


def normalize_item(item: dict[str, Any]) -> dict[str, Any]:
    """The canonical form of a valid item (see the module docstring); ``ValueError`` with an
    Indonesian message if it is not valid."""
    try:
        out = _canonical(item)
    except _ItemError as exc:
        raise ValueError(exc.message) from None
    if out.get("name") == default_name(out):
        del out["name"]
    return out


def validate_item(item: dict[str, Any]) -> list[dict[str, str | None]]:
    """``[]`` if the item is valid, else ``[{"field": …, "message": …}]`` (Indonesian)."""
    try:
        _canonical(item)
    except _ItemError as exc:
        return [{"field": exc.field, "message": exc.message}]
    return []


def _finish(raw: dict[str, Any]) -> dict[str, Any]:
    """Canonical item from an importer's raw dict (drops a default name)."""
    out = _canonical(raw)
    if out.get("name") == default_name(out):
        del out["name"]
    return out


def _fraction_text(value: float) -> str:
    if abs(value - round(value)) < 1e-9:
        return str(int(round(value)))
    return repr(float(value))


def _export_fractions(item: dict[str, Any]) -> list[float]:
    kind = item["type"]
    if kind == "likert":
        return [0.0] * len(item["options"])
    defaults = _default_fractions(kind, [o["correct"] for o in item["options"]])
    out = []
    for opt, default in zip(item["options"], defaults):
        if "fraction" in opt:
            out.append(opt["fraction"])
        else:
            # Moodle's own grade list writes thirds etc. with 7 significant digits.
            out.append(round(default, 5))
    return out


def _prepare_export(items: Any) -> list[dict[str, Any]]:
    out = []
    for pos, item in enumerate(items, start=1):
        try:
            out.append(normalize_item(item))
        except ValueError as exc:
            raise ValueError(_("Item {n}: {message}").format(n=pos, message=exc)) from None
    return out


# --------------------------------------------------------------------------- HTML → text


class _TextExtractor(HTMLParser):
    _BREAKS = {"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol",
               "table", "blockquote", "pre"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in self._BREAKS:
            self.parts.append("\n\n" if tag == "p" else "\n")
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt:
                self.parts.append(alt)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag in self._BREAKS and tag != "br":
            self.parts.append("\n\n" if tag == "p" else "\n")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(re.sub(r"[ \t\r\n]+", " ", data))


def html_to_text(markup: str) -> str:
    """Plain text of an HTML fragment (tags dropped, entities decoded, paragraphs → blank
    lines, whitespace collapsed as a browser would)."""
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    text = "".join(parser.parts).replace("\xa0", " ")
    lines = [" ".join(line.split()) for line in text.split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _from_format(text: str, fmt: str | None) -> str:
    fmt = (fmt or "html").lower()
    if fmt in ("html", "moodle_auto_format") and re.search(r"<[a-zA-Z/!]|&[#a-zA-Z]", text):
        return html_to_text(text)
    return text


# --------------------------------------------------------------------------- Moodle XML


def _text_el(parent: ET.Element, tag: str, text: str, fmt: str | None = "plain_text") -> None:
    el = ET.SubElement(parent, tag)
    if fmt:
        el.set("format", fmt)
    ET.SubElement(el, "text").text = text


def to_moodle_xml(items: Any, category: str | None = None) -> bytes:
    """Moodle XML (``<quiz>``) of the items, UTF-8, for Moodle's question bank import.

    ``category`` (e.g. ``"Netralitas ASN/Pre-test"``) adds a category question first
    (``$course$/top/<category>``). Texts are written as ``plain_text`` so they come back
    exactly. ``ValueError`` (Indonesian) if an item is not valid."""
    canon = _prepare_export(items)
    quiz = ET.Element("quiz")
    if category:
        cat = ET.SubElement(quiz, "question", type="category")
        _text_el(cat, "category", "$course$/top/" + _clean(category), fmt=None)
    for item in canon:
        kind = item["type"]
        qtype = {"single": "multichoice", "multiple": "multichoice", "likert": "multichoice",
                 "truefalse": "truefalse", "short": "shortanswer"}[kind]
        q = ET.SubElement(quiz, "question", type=qtype)
        _text_el(q, "name", item.get("name") or default_name(item), fmt=None)
        _text_el(q, "questiontext", item["stem"])
        _text_el(q, "generalfeedback", item.get("explanation", ""))
        ET.SubElement(q, "defaultgrade").text = "1"
        ET.SubElement(q, "penalty").text = "0"
        ET.SubElement(q, "hidden").text = "0"
        ET.SubElement(q, "idnumber").text = item.get("key", "")
        if qtype == "multichoice":
            ET.SubElement(q, "single").text = "false" if kind == "multiple" else "true"
            ET.SubElement(q, "shuffleanswers").text = "false" if kind == "likert" else "true"
            ET.SubElement(q, "answernumbering").text = "none" if kind == "likert" else "abc"
            for opt, fraction in zip(item["options"], _export_fractions(item)):
                a = ET.SubElement(q, "answer", fraction=_fraction_text(fraction),
                                  format="plain_text")
                ET.SubElement(a, "text").text = opt["text"]
                _text_el(a, "feedback", "")
        elif qtype == "truefalse":
            t_right = item["options"][0]["correct"]
            for word, right in (("true", t_right), ("false", not t_right)):
                a = ET.SubElement(q, "answer", fraction="100" if right else "0",
                                  format="moodle_auto_format")
                ET.SubElement(a, "text").text = word
                _text_el(a, "feedback", "")
        else:
            ET.SubElement(q, "usecase").text = "0"
            for ans in item["answers"]:
                a = ET.SubElement(q, "answer", fraction=_fraction_text(ans["fraction"]),
                                  format="plain_text")
                ET.SubElement(a, "text").text = ans["text"]
                _text_el(a, "feedback", "")
        tags = []
        if kind == "likert":
            tags.append(TAG_PREFIX + "type:likert")
        for name in ("topic", "difficulty", "author", "legal_basis"):
            if name in item:
                label = "legal" if name == "legal_basis" else name
                tags.append(TAG_PREFIX + label + ":" + item[name])
        tags.extend(TAG_PREFIX + "code:" + code for code in item["codes"])
        if tags:
            tags_el = ET.SubElement(q, "tags")
            for tag in tags:
                ET.SubElement(ET.SubElement(tags_el, "tag"), "text").text = tag
    ET.indent(quiz, space="  ")
    return ET.tostring(quiz, encoding="UTF-8", xml_declaration=True) + b"\n"


def _child_text(el: ET.Element | None, path: str = "text") -> str:
    if el is None:
        return ""
    node = el.find(path) if path else el
    return "" if node is None or node.text is None else node.text


def _formatted(el: ET.Element | None) -> str:
    if el is None:
        return ""
    return _from_format(_child_text(el), el.get("format"))


def _broken_file(message: str) -> ImportResult:
    return ImportResult(items=[], errors=[{"question": None, "name": None, "field": None,
                                           "message": message}])


def from_moodle_xml(data: bytes | str) -> ImportResult:
    """Items of a Moodle XML question export (multichoice, truefalse, shortanswer; likert
    as written by :func:`to_moodle_xml`). Other question types are reported as errors."""
    from defusedxml import DefusedXmlException  # noqa: PLC0415 -- leaf, only for imports
    from defusedxml.ElementTree import fromstring  # noqa: PLC0415

    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > _MAX_BYTES:
        return _broken_file(_("The file is too large (more than 20 MB)."))
    try:
        root = fromstring(data, forbid_dtd=True)
    except ET.ParseError as exc:
        line, column = getattr(exc, "position", (None, None))
        return _broken_file(_(
            "The file is not valid XML (line {line}, column {column}). Export it again from "
            "Moodle as \"Moodle XML format\".").format(line=line, column=column))
    except DefusedXmlException:
        return _broken_file(_(
            "The XML file contains a DTD or entity declarations, which are not allowed."))
    if root.tag != "quiz":
        return _broken_file(_(
            "This is not a Moodle XML question file: the root element is <{tag}>, not <quiz>."
        ).format(tag=root.tag))
    result = ImportResult()
    number = 0
    for q in root.findall("question"):
        qtype = (q.get("type") or "").strip()
        if qtype == "category":
            continue
        number += 1
        name = _clean(_child_text(q.find("name")))
        try:
            result.items.append(_finish(_moodle_question(q, qtype, name)))
        except _ItemError as exc:
            result.errors.append({"question": number, "name": name or None, "field": exc.field,
                                  "message": exc.message})
    if number == 0:
        return _broken_file(_("The file contains no question."))
    return result


def _moodle_question(q: ET.Element, qtype: str, name: str) -> dict[str, Any]:
    supported = {"multichoice", "truefalse", "shortanswer"}
    if qtype not in supported:
        raise _ItemError("type", _(
            'Question type "{type}" is not supported; Netral imports multichoice, truefalse '
            "and shortanswer.").format(type=qtype or "?"))
    raw: dict[str, Any] = {
        "name": name,
        "stem": _formatted(q.find("questiontext")),
        "explanation": _formatted(q.find("generalfeedback")),
        "key": _child_text(q.find("idnumber"), ""),
        "codes": [],
    }
    tags = [_clean(_child_text(t)) for t in q.findall("tags/tag")]
    is_likert = False
    for tag in tags:
        if not tag.startswith(TAG_PREFIX) or ":" not in tag:
            continue
        label, value = tag[len(TAG_PREFIX):].split(":", 1)
        if label == "type" and value == "likert":
            is_likert = True
        elif label == "code":
            raw["codes"].append(value)
        elif label in ("topic", "difficulty", "author"):
            raw[label] = value
        elif label == "legal":
            raw["legal_basis"] = value
    answers = []
    for a in q.findall("answer"):
        fraction = _as_fraction(a.get("fraction", "0"), "options")
        answers.append((_from_format(_child_text(a), a.get("format")), fraction))
    if qtype == "truefalse":
        truth = {text.strip().lower(): f for text, f in answers}
        if set(truth) != {"true", "false"}:
            raise _ItemError("options", _("A true/false question needs the answers true and false."))
        raw["type"] = "truefalse"
        raw["options"] = [{"text": TRUE_LABEL, "correct": truth["true"] >= 100 - 1e-9},
                          {"text": FALSE_LABEL, "correct": truth["false"] >= 100 - 1e-9}]
        return raw
    if qtype == "shortanswer":
        raw["type"] = "short"
        raw["answers"] = [{"text": t, "fraction": f} for t, f in answers if f > 0]
        return raw
    single = _child_text(q.find("single"), "").strip().lower() in ("true", "1")
    if is_likert:
        raw["type"] = "likert"
        raw["options"] = [{"text": t} for t, _f in answers]
        return raw
    raw["type"] = "single" if single else "multiple"
    if single:
        raw["options"] = [{"text": t, "correct": f >= 100 - 1e-9, "fraction": f}
                          for t, f in answers]
    else:
        raw["options"] = [{"text": t, "correct": f > 0, "fraction": f} for t, f in answers]
    return raw


# --------------------------------------------------------------------------- GIFT

_GIFT_SPECIALS = "~=#{}:"
# Escaped characters are swapped for lone surrogates while the structure is parsed: they
# cannot occur in text decoded from a file, so they never clash with real content.
_GIFT_PLACEHOLDERS = {ch: chr(0xD800 + i) for i, ch in enumerate("~=#{}:\\")}
_GIFT_PLACEHOLDERS["n"] = chr(0xD800 + 7)
_GIFT_RESTORE = {v: ("\n" if k == "n" else k) for k, v in _GIFT_PLACEHOLDERS.items()}


def gift_escape(text: str) -> str:
    """GIFT escaping (Moodle ``qformat_gift``): backslash before ``\\ ~ = # { } :``, newline
    as ``\\n``."""
    out = text.replace("\\", "\\\\")
    for ch in _GIFT_SPECIALS:
        out = out.replace(ch, "\\" + ch)
    return out.replace("\n", "\\n")


def _gift_protect(text: str) -> str:
    return re.sub(r"\\([~=#{}:\\n])", lambda m: _GIFT_PLACEHOLDERS[m.group(1)], text)


def _gift_restore(text: str) -> str:
    return "".join(_GIFT_RESTORE.get(ch, ch) for ch in text)


_GIFT_FORMAT = re.compile(r"\s*\[(html|moodle|plain|markdown)\]")


def _gift_text(text: str, fmt: str | None = None) -> str:
    """Unescaped text of a protected fragment; HTML converted when the question's format
    (its ``[html]``/``[moodle]`` marker) says so."""
    plain = _gift_restore(text.strip()).strip()
    if fmt in ("html", "moodle"):
        plain = _from_format(plain, "html")
    return plain


def to_gift(items: Any) -> str:
    """GIFT text of the items (Moodle's "GIFT format"), one question per paragraph, each
    preceded by a ``// netral: {json}`` comment with the fields GIFT has no place for."""
    canon = _prepare_export(items)
    blocks = []
    for item in canon:
        kind = item["type"]
        meta = {name: item[name] for name in ("key", "topic", "legal_basis", "difficulty",
                                              "author") if name in item}
        if item["codes"]:
            meta["codes"] = item["codes"]
        if kind == "likert":
            meta["type"] = "likert"
        lines = []
        if meta:
            lines.append(GIFT_META_PREFIX + " " + json.dumps(meta, ensure_ascii=False))
        title = item.get("name") or default_name(item)
        lines.append("::" + gift_escape(title) + "::" + gift_escape(item["stem"]) + " {")
        if kind == "truefalse":
            lines.append("\tTRUE" if item["options"][0]["correct"] else "\tFALSE")
        elif kind == "short":
            if any("->" in ans["text"] for ans in item["answers"]):
                raise ValueError(_(
                    'Item {n}: a short answer containing "->" cannot be written in GIFT (it '
                    "would read as a matching question); use Moodle XML.").format(
                        n=len(blocks) + 1))
            for ans in item["answers"]:
                weight = "" if ans["fraction"] >= 100 - 1e-9 else \
                    "%" + _fraction_text(ans["fraction"]) + "%"
                lines.append("\t=" + weight + gift_escape(ans["text"]))
        else:
            fractions = _export_fractions(item)
            for opt, fraction in zip(item["options"], fractions):
                if kind == "single" and opt["correct"] and "fraction" not in opt:
                    lines.append("\t=" + gift_escape(opt["text"]))
                elif kind == "likert" or (kind == "single" and fraction == 0):
                    lines.append("\t~" + gift_escape(opt["text"]))
                else:
                    lines.append("\t~%" + _fraction_text(fraction) + "%" + gift_escape(opt["text"]))
        if "explanation" in item:
            lines.append("\t####" + gift_escape(item["explanation"]))
        lines.append("}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def _gift_blocks(text: str):
    """(first line number, comment lines, question lines) per question paragraph."""
    comments: list[str] = []
    lines: list[str] = []
    start = None
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if not stripped:
            if lines:
                yield start, comments, lines
            comments, lines, start = [], [], None
            continue
        if stripped.startswith("//"):
            comments.append(stripped)
            continue
        if start is None:
            start = number
        lines.append(line)
    if lines:
        yield start, comments, lines


def from_gift(text: str | bytes) -> ImportResult:
    """Items of a GIFT file (multiple choice, multiple answers, true/false, short answer;
    likert via the ``// netral:`` comment). ``$CATEGORY:`` lines are skipped; other question
    types (essay, matching, numerical, description) are reported as errors."""
    if isinstance(text, bytes):
        if len(text) > _MAX_BYTES:
            return _broken_file(_("The file is too large (more than 20 MB)."))
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            return _broken_file(_("The GIFT file is not UTF-8 text. Save it as UTF-8 and try again."))
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    result = ImportResult()
    number = 0
    for _line_no, comments, lines in _gift_blocks(text):
        body = "\n".join(lines).strip()
        if body.startswith("$CATEGORY:"):
            # A category line may share its paragraph with a question.
            body = body.split("\n", 1)[1].strip() if "\n" in body else ""
            if not body:
                continue
        number += 1
        meta: dict[str, Any] = {}
        name = None
        try:
            for comment in comments:
                if comment.startswith(GIFT_META_PREFIX):
                    try:
                        parsed = json.loads(comment[len(GIFT_META_PREFIX):])
                    except ValueError:
                        raise _ItemError("metadata", _(
                            "The \"// netral:\" comment is not valid JSON.")) from None
                    if isinstance(parsed, dict):
                        meta.update(parsed)
            holder: dict[str, Any] = {}
            try:
                raw = _gift_question(_gift_protect(body), holder)
            finally:
                name = holder.get("name")
            for key in ("key", "topic", "legal_basis", "difficulty", "author", "codes"):
                if key in meta:
                    raw[key] = meta[key]
            if meta.get("type") == "likert":
                if raw["type"] not in ("single", "multiple", "likert"):
                    raise _ItemError("type", _("A likert question needs a list of ~ options."))
                raw["type"] = "likert"
                raw["options"] = [{"text": o["text"]} for o in raw["options"]]
            result.items.append(_finish(raw))
        except _ItemError as exc:
            result.errors.append({"question": number, "name": name, "field": exc.field,
                                  "message": exc.message})
    if number == 0:
        return _broken_file(_("The file contains no question."))
    return result


def _gift_question(body: str, holder: dict[str, Any]) -> dict[str, Any]:
    name = None
    if body.startswith("::"):
        end = body.find("::", 2)
        if end < 0:
            raise _ItemError("name", _("The title is not closed with \"::\"."))
        name = _gift_text(body[2:end])
        holder["name"] = name
        body = body[end + 2:]
    fmt = None
    m = _GIFT_FORMAT.match(body)
    if m:
        fmt = m.group(1)
        body = body[m.end():]
    open_at = body.find("{")
    if open_at < 0:
        raise _ItemError("answers", _(
            "No answer block {…} found (a description without answers is not a question)."))
    close_at = body.find("}", open_at)
    if close_at < 0:
        raise _ItemError("answers", _("The answer block is not closed with \"}\"."))
    before, block, after = body[:open_at], body[open_at + 1:close_at], body[close_at + 1:]
    if "{" in after or "}" in after:
        raise _ItemError("answers", _(
            "More than one answer block; use \\{ and \\} for braces in the text."))
    stem = _gift_text(before, fmt)
    tail = _gift_text(after, fmt)
    if tail:  # "missing word" format: the blank stands where the answer block was
        stem = (stem + " _____ " + tail).strip()
    raw: dict[str, Any] = {"name": name or "", "stem": stem, "codes": []}

    general = ""
    if "####" in block:
        block, general = block.split("####", 1)
        raw["explanation"] = _gift_text(general, fmt)
    content = block.strip()
    if not content:
        raise _ItemError("type", _("Essay questions ({} with no answers) are not supported."))
    upper = content.split("#", 1)[0].strip().upper()
    if upper in ("T", "TRUE", "F", "FALSE"):
        right = upper in ("T", "TRUE")
        raw["type"] = "truefalse"
        raw["options"] = [{"text": TRUE_LABEL, "correct": right},
                          {"text": FALSE_LABEL, "correct": not right}]
        return raw
    if content.startswith("#"):
        raise _ItemError("type", _("Numerical questions are not supported."))
    if "~" not in content and "->" in content:  # Moodle's rule: "=" and "->" but no "~"
        raise _ItemError("type", _("Matching questions are not supported."))
    if content[0] not in "~=":
        raise _ItemError("options", _("Each answer must start with = (correct) or ~ (wrong)."))
    answers = []
    for m in re.finditer(r"([~=])([^~=]*)", content):
        sign, rest = m.group(1), m.group(2)
        weight = None
        wm = re.match(r"\s*%(-?[0-9]+(?:[.,][0-9]+)?)%", rest)
        if wm:
            weight = _as_fraction(wm.group(1).replace(",", "."), "options")
            rest = rest[wm.end():]
        rest = rest.split("#", 1)[0]  # per-answer feedback is not kept
        answers.append((sign, _gift_text(rest, fmt), weight))
    has_wrong = any(sign == "~" for sign, _t, _w in answers)
    has_right = any(sign == "=" for sign, _t, _w in answers)
    if not has_wrong:
        raw["type"] = "short"
        raw["answers"] = [{"text": t, "fraction": 100.0 if w is None else w}
                          for _s, t, w in answers]
        return raw
    options = []
    for sign, text_, weight in answers:
        fraction = weight if weight is not None else (100.0 if sign == "=" else 0.0)
        options.append({"text": text_, "fraction": fraction})
    if has_right:
        raw["type"] = "single"
        for opt in options:
            opt["correct"] = opt["fraction"] >= 100 - 1e-9
    else:
        raw["type"] = "multiple"
        for opt in options:
            opt["correct"] = opt["fraction"] > 0
    raw["options"] = options
    return raw


# --------------------------------------------------------------------------- XLSX

_HEADER_ALIASES = {
    "key": ("key", "kode_soal", "id", "no"),
    "type": ("type", "tipe", "jenis"),
    "topic": ("topic", "topik"),
    "stem": ("stem", "soal", "pertanyaan", "question"),
    "correct": ("correct", "kunci", "jawaban", "answer", "kunci_jawaban"),
    "explanation": ("explanation", "pembahasan", "penjelasan"),
    "legal_basis": ("legal_basis", "dasar_hukum"),
    "codes": ("codes", "kode", "kode_perilaku"),
    "difficulty": ("difficulty", "tingkat_kesulitan", "kesulitan"),
    "name": ("name", "nama", "judul"),
    "author": ("author", "penulis", "pembuat"),
}
for _letter in XLSX_LETTERS:
    _HEADER_ALIASES["option_" + _letter.lower()] = (
        "option_" + _letter.lower(), "opsi_" + _letter.lower(), "pilihan_" + _letter.lower(),
        _letter.lower())
_TYPE_ALIASES = {
    "single": "single", "pilihan_ganda": "single", "pg": "single", "multichoice": "single",
    "multiple": "multiple", "pilihan_ganda_kompleks": "multiple", "checkbox": "multiple",
    "truefalse": "truefalse", "true_false": "truefalse", "benar_salah": "truefalse", "bs": "truefalse",
    "likert": "likert", "skala": "likert", "survey": "likert", "survei": "likert",
    "short": "short", "isian": "short", "isian_singkat": "short", "shortanswer": "short",
}


def _header_key(value: Any) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(value or "").strip().lower()).strip("_")


def to_xlsx(items: Any = ()) -> bytes:
    """An XLSX workbook organisers can fill: sheet "Soal" with one row per item in the
    columns :data:`XLSX_COLUMNS` (empty but for the header when ``items`` is empty), and a
    sheet "Petunjuk" explaining each column. Up to six options (A–F); per-option fractions
    are not carried (use Moodle XML or GIFT for partial credit)."""
    from openpyxl import Workbook  # noqa: PLC0415 -- slow import
    from openpyxl.styles import Alignment, Font  # noqa: PLC0415
    from openpyxl.worksheet.datavalidation import DataValidation  # noqa: PLC0415

    canon = _prepare_export(items)
    wb = Workbook()
    ws = wb.active
    ws.title = "Soal"
    ws.append(list(XLSX_COLUMNS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for pos, item in enumerate(canon, start=1):
        options = item.get("options") or item.get("answers") or []
        if len(options) > len(XLSX_LETTERS):
            raise ValueError(_("Item {n} has more than six options; the spreadsheet has columns "
                               "A to F only.").format(n=pos))
        row = {name: item.get(name, "") for name in XLSX_COLUMNS}
        row["codes"] = ", ".join(item["codes"])
        for letter, opt in zip(XLSX_LETTERS, options):
            row["option_" + letter.lower()] = opt["text"]
        if item["type"] == "truefalse":
            row["correct"] = TRUE_LABEL if item["options"][0]["correct"] else FALSE_LABEL
        elif item["type"] in ("single", "multiple"):
            row["correct"] = ",".join(letter for letter, opt in zip(XLSX_LETTERS, options)
                                      if opt["correct"])
        else:
            row["correct"] = ""
        ws.append([row[name] for name in XLSX_COLUMNS])
    widths = {"stem": 60, "explanation": 50, "legal_basis": 40}
    for idx, name in enumerate(XLSX_COLUMNS, start=1):
        letter = ws.cell(row=1, column=idx).column_letter
        ws.column_dimensions[letter].width = widths.get(name, 22 if name.startswith("option") else 12)
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    validation = DataValidation(type="list", formula1='"' + ",".join(ITEM_TYPES) + '"',
                                allow_blank=True)
    ws.add_data_validation(validation)
    validation.add("B2:B2000")
    ws.freeze_panes = "A2"

    help_ws = wb.create_sheet("Petunjuk")
    help_ws.append([_("Column"), _("Meaning")])
    for cell in help_ws[1]:
        cell.font = Font(bold=True)
    for name, meaning in _xlsx_column_help():
        help_ws.append([name, meaning])
    help_ws.column_dimensions["A"].width = 14
    help_ws.column_dimensions["B"].width = 100
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _xlsx_column_help() -> list[tuple[str, str]]:
    return [
        ("key", _("Item code, unique in the bank (e.g. N01). Optional.")),
        ("type", _("single (one correct option), multiple (several correct options), "
                   "truefalse, likert (survey scale, no correct answer) or short (short text).")),
        ("topic", _("Topic, e.g. prinsip, media_sosial, kampanye.")),
        ("stem", _("The question text. Required.")),
        ("option_a … option_f", _("The options; for short items the accepted answers; for "
                                  "truefalse items leave them empty.")),
        ("correct", _("Letter(s) of the correct option(s), e.g. B or A,C. For truefalse write "
                      "Benar or Salah. Empty for likert and short.")),
        ("explanation", _("Explanation shown after the test.")),
        ("legal_basis", _("Legal basis, e.g. PP 94/2021 Pasal 5 huruf n.")),
        ("codes", _("Behaviour codes of the knowledge base, separated by commas.")),
        ("difficulty", _("easy, medium or hard. Optional.")),
        ("name", _("Short name of the item. Optional.")),
        ("author", _("Author of the item. Optional.")),
    ]


def from_xlsx(fileobj: Any) -> ImportResult:
    """Items from a workbook in the :func:`to_xlsx` layout (sheet "Soal", else the first;
    the header row may be any of the first ten rows; Indonesian header names such as
    ``soal``, ``kunci``, ``topik`` are accepted). Each bad row is reported with its row
    number; good rows are kept."""
    from openpyxl import load_workbook  # noqa: PLC0415 -- slow import

    data = fileobj if isinstance(fileobj, bytes) else fileobj.read()
    if len(data) > _MAX_BYTES:
        return _broken_file(_("The file is too large (more than 20 MB)."))
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 -- damaged files fail in many ways (zip, XML, KeyError)
        return _broken_file(_("The file is not a readable Excel workbook (.xlsx)."))
    try:
        ws = wb["Soal"] if "Soal" in wb.sheetnames else wb.worksheets[0]
        rows = list(ws.iter_rows(values_only=True))
    finally:
        wb.close()
    header_at, columns = None, {}
    for idx, row in enumerate(rows[:10]):
        keys = [_header_key(v) for v in row]
        found = {}
        for col, key in enumerate(keys):
            for name, aliases in _HEADER_ALIASES.items():
                if key in aliases and name not in found:
                    found[name] = col
        if "stem" in found:
            header_at, columns = idx, found
            break
    if header_at is None:
        return _broken_file(_(
            "No header row with a \"stem\" (or \"soal\") column in the first ten rows."))
    result = ImportResult()
    for idx in range(header_at + 1, len(rows)):
        row = rows[idx]
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
            continue
        row_number = idx + 1

        def cell(name, row=row):
            col = columns.get(name)
            return _clean(row[col]) if col is not None and col < len(row) else ""

        try:
            result.items.append(_finish(_xlsx_item(cell)))
        except _ItemError as exc:
            result.errors.append({"row": row_number, "name": cell("key") or None,
                                  "field": exc.field, "message": exc.message})
    return result


def _xlsx_item(cell) -> dict[str, Any]:
    raw_type = cell("type")
    kind = _TYPE_ALIASES.get(_header_key(raw_type), None) if raw_type else "single"
    if kind is None:
        raise _ItemError("type", _('Unknown item type "{type}"; use one of: {types}.').format(
            type=raw_type, types=", ".join(ITEM_TYPES)))
    raw: dict[str, Any] = {"type": kind, "stem": cell("stem"), "codes": cell("codes")}
    for name in ("key", "topic", "explanation", "legal_basis", "difficulty", "name", "author"):
        raw[name] = cell(name)
    texts = [(letter, cell("option_" + letter.lower())) for letter in XLSX_LETTERS]
    filled = [(letter, text_) for letter, text_ in texts if text_]
    # Options must be contiguous from A, so letters in "correct" mean what they say.
    last = max((i for i, (_l, t) in enumerate(texts) if t), default=-1)
    if any(not t for _l, t in texts[: last + 1]):
        raise _ItemError("options", _("Options must be filled from A onwards without gaps."))
    correct = cell("correct")
    if kind == "truefalse":
        word = correct.strip().lower()
        if word in ("benar", "b", "true", "t", "ya"):
            right = True
        elif word in ("salah", "s", "false", "f", "tidak"):
            right = False
        else:
            raise _ItemError("correct", _('For a truefalse item write "Benar" or "Salah" in '
                                          'the correct column.'))
        raw["options"] = [{"text": TRUE_LABEL, "correct": right},
                          {"text": FALSE_LABEL, "correct": not right}]
        return raw
    if kind == "short":
        raw["answers"] = [{"text": t, "fraction": 100} for _l, t in filled]
        return raw
    if kind == "likert":
        if correct:
            raise _ItemError("correct", _("A likert item has no correct answer; leave the "
                                          "correct column empty."))
        raw["options"] = [{"text": t} for _l, t in filled]
        return raw
    letters = [p for p in re.split(r"[,;\s/]+", correct.upper()) if p]
    if not letters:
        raise _ItemError("correct", _("The correct column is empty; write the letter of the "
                                      "correct option, e.g. B or A,C."))
    for letter in letters:
        if letter not in XLSX_LETTERS or not dict(texts)[letter]:
            raise _ItemError("correct", _(
                '"{value}" in the correct column is not the letter of a filled option (A–F).'
            ).format(value=letter))
    if kind == "single" and len(set(letters)) > 1:
        raise _ItemError("correct", _(
            "A single-choice item has one correct option; use type multiple for several."))
    raw["options"] = [{"text": t, "correct": letter in letters} for letter, t in filled]
    return raw
