"""The full-page cache: what it stores, for whom, and that readers never see a stale page.

The suite reads the content version on every request (PAGE_CACHE_VERSION_SECONDS = 0), so
"the next request" here is what "within a second" is on a server.
"""

import datetime
import gzip

import pytest
import time_machine
from django.core.cache import caches
from django.test import override_settings

from articles import workflow
from articles.models import PublishedArticle, SiteSettings
from pagecache import version
from pagecache.middleware import SERVED_FROM
from tests import factories

pytestmark = pytest.mark.django_db

ARTICLE = "/drugs/baclofen/baclofen-uses/"


@pytest.fixture
def article(db):
    drug = factories.DrugFactory(slug="baclofen", name="Baclofen")
    target = factories.ArticleFactory(
        drug=drug, slug="baclofen-dosage", title="Baclofen Dosage", lead="Take 10 mg."
    )
    return factories.ArticleFactory(
        drug=drug,
        slug="baclofen-uses",
        title="What Is Baclofen Used For?",
        body=f"See [the dosage](article:{target.slug}).",
    ), target


def served_from_cache(response) -> bool:
    return response.get(SERVED_FROM) == "cache"


def test_the_second_anonymous_request_is_served_from_the_cache_with_one_query(
    client, article, django_assert_num_queries
):
    first = client.get(ARTICLE)
    assert first.status_code == 200 and not served_from_cache(first)
    with django_assert_num_queries(1):  # the content version, read on every request here
        second = client.get(ARTICLE)
    assert served_from_cache(second)
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]


def test_a_process_that_read_the_version_lately_serves_hits_without_any_query(
    client, article, django_assert_num_queries
):
    with override_settings(PAGE_CACHE_VERSION_SECONDS=60):
        client.get(ARTICLE)
        with django_assert_num_queries(0):
            assert served_from_cache(client.get(ARTICLE))


def test_a_matching_conditional_get_answers_304_without_rendering(
    client, article, django_assert_num_queries
):
    etag = client.get(ARTICLE)["ETag"]
    caches["pages"].clear()  # not even the stored page is needed
    with django_assert_num_queries(1):
        again = client.get(ARTICLE, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again["ETag"] == etag
    assert "public" in again["Cache-Control"]


def test_public_pages_tell_cdns_how_long_to_keep_them(client, article):
    directives = {d.strip() for d in client.get(ARTICLE)["Cache-Control"].split(",")}
    assert directives == {
        "public",
        "max-age=0",
        "s-maxage=1",
        "stale-while-revalidate=1",
        "stale-if-error=86400",
    }


@override_settings(PAGE_CDN_SECONDS=300, PAGE_CDN_STALE_SECONDS=60)
def test_the_cdn_lifetime_is_configurable(client, article):
    policy = client.get(ARTICLE)["Cache-Control"]
    assert "s-maxage=300" in policy and "stale-while-revalidate=60" in policy


def test_html_is_compressed_for_clients_that_accept_gzip_and_cached_per_encoding(client, article):
    plain = client.get(ARTICLE)
    zipped = client.get(ARTICLE, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert "Content-Encoding" not in plain
    assert zipped["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.content) == plain.content
    assert "Accept-Encoding" in zipped["Vary"]
    again = client.get(ARTICLE, headers={"Accept-Encoding": "gzip"})
    assert served_from_cache(again) and again["Content-Encoding"] == "gzip"
    assert served_from_cache(client.get(ARTICLE)) and "Content-Encoding" not in plain


def test_a_republished_lead_shows_in_every_linking_page_on_the_next_request(client, article):
    page, target = article
    assert b'title="Take 10 mg."' in client.get(ARTICLE).content
    target.lead = "Take 5 mg once daily."
    target.save()
    workflow.record_review(target, reviewer_name="Ann Lee, MD")
    assert b'title="Take 10 mg."' in client.get(ARTICLE).content  # reviewed, not yet published
    workflow.publish(target)
    assert b'title="Take 5 mg once daily."' in client.get(ARTICLE).content


def test_unpublishing_and_renaming_show_on_the_next_request(client, article):
    page, target = article
    client.get(ARTICLE)
    client.get("/drugs/baclofen/baclofen-dosage/")
    workflow.unpublish(target)
    assert b'href="/drugs/baclofen/baclofen-dosage/"' not in client.get(ARTICLE).content
    assert client.get("/drugs/baclofen/baclofen-dosage/").status_code == 404

    page.slug = "uses-of-baclofen"
    page.save()
    workflow.publish(page)
    assert client.get(ARTICLE).status_code == 301
    assert client.get("/drugs/baclofen/uses-of-baclofen/").status_code == 200


def test_a_bulk_update_in_sql_is_seen_too(client, article):
    client.get(ARTICLE)
    PublishedArticle.objects.filter(slug="baclofen-uses").update(title="Renamed In Bulk")
    assert b"Renamed In Bulk" in client.get(ARTICLE).content


def test_the_footer_and_site_settings_show_on_the_next_request(client, article):
    client.get(ARTICLE)
    settings_row = SiteSettings.load()
    settings_row.disclaimer = "A brand new disclaimer."
    settings_row.save()
    assert b"A brand new disclaimer." in client.get(ARTICLE).content


def test_a_scheduled_article_appears_when_its_time_comes_with_nobody_writing(client, article):
    coming = factories.ArticleFactory(
        slug="coming-soon",
        title="Coming Soon",
        published_at=datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=1),
    )
    url = coming.get_absolute_url()
    assert client.get(url).status_code == 404
    assert b"Coming Soon" not in client.get("/").content
    with time_machine.travel(datetime.timedelta(hours=1, seconds=1)):
        assert client.get(url).status_code == 200
        assert b"Coming Soon" in client.get("/").content


def test_a_process_keeps_its_version_only_until_the_next_scheduled_time(article):
    factories.ArticleFactory(
        published_at=datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=5)
    )
    with override_settings(PAGE_CACHE_VERSION_SECONDS=3600):
        before = version.current_version()
        with time_machine.travel(datetime.timedelta(minutes=5, seconds=1)):
            assert version.current_version() != before


def test_signed_in_staff_are_never_served_or_stored_in_the_cache(client, article, staff_user):
    anonymous = client.get(ARTICLE)
    client.force_login(staff_user)
    staff_page = client.get(ARTICLE)
    assert not served_from_cache(staff_page)
    assert staff_page["Cache-Control"] == "private, no-cache"
    assert "ETag" not in staff_page or staff_page["ETag"] != anonymous["ETag"]
    client.logout()
    assert client.get(ARTICLE).content == anonymous.content


def test_previews_and_the_admin_are_never_stored(client, article, staff_user):
    page, _ = article
    client.force_login(staff_user)
    preview = client.get(f"/preview/articles/{page.pk}/")
    assert preview.status_code == 200
    assert "no-cache" in preview["Cache-Control"] or "no-store" in preview["Cache-Control"]
    client.logout()
    assert client.get(f"/preview/articles/{page.pk}/").status_code in (302, 403, 404)
    assert client.get("/admin/login/").get(SERVED_FROM) is None
    assert client.get("/admin/login/").get(SERVED_FROM) is None


def test_nothing_per_request_is_ever_stored(client, article):
    client.get(ARTICLE)
    client.get("/admin/login/")  # sets a CSRF cookie, renders a token
    pages = [caches["pages"].get(key.split(":", 2)[2]) for key in caches["pages"]._cache]
    assert [stored.content for stored in pages] == [client.get(ARTICLE).content]
    for stored in pages:  # the local-memory cache of the suite
        headers = dict(stored.headers)
        assert "Set-Cookie" not in headers
        assert "nonce-" not in headers.get("Content-Security-Policy", "")
        assert b"csrfmiddlewaretoken" not in stored.content


def test_a_response_that_sets_a_cookie_is_not_stored(client, article):
    client.get("/admin/login/")  # a reader who once opened the login page
    response = client.get(ARTICLE)
    assert "csrftoken" not in response.cookies
    assert served_from_cache(client.get(ARTICLE))


@override_settings(PAGE_CACHE_ENABLED=False)
def test_with_the_cache_off_pages_still_revalidate_by_content(client, article):
    first = client.get(ARTICLE)
    assert not served_from_cache(client.get(ARTICLE))
    again = client.get(ARTICLE, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304


def test_feed_sitemap_and_search_are_cached_and_compressed_too(client, article):
    for url in ["/feeds/articles/", "/sitemap.xml", "/sitemap-lists.xml", "/search/?q=baclofen"]:
        first = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert first.status_code == 200, url
        assert first["Content-Encoding"] == "gzip", url
        assert served_from_cache(client.get(url, headers={"Accept-Encoding": "gzip"})), url
