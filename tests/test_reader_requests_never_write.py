"""Reader requests never write to the database (DESIGN.md §3), page by page.

Every reader page, the feed and the sitemap run with zero INSERT/UPDATE/DELETE, on the
demo content and at the first request after a scheduled article comes due (the moment
the design this replaced re-rendered pages from a reader's request).
"""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article
from interchange.demo import seed_demo
from tests import factories
from tests.reader_writes import writes

pytestmark = pytest.mark.django_db

READER_URLS = [
    "/",
    "/drugs/",
    "/drugs/?letter=b",
    "/drugs/baclofen/",
    "/drugs/baclofen/baclofen-uses/",
    "/drugs/lioresal/",  # a brand: 301 to its drug
    "/drugs/Baclofen/",  # capitals: 301 to the lower-case URL
    "/articles/baclofen-uses/",  # the drug's article without its drug: 301
    "/conditions/",
    "/conditions/spasticity/",
    "/terms/",
    "/search/?q=baclofen",
    "/search/?q=muscle+spasms",
    "/search/?q=baclofenn",  # did you mean
    "/search/?q=",
    "/feeds/articles/",
    "/sitemap.xml",
    "/robots.txt",
    "/no/such/page/",
    "/drugs/no-such-drug/",
    "/articles/linking/",
    "/articles/coming/",
]


@pytest.fixture
def site():
    """The demo, plus a scheduled article and a page that links to it."""
    seed_demo()
    due = timezone.now() + datetime.timedelta(hours=1)
    coming = factories.ArticleFactory(drug=None, slug="coming", published_at=due)
    factories.ArticleFactory(
        drug=None, slug="linking", body="See [what is coming](article:coming)."
    )
    factories.SitePageFactory(slug="about-coming", body="[coming](article:coming)")
    return coming


def assert_no_writes(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code in (200, 301, 404), (url, response.status_code)
    assert writes(queries) == [], url
    return response.status_code


@pytest.mark.parametrize("url", READER_URLS)
def test_reader_page_writes_nothing(client, site, url):
    assert_no_writes(client, url)


def test_the_first_requests_after_a_scheduled_article_comes_due_write_nothing(client, site):
    assert assert_no_writes(client, "/articles/coming/") == 404
    with time_machine.travel(site.published_at + datetime.timedelta(seconds=1)):
        statuses = {url: assert_no_writes(client, url) for url in READER_URLS}
        assert statuses["/articles/coming/"] == 200
        assert b'href="/articles/coming/"' in client.get("/articles/linking/").content
        assert b'href="/articles/coming/"' in client.get("/about-coming/").content
    assert Article.objects.filter(slug="coming").count() == 1
