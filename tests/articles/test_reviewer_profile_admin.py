"""Reviewer profiles in the admin: whoever manages accounts sets them; no editorial role can.

The name and credential readers see on a review are a claim about a person, so a
reviewer must not be able to give themselves a name or a degree.
"""

import io

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.urls import reverse

from articles.roles import ROLES
from content.models import ReviewerProfile
from tests import factories
from tests.articles.test_edit_conflicts import form_data
from tests.articles.test_roles import role_user

pytestmark = pytest.mark.django_db

EDITORIAL_ROLES = ["editor", "medical reviewer", "publisher"]
PAGES = {
    "profile list": lambda user: reverse("admin:content_reviewerprofile_changelist"),
    "add a profile": lambda user: reverse("admin:content_reviewerprofile_add"),
    "own profile": lambda user: reverse(
        "admin:content_reviewerprofile_change", args=[user.reviewer_profile.pk]
    ),
    "delete own profile": lambda user: reverse(
        "admin:content_reviewerprofile_delete", args=[user.reviewer_profile.pk]
    ),
    "own account": lambda user: reverse("admin:auth_user_change", args=[user.pk]),
}


def with_profile(role: str):
    user = role_user(role)
    factories.ReviewerProfileFactory(user=user, display_name="Ann Lee", credential="MD")
    return user


def test_no_editorial_role_holds_a_permission_on_reviewer_profiles():
    call_command("setup_roles", stdout=io.StringIO())

    held = Permission.objects.filter(
        content_type__model="reviewerprofile", group__in=Group.objects.filter(name__in=ROLES)
    )

    assert not held.exists()
    assert not any("reviewerprofile" in name for names in ROLES.values() for name in names)


@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.parametrize("role", EDITORIAL_ROLES)
def test_editorial_roles_get_403_on_the_profile_pages(client, role, page):
    user = with_profile(role)
    client.force_login(user)

    assert client.get(PAGES[page](user)).status_code == 403


@pytest.mark.parametrize("role", EDITORIAL_ROLES)
def test_a_reviewer_cannot_change_their_own_profile(client, role):
    user = with_profile(role)
    client.force_login(user)
    profile_url = PAGES["own profile"](user)

    as_profile = client.post(
        profile_url, {"user": user.pk, "display_name": "Dr Me", "credential": "MD, PhD"}
    )
    as_account = client.post(
        PAGES["own account"](user),
        {
            "username": user.username,
            "reviewer_profile-TOTAL_FORMS": "1",
            "reviewer_profile-INITIAL_FORMS": "1",
            "reviewer_profile-0-id": user.reviewer_profile.pk,
            "reviewer_profile-0-user": user.pk,
            "reviewer_profile-0-display_name": "Dr Me",
            "reviewer_profile-0-credential": "MD, PhD",
        },
    )
    deleted = client.post(PAGES["delete own profile"](user), {"post": "yes"})

    assert [as_profile.status_code, as_account.status_code, deleted.status_code] == [403] * 3
    assert ReviewerProfile.objects.get(user=user).shown_name == "Ann Lee, MD"


def test_an_admin_sets_a_reviewers_name_and_credential_on_their_account_page(client):
    reviewer = role_user("medical reviewer", username="jdoe")
    ReviewerProfile.objects.filter(user=reviewer).delete()
    client.force_login(role_user("superuser", username="admin"))
    url = PAGES["own account"](reviewer)
    data = form_data(client.get(url), "#user_form")

    response = client.post(
        url,
        data
        | {"reviewer_profile-0-display_name": "Jane Doe", "reviewer_profile-0-credential": "MD"},
    )

    assert response.status_code == 302, response.content[:2000]
    assert ReviewerProfile.objects.get(user=reviewer).shown_name == "Jane Doe, MD"
    listed = client.get(PAGES["profile list"](reviewer))
    assert listed.status_code == 200
    assert "Jane Doe, MD" in listed.content.decode()
