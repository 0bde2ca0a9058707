"""Admin screens as editors see them: labels that tell the truth, nothing the CSP blocks."""

import pytest
import reversion
from bs4 import BeautifulSoup
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from tests import factories
from tests.articles.test_roles import role_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    client = Client()
    client.force_login(role_user("editor"))
    return client


def soup(response) -> BeautifulSoup:
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def fieldset_titles(page: BeautifulSoup) -> list[str]:
    return [h.get_text(" ", strip=True) for h in page.select("fieldset h2, fieldset legend")]


def test_the_add_page_does_not_promise_workflow_buttons_it_does_not_show(editor):
    page = soup(editor.get(reverse("admin:articles_article_add")))

    titles = fieldset_titles(page)
    assert "Publishing (the workflow steps appear once the article is saved)" in titles
    assert not any("above" in title for title in titles)
    assert page.select_one("#workflow") is None


def test_the_change_page_points_at_the_workflow_steps_it_shows(editor):
    article = factories.ArticleFactory()
    page = soup(editor.get(reverse("admin:articles_article_change", args=[article.pk])))

    assert "Publishing (changed only by the workflow steps above)" in fieldset_titles(page)
    assert page.select_one("#workflow") is not None


@pytest.fixture
def article_with_history():
    article = factories.ArticleFactory()
    for lead in ("First lead.", "Second lead.", "Third lead."):
        with reversion.create_revision():
            article.lead = lead
            article.save()
    return article


def test_history_and_compare_pages_need_no_inline_style_or_script(editor, article_with_history):
    first, *_, last = Version.objects.get_for_object(article_with_history).order_by("pk")
    history = soup(
        editor.get(reverse("admin:articles_article_history", args=[article_with_history.pk]))
    )
    compare = soup(
        editor.get(
            reverse("admin:articles_article_compare", args=[article_with_history.pk]),
            {"version_id1": first.pk, "version_id2": last.pk},
        )
    )

    for page in (history, compare):
        assert page.select("[style]") == []
        assert page.select("style") == []
        inline = [s for s in page.select("script:not([src])") if not s.get("nonce")]
        assert all(s.get("type") == "application/json" for s in inline)  # data, not code
        assert page.select_one('link[href$="css/admin.css"]') is not None


def test_the_newest_revision_offers_no_from_radio_button(editor, article_with_history):
    history = soup(
        editor.get(reverse("admin:articles_article_history", args=[article_with_history.pk]))
    )
    rows = history.select("#change-history tbody tr")

    assert len(rows) == 3
    assert rows[0].select('input[name="version_id1"]') == []
    assert len(rows[0].select('input[name="version_id2"]')) == 1
    assert all(len(row.select("input[type=radio]")) == 2 for row in rows[1:])
