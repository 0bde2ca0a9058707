"""The staff preview: the working copy as readers would see it, for staff only."""

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.urls import reverse

from articles.models import Article, Status
from tests import factories
from tests.articles.test_roles import role_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def article():
    """Published with reviewed text, then edited: the working copy differs from the live one."""
    article = factories.ArticleFactory(
        title="Baclofen dosage", body="## Dose\n\nReviewed 5 mg.",
        promoted_article=factories.ArticleFactory(title="Promoted one"),
    )  # fmt: skip
    article.body = "## Dose\n\nUnreviewed 10 mg."
    article.save()
    return article


def preview_url(article) -> str:
    return reverse("article-preview", args=[article.pk])


def main_text(response) -> str:
    return BeautifulSoup(response.content, "html.parser").select_one("main").get_text(" ")


@pytest.mark.parametrize("role", ["anonymous", "non-staff editor"])
def test_anonymous_and_non_staff_are_sent_to_the_login(article, role):
    client = Client()
    if role != "anonymous":
        client.force_login(role_user(role))

    response = client.get(preview_url(article))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_staff_without_the_view_permission_get_403(article):
    client = Client()
    client.force_login(role_user("staff without role"))

    assert client.get(preview_url(article)).status_code == 403


@pytest.mark.parametrize("role", ["editor", "medical reviewer", "publisher", "superuser"])
def test_staff_preview_the_working_copy_with_a_banner_while_readers_keep_the_live_one(
    article, role
):
    client = Client()
    client.force_login(role_user(role))

    response = client.get(preview_url(article))
    public = Client().get(article.get_absolute_url())

    assert response.status_code == 200
    page = BeautifulSoup(response.content, "html.parser")
    banner = page.select_one(".preview-banner")
    assert banner.get_text(" ", strip=True).startswith("Preview")
    assert "not medically reviewed" in banner.get_text()
    assert banner.select_one(f"a[href='{article.get_absolute_url()}']") is not None
    assert page.select_one("main h1").get_text() == "Baclofen dosage"
    assert "Unreviewed 10 mg." in main_text(response)
    assert "Promoted one" in page.select_one(".promoted").get_text()
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    assert response["X-Robots-Tag"].startswith("noindex")
    assert "Reviewed 5 mg." in main_text(public) and "10 mg" not in main_text(public)
    assert public.get("X-Robots-Tag") is None


def test_a_never_published_draft_can_be_previewed():
    draft = factories.ArticleFactory(status=Status.DRAFT, reviewed_on=None, body="Draft words.")
    client = Client()
    client.force_login(role_user("editor"))

    response = client.get(preview_url(draft))

    assert response.status_code == 200
    assert "Draft words." in main_text(response)
    assert Client().get(draft.get_absolute_url()).status_code == 404


def test_preview_of_a_missing_article_is_404():
    client = Client()
    client.force_login(role_user("editor"))

    assert client.get(reverse("article-preview", args=[999_999])).status_code == 404


def test_the_change_page_links_to_the_preview(article):
    client = Client()
    client.force_login(role_user("editor"))

    page = client.get(reverse("admin:articles_article_change", args=[article.pk]))

    soup = BeautifulSoup(page.content, "html.parser")
    assert soup.select_one("a.previewlink")["href"] == preview_url(article)
    assert Article.objects.get(pk=article.pk).has_pending_changes


def test_the_preview_of_an_unchanged_live_article_says_readers_see_it():
    live = factories.ArticleFactory(body="Same words.")
    client = Client()
    client.force_login(role_user("editor"))

    response = client.get(preview_url(live))

    banner = BeautifulSoup(response.content, "html.parser").select_one(".preview-banner")
    assert "Readers see this same text." in " ".join(banner.get_text().split())


def test_an_unpublished_articles_view_on_site_link_opens_the_preview():
    draft = factories.ArticleFactory(status=Status.DRAFT, reviewed_on=None)
    client = Client()
    client.force_login(role_user("editor"))

    page = client.get(reverse("admin:articles_article_change", args=[draft.pk]))

    link = BeautifulSoup(page.content, "html.parser").select_one("a.viewsitelink")["href"]
    assert link == preview_url(draft)
    assert client.get(link).status_code == 200
