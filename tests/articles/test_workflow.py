"""The review gate: readers only ever see reviewed text, in every order of events."""

import datetime

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.utils import timezone

from articles import workflow
from articles.models import Article, PublishedArticle, Status
from articles.search import search
from interchange.demo import seed_demo
from tests.factories import ArticleFactory, DrugFactory, UserFactory

pytestmark = pytest.mark.django_db


def page_text(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser").get_text(" ")


@pytest.fixture
def draft():
    return ArticleFactory(
        title="Original title", slug="gate", body="## Part\n\nReviewed words.",
        status=Status.DRAFT, reviewed_on=None, drug=DrugFactory(slug="gatedrug"),
    )  # fmt: skip


def review(article):
    return workflow.record_review(article, reviewer_name="Ann Lee, MD")


def test_a_draft_is_not_visible(client, draft):
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_publishing_without_a_review_is_refused(draft):
    with pytest.raises(workflow.WorkflowError, match="medical review"):
        workflow.publish(draft)
    draft.refresh_from_db()
    assert not draft.is_live and draft.status == Status.DRAFT


def test_submit_review_publish_makes_the_article_visible(client, draft):
    workflow.submit_for_review(draft)
    assert draft.status == Status.IN_REVIEW
    workflow.publish(review(draft))
    assert "Reviewed words." in page_text(client, draft.get_absolute_url())
    assert "Ann Lee, MD" in page_text(client, draft.get_absolute_url())


def test_an_edit_after_the_review_needs_a_new_review_before_publishing(draft):
    review(draft)
    draft.body = "## Part\n\nUnreviewed words."
    draft.save()
    assert not draft.has_current_review
    with pytest.raises(workflow.WorkflowError):
        workflow.publish(draft)


def test_readers_keep_seeing_the_reviewed_text_while_an_edit_waits(client, draft):
    workflow.publish(review(draft))
    draft = Article.objects.get(pk=draft.pk)
    draft.title = "Sneaky new title"
    draft.lead = "Sneaky lead"
    draft.body = "## Part\n\nUnreviewed words."
    draft.save()
    assert draft.status == Status.DRAFT and draft.has_pending_changes
    text = page_text(client, draft.get_absolute_url())
    assert "Reviewed words." in text and "Original title" in text
    assert "Unreviewed" not in text and "Sneaky" not in text
    assert "Sneaky" not in page_text(client, "/")
    assert "Sneaky" not in page_text(client, "/drugs/gatedrug/")
    assert "Sneaky" not in client.get("/feeds/articles/").content.decode()
    assert search("unreviewed").total == 0
    hits = search("reviewed words")
    assert [hit.obj.title for hit in hits.hits] == ["Original title"]
    assert "Sneaky" not in str(hits.hits[0].snippet)


def test_reviewing_and_publishing_the_edit_shows_it(client, draft):
    workflow.publish(review(draft))
    draft = Article.objects.get(pk=draft.pk)
    draft.body = "## Part\n\nSecond version."
    draft.save()
    workflow.publish(review(draft))
    assert "Second version." in page_text(client, draft.get_absolute_url())


def test_a_future_publish_time_schedules_without_any_job(client, draft):
    later = timezone.now() + datetime.timedelta(hours=2)
    workflow.publish(review(draft), at=later)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert search("reviewed words").total == 0
    with time_machine.travel(later + datetime.timedelta(minutes=1)):
        assert "Reviewed words." in page_text(client, draft.get_absolute_url())


def test_a_past_publish_time_is_visible_at_once(client, draft):
    workflow.publish(review(draft), at=timezone.now() - datetime.timedelta(days=1))
    assert client.get(draft.get_absolute_url()).status_code == 200


def test_a_live_article_cannot_be_rescheduled_into_the_future(draft):
    workflow.publish(review(draft))
    with pytest.raises(workflow.WorkflowError, match="unpublish"):
        workflow.publish(draft, at=timezone.now() + datetime.timedelta(days=1))


def test_unpublish_hides_the_article_and_republishing_needs_no_new_review(client, draft):
    workflow.publish(review(draft))
    workflow.unpublish(draft)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert search("reviewed words").total == 0
    workflow.publish(draft)
    assert client.get(draft.get_absolute_url()).status_code == 200


def test_the_database_refuses_a_published_copy_without_a_review(draft):
    copy = workflow.build_published_copy(draft, timezone.now())
    with pytest.raises(IntegrityError):
        copy.save()


def test_readers_get_the_published_copy_never_the_pending_edit(draft):
    workflow.publish(review(draft))
    Article.objects.filter(pk=draft.pk).update(title="Pending title")
    readers_copy = PublishedArticle.objects.visible().only("slug").get(pk=draft.pk)
    assert readers_copy.title == "Original title"  # a plain model: no field is swapped


@pytest.mark.parametrize(
    ("permission", "action"),
    [
        ("submit_article", lambda a, u: workflow.submit_for_review(a, user=u)),
        ("review_article", lambda a, u: workflow.record_review(a, user=u)),
        ("publish_article", lambda a, u: workflow.publish(a, user=u)),
        ("publish_article", lambda a, u: workflow.unpublish(a, user=u)),
    ],
    ids=["submit", "review", "publish", "unpublish"],
)
def test_each_step_checks_the_users_permission(draft, permission, action):
    if permission == "publish_article":
        workflow.publish(review(draft))
    before = Article.objects.filter(pk=draft.pk).values().get()
    with pytest.raises(PermissionDenied):
        action(draft, UserFactory(is_staff=True))
    assert Article.objects.filter(pk=draft.pk).values().get() == before


def test_editing_back_to_the_published_text_makes_the_article_published_again(draft):
    workflow.publish(review(draft))
    draft = Article.objects.get(pk=draft.pk)
    draft.body = "## Part\n\nA passing change."
    draft.save()
    assert draft.status == Status.DRAFT
    draft.body = "## Part\n\nReviewed words."
    draft.save()
    assert draft.status == Status.PUBLISHED and not draft.has_pending_changes


# --- "Last updated": when the reviewed text readers see last changed ----------------------


def last_updated(article) -> datetime.datetime:
    return PublishedArticle.objects.visible().get(pk=article.pk).last_updated


def test_last_updated_moves_only_when_the_published_text_changes(draft):
    first = timezone.now() - datetime.timedelta(days=30)
    with time_machine.travel(first, tick=False):
        workflow.publish(review(draft))
    assert last_updated(draft) == first

    with time_machine.travel(first + datetime.timedelta(days=1), tick=False):
        workflow.unpublish(draft)
        workflow.publish(draft)  # the same text again
    assert last_updated(draft) == first

    draft.body = "## Part\n\nCorrected words."
    draft.save()
    later = first + datetime.timedelta(days=2)
    with time_machine.travel(later, tick=False):
        workflow.publish(review(draft))
    assert last_updated(draft) == later


def test_an_imported_article_was_last_updated_when_the_file_says_it_was_published(db):
    assert seed_demo().ok
    article = PublishedArticle.objects.visible().get(slug="baclofen-uses")
    assert article.last_updated == article.published_at < timezone.now()
    assert article.last_updated.date() >= article.reviewed_on
