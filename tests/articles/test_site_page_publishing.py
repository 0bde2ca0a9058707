"""Site pages (terms, privacy, about) reach readers through a Publisher's publish step.

An editor's save changes the working copy only; no medical review is asked for; a
Publisher publishes; the footer and the page then show the new text.
"""

import pytest
from django.test import Client
from django.urls import reverse

from articles.models import SitePage
from tests import factories
from tests.articles.test_edit_conflicts import form_data
from tests.articles.test_roles import role_user

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_editors_change_waits_for_a_publisher(client):
    page = factories.SitePageFactory(slug="terms", title="Terms of Use", footer_position=1)
    editor = client_for(role_user("editor", username="edna"))
    url = reverse("admin:articles_sitepage_change", args=[page.pk])
    data = form_data(editor.get(url), "#sitepage_form") | {"title": "Changed terms"}
    assert editor.post(url, data).status_code == 302
    assert b"Changed terms" not in client.get("/terms/").content
    assert b"Terms of Use" in client.get("/").content  # the footer too

    assert (
        editor.post(reverse("admin:articles_sitepage_publish", args=[page.pk])).status_code == 403
    )
    publisher = client_for(role_user("publisher", username="pat"))
    box = publisher.get(url).content.decode()
    assert "ready to publish" in box and "medical review" not in box.split("workflow-steps")[1]
    done = publisher.post(reverse("admin:articles_sitepage_publish", args=[page.pk]), follow=True)
    assert "Published" in done.content.decode()
    assert b"Changed terms" in client.get("/terms/").content
    assert b"Changed terms" in client.get("/").content


def test_a_new_page_is_not_found_until_published(client):
    page = factories.SitePageFactory(slug="about", published=False)
    assert client.get("/about/").status_code == 404
    page = SitePage.objects.get(pk=page.pk)
    publisher = client_for(role_user("publisher", username="pat"))
    publisher.post(reverse("admin:articles_sitepage_publish", args=[page.pk]))
    assert client.get("/about/").status_code == 200
