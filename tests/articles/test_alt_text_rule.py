"""Alt text on every image before an article goes to review or to readers."""

import pytest
from django.urls import reverse
from django.utils import timezone

from articles import workflow
from articles.models import Article, Status
from tests import factories
from tests.articles.test_admin_workflow import client_for, messages_of

pytestmark = pytest.mark.django_db

PHOTO = "/media/markdownx/3f2a9c.png"


def draft_with(body: str, **fields) -> Article:
    return factories.ArticleFactory(
        slug="tablets", body=body, status=Status.DRAFT, reviewed_on=None, **fields
    )


def review(article: Article) -> Article:
    return workflow.record_review(article, reviewer_name="Ann Lee, MD")


@pytest.mark.parametrize(
    "body",
    [
        f"## Tablets\n\n![]({PHOTO})",
        f"## Tablets\n\n![   ]({PHOTO})",
        f"## Tablets\n\n![][photo]\n\n[photo]: {PHOTO}",
        f'## Tablets\n\n<img src="{PHOTO}">',
        f'## Tablets\n\n<img src="{PHOTO}" alt="">',
    ],
    ids=["empty-brackets", "blank", "reference", "raw-html", "raw-html-empty-alt"],
)
def test_publishing_refuses_an_image_without_alt_text_and_names_it(body):
    article = draft_with(body)
    # A review recorded before the rule existed (or written by a script) vouches for it.
    article.reviewed_by, article.reviewed_on = "Ann Lee, MD", timezone.localdate()
    article.reviewed_hash = article.text_hash()
    article.save()
    with pytest.raises(workflow.WorkflowError, match="no alt text") as refusal:
        workflow.publish(article)

    assert PHOTO in str(refusal.value)
    article.refresh_from_db()
    assert not article.is_live


def test_reviewing_refuses_an_image_without_alt_text():
    article = draft_with(f"Before.\n\n![]({PHOTO})")

    with pytest.raises(workflow.WorkflowError, match=f"“{PHOTO}” has no alt text"):
        review(article)

    article.refresh_from_db()
    assert article.reviewed_on is None


def test_submitting_refuses_an_image_without_alt_text():
    article = draft_with(f"![]({PHOTO})")

    with pytest.raises(workflow.WorkflowError, match="no alt text"):
        workflow.submit_for_review(article)

    article.refresh_from_db()
    assert article.status == Status.DRAFT


def test_every_image_without_alt_text_is_named():
    article = draft_with("![](/media/markdownx/a.png) ![Described](/media/b.png) ![](/media/c.jpg)")

    with pytest.raises(workflow.WorkflowError) as refusal:
        workflow.submit_for_review(article)

    message = str(refusal.value)
    assert "/media/markdownx/a.png" in message and "/media/c.jpg" in message
    assert "/media/b.png" not in message


def test_images_with_alt_text_are_published():
    article = draft_with(f"## Tablets\n\n![A round white 10 mg tablet]({PHOTO})")

    workflow.publish(review(workflow.submit_for_review(article)))

    assert article.is_live and 'alt="A round white 10 mg tablet"' in article.published.body_html


def test_a_body_without_images_is_not_affected():
    article = draft_with("## Uses\n\nBaclofen relaxes [muscles](https://example.com).")

    workflow.publish(review(article))

    assert article.is_live


def test_the_admin_step_shows_the_message_naming_the_image():
    article = draft_with(f"![]({PHOTO})")
    editor = client_for("editor")

    response = editor.post(reverse("admin:articles_article_submit", args=[article.pk]), follow=True)

    [message] = messages_of(response)
    assert f"“{PHOTO}” has no alt text" in message
    assert Article.objects.get(pk=article.pk).status == Status.DRAFT
