"""Links are always current (DESIGN.md §4): readers get each link as its target is now.

A link's URL, whether it is a link or plain text, and its hover title follow the target's
published state on the very next request after a rename, a move to another drug, a
publish, an unpublish, a scheduled time passing, a republished lead or summary, or a
deletion, on every kind of page that links (article, drug hub, site page, feed), with
nothing rendered again and a fixed number of queries. Found on the design this replaced:
corrected leads stayed in hover titles until the linking page was next re-rendered, and the
first reader after a scheduled article came due re-rendered pages (a reader request that
wrote to the database).
"""

import datetime

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import workflow
from articles.models import Article, PublishedArticle
from pages.views import referring_pages
from tests import factories
from tests.reader_writes import writes

pytestmark = pytest.mark.django_db


def reload(obj):
    return type(obj).objects.get(pk=obj.pk)


def links_on(client, url) -> dict[str, tuple[str, str] | None]:
    """Each "to target" text on the page: (href, title), or None when it is plain text."""
    response = client.get(url)
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    found = {}
    for element in soup.find_all(string=lambda s: s and s.startswith("to target")):
        parent = element.parent
        found[str(element)] = (
            (parent["href"], parent.get("title", "")) if parent.name == "a" else None
        )
    return found


@pytest.fixture
def target():
    return factories.ArticleFactory(drug=None, slug="target", lead="Take 10 mg twice daily.")


@pytest.fixture
def pages(target):
    """A page of every kind linking to the target, each in its own way."""
    article = factories.ArticleFactory(
        drug=None, slug="article", body="[to target A](article:target)"
    )
    drug = factories.DrugFactory(slug="drug", mechanism="[to target D](/articles/target/)")
    page = factories.SitePageFactory(slug="page", body="[to target P](Article:Target#sec-one)")
    return {"/articles/article/": article, "/drugs/drug/": drug, "/page/": page}


def every_link(client, pages) -> dict:
    found = {}
    for url in pages:
        found.update(links_on(client, url))
    return found


def test_a_link_carries_the_targets_url_and_published_lead(client, pages):
    assert every_link(client, pages) == {
        "to target A": ("/articles/target/", "Take 10 mg twice daily."),
        "to target D": ("/articles/target/", "Take 10 mg twice daily."),
        "to target P": ("/articles/target/#sec-one", "Take 10 mg twice daily."),
    }


def test_a_rename_shows_at_the_next_request_and_old_links_still_resolve(client, pages, target):
    target = reload(target)
    target.slug = "renamed"
    target.save()
    assert "/articles/target/" in {href for href, _ in every_link(client, pages).values()}
    workflow.publish(reload(target))  # a new URL reaches readers through the publish step
    assert {href for href, _ in every_link(client, pages).values()} == {
        "/articles/renamed/",
        "/articles/renamed/#sec-one",
    }

    def kinds(found):  # a drug hub refers as its published copy (same pk)
        return {(type(p).__name__.removeprefix("Published"), p.pk) for p in found}

    assert kinds(referring_pages(target)) == kinds(pages.values())


def test_a_move_to_another_drug_shows_at_the_next_request(client, pages, target):
    baclofen = factories.DrugFactory(slug="baclofen")
    Article.objects.filter(pk=target.pk).update(drug=baclofen)
    assert {href for href, _ in every_link(client, pages).values()} >= {"/articles/target/"}
    with pytest.raises(workflow.WorkflowError):  # the primary drug is part of the review
        workflow.publish(reload(target))
    workflow.record_review(reload(target), reviewer_name="R. Viewer, MD")
    workflow.publish(reload(target))
    assert {href for href, _ in every_link(client, pages).values()} == {
        "/drugs/baclofen/target/",
        "/drugs/baclofen/target/#sec-one",
    }


def test_unpublish_and_publish_again_turn_links_into_text_and_back(client, pages, target):
    workflow.unpublish(reload(target))
    assert set(every_link(client, pages).values()) == {None}
    workflow.publish(reload(target))
    assert None not in every_link(client, pages).values()


def test_a_corrected_lead_is_every_links_title_once_it_is_published(client, pages, target):
    target = reload(target)
    target.lead = "Take 5 mg once daily."
    target.save()
    titles = {title for _, title in every_link(client, pages).values()}
    assert titles == {"Take 10 mg twice daily."}  # the edit waits for its review
    workflow.record_review(reload(target), reviewer_name="R. Viewer, MD")
    workflow.publish(reload(target))
    titles = {title for _, title in every_link(client, pages).values()}
    assert titles == {"Take 5 mg once daily."}


def test_a_drug_summary_change_is_the_title_of_links_to_the_hub(client):
    drug = factories.DrugFactory(slug="baclofen", summary="Old summary.")
    factories.SitePageFactory(slug="page", body="[to target](drug:baclofen)")
    assert links_on(client, "/page/") == {"to target": ("/drugs/baclofen/", "Old summary.")}
    drug = reload(drug)
    drug.summary = "New summary.\nSecond line."
    drug.save()
    assert links_on(client, "/page/") == {"to target": ("/drugs/baclofen/", "Old summary.")}
    factories.publish_reviewed(drug)  # the edit reaches readers once reviewed and published
    assert links_on(client, "/page/") == {"to target": ("/drugs/baclofen/", "New summary.")}


def test_a_deleted_target_leaves_plain_text(client, pages, target):
    Article.objects.filter(pk=target.pk).delete()
    assert set(every_link(client, pages).values()) == {None}


def test_a_scheduled_target_becomes_a_link_when_due_with_no_write(client, pages, target):
    due = timezone.now() + datetime.timedelta(days=1)
    PublishedArticle.objects.filter(pk=target.pk).update(published_at=due)  # rescheduled
    assert set(every_link(client, pages).values()) == {None}
    with time_machine.travel(due + datetime.timedelta(seconds=1)):
        with CaptureQueriesContext(connection) as queries:
            links = every_link(client, pages)
        assert None not in links.values()
        assert writes(queries) == []
        referring = BeautifulSoup(client.get("/articles/target/").content, "html.parser")
        assert referring.select_one("a[href='/articles/article/']") is not None


def test_a_link_written_before_its_target_existed_works_once_it_is_published(client):
    factories.SitePageFactory(slug="page", body="[to target](article:later)")
    assert links_on(client, "/page/") == {"to target": None}
    factories.ArticleFactory(drug=None, slug="later", lead="Now here.")
    assert links_on(client, "/page/") == {"to target": ("/articles/later/", "Now here.")}


def test_slugs_are_case_insensitive_everywhere(client):
    article = factories.ArticleFactory(drug=None, slug="Upper-Case", lead="Found.")
    assert article.slug == "upper-case"
    factories.SitePageFactory(slug="page", body="[to target](article:UPPER-case)")
    assert links_on(client, "/page/") == {"to target": ("/articles/upper-case/", "Found.")}


@pytest.mark.parametrize("links", [1, 40])
def test_a_page_costs_the_same_queries_however_many_links(client, links, django_assert_num_queries):
    targets = factories.ArticleFactory.create_batch(links, drug=None)
    drugs = factories.DrugFactory.create_batch(links)
    body = " ".join(
        f"[a](article:{a.slug}) [d](drug:{d.slug}) [x](article:gone-{n})"
        for n, (a, d) in enumerate(zip(targets, drugs, strict=True))
    )
    factories.SitePageFactory(slug="page", title="Page", body=body)
    with django_assert_num_queries(4):  # content version, page, links' targets, site + footer
        response = client.get("/page/")
    soup = BeautifulSoup(response.content, "html.parser").select_one("main")
    assert len(soup.select("a[href^='/articles/']")) == links
