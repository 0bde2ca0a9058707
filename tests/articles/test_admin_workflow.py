"""The review gate through the admin: workflow buttons, read-only workflow fields, states."""

import datetime

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from articles.models import Article, PublishedArticle, Status
from tests import factories
from tests.articles.test_roles import change_post, role_user

pytestmark = pytest.mark.django_db


def client_for(role: str, **fields) -> Client:
    client = Client()
    client.force_login(role_user(role, **fields))
    return client


def step(client, name: str, article: Article, data=None, follow=True):
    """POST one workflow step; a review carries the text the reviewer's page showed."""
    url = reverse(f"admin:articles_article_{name}", args=[article.pk])
    data = dict(data or {})
    if name == "review":
        data.setdefault("text_hash", Article.objects.get(pk=article.pk).text_hash())
    return client.post(url, data, follow=follow)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def soup_of(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def reader_text(article: Article) -> str | None:
    """The article's public page as an anonymous reader gets it (None for a 404)."""
    response = Client().get(article.get_absolute_url())
    if response.status_code == 404:
        return None
    assert response.status_code == 200
    return soup_of(response).select_one("main").get_text(" ", strip=True)


@pytest.fixture
def draft():
    return factories.ArticleFactory(
        title="Baclofen uses", slug="baclofen-uses", body="## Uses\n\nReviewed words.",
        status=Status.DRAFT, reviewed_on=None, drug=factories.DrugFactory(slug="baclofen"),
    )  # fmt: skip


def test_editor_reviewer_publisher_take_an_article_live_through_the_admin(draft):
    editor = client_for("editor")
    reviewer = client_for("medical reviewer", reviewer_profile=("Ann Lee", "MD"))
    publisher = client_for("publisher")

    submitted = step(editor, "submit", draft)
    reviewed = step(reviewer, "review", draft)
    assert reader_text(draft) is None
    published = step(publisher, "publish", draft)

    assert messages_of(submitted) == ["Submitted for medical review."]
    assert messages_of(reviewed)[0].startswith("Medical review recorded: Ann Lee, MD")
    assert messages_of(published) == ["Published: readers see this text now."]
    text = reader_text(draft)
    assert "Reviewed words." in text and "Ann Lee, MD" in text
    comments = [
        (v.revision.user.username, v.revision.comment)
        for v in Version.objects.get_for_object(draft).order_by("pk")
    ]
    assert comments == [
        ("editor", "Submitted for medical review."),
        ("medical-reviewer", messages_of(reviewed)[0]),
        ("publisher", "Published: readers see this text now."),
    ]


def test_the_review_form_shows_the_name_readers_will_see_and_asks_for_none(draft):
    reviewer = client_for("medical reviewer", reviewer_profile=("Ann Lee", "MD"))

    page = soup_of(reviewer.get(reverse("admin:articles_article_change", args=[draft.pk])))

    review_form = page.select_one("#workflow button[value=review]").find_parent("form")
    shown = review_form.select_one(".reviewer-shown-as").get_text(" ", strip=True)
    assert shown == "You will be shown to readers as: Ann Lee, MD"
    assert [i["name"] for i in review_form.select("input")] == ["csrfmiddlewaretoken", "text_hash"]


def test_editor_crafting_a_published_status_in_the_change_form_changes_no_workflow_field(draft):
    editor = client_for("editor")
    before = (
        Article.objects.filter(pk=draft.pk)
        .values("status", "published_at", "reviewed_by", "reviewed_on", "published")
        .get()
    )

    response = editor.post(
        reverse("admin:articles_article_change", args=[draft.pk]),
        change_post(draft, published_at_0="2020-01-01", published_at_1="09:00"),
    )

    assert response.status_code == 302
    after = Article.objects.filter(pk=draft.pk).values(*before).get()
    assert after == before
    assert reader_text(draft) is None


def test_workflow_fields_are_read_only_on_the_change_page(draft):
    page = soup_of(
        client_for("superuser").get(reverse("admin:articles_article_change", args=[draft.pk]))
    )

    form = page.select_one("#article_form")
    for name in ("status", "published_at_0", "reviewed_by", "reviewed_on"):
        assert form.select_one(f"[name={name}]") is None, name
    assert form.select_one(".field-status .readonly").get_text(strip=True) == "Draft"


def test_editor_sees_only_the_steps_an_editor_may_take(draft):
    page = soup_of(
        client_for("editor").get(reverse("admin:articles_article_change", args=[draft.pk]))
    )

    buttons = [b["value"] for b in page.select("#workflow button[name=step]")]
    assert buttons == ["submit"]


def test_publisher_sees_publish_and_schedule_once_the_text_is_reviewed(draft):
    publisher = client_for("publisher")
    url = reverse("admin:articles_article_change", args=[draft.pk])
    unreviewed = [b["value"] for b in soup_of(publisher.get(url)).select("#workflow button")]
    step(publisher, "review", draft)

    reviewed = [b["value"] for b in soup_of(publisher.get(url)).select("#workflow button")]

    assert unreviewed == ["submit", "review"]
    assert reviewed == ["submit", "review", "publish", "schedule"]


def test_publishing_an_unreviewed_text_is_refused_with_a_message(draft):
    response = step(client_for("publisher"), "publish", draft)

    assert any("no medical review" in m for m in messages_of(response))
    assert not Article.objects.get(pk=draft.pk).is_live


def test_an_edit_in_the_admin_after_publishing_waits_for_a_new_review(draft):
    publisher = client_for("publisher")
    step(publisher, "review", draft)
    step(publisher, "publish", draft)
    draft.refresh_from_db()

    publisher.post(
        reverse("admin:articles_article_change", args=[draft.pk]),
        change_post(draft, body="## Uses\n\nUnreviewed words."),
    )
    refused = step(publisher, "publish", draft)

    assert any("no medical review" in m for m in messages_of(refused))
    text = reader_text(draft)
    assert "Reviewed words." in text and "Unreviewed" not in text
    article = Article.objects.get(pk=draft.pk)
    assert article.status == Status.DRAFT and article.is_live
    page = soup_of(publisher.get(reverse("admin:articles_article_change", args=[draft.pk])))
    state = page.select_one("#workflow .state").get_text()
    assert state == "Live; with pending changes; needs review: text changed since the review"

    # The publisher wrote the new text, so another reviewer reviews it (four eyes).
    step(client_for("medical reviewer"), "review", draft)
    step(publisher, "publish", draft)
    assert "Unreviewed words." in reader_text(draft)


def test_scheduling_in_the_future_publishes_by_itself_when_the_time_comes(draft):
    publisher = client_for("publisher")
    step(publisher, "review", draft)
    later = timezone.localtime() + datetime.timedelta(days=2)

    response = step(publisher, "schedule", draft, {"publish_at": later.strftime("%Y-%m-%dT%H:%M")})

    assert messages_of(response)[0].startswith("Scheduled: readers see this text from")
    assert reader_text(draft) is None
    state = soup_of(response).select_one("#workflow .state").get_text()
    assert state.startswith("Scheduled for")
    with time_machine.travel(later + datetime.timedelta(minutes=1)):
        assert "Reviewed words." in reader_text(draft)


def test_a_schedule_time_in_the_past_is_refused_and_publish_now_is_named(draft):
    publisher = client_for("publisher")
    step(publisher, "review", draft)

    response = step(publisher, "schedule", draft, {"publish_at": "2020-01-01T09:00"})

    assert messages_of(response) == [
        "January 1, 2020 at 09:00 (UTC) has passed: a schedule needs a time in the future. "
        "To publish at once, use “Publish now”."
    ]
    assert reader_text(draft) is None
    assert not Article.objects.get(pk=draft.pk).is_live


def test_the_schedule_message_is_one_sentence_with_one_period(draft):
    publisher = client_for("publisher")
    step(publisher, "review", draft)
    later = timezone.localtime() + datetime.timedelta(days=2)

    response = step(publisher, "schedule", draft, {"publish_at": later.strftime("%Y-%m-%dT%H:%M")})

    [message] = messages_of(response)
    assert message == (
        f"Scheduled: readers see this text from {later:%B} {later.day}, {later.year} "
        f"at {later:%H:%M} (UTC)."
    )
    assert ".." not in message and "a.m." not in message


def test_a_bad_schedule_date_is_refused_with_a_message(draft):
    publisher = client_for("publisher")
    step(publisher, "review", draft)

    response = step(publisher, "schedule", draft, {"publish_at": "next tuesday"})

    assert any("publishing date and time" in m for m in messages_of(response))
    assert not Article.objects.get(pk=draft.pk).is_live


def test_unpublish_through_the_admin_hides_the_page(draft):
    publisher = client_for("publisher")
    step(publisher, "review", draft)
    step(publisher, "publish", draft)

    response = step(publisher, "unpublish", draft)

    assert messages_of(response) == ["Unpublished: readers no longer see this article."]
    assert reader_text(draft) is None


@pytest.mark.parametrize("name", ["submit", "review", "publish", "schedule", "unpublish"])
def test_workflow_steps_answer_only_post(draft, name):
    response = client_for("superuser").get(
        reverse(f"admin:articles_article_{name}", args=[draft.pk])
    )
    assert response.status_code == 405


def test_a_step_on_a_missing_article_is_404():
    response = step(client_for("superuser"), "publish", Article(pk=999_999), follow=False)
    assert response.status_code == 404


def test_changelist_shows_each_articles_state_at_a_glance():
    drug = factories.DrugFactory()
    factories.ArticleFactory(title="A live one", drug=drug)
    factories.ArticleFactory(title="A draft", drug=drug, status=Status.DRAFT, reviewed_on=None)
    factories.ArticleFactory(
        title="A scheduled one", drug=drug,
        published_at=timezone.now() + datetime.timedelta(days=3),
    )  # fmt: skip
    pending = factories.ArticleFactory(title="A pending edit", drug=drug)
    pending.body = "Changed after review."
    pending.save()

    response = client_for("editor").get(reverse("admin:articles_article_changelist"))

    rows = {
        row.select_one("th.field-title").get_text(strip=True): (
            row.select_one("td.field-state").get_text(strip=True),
            row.select_one("td.field-review").get_text(strip=True),
        )
        for row in soup_of(response).select("#result_list tbody tr")
    }
    assert rows["A live one"][0] == "Live"
    assert rows["A live one"][1].startswith("Current (")
    assert rows["A draft"] == ("Draft; not reviewed", "Missing")
    assert rows["A scheduled one"][0].startswith("Scheduled for")
    assert rows["A pending edit"][0] == (
        "Live; with pending changes; needs review: text changed since the review"
    )
    assert rows["A pending edit"][1].startswith("Outdated (")


@pytest.fixture
def publisher():
    return client_for("publisher")


def test_a_review_is_refused_when_the_text_changed_after_the_reviewer_opened_it(publisher, draft):
    seen = Article.objects.get(pk=draft.pk).text_hash()
    edited = Article.objects.get(pk=draft.pk)
    edited.body = "Take 500 mg."  # an editor saves while the reviewer reads
    edited.save()
    response = step(
        publisher,
        "review",
        draft,
        {"text_hash": seen},
    )
    assert any("changed after you opened it" in m for m in messages_of(response))
    assert not Article.objects.get(pk=draft.pk).has_current_review


def test_publish_now_on_a_scheduled_article_publishes_it_now(publisher, draft):
    step(publisher, "review", draft)
    later = timezone.now() + datetime.timedelta(days=2)
    step(publisher, "schedule", draft, {"publish_at": later.strftime("%Y-%m-%dT%H:%M")})
    assert not PublishedArticle.objects.visible().filter(pk=draft.pk).exists()
    step(publisher, "publish", draft)
    assert PublishedArticle.objects.visible().filter(pk=draft.pk).exists()
