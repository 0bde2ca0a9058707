"""Format version 2: the ``published`` object of a record, the copy readers see.

A record's top level is its working copy; ``published`` is the published copy with its
review, carried as the copy's ``document`` verbatim (the text the reviewer vouched for,
in the reviewer's words: names, not ids) so that a round trip gives the same bytes. Its
``fingerprint`` is ``content.publishing.fingerprint`` of that document, the admin's own
recipe: an import refuses a copy whose fingerprint does not match its text, so nobody
can change what readers see by editing a file. The text itself is kept exactly as
written (no normalising): any change would be a text nobody reviewed.
"""

import re

from content.markup import MAX_MARKDOWN_CHARS
from content.publishing import fingerprint
from interchange.fields import MISSING, Fields, clean_string, json_type
from interchange.reader import Rejected

MISMATCH = "does not match the published text"
_HEX = re.compile(r"^[0-9a-f]{64}$")
_USERNAME = re.compile(r"^[\w.@+-]{1,150}$")

# The document of each kind: the keys review_document() writes, all required. A str is
# a text (with its length limit, None for Markdown), a list one element's shape.
_BRAND = {"name": 120, "mark": 1}
DOCUMENTS = {
    "conditions": {"name": 160, "summary": None},
    "drugs": {
        "name": 120,
        "drug_class": 160,
        "availability": 40,
        "summary": None,
        "brands": [_BRAND],
        "formulations": [
            {"name": 120, "route": 60, "strengths": [60], "brands": [_BRAND]},
        ],
        # condition_slug stands in for the database's condition_id (see published_export).
        "approved_uses": [
            {"condition": 160, "condition_slug": 160, "details": 300, "formulations": [120]}
        ],
        "off_label_uses": [{"condition": 160, "condition_slug": 160, "details": 300}],
        "mechanism": None,
    },
    "articles": {
        "title": 200,
        "lead": None,
        "body": None,
        "primary_drug": 120,
        "promoted_article": 200,
    },
    "pages": {"title": 120, "body": None},
}
SLUG_LENGTHS = {"conditions": 160, "drugs": 120, "articles": 200, "pages": 60}


def read_published(f: Fields, kind: str) -> dict | None:
    """The record's published copy, or None (no ``published`` key, or null)."""
    raw = f.get("published", required=False)
    if raw is MISSING or raw is None:
        return None
    errors: list[str] = []

    def report(field: str, message: str) -> None:
        errors.append(field)
        f.report(field, message)

    sub = Fields(raw, report, f"{f.path}published.")
    if not sub.valid:
        return None
    record: dict = {"slug": _required_slug(sub, SLUG_LENGTHS[kind])}
    if kind == "articles":
        record |= {
            "drug": sub.reference("drug", max_length=SLUG_LENGTHS["drugs"]),
            "promoted_article": sub.reference(
                "promoted_article", max_length=SLUG_LENGTHS["articles"]
            ),
            "series_position": sub.integer("series_position", minimum=0, maximum=32767),
            "kind": sub.string("kind", max_length=20),
            "featured": sub.boolean("featured"),
        }
    if kind == "pages":
        record["footer_position"] = sub.integer("footer_position", minimum=0, maximum=32767)
    record["published_at"] = sub.datetime("published_at")
    record["text_since"] = sub.datetime("text_since")
    if sub.raw.get("text_since") is None:
        sub.error("text_since", "is required")
    if kind == "pages":  # no medical review: a Publisher's step
        record["fingerprint"] = _fingerprint(sub, "fingerprint")
        where = f"{sub.path}fingerprint"
    else:
        record["review"] = read_review(sub)
        where = f"{sub.path}review.fingerprint"
    record["document"] = read_document(sub, kind)
    sub.finish()
    stated = (record.get("review") or record)["fingerprint"]
    if not errors and fingerprint(record["document"]) != stated:
        report(where, MISMATCH)  # the same recipe the admin fingerprints a review with
    return record


def read_review(f: Fields) -> dict:
    """Who vouched for the published text, when, and its fingerprint."""
    raw = f.get("review", required=True)
    sub = Fields(raw, f.report, f"{f.path}review.")
    reviewer = sub.get("reviewer", required=True)
    if reviewer is not None and reviewer is not MISSING:
        reviewer = sub.string("reviewer", max_length=150)
        if reviewer and not _USERNAME.match(reviewer):
            sub.error("reviewer", f"{reviewer[:40]!r} is not a username")
    review = {
        "reviewer": reviewer or None,
        "reviewed_by": sub.string("reviewed_by", max_length=160, required=True),
        "reviewed_on": sub.date("reviewed_on"),
        "fingerprint": _fingerprint(sub, "fingerprint"),
    }
    if sub.valid and sub.raw.get("reviewed_on") is None:
        sub.error("reviewed_on", "is required: a published copy needs its review")
    sub.finish()
    return review


def read_document(f: Fields, kind: str) -> dict:
    raw = f.get("document", required=True)
    if raw is MISSING:
        return {}
    _check_shape(raw, DOCUMENTS[kind], f, "document")
    return raw


def _check_shape(value: object, shape, f: Fields, path: str) -> None:
    """Report where value differs from shape; the value itself is kept as it is."""
    if isinstance(shape, dict):
        if not isinstance(value, dict):
            f.error(path, f"expected an object, got {json_type(value)}")
            return
        for key in value:
            if key not in shape:
                f.error(f"{path}.{key}", "is not a known key")
        for key in getattr(value, "duplicate_keys", ()):
            f.error(f"{path}.{key}", "is given more than once")
        for key, inner in shape.items():
            if key not in value:
                f.error(f"{path}.{key}", "is required")
            else:
                _check_shape(value[key], inner, f, f"{path}.{key}")
    elif isinstance(shape, list):
        if not isinstance(value, list):
            f.error(path, f"expected a list, got {json_type(value)}")
            return
        for index, item in enumerate(value):
            _check_shape(item, shape[0], f, f"{path}[{index}]")
    else:
        _, message = clean_string(value, shape or MAX_MARKDOWN_CHARS)
        if message:
            f.error(path, message)


def _fingerprint(f: Fields, key: str) -> str:
    value = f.get(key, required=True)
    if value is MISSING:
        return ""
    if isinstance(value, Rejected) or not isinstance(value, str) or not _HEX.match(value):
        f.error(key, "expected 64 lowercase hexadecimal digits (a SHA-256)")
        return ""
    return value


def _required_slug(f: Fields, max_length: int) -> str:
    slug = f.slug("slug", max_length=max_length)
    if not f.raw.get("slug"):
        f.error("slug", "is required")
    return slug
