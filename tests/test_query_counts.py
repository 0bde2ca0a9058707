"""Each reader page makes a fixed number of SQL queries, whatever the size of a drug's data.

Every test builds a small drug (one of everything) and a large one (ten of everything) and
asserts the same exact count for both. The context processor's query (site settings with
the footer pages) is included.
"""

import pytest
from django.utils.text import slugify

from articles.models import SitePage
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

SMALL, LARGE = 1, 10

# Each count below is a page's own; the page cache reads the content version first (here on
# every request, PAGE_CACHE_VERSION_SECONDS = 0; on a server at most once a second).
CONTENT_VERSION = 1

QUERIES = {
    "home": 3,  # featured and recent articles, A–Z letters + site settings with footer pages
    "drug_index": 3,  # A–Z letters, one page of the letter's drugs and brands (one UNION) + 1
    "drug_hub": 5,  # published hub with its articles (its brands, formulations and uses are
    # in its document), its conditions, the targets of the links in "How it works",
    # referring pages + 1
    "article": 3,  # article with drug, promoted and related articles, link targets,
    # referring pages + 1
    "condition": 3,  # condition; a page of its drugs, the conditions they name and its
    # articles (one query) + 1
    "condition_index": 2,  # conditions + 1
    "brand_redirect": 3,  # no drug, no old slug, the brand (no context processor: a 301)
    "site_page": 3,  # page, the targets of its links + 1
    "not_found": 1,  # the footer's 1
    "feed": 3,  # site name, articles, the targets of their links
    "sitemap": 1,  # the index: one query reads every section's largest key
    "sitemap_section": 1,  # one page of rows
}


def build_drug(n: int, slug: str):
    """A drug with n brands, formulations, approved and off-label uses, articles and referrers."""
    drug = DrugFactory(slug=slug, mechanism="Acts on [GABA](condition:gaba-" + slug + ").")
    condition = ConditionFactory(slug=f"{slug}-condition")
    for i in range(n):
        brand = BrandNameFactory(drug=drug)
        formulation = FormulationFactory(drug=drug)
        formulation.brand_names.add(brand)
        use = IndicationFactory(drug=drug, condition=condition, details=f"cause {i}")
        use.formulations.add(formulation)
        IndicationFactory(drug=drug, condition=ConditionFactory(), off_label=True)
        IndicationFactory(  # listed on the condition's page too: its details name it
            drug=drug, condition=ConditionFactory(), details=f"including {condition.name}"
        ).formulations.add(formulation)
    promoted = ArticleFactory(drug=None, slug=f"{slug}-promoted")
    main = ArticleFactory(
        drug=drug,
        slug=f"{slug}-main",
        promoted_article=promoted,
        body="## A\n\nx\n\n## B\n\ny\n\n## C\n\nz\n",
    )
    for i in range(n):
        ArticleFactory(
            drug=drug, series_position=i, body=f"[m](article:{slug}-main) [d](drug:{slug})"
        )
        SitePageFactory(body=f"[m](article:{slug}-main) [c](condition:{condition.slug})")
        ArticleFactory(drug=drug, status="draft", body=f"[m](article:{slug}-main)")
    return drug, main, condition


@pytest.fixture(params=[SMALL, LARGE], ids=["small", "large"])
def content(request):
    for position in range(1, 6):
        SitePageFactory(footer_position=position)
    return build_drug(request.param, slug=f"drug-{request.param}")


def test_home_query_count(client, content, django_assert_num_queries):
    with django_assert_num_queries(CONTENT_VERSION + QUERIES["home"]):
        assert client.get("/").status_code == 200


def test_drug_index_query_count(client, content, django_assert_num_queries):
    with django_assert_num_queries(CONTENT_VERSION + QUERIES["drug_index"]):
        assert client.get("/drugs/").status_code == 200
    with django_assert_num_queries(CONTENT_VERSION + QUERIES["drug_index"]):
        assert client.get("/drugs/?letter=t").status_code == 200


def test_drug_hub_query_count(client, content, django_assert_num_queries):
    drug, _, _ = content
    with django_assert_num_queries(CONTENT_VERSION + QUERIES["drug_hub"]):
        assert client.get(drug.get_absolute_url()).status_code == 200


def test_article_query_count(client, content, django_assert_num_queries):
    _, article, _ = content
    url = article.get_absolute_url()
    with django_assert_num_queries(CONTENT_VERSION + QUERIES["article"]):
        assert client.get(url).status_code == 200


def test_condition_query_count(client, content, django_assert_num_queries):
    _, _, condition = content
    with django_assert_num_queries(CONTENT_VERSION + QUERIES["condition"]):
        assert client.get(condition.get_absolute_url()).status_code == 200


def test_condition_index_query_count(client, content, django_assert_num_queries):
    with django_assert_num_queries(CONTENT_VERSION + QUERIES["condition_index"]):
        assert client.get("/conditions/").status_code == 200


def test_brand_url_redirect_query_count(client, content, django_assert_num_queries):
    drug, _, _ = content
    brand = drug.brand_names.first()
    with django_assert_num_queries(CONTENT_VERSION + QUERIES["brand_redirect"]):
        response = client.get(f"/drugs/{slugify(brand.name)}/")
    assert (response.status_code, response["Location"]) == (301, drug.get_absolute_url())


def test_site_page_query_count(client, content, django_assert_num_queries):
    url = SitePage.objects.first().get_absolute_url()
    with django_assert_num_queries(CONTENT_VERSION + QUERIES["site_page"]):
        assert client.get(url).status_code == 200


def test_not_found_query_count(client, content, django_assert_num_queries):
    with django_assert_num_queries(CONTENT_VERSION + QUERIES["not_found"]):
        assert client.get("/no/such/page/").status_code == 404


def test_feed_query_count(client, content, django_assert_num_queries):
    with django_assert_num_queries(CONTENT_VERSION + QUERIES["feed"]):
        assert client.get("/feeds/articles/").status_code == 200


def test_sitemap_query_count(client, content, django_assert_num_queries):
    with django_assert_num_queries(CONTENT_VERSION + QUERIES["sitemap"]):
        assert client.get("/sitemap.xml").status_code == 200
    for section in ("articles", "drugs", "conditions", "pages"):
        with django_assert_num_queries(CONTENT_VERSION + QUERIES["sitemap_section"]):
            assert client.get(f"/sitemap-{section}.xml").status_code == 200
