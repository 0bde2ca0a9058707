"""Articles, site pages and settings: database invariants and model behaviour."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from articles.models import Article, SitePage, SiteSettings
from content.models import InternalLink
from tests.factories import ArticleFactory, DrugFactory, SitePageFactory

pytestmark = pytest.mark.django_db


def refused(change) -> bool:
    try:
        with transaction.atomic():
            change()
    except IntegrityError:
        return True
    return False


def test_article_and_site_page_slugs_are_unique():
    ArticleFactory(slug="baclofen-uses")
    SitePageFactory(slug="terms")
    assert refused(lambda: ArticleFactory(slug="baclofen-uses"))
    assert refused(lambda: SitePageFactory(slug="terms"))


def test_article_urls_follow_the_primary_drug():
    drug = DrugFactory(slug="baclofen")
    assert ArticleFactory(slug="uses", drug=drug).get_absolute_url() == "/drugs/baclofen/uses/"
    assert ArticleFactory(slug="kitchen", drug=None).get_absolute_url() == "/articles/kitchen/"


def test_article_body_is_rendered_with_a_table_of_contents_when_saved():
    article = ArticleFactory(body="## One\n\ntext\n\n## Two\n\n## Three\n")
    assert [entry["title"] for entry in article.toc] == ["One", "Two", "Three"]
    assert 'id="sec-one"' in article.body_html
    assert article.body_text.startswith("One text")


def test_an_article_cannot_promote_itself():
    article = ArticleFactory()
    article.promoted_article = article
    with pytest.raises(ValidationError):
        article.full_clean()


def test_a_site_page_cannot_take_a_slug_the_site_uses():
    page = SitePage(slug="search", title="Search")
    with pytest.raises(ValidationError):
        page.full_clean()


def test_site_settings_are_a_single_row():
    settings = SiteSettings.load()
    assert settings.pk == 1 and SiteSettings.load().pk == 1
    assert refused(lambda: SiteSettings.objects.create(pk=2))
    SiteSettings(site_name="Other").save()  # always saves as row 1
    assert SiteSettings.objects.count() == 1
    assert SiteSettings.load().site_name == "Other"


def test_an_internal_link_has_exactly_one_source():
    article = ArticleFactory()
    page = SitePageFactory()
    assert refused(
        lambda: InternalLink.objects.create(
            source_article=article, source_page=page, href="x", target_key="x"
        )
    )
    assert refused(lambda: InternalLink.objects.create(href="x", target_key="x"))


def test_a_published_status_needs_a_publish_time():
    article = ArticleFactory(status="draft", reviewed_on=None)
    assert refused(lambda: Article.objects.filter(pk=article.pk).update(status="published"))
