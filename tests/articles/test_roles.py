"""The role matrix: every role against every editorial action, as DESIGN.md §3 gives them.

Each cell is one test: an allowed action succeeds and has its effect; a refused one is
answered with a redirect to the login (anonymous and non-staff users) or 403 (staff),
and no article changes. Articles here belong to nobody in particular: every role acts on
content someone else wrote, by its id, with the POST a browser (or an attacker) sends.
"""

import datetime
import io
from dataclasses import dataclass

import pytest
import reversion
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from reversion.models import Version

from articles.models import Article, Status
from articles.roles import EDITOR, MEDICAL_REVIEWER, PUBLISHER, ROLES
from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
GROUPS = {"editor": "Editor", "medical reviewer": "Medical reviewer", "publisher": "Publisher"}


def role_user(role: str, *, reviewer_profile=("Ann Lee", "MD"), **fields):
    """A user of the role; the groups come from the real setup_roles command.

    A user who may review gets the reviewer profile (name, credential) an admin would set,
    unless ``reviewer_profile`` is None.
    """
    if not Group.objects.filter(name="Editor").exists():
        call_command("setup_roles", stdout=io.StringIO())
    fields.setdefault("username", role.replace(" ", "-"))
    if role == "superuser":
        user = factories.UserFactory(is_staff=True, is_superuser=True, **fields)
    else:
        user = factories.UserFactory(is_staff=role != "non-staff editor", **fields)
        group = GROUPS.get(role.removeprefix("non-staff "))
        if group:
            user.groups.add(Group.objects.get(name=group))
    if reviewer_profile and user.has_perm("articles.review_article"):
        name, credential = reviewer_profile
        factories.ReviewerProfileFactory(user=user, display_name=name, credential=credential)
    return user


# ---------------------------------------------------------------- setup_roles


def test_setup_roles_creates_the_three_groups_then_changes_nothing():
    first, second = io.StringIO(), io.StringIO()

    call_command("setup_roles", stdout=first)
    snapshot = {
        g.name: set(g.permissions.values_list("pk", flat=True)) for g in Group.objects.all()
    }
    call_command("setup_roles", stdout=second)

    assert first.getvalue().strip() == "Roles: 3 created, 0 updated, 0 unchanged."
    assert second.getvalue().strip() == "Roles: 0 created, 0 updated, 3 unchanged."
    assert snapshot == {
        g.name: set(g.permissions.values_list("pk", flat=True)) for g in Group.objects.all()
    }
    assert set(snapshot) == set(ROLES)


def test_setup_roles_removes_a_permission_the_table_does_not_give():
    call_command("setup_roles", stdout=io.StringIO())
    editor = Group.objects.get(name="Editor")
    editor.permissions.add(*Group.objects.get(name="Publisher").permissions.all())
    out = io.StringIO()

    call_command("setup_roles", stdout=out)

    assert out.getvalue().strip() == "Roles: 0 created, 1 updated, 2 unchanged."
    perms = {f"{p.content_type.app_label}.{p.codename}" for p in editor.permissions.all()}
    assert perms == EDITOR


def test_each_role_has_everything_the_one_below_has_and_its_own_step():
    assert MEDICAL_REVIEWER - EDITOR == {
        "articles.review_article",
        "drugs.review_drug",
        "drugs.review_condition",
    }
    assert PUBLISHER - MEDICAL_REVIEWER == {
        "articles.publish_article",
        "drugs.publish_drug",
        "drugs.publish_condition",
        "articles.publish_sitepage",
        "articles.view_sitesettings",
        "articles.change_sitesettings",
    }
    # "Create and edit", not delete: nobody but a superuser deletes a page or a drug.
    assert not {p for p in PUBLISHER if p.split(".")[1].startswith("delete_")} - {
        "drugs.delete_brandname",
        "drugs.delete_formulation",
        "drugs.delete_indication",
    }


# ---------------------------------------------------------------- the matrix


@dataclass
class World:
    draft: Article  # two saved revisions: "First title", then "Draft title"
    reviewed: Article  # reviewed, not published
    live: Article  # published and visible


@pytest.fixture
def world():
    draft = factories.ArticleFactory(
        title="First title", slug="draft", status=Status.DRAFT, reviewed_on=None
    )
    with reversion.create_revision():
        draft.save()
    draft.title = "Draft title"
    with reversion.create_revision():
        draft.save()
    reviewed = factories.ArticleFactory(slug="reviewed", status=Status.IN_REVIEW)
    live = factories.ArticleFactory(slug="live")
    return World(draft, reviewed, live)


def png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "teal").save(buffer, format="PNG")
    return SimpleUploadedFile("x.png", buffer.getvalue(), content_type="image/png")


def change_post(article: Article, **fields) -> dict:
    data = {
        "title": article.title, "slug": article.slug, "drug": article.drug_id or "",
        "series_position": "0", "kind": article.kind, "lead": article.lead,
        "body": article.body,
        "promoted_article": "",
        # A crafted POST: the read-only workflow fields are posted too, and ignored.
        "status": Status.PUBLISHED, "reviewed_by": "Forged, MD", "reviewed_on": "2020-01-01",
        "outgoing_links-TOTAL_FORMS": "0", "outgoing_links-INITIAL_FORMS": "0",
        "outgoing_links-MIN_NUM_FORMS": "0", "outgoing_links-MAX_NUM_FORMS": "0",
    }  # fmt: skip
    return data | fields


def admin_url(name: str, article: Article) -> str:
    return reverse(f"admin:articles_article_{name}", args=[article.pk])


def reload(article: Article) -> Article:
    return Article.objects.get(pk=article.pk)


def versions(article: Article) -> list[int]:
    return sorted(Version.objects.get_for_object(article).values_list("pk", flat=True))


# Each action: (method, how to call it, whether its effect happened).
ACTIONS = {
    "view changelist": (
        "GET",
        lambda c, w: c.get(reverse("admin:articles_article_changelist")),
        None,
    ),
    "view draft": ("GET", lambda c, w: c.get(admin_url("change", w.draft)), None),
    "change": (
        "POST",
        lambda c, w: c.post(admin_url("change", w.draft), change_post(w.draft, title="Edited")),
        lambda w: reload(w.draft).title == "Edited",
    ),
    "add": (
        "POST",
        lambda c, w: c.post(
            reverse("admin:articles_article_add"),
            change_post(Article(title="Added", slug="added", body="x")),
        ),
        lambda w: Article.objects.filter(slug="added").exists(),
    ),
    "delete": (
        "POST",
        lambda c, w: c.post(admin_url("delete", w.draft), {"post": "yes"}),
        lambda w: not Article.objects.filter(pk=w.draft.pk).exists(),
    ),
    "history": ("GET", lambda c, w: c.get(admin_url("history", w.draft)), None),
    "compare revisions": (
        "GET",
        lambda c, w: c.get(
            admin_url("compare", w.draft),
            dict(zip(["version_id1", "version_id2"], versions(w.draft), strict=True)),
        ),
        None,
    ),
    "revert": (
        "POST",
        lambda c, w: c.post(
            reverse("admin:articles_article_revision", args=[w.draft.pk, versions(w.draft)[0]]),
            change_post(w.draft, title="First title"),
        ),
        lambda w: reload(w.draft).title == "First title",
    ),
    "preview": ("GET", lambda c, w: c.get(reverse("article-preview", args=[w.draft.pk])), None),
    "submit": (
        "POST",
        lambda c, w: c.post(admin_url("submit", w.draft)),
        lambda w: reload(w.draft).status == Status.IN_REVIEW,
    ),
    "review": (
        "POST",
        lambda c, w: c.post(
            admin_url("review", w.draft),
            {"text_hash": w.draft.text_hash()},
        ),
        lambda w: reload(w.draft).has_current_review,
    ),
    "publish": (
        "POST",
        lambda c, w: c.post(admin_url("publish", w.reviewed)),
        lambda w: reload(w.reviewed).is_live,
    ),
    "schedule": (
        "POST",
        lambda c, w: c.post(
            admin_url("schedule", w.reviewed),
            {
                "publish_at": (timezone.localtime() + datetime.timedelta(days=3)).strftime(
                    "%Y-%m-%dT%H:%M"
                )
            },
        ),
        lambda w: reload(w.reviewed).is_live,
    ),
    "unpublish": (
        "POST",
        lambda c, w: c.post(admin_url("unpublish", w.live)),
        lambda w: not reload(w.live).is_live,
    ),
    "upload image": (
        "POST",
        lambda c, w: c.post(reverse("markdownx_upload"), {"image": png()}),
        None,
    ),
    "markdownify preview": (
        "POST",
        lambda c, w: c.post(reverse("markdownx_markdownify"), {"content": "## Hi"}),
        None,
    ),
}

EDITOR_MAY = {
    "view changelist", "view draft", "change", "add", "history", "compare revisions", "revert",
    "preview", "submit", "upload image", "markdownify preview",
}  # fmt: skip
ALLOWED = {
    "anonymous": set(),
    "non-staff editor": set(),
    "staff without role": set(),
    "editor": EDITOR_MAY,
    "medical reviewer": EDITOR_MAY | {"review"},
    "publisher": EDITOR_MAY | {"review", "publish", "schedule", "unpublish"},
    "superuser": set(ACTIONS),
}


def snapshot() -> list[dict]:
    return [
        model_to_dict(a, fields=[f.name for f in Article._meta.concrete_fields if not f.generated])
        for a in Article.objects.order_by("pk")
    ]


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("role", list(ALLOWED))
def test_role_matrix(client, world, settings, tmp_path, role, action):
    settings.MEDIA_ROOT = tmp_path
    if role != "anonymous":
        client.force_login(role_user(role))
    method, call, happened = ACTIONS[action]
    before = snapshot()

    response = call(client, world)

    if action in ALLOWED[role]:
        if method == "GET" or action in {"upload image", "markdownify preview"}:
            assert response.status_code == 200, response.content[:300]
        else:
            assert response.status_code == 302
            assert "/login/" not in response["Location"]
        if happened:
            assert happened(world), f"{role} could not {action}"
    else:
        if role in {"anonymous", "non-staff editor"}:
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("admin:login"))
        else:
            assert response.status_code == 403
        assert snapshot() == before, f"{role}'s refused {action} changed an article"
        assert list(tmp_path.iterdir()) == []  # no upload stored
