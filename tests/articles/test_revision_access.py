"""Revert through the admin's history URLs: only this object's versions, only by who may.

Found on what had landed: reversion looked a version up by id and object id whatever its
model, then wrote the whole revision raw. ``POST /admin/articles/sitepage/<article pk>/
history/<article version>/`` with an empty body took a live article off the site, and an
Editor could roll back the Publisher-only disclaimer through a drug's history. Every admin
with a history is tried here with every role: a version of another model or another object
answers 404, a revert the user may not make answers 403 (or the login redirect), and in
both cases not one stored value changes.
"""

from dataclasses import dataclass

import pytest
import reversion
from django.core import serializers
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from articles.models import Article, SitePage, SiteSettings
from drugs.models import BrandName, Condition, Drug, Formulation, Indication
from tests import factories
from tests.articles.test_edit_conflicts import errors_on, form_data
from tests.articles.test_roles import role_user

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "non-staff editor",
    "staff without a role",
    "editor",
    "medical reviewer",
    "publisher",
    "superuser",
]
# admin URL name: (the form's id, the field each test edits, the text it holds first)
ADMINS = {
    "articles_article": ("#article_form", "body", "Take 5 mg."),
    "articles_sitepage": ("#sitepage_form", "body", "Old terms."),
    "articles_sitesettings": ("#sitesettings_form", "owner", "Old Owner, Inc."),
    "drugs_drug": ("#drug_form", "summary", "Old summary."),
    "drugs_condition": ("#condition_form", "summary", "Old condition summary."),
}
EVERYTHING = [Article, SitePage, SiteSettings, Drug, BrandName, Formulation, Indication, Condition]


def everything_stored() -> str:
    """Every row of every content model, as one comparable text."""
    return "".join(
        serializers.serialize("json", model.objects.order_by("pk")) for model in EVERYTHING
    )


def client_for(role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(
            role_user(role) if role != "staff without a role" else staff_without_a_role()
        )
    return client


def staff_without_a_role():
    return factories.UserFactory(is_staff=True, username="staff-no-role")


def may_view(role: str, admin_name: str) -> bool:
    if role == "superuser":
        return True
    if role in {"anonymous", "non-staff editor", "staff without a role"}:
        return False
    return admin_name != "articles_sitesettings" or role == "publisher"


def refusal(role: str) -> int:
    """How a refused request is answered: the login page for outsiders, 403 for staff."""
    return 302 if role in {"anonymous", "non-staff editor"} else 403


@dataclass
class Saved:
    obj: object
    old: Version  # holds the first text
    new: Version  # holds the text the object has now


def save_twice(admin_name: str, obj) -> Saved:
    """Two saved revisions, as the admin keeps them: the first text, then "Edited."."""
    _, field, first = ADMINS[admin_name]
    for text in (first, "Edited."):
        with reversion.create_revision():
            setattr(obj, field, text)
            obj.save()
    old, new = Version.objects.get_for_object(obj).order_by("pk")
    return Saved(obj, old, new)


def make(admin_name: str):
    if admin_name == "articles_article":
        return factories.ArticleFactory(title="Live article", slug="live-article")
    if admin_name == "articles_sitepage":
        return factories.SitePageFactory(slug="terms", title="Terms of Use")
    if admin_name == "articles_sitesettings":
        return SiteSettings.load()
    if admin_name == "drugs_drug":
        drug = factories.DrugFactory(name="Baclofen", slug="baclofen")
        factories.BrandNameFactory(drug=drug, name="Lioresal")
        factories.FormulationFactory(drug=drug, name="Tablet")
        return drug
    return factories.ConditionFactory(name="Spasticity", slug="spasticity")


@pytest.fixture
def world() -> dict[str, Saved]:
    """One object per admin with a history, each saved twice; the article is live."""
    return {name: save_twice(name, make(name)) for name in ADMINS}


def revision_url(admin_name: str, object_id, version: Version) -> str:
    return reverse(f"admin:{admin_name}_revision", args=[object_id, version.pk])


# ---------------------------------------------------------------- versions of another model

CROSSED = [(target, source) for target in ADMINS for source in ADMINS if source != target]


@pytest.mark.parametrize("role", ROLES)
def test_a_version_of_another_model_reverts_nothing(world, role):
    client = client_for(role)
    before = everything_stored()
    answers = {}
    for target, source in CROSSED:
        foreign = world[source].old
        # The object id of the URL's own model, and the foreign version's own object id.
        for object_id in {world[target].obj.pk, int(foreign.object_id)}:
            url = revision_url(target, object_id, foreign)
            answers[url] = {client.post(url, {}).status_code, client.get(url).status_code}
            expected = {404} if may_view(role, target) else {refusal(role)}
            assert answers[url] == expected, (target, source, object_id)

    assert everything_stored() == before


def test_the_reported_attack_leaves_the_live_article_on_the_site(world):
    """POST /admin/articles/sitepage/<article pk>/history/<article version>/, empty body."""
    article = world["articles_article"].obj
    assert not SitePage.objects.filter(pk=article.pk).exclude(pk=world["articles_sitepage"].obj.pk)
    editor = client_for("editor")

    response = editor.post(
        revision_url("articles_sitepage", article.pk, world["articles_article"].old), {}
    )

    assert response.status_code == 404
    article = Article.objects.get(pk=article.pk)
    assert article.is_live and article.published.title == "Live article"
    assert Client().get(article.get_absolute_url()).status_code == 200


def test_an_editor_cannot_roll_back_the_disclaimer_through_a_drugs_history(world):
    """POST /admin/drugs/drug/<settings pk>/history/<settings version>/, as reported."""
    settings_version = world["articles_sitesettings"].old
    editor = client_for("editor")

    for drug_id in (settings_version.object_id, world["drugs_drug"].obj.pk):
        response = editor.post(revision_url("drugs_drug", drug_id, settings_version))
        assert response.status_code == 404

    assert SiteSettings.load().owner == "Edited."


# ---------------------------------------------------------------- another object, same model


@pytest.mark.parametrize("role", ["editor", "publisher", "superuser"])
def test_a_version_of_another_object_of_the_same_model_reverts_nothing(world, role):
    client = client_for(role)
    for admin_name in ADMINS.keys() - {"articles_sitesettings"}:  # one row only
        other = save_twice(admin_name, make_another(admin_name))
        before = everything_stored()
        url = revision_url(admin_name, world[admin_name].obj.pk, other.old)

        assert client.get(url).status_code == 404, admin_name
        assert client.post(url, {}).status_code == 404, admin_name
        assert everything_stored() == before, admin_name


def make_another(admin_name: str):
    if admin_name == "articles_article":
        return factories.ArticleFactory(title="Another", slug="another")
    if admin_name == "articles_sitepage":
        return factories.SitePageFactory(slug="privacy", title="Privacy Policy")
    if admin_name == "drugs_drug":
        return factories.DrugFactory(name="Tizanidine", slug="tizanidine")
    return factories.ConditionFactory(name="Hiccups", slug="hiccups")


# ---------------------------------------------------------------- its own versions, by role


@pytest.mark.parametrize("role", ROLES)
def test_opening_an_own_version_needs_view_permission_and_changes_nothing(world, role):
    client = client_for(role)
    before = everything_stored()
    for admin_name, saved in world.items():
        response = client.get(revision_url(admin_name, saved.obj.pk, saved.old))

        expected = 200 if may_view(role, admin_name) else refusal(role)
        assert response.status_code == expected, admin_name
    assert everything_stored() == before


@pytest.mark.parametrize("role", ROLES)
def test_reverting_an_own_version_needs_change_permission(world, role):
    author = Client()
    author.force_login(role_user("superuser", username="author"))
    client = client_for(role)
    for admin_name, saved in world.items():
        form_id, field, first = ADMINS[admin_name]
        url = revision_url(admin_name, saved.obj.pk, saved.old)
        data = form_data(author.get(url), form_id)  # the old version, as the form shows it
        before = everything_stored()

        response = client.post(url, data)

        if may_view(role, admin_name):  # every role that may view these may change them
            assert response.status_code == 302, (admin_name, errors_on(response))
            assert getattr(type(saved.obj).objects.get(pk=saved.obj.pk), field) == first
        else:
            assert response.status_code == refusal(role), admin_name
            assert everything_stored() == before, admin_name


def test_an_empty_post_to_an_own_version_reverts_nothing(world):
    for admin_name, saved in world.items():
        before = everything_stored()
        response = client_for("superuser").post(
            revision_url(admin_name, saved.obj.pk, saved.old), {}
        )
        assert response.status_code == 200, admin_name  # the form, with its errors
        assert everything_stored() == before, admin_name


def test_a_revision_saved_from_a_list_with_other_pages_is_not_reverted_from_one_page(world):
    terms = world["articles_sitepage"].obj
    privacy = factories.SitePageFactory(slug="privacy", title="Privacy Policy")
    with reversion.create_revision():  # what the change list's editable positions save
        terms.footer_position, privacy.footer_position = 7, 8
        terms.save()
        privacy.save()
    shared = Version.objects.get_for_object(terms).order_by("pk").last()
    before = everything_stored()
    client = client_for("superuser")

    response = client.post(revision_url("articles_sitepage", terms.pk, shared), {})

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:articles_sitepage_history", args=[terms.pk])
    assert everything_stored() == before
