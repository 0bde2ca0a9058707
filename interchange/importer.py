"""import_content: check a whole document, then write it all or nothing, in bounded memory.

Two streaming passes over the file (``interchange.stream``). Check: every record read
against its format version (1 or 2) and the database, all errors collected, only slugs and
references kept (``interchange.checker``). Write: the file is read again a batch of
records at a time; each batch is compared with the export of the rows that have its
slugs (created, updated or unchanged) and only what changed is written, in bulk, all
inside one transaction, so an error or a killed process leaves nothing behind. A
second import of the same file therefore writes nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from django.db import DatabaseError, transaction

from articles.models import SiteSettings
from interchange import exporter
from interchange.checker import Check, check_document
from interchange.drug_writer import BATCH
from interchange.published_export import condition_slugs_of
from interchange.reader import DocumentError
from interchange.schema import KINDS, RecordError, read_record, record_label
from interchange.stream import Source, Split, source_of
from interchange.writer import BatchWriter, PublicationRefused, write_site

Progress = Callable[[int, int], None]  # (records done, records in total)
CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, action: str) -> None:
        setattr(self, action, getattr(self, action) + 1)

    def __str__(self) -> str:
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


@dataclass
class ImportResult:
    errors: list[RecordError] = field(default_factory=list)
    counts: dict[str, Counts] = field(default_factory=dict)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def total(self) -> Counts:
        total = Counts()
        for counts in self.counts.values():
            total.created += counts.created
            total.updated += counts.updated
            total.unchanged += counts.unchanged
        return total

    def summary(self) -> str:
        """The one line every command prints: totals, then each kind."""
        if self.errors:
            return f"0 created, 0 updated, 0 unchanged, {len(self.errors)} errors: nothing written"
        kinds = "; ".join(f"{kind} {counts}" for kind, counts in self.counts.items())
        line = f"{self.total}, 0 errors ({kinds})"
        return ("Dry run, nothing written: " + line) if self.dry_run else line


@dataclass
class Step:
    action: str
    record: dict
    row: object = None  # the existing model instance, None when created
    index: int = 0  # of the record in its list in the file


def import_content(
    data: bytes | str | Path, *, dry_run: bool = False, progress: Progress | None = None
) -> ImportResult:
    """Read, check and (unless dry_run) write one document; errors mean nothing written.

    data: the document's bytes, or the path of a file (read twice, never whole).
    """
    source = source_of(data)
    try:
        check = check_document(source)
    except DocumentError as error:
        return ImportResult(errors=[RecordError("document", "", str(error))], dry_run=dry_run)
    if check.errors:
        return ImportResult(errors=check.errors, dry_run=dry_run)
    result = ImportResult(dry_run=dry_run)
    try:
        with transaction.atomic():
            write_document(source, check, result, progress)
    except DatabaseError as error:  # a concurrent edit, or a rule only the database knows
        message = f"the database refused the import, nothing was written: {error}".strip()
        return ImportResult(errors=[RecordError("document", "", message)], dry_run=dry_run)
    except PublicationRefused as refused:
        label = record_label("articles", refused.index, refused.slug)
        return ImportResult(errors=[RecordError(label, "status", str(refused))], dry_run=dry_run)
    return result


def write_document(source: Source, check: Check, result: ImportResult, progress) -> None:
    """The second pass: plan and write batch by batch."""
    writer = None if result.dry_run else BatchWriter(check.version)
    done = 0
    if check.site is not None:
        row = SiteSettings.objects.filter(pk=1).first()
        step = _step(check.site, row, exporter.site_record)
        result.counts["site"] = Counts()
        result.counts["site"].add(step.action)
        if writer and step.action != UNCHANGED:
            write_site(step.record, row)
    for kind in KINDS:
        if check.count(kind):
            result.counts[kind] = Counts()
    for kind, steps in planned_batches(source, check.order, check.version):
        for step in steps:
            result.counts[kind].add(step.action)
        changed = [step for step in steps if step.action != UNCHANGED]
        if writer and changed:
            writer.write(kind, changed)
        done += len(steps)
        if progress:
            progress(done, check.total - (check.site is not None))
    if writer and result.total.created + result.total.updated:
        writer.finish()


def planned_batches(source: Source, order: list[str], version: int):
    """(kind, steps) for each batch of records, kinds in the order they are written."""
    passes = [KINDS] if order == sorted(order, key=KINDS.index) else [(k,) for k in KINDS]
    for kinds in passes:
        with source() as stream:
            batch, kind = [], None
            for element in Split(stream, KINDS, wanted=set(kinds)):
                if batch and (element.kind != kind or len(batch) >= BATCH):
                    yield kind, plan_batch(kind, batch, version)
                    batch = []
                kind = element.kind
                record, _ = read_record(kind, element.value, version)  # checked already
                batch.append((element.index, record))
            if batch:
                yield kind, plan_batch(kind, batch, version)


def plan_batch(kind: str, records: list[tuple[int, dict]], version: int) -> list[Step]:
    queryset, to_record = {
        "conditions": (exporter.conditions_for_export(), exporter.condition_record),
        "drugs": (exporter.drugs_for_export(), exporter.drug_record),
        "articles": (exporter.articles_for_export(), exporter.article_record),
        "pages": (exporter.pages_for_export(), exporter.page_record),
    }[kind]
    if version == 2:
        to_record = {
            "conditions": exporter.condition_record_v2,
            "drugs": None,  # below: its copies' conditions are looked up for the batch
            "articles": exporter.article_record_v2,
            "pages": exporter.page_record_v2,
        }[kind]
        if kind == "articles":
            queryset = exporter.articles_for_export_v2()
    rows = {row.slug: row for row in queryset.filter(slug__in=[r["slug"] for _, r in records])}
    if kind == "drugs" and version == 2:
        slugs = condition_slugs_of(getattr(row, "published", None) for row in rows.values())
        to_record = partial(exporter.drug_record_v2, condition_slugs=slugs)
    return [_step(r, rows.get(r["slug"]), to_record, i) for i, r in records]


def _step(record: dict, row, to_record, index: int = 0) -> Step:
    if row is None:
        return Step(CREATED, record, index=index)
    exported = to_record(row)
    if "published" in record and record["published"] is None:
        exported["published"] = None  # a file without a published copy leaves readers' alone
    return Step(UNCHANGED if exported == record else UPDATED, record, row, index)
