"""Four eyes: whoever made the last change to an article's text cannot review it.

Superusers are not exempt. Changing only editorial fields (kind, series position) does not
make someone the text's author; a revert does.
"""

import pytest
from django.urls import reverse
from reversion.models import Version

from articles import workflow
from articles.models import Article, Status
from tests import factories
from tests.articles.test_admin_workflow import client_for, messages_of, soup_of, step
from tests.articles.test_roles import change_post, reload, role_user

pytestmark = pytest.mark.django_db

CHANGE = "admin:articles_article_change"


@pytest.fixture
def draft():
    return factories.ArticleFactory(
        title="Baclofen uses", slug="baclofen-uses", body="## Uses\n\nFirst words.",
        status=Status.DRAFT, reviewed_on=None, drug=factories.DrugFactory(slug="baclofen"),
    )  # fmt: skip


def edit(client, article, **fields):
    response = client.post(
        reverse(CHANGE, args=[article.pk]), change_post(reload(article), **fields)
    )
    assert response.status_code == 302, response.content[:2000]


@pytest.mark.parametrize("role", ["medical reviewer", "publisher", "superuser"])
def test_whoever_changed_the_text_cannot_review_it(draft, role):
    client = client_for(role, username="author")
    edit(client, draft, body="## Uses\n\nWords I wrote.")
    assert reload(draft).text_edited_by.username == "author"

    response = step(client, "review", draft)

    assert workflow.OWN_TEXT in messages_of(response)
    assert not reload(draft).reviewed_on
    page = soup_of(client.get(reverse(CHANGE, args=[draft.pk])))
    assert page.select_one("button[value=review]") is None
    assert workflow.OWN_TEXT in page.select_one("#workflow").get_text(" ", strip=True)


def test_another_reviewer_reviews_it(draft):
    edit(client_for("editor"), draft, body="## Uses\n\nThe editor's words.")

    reviewer = client_for("medical reviewer")
    page = soup_of(reviewer.get(reverse(CHANGE, args=[draft.pk])))
    assert page.select_one("button[value=review]") is not None
    step(reviewer, "review", draft)

    assert reload(draft).has_current_review


def test_an_editorial_change_does_not_make_the_text_yours(draft):
    edit(client_for("editor"), draft, body="## Uses\n\nThe editor's words.")
    reviewer = client_for("medical reviewer")
    edit(reviewer, draft, series_position="3", kind="uses")

    assert reload(draft).text_edited_by.username == "editor"
    step(reviewer, "review", draft)
    assert reload(draft).has_current_review


def test_a_revert_makes_the_text_yours(draft):
    editor = client_for("editor")
    edit(editor, draft, body="## Uses\n\nSecond words.")
    first = Version.objects.get_for_object(reload(draft)).order_by("pk").first()
    reviewer = client_for("medical reviewer")
    revert_url = reverse("admin:articles_article_revision", args=[draft.pk, first.pk])
    response = reviewer.post(revert_url, change_post(reload(draft), body="## Uses\n\nFirst words."))
    assert response.status_code == 302

    assert reload(draft).body == "## Uses\n\nFirst words."
    assert reload(draft).text_edited_by.username == "medical-reviewer"
    refused = step(reviewer, "review", draft)
    assert workflow.OWN_TEXT in messages_of(refused)


def test_the_workflow_refuses_the_author_whatever_calls_it(draft):
    author = role_user("superuser", username="author")
    Article.objects.filter(pk=draft.pk).update(text_edited_by=author)

    with pytest.raises(workflow.WorkflowError, match="another medical reviewer"):
        workflow.record_review(reload(draft), user=author)

    assert not reload(draft).reviewed_on
