"""Checks that need the database: references to rows not in the file, and unique names.

A condition named by an indication, an article's drug or promoted article may be defined
in the same document or already exist. A drug or condition name is unique, so a new
slug may not take a name another row already holds.
"""

from articles.models import Article
from drugs.models import Condition, Drug
from interchange.schema import Document, RecordError, record_label


def reference_errors(document: Document) -> list[RecordError]:
    errors = []
    condition_slugs = _known_slugs(
        Condition,
        {c["slug"] for c in document.conditions},
        {
            use["condition"]
            for drug in document.drugs
            for use in drug["indications"] + drug["off_label_uses"]
            if use["condition"]
        }
        | {slug for drug in document.drugs for slug in _published(drug)["conditions"]},
    )
    for index, drug in enumerate(document.drugs):
        for key in ("indications", "off_label_uses"):
            for position, use in enumerate(drug[key]):
                if use["condition"] and use["condition"] not in condition_slugs:
                    errors.append(
                        RecordError(
                            record_label("drugs", index, drug["slug"]),
                            f"{key}[{position}].condition",
                            f'no condition "{use["condition"]}" in this file or the database',
                        )
                    )
        for slug in _published(drug)["conditions"]:
            if slug and slug not in condition_slugs:
                errors.append(
                    RecordError(
                        record_label("drugs", index, drug["slug"]),
                        "published.document",
                        f'no condition "{slug}" in this file or the database',
                    )
                )
    drug_slugs = _known_slugs(
        Drug,
        {d["slug"] for d in document.drugs},
        {a["drug"] for a in document.articles} | {_published(a)["drug"] for a in document.articles},
    )
    article_slugs = _known_slugs(
        Article,
        {a["slug"] for a in document.articles},
        {a["promoted_article"] for a in document.articles}
        | {_published(a)["promoted_article"] for a in document.articles},
    )
    for index, article in enumerate(document.articles):
        for key, known, what in (
            ("drug", drug_slugs, "drug"),
            ("promoted_article", article_slugs, "article"),
        ):
            for field, slug in (
                (key, article[key]),
                (f"published.{key}", _published(article)[key]),
            ):
                if slug and slug not in known:
                    errors.append(
                        RecordError(
                            record_label("articles", index, article["slug"]),
                            field,
                            f'no {what} "{slug}" in this file or the database',
                        )
                    )
    errors += _name_conflicts("conditions", Condition, document.conditions)
    errors += _name_conflicts("drugs", Drug, document.drugs)
    return errors


_NOTHING = {"drug": None, "promoted_article": None, "conditions": []}


def _published(record: dict) -> dict:
    """The references of a version 2 record's published copy (checker.slim keeps them)."""
    return record.get("published") or _NOTHING


def _known_slugs(model, in_file: set[str], wanted: set[str | None]) -> set[str]:
    missing = {slug for slug in wanted if slug} - in_file
    if not missing:
        return in_file
    existing = model.objects.filter(slug__in=missing).values_list("slug", flat=True)
    return in_file | set(existing)


def _name_conflicts(kind: str, model, records: list[dict]) -> list[RecordError]:
    """A name held in the database by a slug this file does not rename."""
    names = {r["name"]: (i, r) for i, r in enumerate(records) if r["name"] and r["slug"]}
    if not names:
        return []
    renamed = {r["slug"]: r["name"] for r in records}
    errors = []
    for name, slug in model.objects.filter(name__in=names).values_list("name", "slug"):
        index, record = names[name]
        if slug != record["slug"] and renamed.get(slug, name) == name:
            errors.append(
                RecordError(
                    record_label(kind, index, record["slug"]),
                    "name",
                    f'"{name}" is already the name of {kind[:-1]} "{slug}"',
                )
            )
    return errors
