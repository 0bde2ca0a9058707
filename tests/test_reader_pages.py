"""Every reader page type and every element of its anatomy (DESIGN.md §1), as a reader sees it."""

import datetime

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.utils import timezone

from articles.models import Status
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

FOOTER_PAGES = [
    ("terms", "Terms of Use"),
    ("advertise", "Advertise with Us"),
    ("contact", "Contact Us"),
    ("about", "About MedInfo"),
    ("privacy", "Privacy Policy"),
]


def soup_of(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def text_of(element) -> str:
    return " ".join(element.get_text().split())


@pytest.fixture
def site_pages():
    return [
        SitePageFactory(slug=slug, title=title, footer_position=n)
        for n, (slug, title) in enumerate(FOOTER_PAGES, start=1)
    ]


@pytest.fixture
def baclofen():
    """Baclofen as DESIGN.md §7 describes it, built here so no test depends on seed_demo."""
    drug = DrugFactory(
        name="Baclofen",
        slug="baclofen",
        drug_class="Skeletal muscle relaxant",
        summary="A prescription medicine for spasticity.",
        mechanism="It is chemically similar to **GABA**, a chemical messenger.",
    )
    lioresal = BrandNameFactory(drug=drug, name="Lioresal", mark="®")
    gablofen = BrandNameFactory(drug=drug, name="Gablofen", mark="®")
    tablet = FormulationFactory(
        drug=drug, name="Tablet", route="oral", strengths=["5 mg", "10 mg", "20 mg"], position=1
    )
    tablet.brand_names.add(lioresal)
    injection = FormulationFactory(
        drug=drug, name="Intrathecal injection", route="intrathecal", strengths=["50 mcg/mL"]
    )
    injection.position = 2
    injection.save()
    injection.brand_names.add(gablofen)
    spasticity = ConditionFactory(name="Spasticity", slug="spasticity")
    tablets_use = IndicationFactory(
        drug=drug,
        condition=spasticity,
        details="due to multiple sclerosis or spinal cord injury or disease",
        position=1,
    )
    tablets_use.formulations.add(tablet)
    severe_use = IndicationFactory(
        drug=drug, condition=spasticity, details="severe, from cerebral palsy", position=2
    )
    severe_use.formulations.add(injection)
    IndicationFactory(
        drug=drug,
        condition=ConditionFactory(name="Chronic hiccups", slug="chronic-hiccups"),
        off_label=True,
    )
    return drug


@pytest.fixture
def baclofen_articles(baclofen):
    overview = ArticleFactory(
        drug=baclofen, slug="baclofen-overview", title="Baclofen Overview", series_position=1
    )
    uses = ArticleFactory(
        drug=baclofen,
        slug="baclofen-uses",
        title="What Is Baclofen Used For?",
        lead="Baclofen treats spasticity.",
        body=(
            "## Overview\n\nText.\n\n## Spasticity\n\nMore.\n\n## Off-label uses\n\n"
            "See [the overview](article:baclofen-overview).\n"
        ),
        series_position=2,
    )
    dosage = ArticleFactory(
        drug=baclofen,
        slug="baclofen-dosage",
        title="Baclofen Dosage",
        body="Read [what it is used for](article:baclofen-uses).",
        series_position=3,
    )
    return {"overview": overview, "uses": uses, "dosage": dosage}


# --- The frame every page shares -------------------------------------------------------------


def test_every_page_has_one_h1_a_skip_link_and_the_header_search_box(client, baclofen_articles):
    for url in ["/", "/drugs/", "/drugs/baclofen/", "/drugs/baclofen/baclofen-uses/"]:
        soup = soup_of(client.get(url))
        assert soup.html["lang"] == "en"
        assert len(soup.find_all("h1")) == 1, url
        assert soup.find("header").find("h1") is None
        skip = soup.find("a", class_="skip-link")
        assert skip["href"] == "#main" and soup.find(id="main").name == "main"
        search = soup.find("header").find("form", role="search")
        assert search["action"] == "/search/" and search["method"] == "get"
        assert search.find("input", attrs={"name": "q"}) is not None
        assert soup.find("header").find("a", string="Drugs A–Z")["href"] == "/drugs/"


def test_footer_links_to_the_five_site_pages_in_their_order(client, site_pages):
    soup = soup_of(client.get("/"))
    links = soup.find("footer").find("nav").find_all("a")
    assert [(a["href"], a.get_text()) for a in links] == [
        (f"/{slug}/", title) for slug, title in FOOTER_PAGES
    ]


def test_footer_falls_back_to_standard_links_when_no_site_pages_exist(client):
    soup = soup_of(client.get("/"))
    titles = [a.get_text() for a in soup.find("footer").find("nav").find_all("a")]
    assert titles == ["Terms of Use", "Advertise with Us", "Contact Us", "About", "Privacy Policy"]


def test_footer_shows_disclaimer_with_terms_link_and_copyright_to_this_year(client):
    soup = soup_of(client.get("/"))
    disclaimer = soup.find("footer").find(class_="disclaimer")
    assert "does not provide medical advice" in text_of(disclaimer)
    assert disclaimer.find("a", string="Terms of Use")["href"] == "/terms/"
    year = timezone.localdate().year
    assert text_of(soup.find(class_="copyright")) == f"Copyright © 2006–{year} MedInfo"


@time_machine.travel(datetime.datetime(2031, 3, 1, 12, 0, tzinfo=datetime.UTC), tick=False)
def test_every_page_type_has_the_footer_disclaimer_and_copyright_to_this_year(
    client, site_pages, baclofen_articles
):
    ArticleFactory(drug=None, slug="standalone")
    pages = [
        "/",
        "/drugs/",
        "/drugs/?letter=b",
        "/drugs/baclofen/",
        "/drugs/baclofen/baclofen-uses/",
        "/articles/standalone/",
        "/conditions/spasticity/",
        "/terms/",
        "/search/?q=baclofen",
        "/no-such-page/",
    ]
    for url in pages:
        soup = soup_of(client.get(url))
        footer = soup.find("footer", class_="site-footer")
        assert [a.get_text() for a in footer.find("nav").find_all("a")] == [
            title for _, title in FOOTER_PAGES
        ], url
        disclaimer = footer.find(class_="disclaimer")
        assert "does not provide medical advice" in text_of(disclaimer), url
        assert disclaimer.find("a", string="Terms of Use")["href"] == "/terms/", url
        assert text_of(footer.find(class_="copyright")) == "Copyright © 2006–2031 MedInfo", url


def test_every_page_declares_its_canonical_url(client, baclofen_articles):
    for url, canonical in [
        ("/", "http://testserver/"),
        ("/drugs/?letter=b&utm=x", "http://testserver/drugs/?letter=b"),
        ("/drugs/baclofen/", "http://testserver/drugs/baclofen/"),
        ("/drugs/baclofen/baclofen-uses/?ref=1", "http://testserver/drugs/baclofen/baclofen-uses/"),
        ("/conditions/spasticity/", "http://testserver/conditions/spasticity/"),
    ]:
        soup = soup_of(client.get(url))
        assert soup.find("link", rel="canonical")["href"] == canonical, url


def test_public_pages_are_cacheable_but_revalidated(client, baclofen_articles):
    response = client.get("/drugs/baclofen/baclofen-uses/")
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"public", "max-age=0"} <= directives  # browsers revalidate every time
    assert response.has_header("ETag")
    again = client.get(
        "/drugs/baclofen/baclofen-uses/", headers={"If-None-Match": response["ETag"]}
    )
    assert again.status_code == 304


def test_pages_have_no_inline_style_or_script_only_json_ld_data(client, baclofen_articles):
    for url in ["/", "/drugs/", "/drugs/baclofen/", "/drugs/baclofen/baclofen-uses/", "/nope/"]:
        soup = soup_of(client.get(url))
        assert soup.find(style=True) is None
        assert soup.find("style") is None
        # Structured data is a data block, never executed: the only script element allowed.
        assert [s["type"] for s in soup.find_all("script")] in ([], ["application/ld+json"])


# --- Home --------------------------------------------------------------------------------------


def test_home_shows_featured_and_recent_articles_the_letters_and_a_search_box(client, baclofen):
    ArticleFactory(drug=baclofen, title="Featured one", featured=True)
    ArticleFactory(drug=baclofen, title="Recent one")
    ArticleFactory(drug=baclofen, title="A draft", status=Status.DRAFT)
    soup = soup_of(client.get("/"))
    featured = soup.find("section", class_="featured")
    assert [text_of(h) for h in featured.find_all("h3")] == ["Featured one"]
    recent = text_of(soup.find("section", class_="recent"))
    assert "Recent one" in recent and "Featured one" in recent and "A draft" not in recent
    letters = soup.find("nav", class_="alphabet")
    assert letters.find("a", string="B")["href"] == "/drugs/?letter=b"
    assert letters.find("a", string="Q") is None  # no drug starts with Q: shown, not linked
    assert soup.find("main").find("form", role="search") is not None


# --- Drug A–Z ----------------------------------------------------------------------------------


def test_drug_index_lists_drugs_and_brands_pointing_to_their_generic(client, baclofen):
    soup = soup_of(client.get("/drugs/"))
    assert text_of(soup.find("h1")) == "Drugs A–Z"
    assert soup.find("main").find("a", string="Baclofen")["href"] == "/drugs/baclofen/"
    for letter, listed in [("l", "Lioresal® — see Baclofen"), ("g", "Gablofen® — see Baclofen")]:
        soup = soup_of(client.get(f"/drugs/?letter={letter}"))
        [brand] = soup.find_all("li", class_="az-list__brand")
        assert text_of(brand) == listed
        assert brand.find("a")["href"] == "/drugs/baclofen/"


def test_drug_index_without_a_letter_shows_the_first_letter_that_has_drugs(client, baclofen):
    DrugFactory(name="Ibuprofen", slug="ibuprofen")
    main = soup_of(client.get("/drugs/")).find("main")
    assert text_of(main.find("h2")) == "B"
    assert main.find("a", string="Baclofen") is not None
    assert main.find("a", string="Ibuprofen") is None


def test_drug_index_letter_filter_shows_only_that_letter(client, baclofen):
    DrugFactory(name="Ibuprofen", slug="ibuprofen")
    soup = soup_of(client.get("/drugs/?letter=L"))
    assert text_of(soup.find("h1")) == "Drugs A–Z: L"
    listed = text_of(soup.find("main"))
    assert "Lioresal® — see Baclofen" in listed
    assert "Ibuprofen" not in listed and "Gablofen" not in listed
    assert soup.find("nav", class_="alphabet").find("a", attrs={"aria-current": "page"}).text == "L"


@pytest.mark.parametrize("letter", ["bogus", "%00", "1", "é", "<script>"])
def test_drug_index_ignores_a_letter_that_is_not_one_ascii_letter(client, baclofen, letter):
    response = client.get("/drugs/", {"letter": letter})
    assert response.status_code == 200
    assert text_of(soup_of(response).find("h1")) == "Drugs A–Z"


# --- Drug hub ----------------------------------------------------------------------------------


def test_drug_hub_shows_the_structured_facts(client, baclofen_articles):
    soup = soup_of(client.get("/drugs/baclofen/"))
    assert text_of(soup.find("h1")) == "Baclofen Medication Information"
    facts = {text_of(dt): text_of(dt.find_next_sibling("dd")) for dt in soup.find_all("dt")}
    assert facts == {
        "Generic name": "Baclofen",
        "Brand names": "Gablofen®, Lioresal®",
        "Drug class": "Skeletal muscle relaxant",
        "Availability": "Prescription only",
    }


def test_drug_hub_lists_formulations_with_route_strengths_and_brands(client, baclofen):
    soup = soup_of(client.get("/drugs/baclofen/"))
    rows = [
        [text_of(cell) for cell in row.find_all(["th", "td"])]
        for row in soup.find("table", class_="formulations").find("tbody").find_all("tr")
    ]
    assert rows == [
        ["Tablet", "oral", "5 mg, 10 mg, 20 mg", "Lioresal®"],
        ["Intrathecal injection", "intrathecal", "50 mcg/mL", "Gablofen®"],
    ]


def test_drug_hub_separates_approved_and_off_label_uses(client, baclofen):
    soup = soup_of(client.get("/drugs/baclofen/"))
    approved = soup.find("h2", string="Approved uses").find_parent("section")
    uses = [text_of(li) for li in approved.find_all("li")]
    assert uses == [
        "Spasticity — due to multiple sclerosis or spinal cord injury or disease "
        "Approved formulations: Tablet",
        "Spasticity — severe, from cerebral palsy Approved formulations: Intrathecal injection",
    ]
    assert approved.find("a", string="Spasticity")["href"] == "/conditions/spasticity/"
    off_label = soup.find("h2", string="Off-label uses").find_parent("section")
    assert [text_of(li) for li in off_label.find_all("li")] == ["Off-label Chronic hiccups"]
    assert "not approved" in text_of(off_label.find(class_="note"))


def test_drug_hub_explains_how_it_works_and_lists_articles_in_series_order(
    client, baclofen_articles
):
    ArticleFactory(drug=baclofen_articles["uses"].drug, title="Unpublished", status=Status.DRAFT)
    soup = soup_of(client.get("/drugs/baclofen/"))
    mechanism = soup.find("h2", string="How it works").find_parent("section")
    assert mechanism.find("strong").text == "GABA"
    articles = soup.find("h2", string="Articles about Baclofen").find_parent("section")
    assert [a.text for a in articles.find_all("a")] == [
        "Baclofen Overview",
        "What Is Baclofen Used For?",
        "Baclofen Dosage",
    ]


def test_drug_hub_lists_its_referring_pages(client, baclofen):
    ArticleFactory(title="Muscle relaxants", drug=None, body="See [baclofen](drug:baclofen).")
    soup = soup_of(client.get("/drugs/baclofen/"))
    referring = soup.find("h2", string="Referring Pages").find_parent("section")
    assert [a.text for a in referring.find_all("a")] == ["Muscle relaxants"]


def test_unknown_drug_is_404(client):
    assert client.get("/drugs/no-such-drug/").status_code == 404


# --- Article page ------------------------------------------------------------------------------


def test_article_page_has_breadcrumb_title_lead_and_body(client, baclofen_articles):
    soup = soup_of(client.get("/drugs/baclofen/baclofen-uses/"))
    crumbs = soup.find("nav", attrs={"aria-label": "Breadcrumb"}).find_all("li")
    assert [text_of(li) for li in crumbs] == [
        "Home",
        "Drugs",
        "Baclofen",
        "What Is Baclofen Used For?",
    ]
    assert [a["href"] for a in soup.find("nav", class_="breadcrumb").find_all("a")] == [
        "/",
        "/drugs/",
        "/drugs/baclofen/",
    ]
    assert text_of(soup.find("h1")) == "What Is Baclofen Used For?"
    assert text_of(soup.find("p", class_="lead")) == "Baclofen treats spasticity."
    assert soup.find("h2", id="sec-spasticity").text == "Spasticity"


def test_article_with_three_sections_has_a_table_of_contents(client, baclofen_articles):
    soup = soup_of(client.get("/drugs/baclofen/baclofen-uses/"))
    toc = soup.find("nav", class_="toc")
    assert [(a["href"], a.text) for a in toc.find_all("a")] == [
        ("#sec-overview", "Overview"),
        ("#sec-spasticity", "Spasticity"),
        ("#sec-off-label-uses", "Off-label uses"),
    ]
    for link in toc.find_all("a"):
        assert soup.find(id=link["href"][1:]) is not None


def test_article_with_fewer_than_three_sections_has_no_table_of_contents(client, baclofen):
    article = ArticleFactory(drug=baclofen, body="## One\n\nx\n\n## Two\n\ny\n")
    soup = soup_of(client.get(article.get_absolute_url()))
    assert soup.find("nav", class_="toc") is None


def test_article_shows_review_and_last_updated_lines(client, baclofen):
    article = ArticleFactory(
        drug=baclofen, reviewed_by="Jane Doe, MD", reviewed_on=datetime.date(2026, 10, 30)
    )
    soup = soup_of(client.get(article.get_absolute_url()))
    assert text_of(soup.find(class_="review-line")) == (
        "Medically reviewed by Jane Doe, MD on October 30, 2026"
    )
    # First published, never changed since: the text has been the same since publication.
    updated = timezone.localdate(article.published_at).strftime("%B %-d, %Y")
    assert text_of(soup.find(class_="updated-line")) == f"Last updated {updated}"


def test_article_shows_promoted_link_labelled_as_promoted(client, baclofen):
    kitchen = ArticleFactory(drug=None, title="Preparing Your Kitchen", slug="kitchen")
    article = ArticleFactory(drug=baclofen, promoted_article=kitchen)
    soup = soup_of(client.get(article.get_absolute_url()))
    promoted = soup.find("aside", class_="promoted")
    assert text_of(promoted.find(class_="promoted__label")) == "Promoted"
    assert promoted.find("a", string="Preparing Your Kitchen")["href"] == "/articles/kitchen/"


def test_article_hides_a_promoted_link_to_an_unpublished_article(client, baclofen):
    draft = ArticleFactory(drug=None, title="Secret draft", status=Status.DRAFT)
    article = ArticleFactory(drug=baclofen, promoted_article=draft)
    soup = soup_of(client.get(article.get_absolute_url()))
    assert soup.find("aside", class_="promoted") is None
    assert "Secret draft" not in soup.get_text()


def test_article_links_to_its_drug_hub(client, baclofen_articles):
    soup = soup_of(client.get("/drugs/baclofen/baclofen-uses/"))
    hub = soup.find("p", class_="hub-link").find("a")
    assert (hub.text, hub["href"]) == ("Baclofen Medication Information", "/drugs/baclofen/")


def test_article_lists_referring_pages_that_are_visible(client, baclofen_articles):
    uses = baclofen_articles["uses"]
    ArticleFactory(title="Hidden draft", status=Status.DRAFT, body="[x](article:baclofen-uses)")
    SitePageFactory(title="About us", slug="about-us", body="Read [uses](article:baclofen-uses).")
    soup = soup_of(client.get(uses.get_absolute_url()))
    referring = soup.find("h2", string="Referring Pages").find_parent("section")
    assert [(a.text, a["href"]) for a in referring.find_all("a")] == [
        ("About us", "/about-us/"),
        ("Baclofen Dosage", "/drugs/baclofen/baclofen-dosage/"),
    ]


def test_article_lists_related_articles_in_series_order(client, baclofen_articles):
    soup = soup_of(client.get("/drugs/baclofen/baclofen-dosage/"))
    related = soup.find("section", class_="related")
    assert text_of(related.find("h2")) == "More about Baclofen"
    assert [a.text for a in related.find_all("a")] == [
        "Baclofen Overview",
        "What Is Baclofen Used For?",
    ]


def test_article_without_drug_lives_under_articles(client):
    article = ArticleFactory(drug=None, slug="eating-well", title="Eating Well")
    soup = soup_of(client.get("/articles/eating-well/"))
    assert text_of(soup.find("h1")) == "Eating Well"
    assert soup.find("p", class_="hub-link") is None
    assert article.get_absolute_url() == "/articles/eating-well/"


def test_article_under_the_wrong_drug_redirects_permanently(client, baclofen_articles):
    other = DrugFactory(slug="ibuprofen")
    response = client.get(f"/drugs/{other.slug}/baclofen-uses/")
    assert response.status_code == 301
    assert response["Location"] == "/drugs/baclofen/baclofen-uses/"
    response = client.get("/articles/baclofen-uses/")
    assert (response.status_code, response["Location"]) == (301, "/drugs/baclofen/baclofen-uses/")


def test_article_without_drug_under_a_drug_url_redirects(client):
    ArticleFactory(drug=None, slug="eating-well")
    DrugFactory(slug="baclofen")
    response = client.get("/drugs/baclofen/eating-well/")
    assert (response.status_code, response["Location"]) == (301, "/articles/eating-well/")


@pytest.mark.parametrize(
    "changes",
    [
        {"status": Status.DRAFT},
        {"status": Status.IN_REVIEW},
        {"published_at": timezone.now() + datetime.timedelta(days=1)},
        {"reviewed_on": None},
    ],
    ids=["draft", "in_review", "scheduled", "unreviewed"],
)
def test_invisible_articles_are_404_for_readers(client, baclofen, changes):
    article = ArticleFactory(drug=baclofen, slug="hidden", **changes)
    assert client.get("/drugs/baclofen/hidden/").status_code == 404
    assert client.get("/articles/hidden/").status_code == 404
    hub = soup_of(client.get("/drugs/baclofen/"))
    assert article.title not in hub.get_text()
    assert article.title not in soup_of(client.get("/")).get_text()


# --- Condition page ----------------------------------------------------------------------------


def test_condition_page_shows_approved_and_off_label_drugs_and_articles(client, baclofen_articles):
    hiccup_article = ArticleFactory(
        drug=None, title="Hiccups", body="[h](condition:chronic-hiccups)"
    )
    soup = soup_of(client.get("/conditions/spasticity/"))
    assert text_of(soup.find("h1")) == "Spasticity"
    approved = soup.find("h2", string="Drugs approved for Spasticity").find_parent("section")
    assert [text_of(li) for li in approved.find_all("li")] == [
        "Baclofen — due to multiple sclerosis or spinal cord injury or disease "
        "Approved formulations: Tablet",
        "Baclofen — severe, from cerebral palsy Approved formulations: Intrathecal injection",
    ]
    articles = soup.find("h2", string="Articles").find_parent("section")
    titles = [a.text for a in articles.find_all("a")]
    assert titles == ["Baclofen Overview", "What Is Baclofen Used For?", "Baclofen Dosage"]

    hiccups = soup_of(client.get("/conditions/chronic-hiccups/"))
    off_label = hiccups.find("h2", string="Drugs used off-label").find_parent("section")
    assert [text_of(li) for li in off_label.find_all("li")] == ["Off-label Baclofen"]
    assert hiccup_article.title in [a.text for a in hiccups.find_all("a")]


# --- Site pages --------------------------------------------------------------------------------


def test_site_page_shows_its_title_and_body(client):
    SitePageFactory(slug="terms", title="Terms of Use", body="## Use\n\nBe **kind**.")
    soup = soup_of(client.get("/terms/"))
    assert text_of(soup.find("h1")) == "Terms of Use"
    assert soup.find("main").find("strong").text == "kind"
    assert soup.find("link", rel="canonical")["href"] == "http://testserver/terms/"


# --- Hostile URLs ------------------------------------------------------------------------------


HOSTILE_URLS = {
    "10k-character-page-slug": "/" + "a" * 10_000 + "/",
    "10k-character-drug-slug": "/drugs/" + "b" * 10_000 + "/",
    "10k-character-article-slug": "/drugs/baclofen/" + "c" * 10_000 + "/",
    "nul-byte-in-article-path": "/a/%00/",
    "nul-byte-page-slug": "/%00/",
    "nul-byte-drug-slug": "/drugs/%00/",
    "encoded-slash-drug-slug": "/drugs/..%2f/",
    "path-traversal": "/..%2f..%2fetc/passwd",
    "path-traversal-under-a-drug": "/drugs/baclofen/..%2f..%2f/",
    "encoded-dot-dot-condition": "/conditions/%2e%2e/",
}


@pytest.mark.parametrize("url", HOSTILE_URLS.values(), ids=HOSTILE_URLS.keys())
def test_hostile_urls_are_404_not_500(client, baclofen, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "Page not found" in soup_of(response).find("h1").text
