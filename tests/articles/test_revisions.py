"""Revisions through the admin: every save kept, history, diff, and a revert that keeps the gate."""

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from articles.models import Article, SitePage, SiteSettings, Status
from drugs.models import Condition, Drug
from tests import factories
from tests.articles.test_admin_workflow import reader_text, step
from tests.articles.test_edit_conflicts import errors_on, form_data
from tests.articles.test_roles import role_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    client = Client()
    client.force_login(role_user("editor"))
    return client


@pytest.fixture
def publisher():
    client = Client()
    client.force_login(role_user("publisher", first_name="Pat", last_name="Lee"))
    return client


def article_url(name: str, article: Article, *extra) -> str:
    return reverse(f"admin:articles_article_{name}", args=[article.pk, *extra])


def save_body(client, article: Article, body: str) -> None:
    url = article_url("change", article)
    response = client.post(url, form_data(client.get(url), "#article_form") | {"body": body})
    assert response.status_code == 302, errors_on(response)


def history(article) -> list[Version]:
    return list(Version.objects.get_for_object(article).order_by("pk"))


def revert(client, article: Article, version: Version):
    """What an editor does: open the old version from the history, press Save."""
    url = article_url("revision", article, version.pk)
    page = client.get(url)
    assert page.status_code == 200
    return client.post(url, form_data(page, "#article_form"))


@pytest.fixture
def article(editor):
    """Written by an editor in the admin: "Take 5 mg.", then "Take 10 mg."."""
    response = editor.post(
        reverse("admin:articles_article_add"),
        form_data(editor.get(reverse("admin:articles_article_add")), "#article_form")
        | {"title": "Dosage", "slug": "dosage", "body": "Take 5 mg."},
    )
    assert response.status_code == 302, errors_on(response)
    article = Article.objects.get(slug="dosage")
    save_body(editor, article, "Take 10 mg.")
    return article


def test_every_admin_save_keeps_a_revision_with_who_when_and_the_text(article):
    versions = history(article)

    assert [v.field_dict["body"] for v in versions] == ["Take 5 mg.", "Take 10 mg."]
    assert {v.revision.user.username for v in versions} == {"editor"}
    assert all(v.revision.date_created for v in versions)


def test_an_articles_revision_holds_its_text_and_no_workflow_or_readers_field(article):
    stored = history(article)[0].field_dict

    assert {"title", "slug", "lead", "body", "drug_id", "promoted_article_id"} <= set(stored)
    assert not {"status", "published_at", "reviewed_hash", "body_html", "edit_vector"} & set(stored)


def test_history_lists_the_revisions_and_compare_shows_the_difference(editor, article):
    first, second = history(article)

    listing = editor.get(article_url("history", article))
    compare = editor.get(
        article_url("compare", article), {"version_id1": first.pk, "version_id2": second.pk}
    )

    assert listing.status_code == 200
    rows = BeautifulSoup(listing.content, "html.parser").select("#change-history tbody tr")
    assert len(rows) == 2
    assert compare.status_code == 200
    diff = BeautifulSoup(compare.content, "html.parser")
    assert "5" in " ".join(d.get_text() for d in diff.select("del"))
    assert "10" in " ".join(i.get_text() for i in diff.select("ins"))


def test_revert_restores_the_text_as_a_new_revision(editor, article):
    first = history(article)[0]

    response = revert(editor, article, first)

    assert response.status_code == 302, errors_on(response)
    assert Article.objects.get(pk=article.pk).body == "Take 5 mg."
    latest = history(article)[-1]
    assert len(history(article)) == 3
    assert latest.field_dict["body"] == "Take 5 mg."
    assert latest.revision.comment.startswith("Reverted to the version saved on")


def test_opening_an_old_version_changes_nothing_until_saved(editor, article):
    first = history(article)[0]

    page = editor.get(article_url("revision", article, first.pk))

    assert form_data(page, "#article_form")["body"] == "Take 5 mg."
    assert Article.objects.get(pk=article.pk).body == "Take 10 mg."
    assert len(history(article)) == 2


def test_reverting_to_unreviewed_text_never_shows_it_to_readers(editor, publisher, article):
    unreviewed = history(article)[0]  # "Take 5 mg." was never reviewed
    step(publisher, "review", article)
    step(publisher, "publish", article)
    assert "Take 10 mg." in reader_text(article)

    revert(editor, article, unreviewed)
    refused = step(publisher, "publish", article)

    reverted = Article.objects.get(pk=article.pk)
    assert reverted.body == "Take 5 mg."
    assert reverted.is_live and reverted.status == Status.DRAFT
    assert reverted.published.body_text.strip() == "Take 10 mg."
    assert not reverted.has_current_review
    assert any("no medical review" in str(m) for m in refused.context["messages"])
    text = reader_text(article)
    assert "Take 10 mg." in text and "5 mg" not in text


def test_reverting_to_the_published_text_leaves_nothing_pending(editor, publisher, article):
    step(publisher, "review", article)
    step(publisher, "publish", article)
    published = history(article)[-1]
    save_body(editor, article, "Take 20 mg.")
    assert Article.objects.get(pk=article.pk).has_pending_changes

    revert(editor, article, published)

    reverted = Article.objects.get(pk=article.pk)
    assert reverted.body == "Take 10 mg."
    assert reverted.is_live and not reverted.has_pending_changes
    assert reverted.has_current_review  # the text is the reviewed one again


def test_each_workflow_step_keeps_a_revision_naming_its_user(publisher, article):
    step(publisher, "review", article)
    step(publisher, "publish", article)

    latest = history(article)[-1].revision
    assert (latest.user.get_full_name(), latest.comment) == (
        "Pat Lee",
        "Published: readers see this text now.",
    )


# ---------------------------------------------------------------- drugs, with their inlines


def test_a_drug_revision_holds_its_inlines_and_a_revert_restores_them(editor):
    drug = factories.DrugFactory(name="Baclofen", slug="baclofen")
    factories.BrandNameFactory(drug=drug, name="Lioresal", mark="®")
    tablet = factories.FormulationFactory(drug=drug, name="Tablet", strengths=["5 mg"])
    factories.IndicationFactory(drug=drug, condition__name="Spasticity")
    url = reverse("admin:drugs_drug_change", args=[drug.pk])
    first = editor.post(url, form_data(editor.get(url), "#drug_form"))
    assert first.status_code == 302, errors_on(first)
    second = editor.post(
        url,
        form_data(editor.get(url), "#drug_form")
        | {"brand_names-0-name": "Gablofen", "formulations-0-strengths": "10 mg"},
    )
    assert second.status_code == 302, errors_on(second)
    old, new = Version.objects.get_for_object(drug).order_by("pk")
    kinds = sorted(v.content_type.model for v in old.revision.version_set.all())
    assert kinds == ["brandname", "drug", "formulation", "indication"]

    compare = editor.get(
        reverse("admin:drugs_drug_compare", args=[drug.pk]),
        {"version_id1": old.pk, "version_id2": new.pk},
    )
    revision_url = reverse("admin:drugs_drug_revision", args=[drug.pk, old.pk])
    reverted = editor.post(revision_url, form_data(editor.get(revision_url), "#drug_form"))

    assert compare.status_code == 200
    assert "Gablofen" in compare.content.decode()
    assert reverted.status_code == 302, errors_on(reverted)
    drug = Drug.objects.get(pk=drug.pk)
    assert [b.name for b in drug.brand_names.all()] == ["Lioresal"]
    tablet.refresh_from_db()
    assert tablet.strengths == ["5 mg"]


@pytest.mark.parametrize(
    ("url_name", "make", "form_id", "change"),
    [
        (
            "articles_sitepage",
            lambda: factories.SitePageFactory(),
            "#sitepage_form",
            {"body": "New."},
        ),
        (
            "drugs_condition",
            lambda: factories.ConditionFactory(),
            "#condition_form",
            {"summary": "New."},
        ),
        ("articles_sitesettings", SiteSettings.load, "#sitesettings_form", {"owner": "New Owner"}),
    ],
    ids=["site page", "condition", "site settings"],
)
def test_every_admin_save_of_other_content_keeps_a_revision(url_name, make, form_id, change):
    client = Client()
    client.force_login(role_user("superuser"))
    obj = make()
    url = reverse(f"admin:{url_name}_change", args=[obj.pk])

    response = client.post(url, form_data(client.get(url), form_id) | change)

    assert response.status_code == 302, errors_on(response)
    [version] = Version.objects.get_for_object(obj)
    assert version.revision.user.username == "superuser"
    key, value = next(iter(change.items()))
    assert version.field_dict[key] == value
    assert client.get(reverse(f"admin:{url_name}_history", args=[obj.pk])).status_code == 200


def test_a_site_page_revert_restores_its_body_and_html(editor):
    page = factories.SitePageFactory(slug="terms", body="## Old terms")
    url = reverse("admin:articles_sitepage_change", args=[page.pk])
    editor.post(url, form_data(editor.get(url), "#sitepage_form"))
    editor.post(url, form_data(editor.get(url), "#sitepage_form") | {"body": "## New terms"})
    old = Version.objects.get_for_object(page).order_by("pk").first()
    revision_url = reverse("admin:articles_sitepage_revision", args=[page.pk, old.pk])

    response = editor.post(revision_url, form_data(editor.get(revision_url), "#sitepage_form"))

    assert response.status_code == 302, errors_on(response)
    page = SitePage.objects.get(pk=page.pk)
    assert page.body == "## Old terms" and "Old terms</h2>" in page.body_html


def test_compare_is_refused_to_staff_who_may_not_view_the_object():
    condition = factories.ConditionFactory()
    staff = Client()
    staff.force_login(factories.UserFactory(is_staff=True, username="nobody"))

    response = staff.get(
        reverse("admin:drugs_condition_compare", args=[condition.pk]),
        {"version_id1": 1, "version_id2": 2},
    )

    assert response.status_code == 403
    assert Condition.objects.filter(pk=condition.pk).exists()


def test_a_version_of_another_article_cannot_be_reverted_into_this_one(editor, article):
    other = factories.ArticleFactory(title="Other", body="Other text.")
    url = reverse("admin:articles_article_change", args=[other.pk])
    editor.post(url, form_data(editor.get(url), "#article_form"))
    foreign = history(other)[0]

    response = editor.get(article_url("revision", article, foreign.pk))

    assert response.status_code == 404
    assert Article.objects.get(pk=article.pk).body == "Take 10 mg."


def test_staff_can_preview_any_revision_as_readers_would_see_it(editor, article):
    first = history(article)[0]
    page = editor.get(article_url("revision", article, first.pk))
    link = BeautifulSoup(page.content, "html.parser").find("a", string="Preview this revision")
    assert link is not None
    preview = editor.get(link["href"])
    assert preview.status_code == 200
    soup = BeautifulSoup(preview.content, "html.parser")
    assert "Take 5 mg." in soup.select_one("main").get_text(" ")
    assert "Take 10 mg." not in soup.select_one("main").get_text(" ")
    assert "revision saved on" in soup.select_one(".preview-banner").get_text(" ")
    assert Article.objects.get(pk=article.pk).body == "Take 10 mg."


def test_a_revision_of_another_article_cannot_be_previewed_here(editor, article):
    other = factories.ArticleFactory()
    url = reverse("article-preview", args=[other.pk]) + f"?version={history(article)[0].pk}"
    assert editor.get(url).status_code == 404


def test_anonymous_readers_cannot_preview_a_revision(client, article):
    url = reverse("article-preview", args=[article.pk]) + f"?version={history(article)[0].pk}"
    assert client.get(url).status_code == 302


def test_recover_cannot_overwrite_an_article_that_still_exists(editor, publisher, article):
    step(publisher, "review", article)
    step(publisher, "publish", article)
    version = history(article)[0]
    url = reverse("admin:articles_article_recover", args=[version.pk])
    assert editor.get(url).status_code == 404
    assert editor.post(url, {}).status_code == 404
    assert Article.objects.get(pk=article.pk).is_live
