"""Drug data: the invariants PostgreSQL itself keeps, and the model behaviour around them."""

import pytest
from django.db import IntegrityError, transaction

from drugs.models import BrandName, Drug, Indication
from tests.factories import (
    BrandNameFactory,
    ConditionFactory,
    DrugFactory,
    FormulationFactory,
    IndicationFactory,
)

pytestmark = pytest.mark.django_db


def refused(create) -> bool:
    try:
        with transaction.atomic():
            create()
    except IntegrityError:
        return True
    return False


@pytest.mark.parametrize("field", ["slug", "name"])
def test_drug_slug_and_name_are_unique(field):
    DrugFactory(name="Baclofen", slug="baclofen")
    other = {"name": "Other", "slug": "other", field: "Baclofen" if field == "name" else "baclofen"}
    assert refused(lambda: DrugFactory(**other))


def test_condition_slug_is_unique():
    ConditionFactory(slug="spasticity")
    assert refused(lambda: ConditionFactory(slug="spasticity"))


def test_a_brand_name_has_one_mark_from_the_allowed_set():
    drug = DrugFactory()
    assert refused(lambda: BrandName.objects.create(drug=drug, name="Lioresal", mark="©"))
    assert refused(lambda: BrandName.objects.create(drug=drug, name="Lioresal®", mark="®"))
    assert refused(lambda: BrandName.objects.create(drug=drug, name="Lio™resal", mark=""))


def test_a_brand_name_is_unique_per_drug():
    brand = BrandNameFactory(name="Lioresal")
    assert refused(lambda: BrandNameFactory(drug=brand.drug, name="Lioresal"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Lioresal®", ("Lioresal", "®")),
        ("Gablofen ™", ("Gablofen", "™")),
        ("Tylenol", ("Tylenol", "")),
        ("  Advil® ", ("Advil", "®")),
    ],
)
def test_a_trailing_mark_is_split_from_the_name(text, expected):
    assert BrandName.split_mark(text) == expected


def test_brand_shows_with_its_mark():
    assert str(BrandNameFactory(name="Lioresal", mark="®")) == "Lioresal®"


def test_an_indication_cannot_name_a_formulation_of_another_drug():
    use = IndicationFactory()
    foreign = FormulationFactory()  # another drug's
    assert refused(lambda: use.formulations.add(foreign))
    own = FormulationFactory(drug=use.drug)
    use.formulations.add(own)
    assert list(use.formulations.all()) == [own]


def test_a_formulation_cannot_carry_a_brand_of_another_drug():
    formulation = FormulationFactory()
    assert refused(lambda: formulation.brand_names.add(BrandNameFactory()))


def test_approved_and_off_label_uses_are_queried_separately():
    drug = DrugFactory()
    approved = IndicationFactory(drug=drug, off_label=False)
    off_label = IndicationFactory(drug=drug, off_label=True)
    assert list(drug.indications.approved()) == [approved]
    assert list(drug.indications.off_label()) == [off_label]
    assert Indication.objects.off_label().count() == 1


def test_the_same_use_is_not_recorded_twice():
    use = IndicationFactory(details="due to MS")
    assert refused(
        lambda: IndicationFactory(drug=use.drug, condition=use.condition, details="due to MS")
    )


def test_brand_names_follow_the_drug_into_search_text():
    drug = DrugFactory()
    brand = BrandNameFactory(drug=drug, name="Lioresal")
    BrandNameFactory(drug=drug, name="Gablofen")
    assert Drug.objects.get(pk=drug.pk).brand_names_text == "Gablofen Lioresal"
    brand.delete()
    assert Drug.objects.get(pk=drug.pk).brand_names_text == "Gablofen"


def test_mechanism_is_rendered_and_sanitised_when_saved():
    drug = DrugFactory(mechanism="Acts like **GABA**. <script>alert(1)</script>")
    assert "<strong>GABA</strong>" in drug.mechanism_html
    assert "<script" not in drug.mechanism_html


def test_hub_title_and_url():
    drug = DrugFactory(name="Baclofen", slug="baclofen")
    assert drug.hub_title == "Baclofen Medication Information"
    assert drug.get_absolute_url() == "/drugs/baclofen/"
