"""What crawlers and feed readers get: only what readers may see, and a health check."""

import datetime
from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone

from articles.models import Article, PublishedArticle, Status
from pages import sitemaps
from tests.factories import ArticleFactory, ConditionFactory, DrugFactory, SitePageFactory

pytestmark = pytest.mark.django_db

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9", "atom": "http://www.w3.org/2005/Atom"}

HIDDEN = {
    "draft": {"status": Status.DRAFT},
    "in-review": {"status": Status.IN_REVIEW},
    "scheduled": {"published_at": timezone.now() + datetime.timedelta(days=3)},
    "unreviewed": {"reviewed_on": None},
}


@pytest.fixture
def content():
    drug = DrugFactory(slug="baclofen", name="Baclofen")
    ArticleFactory(drug=drug, slug="baclofen-uses", title="What Is Baclofen Used For?")
    ArticleFactory(drug=None, slug="eating-well", title="Eating Well")
    for name, changes in HIDDEN.items():
        ArticleFactory(drug=drug, slug=f"hidden-{name}", title=f"Hidden {name}", **changes)
    ConditionFactory(slug="spasticity")
    SitePageFactory(slug="terms", title="Terms of Use")
    return drug


def sitemap_locations(client) -> set[str]:
    """Every URL listed by every sitemap the index at /sitemap.xml points to."""
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    index = ElementTree.fromstring(response.content)
    locations = set()
    for sitemap in index.iterfind("sm:sitemap/sm:loc", NS):
        section = client.get(sitemap.text.removeprefix("http://testserver"))
        assert section.status_code == 200, sitemap.text
        tree = ElementTree.fromstring(section.content)
        locations |= {loc.text for loc in tree.iterfind("sm:url/sm:loc", NS)}
    return locations


def test_sitemap_lists_home_a_z_lists_drugs_conditions_pages_and_only_visible_articles(
    client, content
):
    assert sitemap_locations(client) == {
        "http://testserver/",
        "http://testserver/drugs/",
        "http://testserver/conditions/",
        "http://testserver/drugs/baclofen/baclofen-uses/",
        "http://testserver/articles/eating-well/",
        "http://testserver/drugs/baclofen/",
        "http://testserver/conditions/spasticity/",
        "http://testserver/terms/",
    }


def test_sitemap_index_splits_a_section_into_pages_that_list_every_item(
    client, content, monkeypatch
):
    for n in range(5):
        ArticleFactory(drug=None, slug=f"more-{n}")
    monkeypatch.setattr(sitemaps, "URLS_PER_SITEMAP", 3)
    index = ElementTree.fromstring(client.get("/sitemap.xml").content)
    article_pages = [
        loc.text for loc in index.iterfind("sm:sitemap/sm:loc", NS) if "articles" in loc.text
    ]
    last_key = PublishedArticle.objects.order_by("-pk").values_list("pk", flat=True)[0]
    pages = last_key // 3 + 1  # by key: page N holds keys [3(N-1), 3N)
    assert article_pages == ["http://testserver/sitemap-articles.xml"] + [
        f"http://testserver/sitemap-articles.xml?p={n}" for n in range(2, pages + 1)
    ]
    listed = []
    for url in article_pages:
        page = ElementTree.fromstring(client.get(url.removeprefix("http://testserver")).content)
        locations = [loc.text for loc in page.iterfind("sm:url/sm:loc", NS)]
        assert len(locations) <= 3, url
        listed += locations
    visible = {a.get_absolute_url() for a in PublishedArticle.objects.visible().with_hub()}
    assert sorted(listed) == sorted(f"http://testserver{path}" for path in visible)
    assert client.get(f"/sitemap-articles.xml?p={pages + 1}").status_code == 404
    assert client.get("/sitemap-articles.xml?p=0").status_code == 404
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_no_sitemap_page_holds_more_than_the_protocols_50000_urls():
    assert sitemaps.URLS_PER_SITEMAP <= sitemaps.PROTOCOL_LIMIT == 50_000


def test_atom_feed_lists_only_visible_articles_newest_first(client, content):
    response = client.get("/feeds/articles/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ElementTree.fromstring(response.content)
    assert feed.findtext("atom:title", namespaces=NS) == "MedInfo: latest articles"
    entries = [
        (entry.findtext("atom:title", namespaces=NS), entry.find("atom:link", NS).get("href"))
        for entry in feed.iterfind("atom:entry", NS)
    ]
    assert sorted(entries) == [
        ("Eating Well", "http://testserver/articles/eating-well/"),
        ("What Is Baclofen Used For?", "http://testserver/drugs/baclofen/baclofen-uses/"),
    ]


def test_atom_entries_carry_the_published_body_as_html_content_with_absolute_links(client, content):
    article = ArticleFactory(
        drug=content,
        slug="baclofen-dosage",
        title="Baclofen Dosage",
        lead="Under <5 mg & more",
        body="## Dose\n\nSee [the uses](article:baclofen-uses) and [below](#sec-dose).\n",
    )
    pending = Article.objects.get(pk=article.pk)
    pending.body = "## Dose\n\nAn unreviewed edit.\n"
    pending.save()  # waits for review; readers keep the published body

    feed = ElementTree.fromstring(client.get("/feeds/articles/").content)
    entry = next(
        e for e in feed.iterfind("atom:entry", NS)
        if e.findtext("atom:title", namespaces=NS) == "Baclofen Dosage"
    )  # fmt: skip
    assert entry.find("atom:summary", NS).get("type") == "html"
    summary = BeautifulSoup(entry.findtext("atom:summary", namespaces=NS), "html.parser")
    assert summary.get_text() == "Under <5 mg & more"
    content_element = entry.find("atom:content", NS)
    assert content_element.get("type") == "html"
    body = BeautifulSoup(content_element.text, "html.parser")
    assert body.find("h2").get_text() == "Dose"
    assert "unreviewed" not in body.get_text()
    assert [a["href"] for a in body.find_all("a")] == [
        "http://testserver/drugs/baclofen/baclofen-uses/",
        "http://testserver/drugs/baclofen/baclofen-dosage/#sec-dose",
    ]


def test_robots_txt_points_to_the_sitemap_and_keeps_crawlers_out_of_the_admin(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "Disallow: /admin/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines


def test_healthz_answers_200_with_json_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]
