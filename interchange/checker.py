"""First pass of import_content: read every record, keep only what cross-checks need.

Each record is read and checked as it streams past, and then dropped: what stays is a
slim copy (slugs, names and the slugs it refers to), enough to find duplicates in the
file and references to nothing, so that all errors are reported at once while memory
grows with the number of records, not with the size of their text.
"""

from dataclasses import dataclass, field

from interchange.reader import DocumentError, parse_json
from interchange.references import reference_errors
from interchange.schema import (
    KINDS,
    Document,
    RecordError,
    duplicate_errors,
    read_record,
    record_label,
    validate_document,
)
from interchange.stream import Source, Split

_SLIM_KEYS = {
    "conditions": ("slug", "name"),
    "drugs": ("slug", "name"),
    "articles": ("slug", "drug", "promoted_article"),
    "pages": ("slug",),
}


@dataclass
class Check:
    site: dict | None = None
    records: Document = field(default_factory=Document)  # slim copies, in file order
    order: list[str] = field(default_factory=list)  # the record lists in file order
    errors: list[RecordError] = field(default_factory=list)

    def count(self, kind: str) -> int:
        return len(getattr(self.records, kind))

    @property
    def total(self) -> int:
        return sum(self.count(kind) for kind in KINDS) + (self.site is not None)


def check_document(source: Source) -> Check:
    """Every error in the document; raises DocumentError when it is not JSON at all."""
    check = Check()
    record_errors: list[RecordError] = []
    with source() as stream:
        split = Split(stream, KINDS)
        for element in split:
            if isinstance(element.value, DocumentError):
                raise element.value
            record, errors = read_record(element.kind, element.value)
            raw_slug = element.value.get("slug") if isinstance(element.value, dict) else None
            label = record_label(element.kind, element.index, record.get("slug") or raw_slug)
            record_errors.extend(RecordError(label, f, m) for f, m in errors)
            getattr(check.records, element.kind).append(slim(element.kind, record))
    check.order = split.order
    skeleton, top_errors = validate_document(parse_json(split.skeleton))
    if any(e.record == "document" and e.field in ("format", "version") for e in top_errors):
        check.errors = top_errors  # another format or version: its records mean other things
        return check
    if skeleton.site is not None:
        check.site = skeleton.site
    for kind in KINDS:  # a list the scanner could not stream: a top-level value in the skeleton
        getattr(check.records, kind).extend(slim(kind, r) for r in getattr(skeleton, kind))
    site_errors = [e for e in top_errors if e.record == "site"]
    other_errors = [e for e in top_errors if e.record != "site"]
    check.errors = site_errors + record_errors + other_errors
    check.errors += duplicate_errors(check.records)
    if not check.errors:
        check.errors = reference_errors(check.records)
    return check


def slim(kind: str, record: dict) -> dict:
    kept = {key: record.get(key) for key in _SLIM_KEYS[kind]}
    if kind == "drugs":
        kept["indications"] = [{"condition": u["condition"]} for u in record.get("indications", [])]
        kept["off_label_uses"] = [
            {"condition": u["condition"]} for u in record.get("off_label_uses", [])
        ]
    return kept
