"""import_openfda: FDA labels become a drug, its brands and forms, and draft articles.

Label text is never published: each section, the mechanism of action included, becomes
a **draft** article for editors to rewrite and send to review (the workflow's gate does
the rest); the drug's own "How it works" stays what editors curated. What the label says
about the drug itself fills only structured facts editors have not curated: a new drug,
missing brands and forms.

A newer version of a label already imported (same ``set_id``, later
``effective_time``) updates the drafts it wrote, section by section, except where an
editor has changed the text since: that is reported and left alone. An older version
is skipped. The whole file is one transaction; a dry run rolls it back.
"""

import hashlib
from dataclasses import dataclass, field

from django.db import DatabaseError, transaction

from articles.models import Article, Status
from drugs.models import Availability, BrandName, Drug, Formulation
from interchange.label_forms import forms_of
from interchange.label_records import OTC, Label, Section, read_labels
from interchange.models import DrugLabel, LabelSection
from interchange.reader import DocumentError
from interchange.schema import RecordError

DRAFT_LEAD = "Draft from the FDA label: rewrite for readers before it goes to medical review."
CREATED, UPDATED, UNCHANGED, SKIPPED = "created", "updated", "unchanged", "skipped"


@dataclass
class LabelReport:
    label: str
    action: str
    lines: list[str] = field(default_factory=list)


@dataclass
class LabelImportResult:
    errors: list[RecordError] = field(default_factory=list)
    reports: list[LabelReport] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if self.errors:
            return f"0 created, 0 updated, 0 unchanged, {len(self.errors)} errors: nothing written"
        counts = dict.fromkeys((CREATED, UPDATED, UNCHANGED, SKIPPED), 0)
        for report in self.reports:
            counts[report.action] += 1
        line = ", ".join(f"{n} {action}" for action, n in counts.items()) + " labels, 0 errors"
        return ("Dry run, nothing written: " + line) if self.dry_run else line


def import_openfda(data: bytes, *, dry_run: bool = False) -> LabelImportResult:
    try:
        labels, errors = read_labels(data)
    except DocumentError as error:
        return LabelImportResult([RecordError("document", "", str(error))], dry_run=dry_run)
    if errors:
        return LabelImportResult(errors, dry_run=dry_run)
    result = LabelImportResult(dry_run=dry_run)
    labels.sort(key=lambda label: label.effective_time)  # versions of one label: oldest first
    try:
        with transaction.atomic():
            result.reports = [import_label(label) for label in labels]
            if dry_run:
                transaction.set_rollback(True)
    except DatabaseError as error:
        message = f"the database refused the import, nothing was written: {error}".strip()
        return LabelImportResult([RecordError("document", "", message)], dry_run=dry_run)
    return result


def import_label(label: Label) -> LabelReport:
    stored = DrugLabel.objects.select_related("drug").filter(set_id=label.set_id).first()
    if stored and label.effective_time < stored.effective_time:
        return LabelReport(
            label.label,
            SKIPPED,
            [
                f"skipped: this version ({label.effective_time:%Y-%m-%d}) is older than the one "
                f"already imported ({stored.effective_time:%Y-%m-%d})"
            ],
        )
    report = LabelReport(label.label, UPDATED if stored else CREATED)
    drug = stored.drug if stored else _find_or_create_drug(label, report)
    if stored and label.effective_time > stored.effective_time:
        report.lines.append(
            f"newer label: {stored.effective_time:%Y-%m-%d} -> {label.effective_time:%Y-%m-%d}"
        )
    stored = stored or DrugLabel(set_id=label.set_id, drug=drug)
    changed = _sync_brands_and_forms(drug, label, report)
    stored.drug, stored.effective_time, stored.version = drug, label.effective_time, label.version
    stored.spl_id, stored.product_type = label.spl_id, label.product_type
    stored.brand_names = label.brand_names
    stored.save()
    previous = {s.field: s for s in stored.sections.select_related("article")}
    for field_name, section in label.sections.items():
        if section.kind.title:
            changed |= _sync_article(drug, stored, section, previous.get(field_name), report)
    for field_name, old in previous.items():
        if field_name not in label.sections:
            report.lines.append(f"{field_name} ({old.loinc}) is no longer on the label: kept")
    if report.action == UPDATED and not changed:
        report.action = UNCHANGED
    return report


def _find_or_create_drug(label: Label, report: LabelReport) -> Drug:
    drug = (
        Drug.objects.filter(slug=label.drug_slug).first()
        or Drug.objects.filter(name__iexact=label.drug_name).first()
    )
    if drug is not None:
        report.lines.append(f'added to drug "{drug.slug}" (editors\' fields kept)')
        return drug
    drug = Drug(
        name=label.drug_name,
        slug=label.drug_slug,
        drug_class=label.drug_class,
        availability=Availability.PRESCRIPTION,
    )
    if label.product_type == OTC:
        drug.availability = Availability.OVER_THE_COUNTER
    drug.save()
    report.lines.append(f'created drug "{drug.slug}" ({drug.get_availability_display().lower()})')
    return drug


def _key(name: str) -> str:
    """Brands and forms match ignoring case and punctuation: an editor's "Children's
    Tylenol" is the label's "CHILDRENS TYLENOL"."""
    return "".join(ch for ch in name.lower() if ch.isalnum())


def _sync_brands_and_forms(drug: Drug, label: Label, report: LabelReport) -> bool:
    brands = {_key(b.name): b for b in drug.brand_names.all()}
    added = []
    for text in label.brand_names:
        name, mark = BrandName.split_mark(text)
        if _key(name) not in brands:
            brand = BrandName(drug=drug, name=name, mark=mark)
            brand.save()
            brands[_key(name)] = brand
            added.append(str(brand))
    if added:
        report.lines.append("added brand names: " + ", ".join(added))
    label_brands = [brands[_key(BrandName.split_mark(t)[0])] for t in label.brand_names]
    forms = {_key(f.name): f for f in drug.formulations.all()}
    new_forms = []
    for form in forms_of(label.raw_forms, label.routes, panel=label.forms_from_panel):
        if _key(form.name) in forms:
            continue
        formulation = Formulation.objects.create(
            drug=drug,
            name=form.name,
            route=form.route,
            strengths=form.strengths,
            position=len(forms),
        )
        formulation.brand_names.set(label_brands)
        forms[_key(form.name)] = formulation
        new_forms.append(f"{form.name} ({form.route or 'route not given'})")
    if new_forms:
        report.lines.append("added formulations: " + ", ".join(new_forms))
    return bool(added or new_forms)


def _sync_article(
    drug: Drug, stored: DrugLabel, section: Section, old: LabelSection | None, report
) -> bool:
    name = f"{section.kind.field} ({section.kind.loinc})"
    if old and old.source_hash == section.source_hash and old.article_id:
        return False
    article = old.article if old else None
    if article is not None and article.text_hash() != old.written_hash:
        report.lines.append(f"kept editor's text for {name}")
        _save_section(stored, section, old, article=article, written_hash=old.written_hash)
        return True
    if article is None:
        article = Article(slug=_free_slug(drug, section), drug=drug, status=Status.DRAFT)
    article.title = section.kind.title.format(drug=drug.name)
    article.lead = DRAFT_LEAD
    article.body = section.text
    if article.status == Status.IN_REVIEW:
        article.status = Status.DRAFT  # new text: the review it waited for is of other text
    article.save()  # a published article keeps its readers' copy: save() marks it draft
    report.lines.append(f"{'changed' if old else 'added draft'}: {name} -> {article.slug}")
    _save_section(stored, section, old, article=article, written_hash=article.text_hash())
    return True


def _save_section(stored, section: Section, old, *, article, written_hash: str) -> None:
    row = old or LabelSection(label=stored, field=section.kind.field)
    row.loinc = section.kind.loinc
    row.article = article
    row.source_hash = section.source_hash
    row.written_hash = written_hash
    row.text = section.text
    row.save()


def _free_slug(drug: Drug, section: Section) -> str:
    base = f"{drug.slug}-{section.kind.field.replace('_', '-')}"[:190]
    slug, n = base, 1
    while Article.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
