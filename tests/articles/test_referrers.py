"""When a page's URL or visibility changes, every page linking to it is rendered again."""

import datetime

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.utils import timezone

from articles import workflow
from articles.models import InternalLink, OldSlug, SitePage, Status
from tests import factories

pytestmark = pytest.mark.django_db


def reload(obj):
    return type(obj).objects.get(pk=obj.pk)


def rename(obj, slug):
    obj = reload(obj)
    obj.slug = slug
    obj.save()
    return obj


def hrefs(html: str) -> dict[str, str | None]:
    """Each link text with its href; None for text that is not a link."""
    soup = BeautifulSoup(html, "html.parser")
    return {a.get_text(): a.get("href") for a in soup.find_all("a")}


def reader_links(client, url) -> dict[str, str]:
    response = client.get(url)
    assert response.status_code == 200
    body = BeautifulSoup(response.content, "html.parser").select_one("main") or response
    return {a.get_text(" ", strip=True): a.get("href") for a in body.find_all("a")}


@pytest.fixture
def target():
    return factories.ArticleFactory(drug=None, slug="target", lead="The target.")


@pytest.fixture
def referrers(target):
    article = factories.ArticleFactory(drug=None, body="[to target](article:target)")
    drug = factories.DrugFactory(mechanism="[to target](/articles/target/)")
    page = factories.SitePageFactory(body="[to target](article:target#sec-one)")
    return article, drug, page


def stored_html(article, drug, page) -> list[str]:
    article, drug, page = reload(article), reload(drug), reload(page)
    return [article.body_html, article.live_body_html, drug.mechanism_html, page.body_html]


def test_renaming_an_article_rerenders_every_referrer(target, referrers):
    rename(target, "moved")
    for html in stored_html(*referrers):
        assert hrefs(html)["to target"].startswith("/articles/moved/")
    assert hrefs(reload(referrers[2]).body_html)["to target"] == "/articles/moved/#sec-one"


def test_moving_an_article_to_a_drug_rerenders_referrers(target, referrers):
    target = reload(target)
    target.drug = factories.DrugFactory(slug="bac")
    target.save()
    assert hrefs(reload(referrers[0]).live_body_html)["to target"] == "/drugs/bac/target/"


def test_renaming_a_drug_rerenders_links_to_it_and_to_its_articles():
    drug = factories.DrugFactory(slug="old-drug")
    factories.ArticleFactory(drug=drug, slug="dosage")
    source = factories.SitePageFactory(body="[hub](drug:old-drug) [dose](article:dosage)")
    rename(drug, "new-drug")
    assert hrefs(reload(source).body_html) == {
        "hub": "/drugs/new-drug/",
        "dose": "/drugs/new-drug/dosage/",
    }


def test_renaming_a_condition_or_a_site_page_rerenders_referrers():
    condition = factories.ConditionFactory(slug="stiff")
    page = factories.SitePageFactory(slug="tos")
    source = factories.ArticleFactory(body="[c](condition:stiff) [p](/tos/)")
    rename(condition, "spasticity")
    rename(page, "terms")
    assert hrefs(reload(source).live_body_html) == {"c": "/conditions/spasticity/", "p": "/terms/"}


def test_unpublishing_turns_links_into_plain_text_and_publishing_back_into_links(
    client, target, referrers
):
    workflow.unpublish(reload(target))
    for html in stored_html(*referrers):
        assert "to target" in BeautifulSoup(html, "html.parser").get_text()
        assert "to target" not in hrefs(html)
    assert all(link.is_broken for link in InternalLink.objects.filter(target_key="article:target"))

    workflow.publish(reload(target))
    for html in stored_html(*referrers):
        assert hrefs(html)["to target"].startswith("/articles/target/")
    texts = {str(p) for p in _referring_pages(client, "/articles/target/")}
    assert texts == {str(reload(referrers[0]).live_title), str(referrers[1]), str(referrers[2])}


def _referring_pages(client, url):
    response = client.get(url)
    return response.context["referring_pages"]


def test_a_link_written_before_its_target_existed_comes_alive_when_it_is_published():
    source = factories.SitePageFactory(body="[soon](article:not-yet)")
    assert hrefs(reload(source).body_html) == {}
    factories.ArticleFactory(drug=None, slug="not-yet")
    assert hrefs(reload(source).body_html) == {"soon": "/articles/not-yet/"}
    assert not reload(source).outgoing_links.get().is_broken


def test_a_link_by_an_old_slug_comes_alive_when_its_article_is_published_again(target):
    workflow.unpublish(rename(target, "renamed"))
    source = factories.SitePageFactory(body="[x](article:target)")
    assert hrefs(reload(source).body_html) == {}
    workflow.publish(reload(target))
    assert hrefs(reload(source).body_html) == {"x": "/articles/renamed/"}


def test_rerendering_keeps_a_published_referrer_published_and_its_text_unchanged(target, referrers):
    article = reload(referrers[0])
    before = (article.status, article.live_hash, article.live_body_text, article.updated_at)
    rename(target, "moved")
    article = reload(article)
    assert (article.status, article.live_hash, article.live_body_text, article.updated_at) == (
        before
    )
    assert article.status == Status.PUBLISHED and not article.has_pending_changes


def test_a_referrer_with_a_pending_edit_keeps_its_reviewed_text_with_links_fixed(target):
    source = factories.ArticleFactory(
        drug=None, body="Reviewed [to target](article:target) and [out](https://e.x/)."
    )
    source = reload(source)
    source.body = "Unreviewed edit without links."
    source.save()

    rename(target, "moved")
    source = reload(source)
    assert source.has_pending_changes
    assert hrefs(source.live_body_html) == {"to target": "/articles/moved/", "out": "https://e.x/"}
    assert "Unreviewed" not in source.live_body_html

    workflow.unpublish(reload(target))
    source = reload(source)
    assert hrefs(source.live_body_html) == {"out": "https://e.x/"}
    assert "Reviewed to target and" in BeautifulSoup(source.live_body_html, "html.parser").text


def test_a_pending_edit_does_not_stop_the_readers_copy_gaining_a_link_when_its_target_goes_live():
    source = factories.ArticleFactory(drug=None, slug="src", body="See [later](article:later).")
    source = reload(source)
    source.body = "Unreviewed rewrite."
    source.save()
    assert reload(source).has_pending_changes
    assert hrefs(reload(source).live_body_html) == {}  # the target does not exist yet

    factories.ArticleFactory(drug=None, slug="later")
    source = reload(source)
    assert hrefs(source.live_body_html) == {"later": "/articles/later/"}
    assert "Unreviewed" not in source.live_body_html


def test_publishing_renders_the_readers_copy_with_links_as_they_are_now():
    later = timezone.now() + datetime.timedelta(days=1)
    factories.ArticleFactory(drug=None, slug="scheduled", published_at=later)
    source = factories.ArticleFactory(
        drug=None, slug="src", body="[s](article:scheduled)", status="draft"
    )
    with time_machine.travel(later + datetime.timedelta(hours=1)):
        workflow.publish(reload(source))
        assert hrefs(reload(source).live_body_html) == {"s": "/articles/scheduled/"}


# --- Scheduled articles coming due ----------------------------------------------------------


@pytest.fixture
def scheduled():
    due = timezone.now() + datetime.timedelta(days=1)
    article = factories.ArticleFactory(drug=None, slug="sched", title="Scheduled", published_at=due)
    return article, due


def test_links_to_a_scheduled_article_appear_for_the_first_reader_after_it_is_due(
    client, scheduled
):
    article, due = scheduled
    drug = factories.DrugFactory(slug="hub", mechanism="See [sched](article:sched).")
    page = factories.SitePageFactory(slug="about", body="See [sched](article:sched).")
    source = factories.ArticleFactory(drug=None, slug="src", body="See [sched](article:sched).")
    for url in ("/drugs/hub/", "/about/", "/articles/src/"):
        assert "sched" not in reader_links(client, url)

    with time_machine.travel(due + datetime.timedelta(minutes=1)):
        for url in ("/drugs/hub/", "/about/", "/articles/src/"):
            assert reader_links(client, url)["sched"] == "/articles/sched/"
        assert hrefs(reload(drug).mechanism_html) == {"sched": "/articles/sched/"}
        assert hrefs(reload(page).body_html) == {"sched": "/articles/sched/"}
        assert hrefs(reload(source).live_body_html) == {"sched": "/articles/sched/"}


def test_a_due_articles_own_page_lists_its_referring_pages_at_once(client, scheduled):
    article, due = scheduled
    source = factories.SitePageFactory(title="About us", body="[x](article:sched)")
    with time_machine.travel(due + datetime.timedelta(minutes=1)):
        assert [str(p) for p in _referring_pages(client, "/articles/sched/")] == ["About us"]
        assert hrefs(reload(source).body_html) == {"x": "/articles/sched/"}


def test_due_links_cost_no_query_once_rendered(client, scheduled, django_assert_num_queries):
    article, due = scheduled
    factories.SitePageFactory(slug="about", body="[x](article:sched)")
    with time_machine.travel(due + datetime.timedelta(minutes=1)):
        client.get("/about/")
        with django_assert_num_queries(3):
            assert client.get("/about/").status_code == 200


# --- Cost -----------------------------------------------------------------------------------


def test_a_slug_change_rerenders_fifty_referrers(target, django_assert_max_num_queries):
    for _ in range(50):
        factories.SitePageFactory(body="[t](article:target)")
    target = reload(target)
    target.slug = "moved"
    with django_assert_max_num_queries(20 + 50 * 3):  # per page: update, delete, insert links
        target.save()
    assert set(SitePage.objects.filter(body_html__contains="/articles/moved/")) == set(
        SitePage.objects.filter(outgoing_links__target_article=target)
    )
    assert SitePage.objects.filter(body_html__contains="/articles/moved/").count() == 50


def test_deleting_a_target_turns_links_to_it_into_plain_text():
    condition = factories.ConditionFactory(slug="doomed")
    source = factories.ArticleFactory(body="See [the condition](condition:doomed).")
    assert BeautifulSoup(source.body_html, "html.parser").find("a") is not None
    condition.delete()
    source.refresh_from_db()
    assert BeautifulSoup(source.body_html, "html.parser").find("a") is None
    assert BeautifulSoup(source.live_body_html, "html.parser").find("a") is None
    assert "the condition" in source.body_html


def test_a_new_page_that_takes_an_old_slug_stops_the_redirect(client):
    renamed = factories.ConditionFactory(slug="first-name")
    renamed.slug = "second-name"
    renamed.save()
    assert OldSlug.objects.filter(kind="condition", slug="first-name").exists()
    factories.ConditionFactory(slug="first-name")
    assert not OldSlug.objects.filter(kind="condition", slug="first-name").exists()
    assert client.get("/conditions/first-name/").status_code == 200


def test_deleting_several_from_the_admin_list_re_renders_each_ones_referrers(admin_client):
    doomed = factories.ConditionFactory(slug="doomed-a")
    source = factories.ArticleFactory(body="See [a](condition:doomed-a).")
    response = admin_client.post(
        "/admin/drugs/condition/",
        {"action": "delete_selected", "_selected_action": [doomed.pk], "post": "yes"},
    )
    assert response.status_code == 302
    source.refresh_from_db()
    assert BeautifulSoup(source.live_body_html, "html.parser").find("a") is None


def test_reverting_a_site_page_to_an_older_slug_leaves_a_redirect_and_fixes_links(admin_client):
    page = factories.SitePageFactory(slug="about-us", title="About")
    source = factories.ArticleFactory(body="See [about](/about-us/).")
    page.slug = "about"
    page.save()
    old = page.__class__.objects.get(pk=page.pk)
    old.slug = "about-us"  # what a revert saves, whatever the instance was loaded with
    old._state.adding = False
    old.save()
    assert OldSlug.objects.filter(kind="page", slug="about").exists()
    source.refresh_from_db()
    assert "/about-us/" in source.live_body_html


def test_referring_pages_follow_the_readers_copy_not_a_pending_edit(client):
    target = factories.ArticleFactory(drug=None, slug="target-page")
    linking = factories.ArticleFactory(
        drug=None, title="Links today", body="[t](article:target-page)"
    )
    quiet = factories.ArticleFactory(drug=None, title="Quiet source", body="No links.")
    for article, body in (
        (linking, "Link removed, unreviewed."),
        (quiet, "[t](article:target-page)"),
    ):
        pending = reload(article)
        pending.body = body
        pending.save()

    page = BeautifulSoup(client.get(target.get_absolute_url()).content, "html.parser")
    referring = page.find(string="Referring Pages").find_parent().find_next("ul").get_text(" ")
    assert "Links today" in referring  # the live text still links
    assert "Quiet source" not in referring  # only an unreviewed edit links


def test_a_condition_page_lists_articles_whose_readers_copy_links_to_it(client):
    condition = factories.ConditionFactory(slug="cond-x", name="Cond X")
    article = factories.ArticleFactory(drug=None, title="Quiet", body="Nothing.")
    pending = reload(article)
    pending.body = "See [x](condition:cond-x)."
    pending.save()
    assert "Quiet" not in client.get(condition.get_absolute_url()).content.decode()
