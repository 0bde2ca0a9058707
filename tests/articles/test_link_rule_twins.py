"""The visibility rule is written twice, and both copies give the same answers.

Reader requests resolve links with one hand-written query (``articles.links._TARGETS_SQL``,
through ``published_targets``); the admin's link lists ask the ORM (``_published``, built
on ``PublishedQuerySet.visible()``), and a page's URL is its model's
``get_absolute_url``. Content of every kind in every state (published, scheduled, taken
down, never published, renamed with its old slug, renamed and then taken down, and an
article whose hub is taken down) is looked up by every slug it has or had: both rules
must agree on what readers may see and where it lives, and match what readers are meant
to see.
"""

import datetime

import pytest
from django.utils import timezone

from articles import workflow
from articles.links import _published, published_targets
from articles.models import Article, PublishedArticle, PublishedSitePage, SitePage
from content import review_workflow
from drugs.models import Condition, Drug, PublishedCondition, PublishedDrug
from tests.factories import (
    ArticleFactory,
    ConditionFactory,
    DrugFactory,
    SitePageFactory,
    publish_reviewed,
)

pytestmark = pytest.mark.django_db

COPIES = {
    "article": PublishedArticle,
    "drug": PublishedDrug,
    "condition": PublishedCondition,
    "page": PublishedSitePage,
}
WORKING = {"article": Article, "drug": Drug, "condition": Condition, "page": SitePage}


def make(kind: str, slug: str, **kwargs):
    if kind == "article":
        return ArticleFactory(slug=slug, drug=None, **kwargs)
    factory = {"drug": DrugFactory, "condition": ConditionFactory, "page": SitePageFactory}[kind]
    published = kwargs.pop("status", None) != "draft"
    return factory(slug=slug, published=published)


def republish(kind: str, obj) -> None:
    obj = type(obj).objects.get(pk=obj.pk)
    if kind == "article":
        workflow.publish(obj)
    elif kind == "page":
        review_workflow.publish(obj)
    else:
        publish_reviewed(obj)


def rename(kind: str, obj, new_slug: str) -> None:
    """A new slug, published: the old one is remembered (``OldSlug``)."""
    obj = type(obj).objects.get(pk=obj.pk)
    obj.slug = new_slug
    obj.save()
    republish(kind, obj)


def set_publish_time(kind: str, obj, when) -> None:
    COPIES[kind].objects.filter(pk=obj.pk).update(published_at=when)


def build_every_state(kind: str) -> dict[str, str | None]:
    """Content of one kind in every state: {slug asked: the slug readers are sent to, or
    None when nothing readers may see answers to it}."""
    future = timezone.now() + datetime.timedelta(days=3)
    make(kind, f"{kind}-published")
    set_publish_time(kind, make(kind, f"{kind}-scheduled"), future)
    set_publish_time(kind, make(kind, f"{kind}-taken-down"), None)
    make(kind, f"{kind}-draft", status="draft")
    rename(kind, make(kind, f"{kind}-old"), f"{kind}-new")
    gone = make(kind, f"{kind}-old-gone")
    rename(kind, gone, f"{kind}-new-gone")
    set_publish_time(kind, gone, None)
    waiting = make(kind, f"{kind}-old-waiting")
    rename(kind, waiting, f"{kind}-new-waiting")
    set_publish_time(kind, waiting, future)
    return {
        f"{kind}-published": f"{kind}-published",
        f"{kind}-scheduled": None,
        f"{kind}-taken-down": None,
        f"{kind}-draft": None,
        f"{kind}-old": f"{kind}-new",
        f"{kind}-new": f"{kind}-new",
        f"{kind}-old-gone": None,
        f"{kind}-new-gone": None,
        f"{kind}-old-waiting": None,
        f"{kind}-new-waiting": None,
        f"{kind}-never-was": None,
    }


def by_orm(kind: str, asked: str) -> str | None:
    """The ORM's answer: the URL of what readers may see at this slug (today's slug first,
    then an old one), from the model's own ``get_absolute_url``."""
    for rows in (_published(kind), _published(kind, through="page" if kind == "page" else kind)):
        found = rows.filter(slug=asked).values_list("link_slug", flat=True).first()
        if found is not None:
            copy = COPIES[kind].objects.visible()
            if kind == "article":
                copy = copy.with_hub()
            return copy.get(slug=found).get_absolute_url()
    return None


def by_sql(kind: str, asked: str) -> str | None:
    target = published_targets({f"{kind}:{asked}"}).get(f"{kind}:{asked}")
    return target.url if target else None


@pytest.mark.parametrize("kind", ["article", "drug", "condition", "page"])
def test_the_sql_and_the_orm_agree_on_every_state_of_every_kind(kind):
    expected = build_every_state(kind)
    for asked, lands_on in expected.items():
        orm, sql = by_orm(kind, asked), by_sql(kind, asked)
        assert orm == sql, f"{kind}:{asked}: the ORM says {orm}, the SQL {sql}"
        assert (sql is not None) == (lands_on is not None), f"{kind}:{asked}: {sql}"
        if lands_on is not None:
            assert lands_on in sql


def test_an_article_lives_under_its_hub_only_while_readers_may_see_the_hub():
    baclofen = DrugFactory(slug="baclofen")
    ArticleFactory(slug="on-a-live-hub", drug=baclofen)
    scheduled, gone = DrugFactory(slug="scheduled"), DrugFactory(slug="gone")
    ArticleFactory(slug="on-a-scheduled-hub", drug=scheduled)
    ArticleFactory(slug="on-a-taken-down-hub", drug=gone)
    set_publish_time("drug", scheduled, timezone.now() + datetime.timedelta(days=3))
    set_publish_time("drug", gone, None)
    rename("article", Article.objects.get(slug="on-a-live-hub"), "renamed-on-a-live-hub")
    expected = {
        "on-a-live-hub": "/drugs/baclofen/renamed-on-a-live-hub/",
        "renamed-on-a-live-hub": "/drugs/baclofen/renamed-on-a-live-hub/",
        "on-a-scheduled-hub": "/articles/on-a-scheduled-hub/",
        "on-a-taken-down-hub": "/articles/on-a-taken-down-hub/",
    }
    for asked, url in expected.items():
        assert by_orm("article", asked) == by_sql("article", asked) == url


def test_an_old_article_slug_taken_by_another_article_leads_to_the_new_one():
    rename("article", ArticleFactory(slug="first", drug=None), "first-renamed")
    ArticleFactory(slug="first", drug=None)
    assert by_orm("article", "first") == by_sql("article", "first") == "/articles/first/"


def test_an_article_on_a_taken_down_hub_is_read_at_its_own_url(client):
    gone = DrugFactory(slug="gone")
    ArticleFactory(slug="on-a-taken-down-hub", drug=gone, title="Still here")
    set_publish_time("drug", gone, None)
    assert client.get("/drugs/gone/on-a-taken-down-hub/").status_code == 301
    assert client.get("/articles/on-a-taken-down-hub/").status_code == 200
