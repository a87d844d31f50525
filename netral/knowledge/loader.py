"""Load the shipped content (``content/*.json``) into the database.

Used by the data migration (with historical models), by ``netral load_knowledge`` and by
``netral demo``. Creates what is missing and refreshes shipped rows; a row an editor
changed in the product (``edited``) is left alone."""

import json
from pathlib import Path

CONTENT_DIR = Path(__file__).resolve().parent / "content"


def read(name: str) -> list[dict]:
    path = CONTENT_DIR / name
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else []


def behaviours() -> list[dict]:
    rows = []
    for path in sorted(CONTENT_DIR.glob("behaviours_*.json")):
        rows.extend(json.loads(path.read_text(encoding="utf-8")))
    facets = {row["code"]: row for row in read("facets.json")}
    for row in rows:
        row["facets"] = {k: v for k, v in facets.get(row["code"], {}).items() if k != "code"}
    return sorted(rows, key=lambda r: r["code"])


def _upsert(model, lookup: dict, values: dict):
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        return model.objects.create(**lookup, **values), True
    if not obj.edited:
        for key, value in values.items():
            setattr(obj, key, value)
        obj.save()
    return obj, False


def load_content(apps=None) -> dict:
    """Returns counts per model. ``apps`` is the migration registry (or None for live models)."""
    if apps is None:
        from django.apps import apps as live_apps  # noqa: PLC0415 -- leaf

        apps = live_apps
    get = lambda name: apps.get_model("knowledge", name)  # noqa: E731
    Regulation, Article, Sanction = get("Regulation"), get("Article"), get("Sanction")
    Behaviour, Page, FAQ, Synonym = get("Behaviour"), get("Page"), get("FAQ"), get("Synonym")
    counts = {}

    for order, row in enumerate(read("regulations.json")):
        regulation, _ = _upsert(Regulation, {"code": row["code"]}, {
            "kind": row.get("kind", ""), "short": row["short"], "title": row.get("title", row["short"]),
            "year": row.get("year"), "summary": row.get("summary", ""), "summary_en": row.get("summary_en", ""),
            "status": row.get("status", ""), "status_note": row.get("status_note", ""),
            "sources": row.get("sources", []), "order": order})
        for a_order, art in enumerate(row.get("articles", [])):
            _upsert(Article, {"regulation": regulation, "ref": art["ref"]}, {
                "text": art["text"], "text_en": art.get("text_en", ""), "verified": art.get("verified", True),
                "note": art.get("note", ""), "order": a_order})
    counts["regulations"] = Regulation.objects.count()

    for row in read("sanctions.json"):
        _upsert(Sanction, {"code": row["code"]}, {
            "name": row["name"], "name_en": row.get("name_en", ""), "severity": row.get("severity", 0),
            "summary": row.get("summary", ""), "summary_en": row.get("summary_en", ""),
            "legal_basis_text": row.get("legal_basis_text", "")})
    counts["sanctions"] = Sanction.objects.count()

    sanctions = {s.code: s for s in Sanction.objects.all()}
    for row in behaviours():
        behaviour, created = _upsert(Behaviour, {"code": row["code"]}, {
            key: row.get(key, default) for key, default in (
                ("title", ""), ("title_en", ""), ("verdict", "prohibited"), ("contested", False),
                ("contested_note", ""), ("topic", "prinsip"), ("summary", ""), ("summary_en", ""),
                ("conditions", []), ("sanction_text", ""), ("legal_basis", []), ("legal_basis_text", ""),
                ("unverified", []), ("examples", []), ("counter_examples", []), ("phrasings", []),
                ("facets", {}))})
        if created or not behaviour.edited:
            behaviour.sanctions.set([sanctions[c] for c in row.get("sanctions", []) if c in sanctions])
    counts["behaviours"] = Behaviour.objects.count()

    for row in read("pages.json"):
        _upsert(Page, {"slug": row["slug"]}, {
            "title": row["title"], "title_en": row.get("title_en", ""), "body": row["body"],
            "body_en": row.get("body_en", ""), "order": row.get("order", 0)})
    counts["pages"] = Page.objects.count()

    for order, row in enumerate(read("faq.json")):
        _upsert(FAQ, {"question": row["question"], "source": "shipped"}, {
            "answer": row["answer"], "answer_en": row.get("answer_en", ""), "codes": row.get("codes", []),
            "order": row.get("order", order)})
    counts["faq"] = FAQ.objects.count()

    for row in read("synonyms.json"):
        _upsert(Synonym, {"term": row["term"].strip().lower()}, {"expansion": row["expansion"].strip().lower()})
    counts["synonyms"] = Synonym.objects.count()
    return counts
