"""Browsing by condition and by brand: the condition A–Z, brand URLs, who is approved for what."""

import pytest
from bs4 import BeautifulSoup

from content.models import OldSlug
from tests.factories import (
    BrandNameFactory,
    ConditionFactory,
    DrugFactory,
    FormulationFactory,
    IndicationFactory,
)

pytestmark = pytest.mark.django_db


def soup_of(response) -> BeautifulSoup:
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def text_of(element) -> str:
    return " ".join(element.get_text().split())


@pytest.fixture
def baclofen():
    """The demo's baclofen: the pump is approved for severe spasticity, cerebral palsy included."""
    drug = DrugFactory(name="Baclofen", slug="baclofen")
    BrandNameFactory(drug=drug, name="Lioresal", mark="®")
    tablet = FormulationFactory(drug=drug, name="Tablet")
    pump = FormulationFactory(drug=drug, name="Intrathecal injection")
    spasticity = ConditionFactory(name="Spasticity", slug="spasticity")
    ConditionFactory(name="Cerebral palsy", slug="cerebral-palsy")
    IndicationFactory(
        drug=drug,
        condition=spasticity,
        details="due to multiple sclerosis or spinal cord injury or disease",
        position=1,
    ).formulations.add(tablet)
    IndicationFactory(
        drug=drug,
        condition=spasticity,
        details="severe, from various causes including multiple sclerosis, spinal cord injury "
        "or disease, and cerebral palsy; given by an implanted pump",
        position=2,
    ).formulations.add(pump)
    IndicationFactory(
        drug=drug,
        condition=ConditionFactory(name="Alcohol use disorder", slug="alcohol-use-disorder"),
        details="alcoholism: to reduce craving",
        off_label=True,
    )
    return drug


# --- The condition A–Z ---------------------------------------------------------------------------


def test_condition_index_groups_every_condition_by_first_letter(client, baclofen):
    ConditionFactory(name="acne", slug="acne")
    soup = soup_of(client.get("/conditions/"))
    assert text_of(soup.find("h1")) == "Conditions A–Z"
    groups = {
        text_of(section.find("h2")): [a.get_text() for a in section.find("ul").find_all("a")]
        for section in soup.find_all("section", class_="az-group")
    }
    assert groups == {
        "A": ["acne", "Alcohol use disorder"],
        "C": ["Cerebral palsy"],
        "S": ["Spasticity"],
    }
    assert soup.find("a", string="Cerebral palsy")["href"] == "/conditions/cerebral-palsy/"
    jumps = soup.find("nav", attrs={"aria-label": "Conditions by first letter"}).find_all("a")
    assert [a.get_text() for a in jumps] == ["A", "C", "S"]
    for jump in jumps:
        assert soup.find(id=jump["href"][1:]).get_text() == jump.get_text()


def test_condition_index_says_so_when_there_are_no_conditions(client):
    soup = soup_of(client.get("/conditions/"))
    assert "No conditions have been added yet." in text_of(soup.find("main"))


def test_condition_index_is_linked_from_the_header_the_footer_and_the_home_page(client):
    soup = soup_of(client.get("/"))
    for region in ("header", "footer", "main"):
        links = soup.find(region).find_all("a", href="/conditions/")
        assert links, region
    assert text_of(soup.find("header").find("a", href="/conditions/")) == "Conditions A–Z"


# --- Brand URLs ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("brand", "url"),
    [
        ("Lioresal", "/drugs/lioresal/"),
        ("Advil Liqui-Gels", "/drugs/advil-liqui-gels/"),
        ("Children's Motrin", "/drugs/childrens-motrin/"),
        ("Élixir Forte", "/drugs/elixir-forte/"),
    ],
)
def test_a_brand_names_url_answers_301_to_its_drug_hub(client, baclofen, brand, url):
    if brand != "Lioresal":  # the fixture's own
        BrandNameFactory(drug=baclofen, name=brand)
    response = client.get(url)
    assert (response.status_code, response["Location"]) == (301, "/drugs/baclofen/")


def test_a_drug_with_the_brand_slug_keeps_its_own_page(client, baclofen):
    DrugFactory(name="Lioresal generic", slug="lioresal")
    assert client.get("/drugs/lioresal/").status_code == 200


def test_a_drugs_old_slug_wins_over_a_brand_with_the_same_slug(client, baclofen):
    other = DrugFactory(name="Tizanidine", slug="tizanidine")
    OldSlug.remember(other, "lioresal")
    response = client.get("/drugs/lioresal/")
    assert (response.status_code, response["Location"]) == (301, "/drugs/tizanidine/")


def test_a_brand_shared_by_two_drugs_does_not_redirect(client, baclofen):
    BrandNameFactory(drug=DrugFactory(slug="other"), name="Lioresal")
    assert client.get("/drugs/lioresal/").status_code == 404


def test_an_unknown_slug_is_still_404(client, baclofen):
    assert client.get("/drugs/lioresa/").status_code == 404


# --- Who is approved for what --------------------------------------------------------------------


def test_condition_page_lists_a_drug_approved_through_a_use_whose_details_name_it(client, baclofen):
    soup = soup_of(client.get("/conditions/cerebral-palsy/"))
    approved = soup.find("h2", string="Drugs approved for Cerebral palsy").find_parent("section")
    [use] = approved.find_all("li")
    assert text_of(use) == (
        "Baclofen — for Spasticity (severe, from various causes including multiple sclerosis, "
        "spinal cord injury or disease, and cerebral palsy; given by an implanted pump) "
        "Approved formulations: Intrathecal injection"
    )
    assert use.find("a", string="Baclofen")["href"] == "/drugs/baclofen/"
    assert use.find("a", string="Spasticity")["href"] == "/conditions/spasticity/"
    assert "No drugs approved" not in text_of(soup.find("main"))


def test_a_condition_name_must_appear_as_whole_words(client, baclofen):
    ConditionFactory(name="Palsy", slug="palsy")
    ConditionFactory(name="Sclerosis of", slug="sclerosis-of")  # not words in the details
    ConditionFactory(name="Cerebral", slug="cerebral")
    ConditionFactory(name="rebral pal", slug="rebral-pal")
    for slug in ["sclerosis-of", "rebral-pal"]:
        soup = soup_of(client.get(f"/conditions/{slug}/"))
        assert "No drugs approved for this condition" in text_of(soup.find("main")), slug
    for slug in ["palsy", "cerebral"]:
        soup = soup_of(client.get(f"/conditions/{slug}/"))
        assert "No drugs approved for this condition" not in text_of(soup.find("main")), slug


def test_condition_page_labels_off_label_drugs_apart_from_approved_ones(client, baclofen):
    soup = soup_of(client.get("/conditions/alcohol-use-disorder/"))
    approved = soup.find("h2", string="Drugs approved for Alcohol use disorder")
    assert "No drugs approved" in text_of(approved.find_parent("section"))
    off_label = soup.find("h2", string="Drugs used off-label").find_parent("section")
    assert [text_of(li) for li in off_label.find_all("li")] == [
        "Off-label Baclofen — alcoholism: to reduce craving"
    ]
    assert "not approved" in text_of(off_label.find(class_="note"))


def test_drug_hub_separates_a_use_from_its_details(client, baclofen):
    soup = soup_of(client.get("/drugs/baclofen/"))
    approved = soup.find("h2", string="Approved uses").find_parent("section")
    assert [text_of(li).split(" Approved formulations")[0] for li in approved.find_all("li")] == [
        "Spasticity — due to multiple sclerosis or spinal cord injury or disease",
        "Spasticity — severe, from various causes including multiple sclerosis, spinal cord "
        "injury or disease, and cerebral palsy; given by an implanted pump",
    ]
    off_label = soup.find("h2", string="Off-label uses").find_parent("section")
    assert [text_of(li) for li in off_label.find_all("li")] == [
        "Off-label Alcohol use disorder — alcoholism: to reduce craving"
    ]
