"""The article, site page and site settings admins."""

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from articles.models import Article, SitePage, SiteSettings, Status
from tests import factories

pytestmark = pytest.mark.django_db


def article_post(**fields):
    data = {
        "title": "",
        "slug": "",
        "drug": "",
        "series_position": "0",
        "kind": "other",
        "lead": "",
        "body": "",
        "status": Status.DRAFT,
        "published_at_0": "",
        "published_at_1": "",
        "reviewed_by": "",
        "reviewed_on": "",
        "promoted_article": "",
        # The read-only inline of recorded links still posts its management form.
        "outgoing_links-TOTAL_FORMS": "0",
        "outgoing_links-INITIAL_FORMS": "0",
        "outgoing_links-MIN_NUM_FORMS": "0",
        "outgoing_links-MAX_NUM_FORMS": "0",
    }
    return data | fields


def errors_on(response) -> list[str]:
    soup = BeautifulSoup(response.content, "html.parser")
    return [item.get_text(" ", strip=True) for item in soup.select(".errorlist li")]


def test_staff_can_add_an_article_through_the_admin(staff_client):
    drug = factories.DrugFactory(slug="baclofen")
    promoted = factories.ArticleFactory()

    response = staff_client.post(
        reverse("admin:articles_article_add"),
        article_post(
            title="What Is Baclofen Used For?",
            slug="baclofen-uses",
            drug=drug.pk,
            lead="It relaxes muscles.",
            body="## Overview\n\nBaclofen treats [spasticity](drug:baclofen).",
            promoted_article=promoted.pk,
        ),
    )

    assert response.status_code == 302, errors_on(response)
    article = Article.objects.get(slug="baclofen-uses")
    assert article.drug == drug
    assert article.promoted_article == promoted
    assert article.status == Status.DRAFT
    assert '<h2 id="sec-overview">Overview</h2>' in article.body_html


def test_staff_can_change_an_article_and_its_html_follows(staff_client):
    article = factories.ArticleFactory(body="## Old\n")
    data = article_post(
        title=article.title,
        slug=article.slug,
        drug=article.drug.pk,
        body="## New heading\n\n<script>alert(1)</script>",
        status=Status.PUBLISHED,
        published_at_0=article.published_at.date().isoformat(),
        published_at_1="09:00:00",
        reviewed_by=article.reviewed_by,
        reviewed_on=article.reviewed_on.isoformat(),
    )

    response = staff_client.post(reverse("admin:articles_article_change", args=[article.pk]), data)

    assert response.status_code == 302, errors_on(response)
    article.refresh_from_db()
    assert "New heading" in article.body_html
    assert "script" not in article.body_html


def test_article_change_page_has_the_markdownx_editor_with_live_preview(staff_client):
    article = factories.ArticleFactory()

    response = staff_client.get(reverse("admin:articles_article_change", args=[article.pk]))

    soup = BeautifulSoup(response.content, "html.parser")
    editor = soup.select_one(".markdownx textarea#id_body.markdownx-editor")
    assert editor["data-markdownx-urls-path"] == reverse("markdownx_markdownify")
    assert editor["data-markdownx-upload-urls-path"] == reverse("markdownx_upload")
    assert soup.select_one(".markdownx .markdownx-preview") is not None
    assert soup.find("script", src=lambda src: src and "markdownx/js/markdownx" in src)
    view_on_site = soup.select_one("a.viewsitelink")
    assert view_on_site is not None


def test_article_add_page_prepopulates_the_slug_from_the_title(staff_client):
    response = staff_client.get(reverse("admin:articles_article_add"))

    soup = BeautifulSoup(response.content, "html.parser")
    fields = soup.select_one("#django-admin-prepopulated-fields-constants")
    assert '"id": "#id_slug"' in fields["data-prepopulated-fields"]
    assert '"#id_title"' in fields["data-prepopulated-fields"]


def test_an_article_cannot_promote_itself(staff_client):
    article = factories.ArticleFactory()
    data = article_post(
        title=article.title, slug=article.slug, body="x", promoted_article=article.pk
    )

    response = staff_client.post(reverse("admin:articles_article_change", args=[article.pk]), data)

    assert "An article cannot promote itself." in errors_on(response)


def test_saving_an_article_with_a_dead_internal_link_warns_the_editor(staff_client):
    response = staff_client.post(
        reverse("admin:articles_article_add"),
        article_post(title="Links", slug="links", body="See [this](article:not-there)."),
        follow=True,
    )

    messages = [str(message) for message in response.context["messages"]]
    assert any("article:not-there" in message for message in messages)
    article = Article.objects.get(slug="links")
    change_page = staff_client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assert "article:not-there" in change_page.content.decode()


def test_article_changelist_filters_by_status_and_drug(staff_client):
    drug = factories.DrugFactory(name="Baclofen")
    factories.ArticleFactory(title="Baclofen uses", drug=drug)
    factories.ArticleFactory(title="Baclofen draft", drug=drug, status=Status.DRAFT)
    factories.ArticleFactory(title="Other drug's article")

    response = staff_client.get(
        reverse("admin:articles_article_changelist"),
        {"status__exact": Status.PUBLISHED, "drug__id__exact": drug.pk},
    )

    soup = BeautifulSoup(response.content, "html.parser")
    titles = [cell.get_text(strip=True) for cell in soup.select("#result_list th.field-title")]
    assert titles == ["Baclofen uses"]
    view_link = soup.select_one("#result_list td.field-on_site a")
    assert view_link["href"] == f"/drugs/{drug.slug}/{Article.objects.get(title=titles[0]).slug}/"
    filter_links = [a.get_text(strip=True) for a in soup.select("#changelist-filter a")]
    assert "Baclofen" in filter_links


def test_article_changelist_search_and_no_full_count(staff_client):
    factories.ArticleFactory.create_batch(3, title="Dosage of something")
    factories.ArticleFactory(title="Side effects")

    response = staff_client.get(reverse("admin:articles_article_changelist"), {"q": "dosage"})

    soup = BeautifulSoup(response.content, "html.parser")
    assert len(soup.select("#result_list tbody tr")) == 3
    assert "Show all" in soup.select_one("#changelist-search").get_text()


def test_article_changelist_query_count_does_not_grow_with_rows(
    staff_client, django_assert_max_num_queries
):
    factories.ArticleFactory.create_batch(30)
    url = reverse("admin:articles_article_changelist")
    staff_client.get(url)  # warm the session and content types

    with django_assert_max_num_queries(12):
        staff_client.get(url)


def test_article_autocomplete_for_promoted_link(staff_client):
    factories.ArticleFactory(title="Baclofen side effects")
    factories.ArticleFactory(title="Tylenol dosage")

    response = staff_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "side",
            "app_label": "articles",
            "model_name": "article",
            "field_name": "promoted_article",
        },
    )

    assert [item["text"] for item in response.json()["results"]] == ["Baclofen side effects"]


def test_site_settings_admin_goes_to_the_one_row_and_allows_no_second_or_delete(staff_client):
    row = SiteSettings.load()

    changelist = staff_client.get(reverse("admin:articles_sitesettings_changelist"))
    add = staff_client.get(reverse("admin:articles_sitesettings_add"))
    delete = staff_client.post(
        reverse("admin:articles_sitesettings_delete", args=[row.pk]), {"post": "yes"}
    )

    assert changelist.status_code == 302
    assert changelist["Location"] == reverse("admin:articles_sitesettings_change", args=[row.pk])
    assert add.status_code == 403
    assert delete.status_code == 403
    assert SiteSettings.objects.count() == 1


def test_staff_can_edit_the_site_settings(staff_client):
    row = SiteSettings.load()

    response = staff_client.post(
        reverse("admin:articles_sitesettings_change", args=[row.pk]),
        {
            "site_name": "MedInfo",
            "tagline": "",
            "owner": "Example Health, Inc.",
            "copyright_start_year": "2006",
            "disclaimer": "Not medical advice.",
        },
    )

    assert response.status_code == 302, errors_on(response)
    assert SiteSettings.load().owner == "Example Health, Inc."


def test_staff_can_add_a_site_page_but_not_at_a_reserved_url(staff_client):
    url = reverse("admin:articles_sitepage_add")
    base = {"title": "Terms of Use", "footer_position": "1", "body": "## Terms\n\nBe kind."}

    reserved = staff_client.post(url, base | {"slug": "admin"})
    created = staff_client.post(url, base | {"slug": "terms"})

    assert "'admin' is used by the site itself." in errors_on(reserved)
    assert created.status_code == 302, errors_on(created)


def test_internal_links_are_listed_read_only(staff_client):
    factories.ArticleFactory(body="[x](article:missing) and [y](drug:nowhere)")

    changelist = staff_client.get(reverse("admin:content_internallink_changelist"), {"works": "no"})
    add = staff_client.get(reverse("admin:content_internallink_add"))

    soup = BeautifulSoup(changelist.content, "html.parser")
    hrefs = sorted(cell.get_text() for cell in soup.select("#result_list td.field-href"))
    assert hrefs == ["article:missing", "drug:nowhere"]
    assert add.status_code == 403


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:articles_article_changelist",
        "admin:articles_article_add",
        "admin:articles_sitepage_changelist",
        "admin:articles_sitesettings_changelist",
    ],
)
def test_anonymous_and_non_staff_are_sent_to_the_login(client, plain_user, url_name):
    anonymous = client.get(reverse(url_name))
    client.force_login(plain_user)
    non_staff = client.get(reverse(url_name))

    for response in (anonymous, non_staff):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_staff_without_article_permissions_is_refused(client):
    staff = factories.UserFactory(is_staff=True, username="no-rights")
    article = factories.ArticleFactory(title="Kept")
    client.force_login(staff)

    change = client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        article_post(title="Changed", slug=article.slug),
    )

    assert change.status_code == 403
    article.refresh_from_db()
    assert article.title == "Kept"


def test_saving_a_site_page_with_a_dead_internal_link_warns_the_editor(staff_client):
    response = staff_client.post(
        reverse("admin:articles_sitepage_add"),
        {"title": "About", "slug": "about", "footer_position": "4", "body": "[x](drug:gone)"},
        follow=True,
    )
    messages = [str(message) for message in response.context["messages"]]
    assert any("drug:gone" in message for message in messages)
    assert SitePage.objects.filter(slug="about").exists()  # the save still succeeds
