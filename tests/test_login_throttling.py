"""django-axes locks out repeated failed admin logins from one client address."""

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
