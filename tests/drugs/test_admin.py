"""The drug admin: one page with brands, formulations, approved and off-label uses."""

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from drugs.models import BrandName, Drug, Formulation, Indication
from interchange.demo import seed_demo
from tests import factories
from tests.articles.test_edit_conflicts import form_data

pytestmark = pytest.mark.django_db

# Formset prefixes on the drug page, in inline order (two inlines share Indication).
BRANDS, FORMS, APPROVED, OFF_LABEL = "brand_names", "formulations", "indications", "indications-2"


def management(prefix, total, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def drug_post(drug_fields, brands=(), formulations=(), approved=(), off_label=()):
    """The POST body of the drug page: the drug's fields and every inline's rows.

    Each row is a dict of field values; an "id" key marks an existing row.
    """
    data = {"name": "", "slug": "", "drug_class": "", "availability": "prescription"}
    data |= {"summary": "", "mechanism": ""} | drug_fields
    for prefix, rows in (
        (BRANDS, brands),
        (FORMS, formulations),
        (APPROVED, approved),
        (OFF_LABEL, off_label),
    ):
        data |= management(prefix, len(rows), sum(1 for row in rows if "id" in row))
        for index, row in enumerate(rows):
            if prefix != BRANDS:
                row = {"position": 0} | row  # the browser always sends the initial 0
            for key, value in row.items():
                data[f"{prefix}-{index}-{key}"] = value
    return data


def errors_on(response) -> list[str]:
    soup = BeautifulSoup(response.content, "html.parser")
    return [item.get_text(" ", strip=True) for item in soup.select(".errorlist li")]


def test_staff_can_add_a_drug_with_brands_formulations_and_uses(staff_client):
    spasticity = factories.ConditionFactory(name="Spasticity")
    hiccups = factories.ConditionFactory(name="Chronic hiccups")
    data = drug_post(
        {"name": "Baclofen", "slug": "baclofen", "drug_class": "Skeletal muscle relaxant"},
        brands=[{"name": "Lioresal®", "mark": ""}, {"name": "Gablofen", "mark": "®"}],
        formulations=[
            {"name": "Tablet", "route": "oral", "strengths": "5 mg,10 mg, 20 mg", "position": 1}
        ],
        approved=[{"condition": spasticity.pk, "details": "due to multiple sclerosis"}],
        off_label=[{"condition": hiccups.pk, "details": ""}],
    )

    response = staff_client.post(reverse("admin:drugs_drug_add"), data)

    assert response.status_code == 302, errors_on(response)
    drug = Drug.objects.get(slug="baclofen")
    assert sorted(str(brand) for brand in drug.brand_names.all()) == ["Gablofen®", "Lioresal®"]
    assert drug.formulations.get().strengths == ["5 mg", "10 mg", "20 mg"]
    approved = drug.indications.approved().get()
    assert (approved.condition, approved.details) == (spasticity, "due to multiple sclerosis")
    assert drug.indications.off_label().get().condition == hiccups


def test_staff_can_change_a_drug_and_link_its_brands_and_formulations(staff_client):
    drug = factories.DrugFactory(name="Baclofen", slug="baclofen")
    brand = factories.BrandNameFactory(drug=drug, name="Lioresal", mark="®")
    tablet = factories.FormulationFactory(drug=drug, name="Tablet", strengths=["10 mg"])
    use = factories.IndicationFactory(drug=drug)
    off_label = factories.IndicationFactory(drug=drug, off_label=True)
    new_condition = factories.ConditionFactory()
    data = drug_post(
        {"name": "Baclofen", "slug": "baclofen", "summary": "Relaxes muscles."},
        brands=[{"id": brand.pk, "name": "Lioresal", "mark": "®"}],
        formulations=[
            {
                "id": tablet.pk,
                "name": "Tablet",
                "route": "oral",
                "strengths": "10 mg, 20 mg",
                "brand_names": [brand.pk],
                "position": 0,
            },
            {"name": "Oral solution", "route": "oral", "strengths": "5 mg/5 mL", "position": 1},
        ],
        approved=[
            {
                "id": use.pk,
                "condition": use.condition.pk,
                "details": "in adults",
                "formulations": [tablet.pk],
                "position": 0,
            },
            {"condition": new_condition.pk, "details": "", "position": 1},
        ],
        off_label=[
            {"id": off_label.pk, "condition": off_label.condition.pk, "DELETE": "on"},
        ],
    )

    response = staff_client.post(reverse("admin:drugs_drug_change", args=[drug.pk]), data)

    assert response.status_code == 302, errors_on(response)
    drug.refresh_from_db()
    assert drug.summary == "Relaxes muscles."
    tablet.refresh_from_db()
    assert tablet.strengths == ["10 mg", "20 mg"]
    assert list(tablet.brand_names.all()) == [brand]
    assert drug.formulations.count() == 2
    use.refresh_from_db()
    assert use.details == "in adults"
    assert list(use.formulations.all()) == [tablet]
    assert drug.indications.approved().count() == 2
    assert not drug.indications.off_label().exists()


def test_drug_change_page_shows_each_inline_under_its_own_heading(staff_client):
    drug = factories.DrugFactory()
    factories.IndicationFactory(drug=drug, condition__name="Spasticity")
    factories.IndicationFactory(drug=drug, condition__name="Hiccups", off_label=True)

    response = staff_client.get(reverse("admin:drugs_drug_change", args=[drug.pk]))

    soup = BeautifulSoup(response.content, "html.parser")
    headings = [h.get_text(" ", strip=True).lower() for h in soup.select(".inline-group h2")]
    assert [h.split(" (")[0] for h in headings] == [
        "brand names",
        "formulations",
        "approved uses",
        "off-label uses",
    ]
    approved = soup.select_one("#indications-group").get_text()
    off_label = soup.select_one("#indications-2-group").get_text()
    assert "Spasticity" in approved and "Hiccups" not in approved
    assert "Hiccups" in off_label and "Spasticity" not in off_label
    assert soup.select_one("textarea#id_mechanism.markdownx-editor")


def test_formulation_offers_only_this_drugs_brand_names(staff_client):
    drug = factories.DrugFactory()
    factories.FormulationFactory(drug=drug)
    own = factories.BrandNameFactory(drug=drug, name="Ownbrand")
    factories.BrandNameFactory(name="Otherbrand")

    response = staff_client.get(reverse("admin:drugs_drug_change", args=[drug.pk]))

    soup = BeautifulSoup(response.content, "html.parser")
    choices = soup.select("input[name='formulations-0-brand_names']")
    assert [int(box["value"]) for box in choices] == [own.pk]


def test_brand_of_another_drug_in_a_formulation_is_refused_with_a_message(staff_client):
    drug = factories.DrugFactory()
    tablet = factories.FormulationFactory(drug=drug, name="Tablet")
    other_brand = factories.BrandNameFactory(name="Otherbrand")
    data = drug_post(
        {"name": drug.name, "slug": drug.slug},
        formulations=[
            {
                "id": tablet.pk,
                "name": "Tablet",
                "strengths": "10 mg",
                "brand_names": [other_brand.pk],
                "position": 0,
            }
        ],
    )

    response = staff_client.post(reverse("admin:drugs_drug_change", args=[drug.pk]), data)

    assert response.status_code == 200
    assert "Choose only brand names of this drug." in errors_on(response)
    assert not tablet.brand_names.exists()


def test_formulation_of_another_drug_in_an_indication_is_refused_with_a_message(staff_client):
    drug = factories.DrugFactory()
    use = factories.IndicationFactory(drug=drug)
    other_formulation = factories.FormulationFactory()
    data = drug_post(
        {"name": drug.name, "slug": drug.slug},
        approved=[
            {
                "id": use.pk,
                "condition": use.condition.pk,
                "details": "",
                "formulations": [other_formulation.pk],
                "position": 0,
            }
        ],
    )

    response = staff_client.post(reverse("admin:drugs_drug_change", args=[drug.pk]), data)

    assert response.status_code == 200
    assert "Choose only formulations of this drug." in errors_on(response)
    assert not use.formulations.exists()


def test_the_form_check_matches_the_database_trigger_for_other_drugs_brands():
    """Outside the admin's limited choices, the form's clean() still names the problem."""
    from drugs.forms import FormulationForm

    tablet = factories.FormulationFactory(name="Tablet")
    other_brand = factories.BrandNameFactory(name="Otherbrand", mark="")
    form = FormulationForm(
        {"name": "Tablet", "strengths": "5 mg", "brand_names": [other_brand.pk], "position": 0},
        instance=tablet,
    )

    assert not form.is_valid()
    assert form.errors["brand_names"] == [
        "Only brand names of this drug can be chosen; Otherbrand belong to another drug."
    ]


def test_brand_name_typed_with_its_mark_is_split_into_name_and_mark(staff_client):
    drug = factories.DrugFactory()
    data = drug_post(
        {"name": drug.name, "slug": drug.slug},
        brands=[{"name": "Lioresal ®", "mark": ""}, {"name": "Kemstro™", "mark": ""}],
    )

    response = staff_client.post(reverse("admin:drugs_drug_change", args=[drug.pk]), data)

    assert response.status_code == 302, errors_on(response)
    brands = {(brand.name, brand.mark) for brand in BrandName.objects.filter(drug=drug)}
    assert brands == {("Lioresal", "®"), ("Kemstro", "™")}


def test_brand_name_with_a_mark_that_contradicts_the_mark_field_is_refused(staff_client):
    drug = factories.DrugFactory()
    data = drug_post(
        {"name": drug.name, "slug": drug.slug}, brands=[{"name": "Lioresal®", "mark": "™"}]
    )

    response = staff_client.post(reverse("admin:drugs_drug_change", args=[drug.pk]), data)

    assert response.status_code == 200
    assert "The name ends in ® but the mark chosen is ™." in errors_on(response)
    assert not BrandName.objects.filter(drug=drug).exists()


def test_strengths_separated_by_commas_are_cleaned_and_bad_ones_explained(staff_client):
    drug = factories.DrugFactory()
    url = reverse("admin:drugs_drug_change", args=[drug.pk])
    row = {"name": "Tablet", "route": "oral", "position": 0}

    good = staff_client.post(
        url,
        drug_post(
            {"name": drug.name, "slug": drug.slug},
            formulations=[row | {"strengths": " 5 mg ,, 10 mg, "}],
        ),
    )
    assert good.status_code == 302, errors_on(good)
    assert Formulation.objects.get(drug=drug).strengths == ["5 mg", "10 mg"]

    Formulation.objects.filter(drug=drug).delete()
    decimal_comma = staff_client.post(
        url,
        drug_post(
            {"name": drug.name, "slug": drug.slug},
            formulations=[row | {"strengths": "2,5 mg"}],
        ),
    )
    assert decimal_comma.status_code == 200
    assert any("“2” is not a strength" in error for error in errors_on(decimal_comma))
    assert not Formulation.objects.filter(drug=drug).exists()


def test_thousands_separators_stay_inside_a_strength(staff_client):
    drug = factories.DrugFactory()
    url = reverse("admin:drugs_drug_change", args=[drug.pk])
    typed = "50 mcg/mL, 500 mcg/mL, 1,000 mcg/mL,2,000 mcg/mL, 10,000 units"
    row = {"name": "Intrathecal injection", "route": "intrathecal", "position": 0}

    response = staff_client.post(
        url,
        drug_post(
            {"name": drug.name, "slug": drug.slug}, formulations=[row | {"strengths": typed}]
        ),
    )

    assert response.status_code == 302, errors_on(response)
    assert Formulation.objects.get(drug=drug).strengths == [
        "50 mcg/mL",
        "500 mcg/mL",
        "1,000 mcg/mL",
        "2,000 mcg/mL",
        "10,000 units",
    ]


def test_every_demo_drug_saves_through_the_admin_form_unchanged(staff_client):
    """What an editor gets by opening a demo hub and pressing Save without typing anything."""
    assert seed_demo().ok
    for drug in Drug.objects.order_by("slug"):
        before = drug_snapshot(drug)
        url = reverse("admin:drugs_drug_change", args=[drug.pk])

        response = staff_client.post(url, form_data(staff_client.get(url), "#drug_form"))

        assert response.status_code == 302, (drug.slug, errors_on(response))
        assert drug_snapshot(drug) == before, drug.slug


def drug_snapshot(drug) -> dict:
    drug = Drug.objects.get(pk=drug.pk)
    return {
        "fields": [drug.name, drug.slug, drug.drug_class, drug.availability, drug.summary],
        "mechanism": drug.mechanism,
        "brands": sorted((b.name, b.mark) for b in drug.brand_names.all()),
        "formulations": [
            (f.name, f.route, f.strengths, sorted(b.name for b in f.brand_names.all()))
            for f in drug.formulations.order_by("position", "pk")
        ],
        "uses": [
            (i.condition.slug, i.off_label, i.details, sorted(f.name for f in i.formulations.all()))
            for i in drug.indications.order_by("position", "pk")
        ],
    }


def test_a_form_with_an_error_keeps_what_the_editor_typed(staff_client):
    drug = factories.DrugFactory()
    data = drug_post(
        {"name": drug.name, "slug": drug.slug, "summary": "My new summary"},
        formulations=[
            {"name": "Syrup", "route": "oral", "strengths": "5 mg/5 mL, 2,5 mg", "position": 0}
        ],
    )

    response = staff_client.post(reverse("admin:drugs_drug_change", args=[drug.pk]), data)

    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.select_one("#id_summary").get_text().lstrip("\n") == "My new summary"
    assert soup.select_one("#id_formulations-0-name")["value"] == "Syrup"
    assert soup.select_one("#id_formulations-0-strengths")["value"] == "5 mg/5 mL, 2,5 mg"
    drug.refresh_from_db()
    assert drug.summary != "My new summary"


def test_the_same_use_listed_twice_is_refused_not_a_database_error(staff_client):
    drug = factories.DrugFactory()
    condition = factories.ConditionFactory(name="Spasticity")
    row = {"condition": condition.pk, "details": "in adults", "position": 0}
    data = drug_post({"name": drug.name, "slug": drug.slug}, off_label=[row, dict(row)])

    response = staff_client.post(reverse("admin:drugs_drug_change", args=[drug.pk]), data)

    assert response.status_code == 200
    assert "Spasticity with these details is listed twice." in errors_on(response)
    assert not Indication.objects.filter(drug=drug).exists()


def test_drug_changelist_with_filter_and_search_renders(staff_client):
    drug = factories.DrugFactory(name="Baclofen", availability="prescription")
    factories.BrandNameFactory(drug=drug, name="Lioresal")
    factories.BrandNameFactory(drug=drug, name="Gablofen")

    response = staff_client.get(
        reverse("admin:drugs_drug_changelist"), {"availability": "prescription", "q": "ofen"}
    )

    soup = BeautifulSoup(response.content, "html.parser")
    names = [cell.get_text(strip=True) for cell in soup.select("#result_list th.field-name")]
    assert names == ["Baclofen"]


def test_condition_autocomplete_answers_the_drug_page(staff_client):
    factories.ConditionFactory(name="Spasticity")
    factories.ConditionFactory(name="Hiccups")

    response = staff_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "spas",
            "app_label": "drugs",
            "model_name": "indication",
            "field_name": "condition",
        },
    )

    assert [item["text"] for item in response.json()["results"]] == ["Spasticity"]


@pytest.mark.parametrize("url_name", ["admin:drugs_drug_changelist", "admin:drugs_drug_add"])
def test_anonymous_and_non_staff_are_sent_to_the_login(client, plain_user, url_name):
    anonymous = client.get(reverse(url_name))
    client.force_login(plain_user)
    non_staff = client.get(reverse(url_name))

    for response in (anonymous, non_staff):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_non_staff_cannot_change_a_drug_by_crafted_post(client, plain_user):
    drug = factories.DrugFactory(name="Baclofen")
    client.force_login(plain_user)

    response = client.post(
        reverse("admin:drugs_drug_change", args=[drug.pk]),
        drug_post({"name": "Hacked", "slug": drug.slug}),
    )

    assert response.status_code == 302
    drug.refresh_from_db()
    assert drug.name == "Baclofen"


def test_add_page_explains_that_brands_are_linked_after_the_first_save(staff_client):
    response = staff_client.get(reverse("admin:drugs_drug_add"))

    soup = BeautifulSoup(response.content, "html.parser")
    template = soup.select_one("#formulations-empty")
    assert "Save the drug first; then choose from its brand names here." in template.get_text()


def test_saving_a_drug_whose_mechanism_has_a_dead_link_warns_the_editor(staff_client):
    data = drug_post(
        {
            "name": "Baclofen",
            "slug": "baclofen",
            "mechanism": "Like [GABA](article:gaba-explained).",
        }
    )
    response = staff_client.post(reverse("admin:drugs_drug_add"), data, follow=True)
    messages = [str(message) for message in response.context["messages"]]
    assert any("article:gaba-explained" in message for message in messages), errors_on(response)
    assert Drug.objects.filter(slug="baclofen").exists()  # the save still succeeds
