"""Real names: readers see the reviewing account's profile, never a name someone typed.

"Medically reviewed by Jane Doe, MD" comes from the reviewer's profile, set by an admin.
A reviewer without one cannot review; whatever a POST carries besides the text's
fingerprint is ignored; the article form cannot set the review fields; only the system
(``user=None``: imports, commands, demo data) names a reviewer itself.
"""

import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles import workflow
from articles.models import Article, Status
from content.models import ReviewerProfile
from tests import factories
from tests.articles.test_admin_workflow import client_for, messages_of, soup_of, step
from tests.articles.test_roles import change_post, reload, role_user

pytestmark = pytest.mark.django_db

CHANGE = "admin:articles_article_change"
JANE = ("Jane Doe", "MD")


@pytest.fixture
def draft():
    return factories.ArticleFactory(
        title="Baclofen uses", slug="baclofen-uses", body="## Uses\n\nReviewed words.",
        status=Status.DRAFT, reviewed_on=None, drug=factories.DrugFactory(slug="baclofen"),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("name", "credential", "shown"),
    [("Jane Doe", "MD", "Jane Doe, MD"), ("Jane Doe", "", "Jane Doe"), ("", "MD", "")],
)
def test_the_shown_name_is_the_name_with_its_credential(name, credential, shown):
    assert ReviewerProfile(display_name=name, credential=credential).shown_name == shown


@pytest.mark.parametrize("profile", [None, ("", "MD")], ids=["no profile", "no name"])
def test_a_reviewer_without_a_name_set_by_an_admin_cannot_review(draft, profile):
    reviewer = role_user("medical reviewer", reviewer_profile=profile)

    with pytest.raises(workflow.WorkflowError, match="an administrator must set them"):
        workflow.record_review(draft, user=reviewer)

    assert not reload(draft).reviewed_on


def test_a_reviewer_without_a_profile_is_told_why_and_offered_no_review_button(draft):
    client = client_for("medical reviewer", reviewer_profile=None)

    page = soup_of(client.get(reverse(CHANGE, args=[draft.pk])))

    assert page.select_one("#workflow button[value=review]") is None
    box = page.select_one("#workflow").get_text(" ", strip=True)
    assert workflow.NO_PROFILE in box
    assert "shown to readers as" not in box


def test_a_crafted_review_with_a_typed_name_is_refused_without_a_profile(draft):
    client = client_for("medical reviewer", reviewer_profile=None)

    response = step(client, "review", draft, {"reviewer_name": "Jane Doe", "credential": "MD"})

    assert messages_of(response) == [workflow.NO_PROFILE]
    assert not reload(draft).reviewed_on


def test_the_stored_reviewer_is_the_profiles_name_whatever_the_post_says(draft):
    reviewer = role_user("medical reviewer", reviewer_profile=JANE)
    client = Client()
    client.force_login(reviewer)

    response = step(
        client, "review", draft,
        {"reviewer_name": "Dr Evil", "credential": "PhD", "reviewed_by": "Forged, MD",
         "reviewed_on": "2001-01-01"},
    )  # fmt: skip

    assert messages_of(response)[0].startswith("Medical review recorded: Jane Doe, MD")
    article = reload(draft)
    assert article.reviewed_by == "Jane Doe, MD"
    assert article.reviewed_on == timezone.localdate()
    assert article.reviewer == reviewer
    assert article.has_current_review


def test_a_user_cannot_hand_the_workflow_a_typed_name(draft):
    reviewer = role_user("medical reviewer", reviewer_profile=JANE)

    with pytest.raises(ValueError, match="profile"):
        workflow.record_review(draft, user=reviewer, reviewer_name="Dr Evil")

    assert not reload(draft).reviewed_on


def test_the_system_names_the_reviewer_of_a_review_done_elsewhere(draft):
    with pytest.raises(workflow.WorkflowError, match="reviewer's name"):
        workflow.record_review(draft)

    workflow.record_review(draft, reviewer_name="Imported Reviewer, PharmD")

    assert reload(draft).reviewed_by == "Imported Reviewer, PharmD"
    assert reload(draft).reviewer is None


def test_an_editor_cannot_set_the_review_through_the_article_form():
    reviewed = factories.ArticleFactory(
        slug="reviewed", body="## One\n\nText.", status=Status.IN_REVIEW
    )  # a body the form posts back unchanged (it strips a final newline)
    before = Article.objects.filter(pk=reviewed.pk).values("reviewed_by", "reviewed_on").get()
    editor = client_for("editor")

    changed = editor.post(
        reverse(CHANGE, args=[reviewed.pk]),
        change_post(reviewed, reviewed_by="Forged, MD", reviewed_on="2020-01-01"),
    )
    added = editor.post(
        reverse("admin:articles_article_add"),
        change_post(Article(title="Added", slug="added", body="x"), reviewed_by="Forged, MD"),
    )

    assert changed.status_code == added.status_code == 302
    assert Article.objects.filter(pk=reviewed.pk).values(*before).get() == before
    assert reload(reviewed).has_current_review
    new = Article.objects.get(slug="added")
    assert (new.reviewed_by, new.reviewed_on) == ("", None)


def test_readers_see_the_reviewers_profile_name(draft):
    step(client_for("medical reviewer", reviewer_profile=JANE), "review", draft)
    step(client_for("publisher"), "publish", draft)

    page = soup_of(Client().get(draft.get_absolute_url()))

    line = page.select_one(".review-line").get_text(" ", strip=True)
    assert line.startswith("Medically reviewed by Jane Doe, MD on ")
    graph = json.loads(page.find("script", type="application/ld+json").string)["@graph"]
    assert [node["reviewedBy"]["name"] for node in graph if "reviewedBy" in node] == [
        "Jane Doe, MD"
    ]
