"""Format version 2: a row's published copy as its record's ``published`` object.

The copy's ``document`` goes out verbatim, so a round trip gives the same bytes and
the same fingerprint; only a drug's uses name their condition by slug instead of the
database's id (``condition_slug`` for ``condition_id``), which another database does not
share. The ``fingerprint`` written is ``content.publishing.fingerprint`` of the
document as written, what the importer checks.
"""

from content.publishing import fingerprint
from drugs.models import Condition
from interchange.fields import format_datetime

USES = ("approved_uses", "off_label_uses")


def published_record(kind: str, copy, condition_slugs: dict[int, str] | None = None):
    """The ``published`` object of a row's copy (None without one). Needs the copy's
    reviewer (and an article copy's drug and promoted article) loaded with it."""
    if copy is None:
        return None
    record: dict = {"slug": copy.slug}
    if kind == "articles":
        record |= {
            "drug": copy.drug.slug if copy.drug_id else None,
            "promoted_article": copy.promoted_article.slug if copy.promoted_article_id else None,
            "series_position": copy.series_position,
            "kind": copy.kind,
            "featured": copy.featured,
        }
    if kind == "pages":
        record["footer_position"] = copy.footer_position
    record["published_at"] = format_datetime(copy.published_at) if copy.published_at else None
    record["text_since"] = format_datetime(copy.text_since)
    document = portable_document(copy.document, condition_slugs or {})
    if kind == "pages":
        record["fingerprint"] = fingerprint(document)
    else:
        record["review"] = {
            "reviewer": copy.reviewer.username if copy.reviewer_id else None,
            "reviewed_by": copy.reviewed_by,
            "reviewed_on": copy.reviewed_on.isoformat() if copy.reviewed_on else None,
            "fingerprint": fingerprint(document),
        }
    record["document"] = document
    return record


def portable_document(document: dict, condition_slugs: dict[int, str]) -> dict:
    """The document with each use's condition_id replaced, in place, by its slug."""
    if not any(key in document for key in USES):
        return document
    return {
        key: [_portable_use(use, condition_slugs) for use in value] if key in USES else value
        for key, value in document.items()
    }


def local_document(document: dict, condition_ids: dict[str, int]) -> dict:
    """The other way: the document as this database stores it."""
    if not any(key in document for key in USES):
        return dict(document)
    return {
        key: [_local_use(use, condition_ids) for use in value] if key in USES else value
        for key, value in document.items()
    }


def condition_slugs_of(copies) -> dict[int, str]:
    """Slugs of the conditions these drug copies' documents name, in one query."""
    ids = {
        use["condition_id"]
        for copy in copies
        if copy is not None
        for key in USES
        for use in copy.document.get(key, [])
    }
    return dict(Condition.objects.filter(pk__in=ids).values_list("pk", "slug")) if ids else {}


def _portable_use(use: dict, slugs: dict[int, str]) -> dict:
    return {
        ("condition_slug" if key == "condition_id" else key): (
            slugs.get(value) if key == "condition_id" else value
        )
        for key, value in use.items()
    }


def _local_use(use: dict, ids: dict[str, int]) -> dict:
    return {
        ("condition_id" if key == "condition_slug" else key): (
            ids[value] if key == "condition_slug" else value
        )
        for key, value in use.items()
    }
