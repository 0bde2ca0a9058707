"""import_content: validate a whole document, then write it all or nothing.

Three steps. Read: strict JSON, every record checked against format version 1 and
the database, all errors collected. Plan: each record is compared with the export
of the row that has its slug (created, updated or unchanged), without writing.
Write: in one transaction, only what the plan says changed, through the models'
own save() so that Markdown is rendered, sanitised and its links recorded exactly as
in the admin. A second import of the same file therefore writes nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import DatabaseError, transaction

from articles.models import SitePage, SiteSettings
from drugs.models import Condition
from interchange import exporter
from interchange.reader import DocumentError, parse_json
from interchange.references import reference_errors
from interchange.schema import KINDS, Document, RecordError, record_label, validate_document
from interchange.writer import PublicationRefused, write_changes

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
    rerendered: int = 0  # other rows saved again because a link target changed

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
        if self.rerendered:
            line += f"; {self.rerendered} linking rows re-rendered"
        return ("Dry run, nothing written: " + line) if self.dry_run else line


@dataclass
class Step:
    action: str
    record: dict
    row: object = None  # the existing model instance, None when created


@dataclass
class Plan:
    site: Step | None = None
    steps: dict[str, list[Step]] = field(default_factory=dict)

    def counts(self) -> dict[str, Counts]:
        counts = {}
        if self.site is not None:
            counts["site"] = Counts()
            counts["site"].add(self.site.action)
        for kind, steps in self.steps.items():
            counts[kind] = Counts()
            for step in steps:
                counts[kind].add(step.action)
        return counts

    def changes(self) -> list[tuple[str, Step]]:
        return [
            (kind, step)
            for kind, steps in self.steps.items()
            for step in steps
            if step.action != UNCHANGED
        ]


def import_content(
    data: bytes, *, dry_run: bool = False, progress: Progress | None = None
) -> ImportResult:
    """Read, check and (unless dry_run) write one document; errors mean nothing written."""
    try:
        parsed = parse_json(data)
    except DocumentError as error:
        return ImportResult(errors=[RecordError("document", "", str(error))], dry_run=dry_run)
    document, errors = validate_document(parsed)
    if not errors:
        errors = reference_errors(document)
    if errors:
        return ImportResult(errors=errors, dry_run=dry_run)
    plan = make_plan(document)
    result = ImportResult(counts=plan.counts(), dry_run=dry_run)
    if dry_run or not (plan.changes() or _site_changes(plan)):
        return result
    try:
        with transaction.atomic():
            result.rerendered = write(plan, progress)
    except DatabaseError as error:  # a concurrent edit, or a rule only the database knows
        message = f"the database refused the import, nothing was written: {error}".strip()
        return ImportResult(errors=[RecordError("document", "", message)], dry_run=dry_run)
    except PublicationRefused as refused:
        index = next(i for i, r in enumerate(document.articles) if r["slug"] == refused.slug)
        label = record_label("articles", index, refused.slug)
        return ImportResult(errors=[RecordError(label, "status", str(refused))], dry_run=dry_run)
    return result


def make_plan(document: Document) -> Plan:
    plan = Plan()
    if document.site is not None:
        row = SiteSettings.objects.filter(pk=1).first()
        plan.site = _step(document.site, row, exporter.site_record)
    queries = {
        "conditions": (Condition.objects.all(), exporter.condition_record),
        "drugs": (exporter.drugs_for_export(), exporter.drug_record),
        "articles": (exporter.articles_for_export(), exporter.article_record),
        "pages": (SitePage.objects.all(), exporter.page_record),
    }
    for kind in KINDS:
        records = getattr(document, kind)
        if not records:
            continue
        queryset, to_record = queries[kind]
        rows = {row.slug: row for row in queryset.filter(slug__in=[r["slug"] for r in records])}
        plan.steps[kind] = [_step(r, rows.get(r["slug"]), to_record) for r in records]
    return plan


def _step(record: dict, row, to_record) -> Step:
    if row is None:
        return Step(CREATED, record)
    return Step(UNCHANGED if to_record(row) == record else UPDATED, record, row)


def _site_changes(plan: Plan) -> bool:
    return plan.site is not None and plan.site.action != UNCHANGED


def write(plan: Plan, progress: Progress | None) -> int:
    changes = plan.changes()
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done, len(changes))

    steps_by_kind = {kind: [step for k, step in changes if k == kind] for kind in KINDS}
    site = plan.site if _site_changes(plan) else None
    return write_changes(site, steps_by_kind, tick)
