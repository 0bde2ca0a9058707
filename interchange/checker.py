"""First pass of import_content: read every record, keep only what cross-checks need.

Each record is read and checked as it streams past, and then dropped: what stays is a
slim copy (slugs, names and the slugs it refers to), enough to find duplicates in the
file and references to nothing, so that all errors are reported at once while memory
grows with the number of records, not with the size of their text. Markdown fields meet
the limits the admin applies (``validate_markdown_length``, which renders them once), and a
string too long for any field is reported without being read (``stream.FieldTooLong``).
"""

import re
from dataclasses import dataclass, field
from functools import cache

from django.core.exceptions import ValidationError

from articles.models import Article, SitePage
from content.markup import validate_markdown_length
from drugs.models import Condition, Drug
from interchange.reader import DocumentError, parse_json
from interchange.references import reference_errors
from interchange.schema import (
    KINDS,
    VERSION,
    VERSIONS,
    Document,
    RecordError,
    duplicate_errors,
    read_record,
    record_label,
    validate_document,
)
from interchange.stream import FieldTooLong, Source, Split

MODELS = {"conditions": Condition, "drugs": Drug, "articles": Article, "pages": SitePage}
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
    version: int = VERSION  # the format version its records are read as

    def count(self, kind: str) -> int:
        return len(getattr(self.records, kind))

    @property
    def total(self) -> int:
        return sum(self.count(kind) for kind in KINDS) + (self.site is not None)


def check_document(source: Source) -> Check:
    """Every error in the document; raises DocumentError when it is not JSON at all."""
    check = Check(version=document_version(source))
    record_errors: list[RecordError] = []
    with source() as stream:
        split = Split(stream, KINDS)
        for element in split:
            if isinstance(element.value, DocumentError):
                raise element.value
            if isinstance(too_long := element.value, FieldTooLong):
                label = record_label(element.kind, element.index, too_long.slug)
                record_errors.append(RecordError(label, too_long.field, str(too_long)))
                record = {"slug": too_long.slug}  # keeps the positions of later records
                getattr(check.records, element.kind).append(slim(element.kind, record))
                continue
            record, errors = read_record(element.kind, element.value, check.version)
            errors += markdown_errors(element.kind, record)
            raw_slug = element.value.get("slug") if isinstance(element.value, dict) else None
            label = record_label(element.kind, element.index, record.get("slug") or raw_slug)
            record_errors.extend(RecordError(label, f, m) for f, m in errors)
            getattr(check.records, element.kind).append(slim(element.kind, record))
    check.order = split.order
    skeleton, top_errors = validate_document(parse_json(split.skeleton))
    top_errors = cut_out_errors(split.too_long, top_errors)
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


# What the exporter writes first: the version is known from the file's first bytes.
_HEAD = re.compile(
    rb'^(?:\xef\xbb\xbf)?\s*\{\s*"format"\s*:\s*"[^"\\]*"\s*,\s*"version"\s*:\s*(\d+)\s*[,}]'
)


def document_version(source: Source) -> int:
    """The version the records are to be read as, before they are read.

    Usually from the file's first bytes; otherwise from a scan of the whole file that
    keeps no record (the version may come after them). An unknown version reads as the
    current one: the skeleton check refuses it before any record is looked at.
    """
    with source() as stream:
        match = _HEAD.match(stream.read(4096))
    if match is None:
        with source() as stream:
            split = Split(stream, KINDS, wanted=set())
            for _ in split:
                pass
        try:
            top = parse_json(split.skeleton)
        except DocumentError:
            return VERSION
        version = top.get("version") if isinstance(top, dict) else None
    else:
        version = int(match.group(1))
    return version if type(version) is int and version in VERSIONS else VERSION


def markdown_errors(kind: str, record: dict) -> list[tuple[str, str]]:
    """The Markdown limits, checked by the same validator as the admin's forms."""
    errors = []
    for name in markdown_fields(MODELS[kind]):
        try:
            validate_markdown_length(record.get(name) or "")
        except ValidationError as error:
            errors.append((name, " ".join(error.messages)))
    return errors


@cache
def markdown_fields(model) -> list[str]:
    """A model's Markdown fields: the ones its validator is on (record keys share the names)."""
    return [
        f.name
        for f in model._meta.get_fields()
        if validate_markdown_length in getattr(f, "validators", ())
    ]


def cut_out_errors(cut: list[FieldTooLong], errors: list[RecordError]) -> list[RecordError]:
    """Over-long strings outside the record lists ("site.disclaimer"), which the stream cut
    out of the skeleton: reported instead of what their empty stand-in got."""
    reported = []
    for too_long in cut:
        record, _, field = too_long.field.partition(".")
        if record != "site" or not field:
            record, field = "document", too_long.field
        reported.append(RecordError(record, field, str(too_long)))
    replaced = {(e.record, e.field) for e in reported}
    return reported + [e for e in errors if (e.record, e.field) not in replaced]


def slim(kind: str, record: dict) -> dict:
    kept = {key: record.get(key) for key in _SLIM_KEYS[kind]}
    if published := record.get("published"):  # version 2: what the published copy names
        document = published.get("document") or {}
        kept["published"] = {
            "drug": published.get("drug"),
            "promoted_article": published.get("promoted_article"),
            "conditions": [
                use.get("condition_slug")
                for key in ("approved_uses", "off_label_uses")
                for use in document.get(key, [])
                if isinstance(use, dict)
            ],
        }
    if kind == "drugs":
        kept["indications"] = [{"condition": u["condition"]} for u in record.get("indications", [])]
        kept["off_label_uses"] = [
            {"condition": u["condition"]} for u in record.get("off_label_uses", [])
        ]
    return kept
