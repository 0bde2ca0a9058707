"""Every reader page stays small and index-driven however much content there is.

The A–Z and condition pages show a page of their lists at a time; the query-plan test fills
PostgreSQL with 100,000 published articles and 10,000 drugs in SQL, then EXPLAINs every
query each reader page makes and finds no sequential scan of the big tables.
"""

import json

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pages import conditions, drug_views
from tests.factories import (
    ArticleFactory,
    BrandNameFactory,
    ConditionFactory,
    DrugFactory,
    IndicationFactory,
)

pytestmark = pytest.mark.django_db

BIG_TABLES = {"articles_publishedarticle", "drugs_publisheddrug", "drugs_publishedbrandname"}


def soup_of(response) -> BeautifulSoup:
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def listed_names(soup) -> list[str]:
    return [" ".join(li.get_text().split()) for li in soup.find("ul", class_="az-list")("li")]


def test_a_letter_of_the_a_z_is_shown_a_page_at_a_time(client, monkeypatch):
    monkeypatch.setattr(drug_views, "A_Z_PAGE_SIZE", 2)
    for name in ("Dalfampridine", "Dantrolene", "Diazepam"):
        DrugFactory(name=name, slug=name.lower(), summary="")
    first = soup_of(client.get("/drugs/?letter=d"))
    assert listed_names(first) == ["Dalfampridine", "Dantrolene"]
    assert first.find("a", rel="next")["href"] == "?letter=d&page=2"
    second = soup_of(client.get("/drugs/?letter=d&page=2"))
    assert listed_names(second) == ["Diazepam"]
    assert second.find("a", rel="next") is None
    assert second.find("a", rel="prev")["href"] == "?letter=d&page=1"
    assert (
        second.find("link", rel="canonical")["href"] == "http://testserver/drugs/?letter=d&page=2"
    )


def test_a_brand_on_a_letter_page_points_to_its_drug(client):
    drug = DrugFactory(name="Baclofen", slug="baclofen")
    BrandNameFactory(drug=drug, name="Lioresal", mark="®")
    [entry] = soup_of(client.get("/drugs/?letter=l")).find("ul", class_="az-list")("li")
    assert " ".join(entry.get_text().split()) == "Lioresal® — see Baclofen"
    assert entry.find("a")["href"] == "/drugs/baclofen/"


def test_condition_page_shows_its_drugs_and_articles_a_page_at_a_time(client, monkeypatch):
    monkeypatch.setattr(conditions, "CONDITION_PAGE_SIZE", 2)
    spasticity = ConditionFactory(name="Spasticity", slug="spasticity")
    for name in ("Baclofen", "Dantrolene", "Tizanidine"):
        drug = DrugFactory(name=name, slug=name.lower())
        IndicationFactory(drug=drug, condition=spasticity)
        ArticleFactory(drug=drug, title=f"{name} uses", slug=f"{name.lower()}-uses")
    first = soup_of(client.get("/conditions/spasticity/"))
    uses = first.find("section", class_="uses")
    assert [a.get_text() for a in uses("a", href=lambda h: h.startswith("/drugs/"))] == [
        "Baclofen",
        "Dantrolene",
    ]
    assert len(first.find("ul", class_="article-list")("li")) == 2
    assert first.find("a", rel="next")["href"] == "?page=2"
    second = soup_of(client.get("/conditions/spasticity/?page=2"))
    uses = second.find("section", class_="uses")
    assert [a.get_text() for a in uses("a", href=lambda h: h.startswith("/drugs/"))] == [
        "Tizanidine"
    ]
    assert [a.get_text() for a in second.find("ul", class_="article-list")("a")] == [
        "Tizanidine uses"
    ]
    assert second.find("a", rel="next") is None


# --- Query plans at 100,000 articles --------------------------------------------------------


def _clone(cursor, table: str, key: str, template_key: int, count: int, overrides: dict):
    """``count`` copies of one row made in SQL, ``g`` running 1..count in the overrides."""
    cursor.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_name = %s AND is_generated = 'NEVER' ORDER BY ordinal_position",
        [table],
    )
    columns = [name for (name,) in cursor.fetchall()]
    values = [overrides.get(column, f"t.{column}").replace("%", "%%") for column in columns]
    cursor.execute(
        f"INSERT INTO {table} ({', '.join(columns)}) "
        f"SELECT {', '.join(values)} FROM {table} t, generate_series(1, {count}) g "
        f"WHERE t.{key} = %s",
        [template_key],
    )


@pytest.fixture
def big_site():
    """10,000 drugs (15,000 brand names) and 100,000 published articles, then VACUUM."""
    spasticity = ConditionFactory(name="Spasticity", slug="spasticity")
    drug = DrugFactory(name="Baclofen", slug="baclofen")
    BrandNameFactory(drug=drug, name="Lioresal")
    IndicationFactory(drug=drug, condition=spasticity)
    article = ArticleFactory(drug=drug, slug="baclofen-uses", featured=True)
    ArticleFactory(drug=None, slug="eating-well")
    name = "chr(65 + g % 26) || 'drug' || g"
    with connection.cursor() as cursor:
        _clone(cursor, "drugs_drug", "id", drug.pk, 10_000,
               {"id": f"{drug.pk} + g", "slug": "'drug-' || g", "name": name})  # fmt: skip
        _clone(cursor, "drugs_publisheddrug", "drug_id", drug.pk, 10_000,
               {"drug_id": f"{drug.pk} + g", "slug": "'drug-' || g", "name": name,
                "condition_ids": "CASE WHEN g % 30 = 0 THEN t.condition_ids ELSE '{}' END",
                "uses_text": "''"})  # fmt: skip
        cursor.execute(
            "INSERT INTO drugs_publishedbrandname (published_drug_id, name, mark) "
            "SELECT %s + g %% 10000 + 1, chr(65 + g %% 26) || 'brand' || g, '' "
            "FROM generate_series(1, 15000) g",
            [drug.pk],
        )
        _clone(cursor, "articles_article", "id", article.pk, 100_000,
               {"id": f"{article.pk} + 10 + g", "slug": "'article-' || g",
                "drug_id": f"{drug.pk} + 1 + g % 10000", "featured": "g % 1000 = 0"})  # fmt: skip
        _clone(cursor, "articles_publishedarticle", "article_id", article.pk, 100_000,
               {"article_id": f"{article.pk} + 10 + g", "slug": "'article-' || g",
                "drug_id": f"{drug.pk} + 1 + g % 10000", "featured": "g % 1000 = 0"})  # fmt: skip
    # What autovacuum does after a bulk load: statistics, and the visibility map that lets
    # PostgreSQL answer from an index alone. VACUUM needs to run outside a transaction.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return drug


READER_PAGES = [
    "/",
    "/drugs/",
    "/drugs/?letter=d&page=3",
    "/drugs/baclofen/",
    "/drugs/baclofen/baclofen-uses/",
    "/articles/eating-well/",
    "/conditions/",
    "/conditions/spasticity/",
    "/conditions/spasticity/?page=2",
    "/search/?q=baclofen",
    "/feeds/articles/",
    "/sitemap.xml",
    "/sitemap-articles.xml?p=2",
    "/sitemap-drugs.xml",
]


def _scanned_tables(plan: dict):
    if plan["Node Type"] == "Seq Scan":
        yield plan["Relation Name"]
    for child in plan.get("Plans", []):
        yield from _scanned_tables(child)


@pytest.mark.django_db(transaction=True)
def test_no_reader_page_reads_a_big_table_from_end_to_end(client, big_site):
    for url in READER_PAGES:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200, url
        with connection.cursor() as cursor:
            for query in captured.captured_queries:
                if "pagecache_" in query["sql"]:
                    continue  # the page cache's own bookkeeping (pagecache/), not the page
                cursor.execute(f"EXPLAIN (FORMAT JSON) {query['sql']}")
                [[plan]] = cursor.fetchone()
                plan = json.loads(plan) if isinstance(plan, str) else plan
                scanned = set(_scanned_tables(plan["Plan"])) & BIG_TABLES
                assert not scanned, f"{url}: a Seq Scan on {scanned} in\n{query['sql']}"
