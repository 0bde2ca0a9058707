"""django-axes locks out repeated failed admin logins: by client address and by username."""

import pytest
from django.test import override_settings

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3)
def test_repeated_failed_logins_lock_the_client_out_even_with_the_right_password(client):
    UserFactory(username="editor", password="the right password 123", is_staff=True)
    for _ in range(3):
        client.post("/admin/login/", {"username": "editor", "password": "wrong"})
    response = client.post(
        "/admin/login/", {"username": "editor", "password": "the right password 123"}
    )
    assert response.status_code in (403, 429)
    assert "_auth_user_id" not in client.session


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3)
def test_a_correct_login_under_the_limit_succeeds(client):
    UserFactory(username="editor", password="the right password 123", is_staff=True)
    client.post("/admin/login/", {"username": "editor", "password": "wrong"})
    response = client.post(
        "/admin/login/", {"username": "editor", "password": "the right password 123"}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"]


def login(client, password: str, **meta):
    return client.post("/admin/login/", {"username": "editor", "password": password}, **meta)


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3)
def test_a_rotating_user_agent_does_not_reset_the_username_lock(client):
    UserFactory(username="editor", password="the right password 123", is_staff=True)
    for n in range(3):
        login(client, "wrong", HTTP_USER_AGENT=f"agent {n}", REMOTE_ADDR=f"192.0.2.{n}")

    response = login(
        client, "the right password 123", HTTP_USER_AGENT="agent 9", REMOTE_ADDR="192.0.2.9"
    )

    assert response.status_code in (403, 429)
    assert "_auth_user_id" not in client.session


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3)
def test_one_address_guessing_many_usernames_is_locked_out(client):
    UserFactory(username="editor", password="the right password 123", is_staff=True)
    for n in range(3):
        client.post(
            "/admin/login/",
            {"username": f"guess{n}", "password": "wrong"},
            REMOTE_ADDR="192.0.2.50",
        )

    response = login(client, "the right password 123", REMOTE_ADDR="192.0.2.50")

    assert response.status_code in (403, 429)
    assert "_auth_user_id" not in client.session
