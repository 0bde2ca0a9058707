"""Writing drug records: the drug rows and the brands, formulations and uses under them.

New drugs get their children in a few bulk inserts for the whole import. An existing
drug's children are matched by their natural keys (a brand or formulation by name, a
use by condition, details and whether it is off-label), so an edit updates rows in
place and ids stay stable; children the record no longer lists are deleted.
"""

from django.utils import timezone

from content.models import OldSlug
from drugs.models import BrandName, Condition, Drug, Formulation, Indication

DRUG_FIELDS = ["name", "drug_class", "availability", "summary", "mechanism"]
BATCH = 1000


def stage_drugs(steps: list, conditions: dict[str, Condition]) -> list[Drug]:
    """Write drug rows and children, without rendering; return the drugs to render.

    Each step has .record and .row (from exporter.drugs_for_export, None when new).
    """
    new, changed, existing = [], [], []
    for step in steps:
        drug = step.row or Drug(slug=step.record["slug"])
        if step.row is None or any(getattr(drug, f) != step.record[f] for f in DRUG_FIELDS):
            for name in DRUG_FIELDS:
                setattr(drug, name, step.record[name])
            (new if step.row is None else changed).append(drug)
        if step.row is not None:
            existing.append((drug, step.record))
    Drug.objects.bulk_create(new, batch_size=BATCH)
    OldSlug.objects.filter(kind="drug", slug__in=[drug.slug for drug in new]).delete()
    for drug in changed:
        drug.updated_at = timezone.now()
    Drug.objects.bulk_update(changed, [*DRUG_FIELDS, "updated_at"], batch_size=BATCH)
    records = {step.record["slug"]: step.record for step in steps}
    _create_children([(drug, records[drug.slug]) for drug in new], conditions)
    for drug, record in existing:
        brands = _sync_brands(drug, record["brand_names"])
        formulations = _sync_formulations(drug, record["formulations"], brands)
        _sync_uses(drug, record, formulations, conditions)
    return new + changed


def _uses(record: dict) -> list[tuple[dict, bool, int]]:
    """(use, off_label, position): approved and off-label uses each counted from 0."""
    approved = [(use, False, n) for n, use in enumerate(record["indications"])]
    return approved + [(use, True, n) for n, use in enumerate(record["off_label_uses"])]


def _create_children(drugs: list[tuple[Drug, dict]], conditions: dict[str, Condition]) -> None:
    brands, formulations, uses = {}, {}, {}
    for drug, record in drugs:
        for text in record["brand_names"]:
            name, mark = BrandName.split_mark(text)
            brands[drug.pk, text] = BrandName(drug=drug, name=name, mark=mark)
        for position, item in enumerate(record["formulations"]):
            formulations[drug.pk, item["name"]] = Formulation(
                drug=drug,
                name=item["name"],
                route=item["route"],
                strengths=item["strengths"],
                position=position,
            )
        for use, off_label, position in _uses(record):
            uses[drug.pk, use["condition"], use["details"], off_label] = Indication(
                drug=drug,
                condition=conditions[use["condition"]],
                details=use["details"],
                off_label=off_label,
                position=position,
            )
    BrandName.objects.bulk_create(brands.values(), batch_size=BATCH)
    Formulation.objects.bulk_create(formulations.values(), batch_size=BATCH)
    Indication.objects.bulk_create(uses.values(), batch_size=BATCH)
    carried_by, approved_in = [], []
    for drug, record in drugs:
        for item in record["formulations"]:
            formulation = formulations[drug.pk, item["name"]]
            carried_by += [
                Formulation.brand_names.through(
                    formulation=formulation, brandname=brands[drug.pk, text]
                )
                for text in item["brand_names"]
            ]
        for use in record["indications"]:
            indication = uses[drug.pk, use["condition"], use["details"], False]
            approved_in += [
                Indication.formulations.through(
                    indication=indication, formulation=formulations[drug.pk, name]
                )
                for name in use["formulations"]
            ]
    Formulation.brand_names.through.objects.bulk_create(carried_by, batch_size=BATCH)
    Indication.formulations.through.objects.bulk_create(approved_in, batch_size=BATCH)


def _sync_brands(drug: Drug, wanted: list[str]) -> dict[str, BrandName]:
    """Brands by their display text ("Lioresal®")."""
    marks = dict(BrandName.split_mark(text) for text in wanted)
    current = {b.name: b for b in drug.brand_names.all()}
    gone = [b.pk for name, b in current.items() if name not in marks]
    if gone:
        BrandName.objects.filter(pk__in=gone).delete()
    result, new = {}, []
    for name, mark in marks.items():
        brand = current.get(name)
        if brand is None:
            brand = BrandName(drug=drug, name=name, mark=mark)
            new.append(brand)
        elif brand.mark != mark:
            brand.mark = mark
            brand.save(update_fields=["mark"])
        result[name + mark] = brand
    BrandName.objects.bulk_create(new)
    return result


def _sync_formulations(
    drug: Drug, wanted: list[dict], brands: dict[str, BrandName]
) -> dict[str, Formulation]:
    current = {f.name: f for f in drug.formulations.all()}
    names = {w["name"] for w in wanted}
    gone = [f.pk for name, f in current.items() if name not in names]
    if gone:
        Formulation.objects.filter(pk__in=gone).delete()
    result = {}
    for position, item in enumerate(wanted):
        formulation = current.get(item["name"])
        values = {"route": item["route"], "strengths": item["strengths"], "position": position}
        if formulation is None:
            formulation = Formulation.objects.create(drug=drug, name=item["name"], **values)
            old_brands = set()
        else:
            if any(getattr(formulation, key) != value for key, value in values.items()):
                for key, value in values.items():
                    setattr(formulation, key, value)
                formulation.save(update_fields=list(values))
            old_brands = {str(b) for b in formulation.brand_names.all()}
        if old_brands != set(item["brand_names"]):
            formulation.brand_names.set([brands[text] for text in item["brand_names"]])
        result[formulation.name] = formulation
    return result


def _sync_uses(
    drug: Drug, record: dict, formulations: dict[str, Formulation], conditions: dict
) -> None:
    current = {(u.condition.slug, u.details, u.off_label): u for u in drug.indications.all()}
    wanted = _uses(record)
    keys = {(use["condition"], use["details"], off_label) for use, off_label, _ in wanted}
    gone = [use.pk for key, use in current.items() if key not in keys]
    if gone:
        Indication.objects.filter(pk__in=gone).delete()
    for item, off_label, position in wanted:
        use = current.get((item["condition"], item["details"], off_label))
        if use is None:
            use = Indication.objects.create(
                drug=drug,
                condition=conditions[item["condition"]],
                details=item["details"],
                off_label=off_label,
                position=position,
            )
            old_forms = set()
        else:
            if use.position != position:
                use.position = position
                use.save(update_fields=["position"])
            old_forms = {f.name for f in use.formulations.all()}
        new_forms = set(item.get("formulations", []))
        if old_forms != new_forms:
            use.formulations.set([formulations[name] for name in new_forms])
