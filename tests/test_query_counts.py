"""Each reader page makes a fixed number of SQL queries, whatever the size of a drug's data.

Every test builds a small drug (one of everything) and a large one (ten of everything) and
asserts the same exact count for both. The context processor's two queries (site settings,
footer pages) are included.
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

QUERIES = {
    "home": 5,  # featured, recent, A–Z letters + site settings, footer pages
    "drug_index": 5,  # drugs, brands, A–Z letters + 2
    "drug_hub": 7,  # published hub (its brands, formulations and uses are in its document),
    # its conditions, the targets of the links in "How it works", articles, referring pages + 2
    "article": 5,  # article with drug and promoted article, related, referring pages + 2
    "condition": 6,  # condition, drugs using it, their conditions, articles + 2
    "condition_index": 3,  # conditions + 2
    "brand_redirect": 3,  # no drug, no old slug, the brand (no context processor: a 301)
    "site_page": 4,  # page, the targets of its links + 2
    "not_found": 2,  # the footer's 2
    "feed": 3,  # site name, articles, the targets of their links
    "sitemap": 10,  # count and rows for articles, drugs, conditions, site pages + 2
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
    with django_assert_num_queries(QUERIES["home"]):
        assert client.get("/").status_code == 200


def test_drug_index_query_count(client, content, django_assert_num_queries):
    with django_assert_num_queries(QUERIES["drug_index"]):
        assert client.get("/drugs/").status_code == 200
    with django_assert_num_queries(QUERIES["drug_index"]):
        assert client.get("/drugs/?letter=t").status_code == 200


def test_drug_hub_query_count(client, content, django_assert_num_queries):
    drug, _, _ = content
    with django_assert_num_queries(QUERIES["drug_hub"]):
        assert client.get(drug.get_absolute_url()).status_code == 200


def test_article_query_count(client, content, django_assert_num_queries):
    _, article, _ = content
    url = article.get_absolute_url()
    with django_assert_num_queries(QUERIES["article"]):
        assert client.get(url).status_code == 200


def test_condition_query_count(client, content, django_assert_num_queries):
    _, _, condition = content
    with django_assert_num_queries(QUERIES["condition"]):
        assert client.get(condition.get_absolute_url()).status_code == 200


def test_condition_index_query_count(client, content, django_assert_num_queries):
    with django_assert_num_queries(QUERIES["condition_index"]):
        assert client.get("/conditions/").status_code == 200


def test_brand_url_redirect_query_count(client, content, django_assert_num_queries):
    drug, _, _ = content
    brand = drug.brand_names.first()
    with django_assert_num_queries(QUERIES["brand_redirect"]):
        response = client.get(f"/drugs/{slugify(brand.name)}/")
    assert (response.status_code, response["Location"]) == (301, drug.get_absolute_url())


def test_site_page_query_count(client, content, django_assert_num_queries):
    url = SitePage.objects.first().get_absolute_url()
    with django_assert_num_queries(QUERIES["site_page"]):
        assert client.get(url).status_code == 200


def test_not_found_query_count(client, content, django_assert_num_queries):
    with django_assert_num_queries(QUERIES["not_found"]):
        assert client.get("/no/such/page/").status_code == 404


def test_feed_query_count(client, content, django_assert_num_queries):
    with django_assert_num_queries(QUERIES["feed"]):
        assert client.get("/feeds/articles/").status_code == 200


def test_sitemap_query_count(client, content, django_assert_num_queries):
    with django_assert_num_queries(QUERIES["sitemap"]):
        assert client.get("/sitemap.xml").status_code == 200
