"""Writing one drug record: the drug row and the brands, formulations and uses under it.

Children are matched by their natural keys (a brand or formulation by name, a use by
condition, details and whether it is off-label), so an edit updates rows in place
and ids stay stable; rows the record no longer lists are deleted.
"""

from drugs.models import BrandName, Condition, Drug, Formulation, Indication

DRUG_FIELDS = ("name", "drug_class", "availability", "summary", "mechanism")


def write_drug(record: dict, row: Drug | None, conditions: dict[str, Condition]) -> Drug:
    """Create or update; row (from exporter.drugs_for_export) is None for a new drug."""
    drug = row or Drug(slug=record["slug"])
    if row is None or any(getattr(drug, name) != record[name] for name in DRUG_FIELDS):
        for name in DRUG_FIELDS:
            setattr(drug, name, record[name])
        drug.save()  # renders the mechanism and records its links
    brands = _write_brands(drug, record["brand_names"], existing=row is not None)
    formulations = _write_formulations(drug, record["formulations"], brands, row is not None)
    _write_uses(drug, record, formulations, conditions, existing=row is not None)
    return drug


def _write_brands(drug: Drug, wanted: list[str], existing: bool) -> dict[str, BrandName]:
    """Brands by their display text ("Lioresal®")."""
    marks = dict(BrandName.split_mark(text) for text in wanted)
    current = {b.name: b for b in drug.brand_names.all()} if existing else {}
    gone = [b.pk for name, b in current.items() if name not in marks]
    if gone:
        BrandName.objects.filter(pk__in=gone).delete()
    result = {}
    new = []
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


def _write_formulations(
    drug: Drug, wanted: list[dict], brands: dict[str, BrandName], existing: bool
) -> dict[str, Formulation]:
    current = {f.name: f for f in drug.formulations.all()} if existing else {}
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


def _write_uses(
    drug: Drug,
    record: dict,
    formulations: dict[str, Formulation],
    conditions: dict[str, Condition],
    existing: bool,
) -> None:
    wanted = [(use, False) for use in record["indications"]]
    wanted += [(use, True) for use in record["off_label_uses"]]
    current = {}
    if existing:
        for use in drug.indications.all():
            current[(use.condition.slug, use.details, use.off_label)] = use
    keys = {(use["condition"], use["details"], off_label) for use, off_label in wanted}
    gone = [use.pk for key, use in current.items() if key not in keys]
    if gone:
        Indication.objects.filter(pk__in=gone).delete()
    positions = {False: 0, True: 0}
    for item, off_label in wanted:
        position = positions[off_label]
        positions[off_label] += 1
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
