"""A slug change keeps the old URL answering 301 to the new one, forever (DESIGN.md §2)."""

import datetime

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.utils import timezone

from articles import workflow
from articles.links import link_works
from articles.models import Article, SitePage
from content import review_workflow
from content.markup import markdownify
from content.models import OldSlug
from drugs.models import Condition, Drug
from pages.views import referring_pages
from tests import factories

pytestmark = pytest.mark.django_db


def rename(obj, slug):
    """Change the slug as an editor does, then publish the new URL as a Publisher does
    (the slug of reviewed content reaches readers through the publish step)."""
    obj = type(obj).objects.get(pk=obj.pk)  # as the admin loads it
    obj.slug = slug
    obj.save()
    if isinstance(obj, Drug | Condition):
        factories.publish_reviewed(obj)
    elif isinstance(obj, SitePage):
        review_workflow.publish(obj)
    elif isinstance(obj, Article) and obj.is_live:  # its review still holds: same text
        copy = obj.published_copy()
        workflow.publish(obj, at=copy.published_at if copy.published_at > timezone.now() else None)
    return obj


def test_a_hub_renamed_by_an_editor_keeps_its_url_until_published(client):
    drug = factories.DrugFactory(slug="old-drug")
    drug.slug = "new-drug"
    drug.save()
    assert client.get("/drugs/old-drug/").status_code == 200
    assert client.get("/drugs/new-drug/").status_code == 404
    factories.publish_reviewed(drug)
    assert_moved(client, "/drugs/old-drug/", "/drugs/new-drug/")


def assert_moved(client, old_url, new_url):
    response = client.get(old_url)
    assert (response.status_code, response["Location"]) == (301, new_url)
    assert client.get(new_url).status_code == 200


@pytest.fixture
def standalone():
    return factories.ArticleFactory(drug=None, slug="a")


def test_an_article_renamed_twice_redirects_from_both_old_slugs(client, standalone):
    rename(rename(standalone, "b"), "c")
    assert_moved(client, "/articles/a/", "/articles/c/")
    assert_moved(client, "/articles/b/", "/articles/c/")


def test_renaming_back_takes_the_old_slug_out_of_the_redirects(client, standalone):
    article = rename(rename(standalone, "b"), "a")
    assert client.get("/articles/a/").status_code == 200
    assert_moved(client, "/articles/b/", "/articles/a/")
    assert not OldSlug.objects.filter(kind="article", slug="a").exists()
    assert article.slug == "a"


def test_a_drug_articles_old_slug_redirects_from_under_any_drug_url(client):
    article = factories.ArticleFactory(drug=factories.DrugFactory(slug="bac"), slug="uses")
    rename(article, "what-is-it-for")
    assert_moved(client, "/drugs/bac/uses/", "/drugs/bac/what-is-it-for/")
    assert_moved(client, "/articles/uses/", "/drugs/bac/what-is-it-for/")


def test_an_unpublished_articles_old_slug_reveals_nothing(client, standalone):
    workflow.unpublish(rename(standalone, "b"))
    assert client.get("/articles/a/").status_code == 404
    assert client.get("/articles/b/").status_code == 404


def test_a_scheduled_articles_old_slug_reveals_nothing_until_it_is_due(client):
    due = timezone.now() + datetime.timedelta(days=2)
    article = factories.ArticleFactory(drug=None, slug="soon", published_at=due)
    rename(article, "later")
    assert client.get("/articles/soon/").status_code == 404
    with time_machine.travel(due + datetime.timedelta(minutes=1)):
        assert_moved(client, "/articles/soon/", "/articles/later/")


def test_a_new_article_with_an_old_slug_owns_it_even_before_it_is_published(client, standalone):
    rename(standalone, "b")
    factories.ArticleFactory(drug=None, slug="a", status="draft", reviewed_on=None)
    assert client.get("/articles/a/").status_code == 404  # not a redirect to "b"
    assert "<a" not in markdownify("[x](article:a)")


def test_a_renamed_drug_moves_its_hub_and_its_articles(client):
    drug = factories.DrugFactory(slug="old-drug")
    factories.ArticleFactory(drug=drug, slug="dosage")
    rename(drug, "new-drug")
    assert_moved(client, "/drugs/old-drug/", "/drugs/new-drug/")
    assert_moved(client, "/drugs/old-drug/dosage/", "/drugs/new-drug/dosage/")


def test_a_renamed_condition_redirects(client):
    rename(factories.ConditionFactory(slug="stiffness"), "spasticity")
    assert_moved(client, "/conditions/stiffness/", "/conditions/spasticity/")


def test_a_renamed_site_page_redirects(client):
    rename(factories.SitePageFactory(slug="terms-of-use"), "terms")
    assert_moved(client, "/terms-of-use/", "/terms/")


def test_an_old_slug_of_another_kind_does_not_redirect(client):
    rename(factories.ConditionFactory(slug="gaba"), "gaba-receptor")
    assert client.get("/drugs/gaba/").status_code == 404
    assert client.get("/gaba/").status_code == 404


@pytest.mark.parametrize("url", ["/drugs/x/", "/drugs/x/y/", "/articles/x/", "/conditions/x/"])
def test_an_unknown_slug_is_still_404(client, url):
    assert client.get(url).status_code == 404


def test_a_huge_slug_is_404_not_500(client):
    assert client.get(f"/drugs/{'a' * 10_000}/").status_code == 404
    assert client.get(f"/{'a' * 10_000}/").status_code == 404


@pytest.mark.parametrize(
    ("make", "old_url"),
    [
        (lambda: rename(factories.DrugFactory(slug="d1"), "d2"), "/drugs/d1/"),
        (lambda: rename(factories.ArticleFactory(slug="a1"), "a2"), "/articles/a1/"),
        (lambda: rename(factories.ConditionFactory(slug="c1"), "c2"), "/conditions/c1/"),
        (lambda: rename(factories.SitePageFactory(slug="p1"), "p2"), "/p1/"),
    ],
    ids=["drug", "article", "condition", "page"],
)
def test_a_redirect_costs_two_queries(client, django_assert_num_queries, make, old_url):
    make()
    # The content version (the page cache's; read on every request in tests), then the
    # page not found, then its old slug.
    with django_assert_num_queries(1 + 2):
        assert client.get(old_url).status_code == 301


# --- Links written with an old slug ----------------------------------------------------------


def test_links_written_with_old_slugs_resolve_to_the_url_of_today():
    drug = rename(factories.DrugFactory(slug="old-drug"), "new-drug")
    rename(factories.ArticleFactory(drug=drug, slug="old-uses", lead="Uses."), "uses")
    rename(factories.ConditionFactory(slug="old-cond"), "cond")
    rename(factories.SitePageFactory(slug="old-page"), "page")
    markdown = (
        "[a](article:old-uses) [b](/drugs/old-drug/old-uses/) [c](drug:old-drug) "
        "[d](/drugs/old-drug/) [e](condition:old-cond) [f](/old-page/#top)"
    )
    soup = BeautifulSoup(markdownify(markdown), "html.parser")
    assert {a.get_text(): a["href"] for a in soup.find_all("a")} == {
        "a": "/drugs/new-drug/uses/",
        "b": "/drugs/new-drug/uses/",
        "c": "/drugs/new-drug/",
        "d": "/drugs/new-drug/",
        "e": "/conditions/cond/",
        "f": "/page/#top",
    }
    assert soup.find("a")["title"] == "Uses."
    assert soup.find("span") is None  # no link shown as plain text


def test_a_link_by_old_slug_is_recorded_and_counts_among_its_targets_referrers():
    target = rename(factories.ArticleFactory(slug="before"), "after")
    source = factories.ArticleFactory(body="[x](article:before)")
    row = source.outgoing_links.annotate(works=link_works()).get(in_live_copy=False)
    assert (row.target_key, row.works) == ("article:before", True)
    assert [page.pk for page in referring_pages(target)] == [source.pk]
