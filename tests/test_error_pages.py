"""Error pages carry the footer and disclaimer; a database outage is a calm 503, no traceback."""

import datetime

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.db import connection
from django.test import Client
from django.urls import path

from articles.models import SiteSettings
from medinfo.urls import urlpatterns as site_urlpatterns
from tests.factories import SitePageFactory


def boom(request):
    raise RuntimeError("a bug in a view")


# This module doubles as a URLconf (pytest.mark.urls): the site's URLs plus one failing view.
urlpatterns = [path("boom/", boom), *site_urlpatterns]
handler404 = "medinfo.views.page_not_found"
handler500 = "medinfo.views.server_error"

FROZEN = datetime.datetime(2031, 6, 15, 12, 0, tzinfo=datetime.UTC)


def soup_of(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def assert_footer_and_disclaimer(soup, start=2006, end=2031, owner="MedInfo"):
    footer = soup.find("footer")
    assert footer is not None
    disclaimer = footer.find(class_="disclaimer")
    assert "does not provide medical advice" in disclaimer.get_text()
    assert disclaimer.find("a", string="Terms of Use")["href"] == "/terms/"
    copyright_text = " ".join(footer.find(class_="copyright").get_text().split())
    assert copyright_text == f"Copyright © {start}–{end} {owner}"
    assert footer.find("nav").find("a", string="Terms of Use") is not None


@pytest.fixture
def anonymous_client():
    """A client that, like a browser, gets the error page instead of the exception."""
    return Client(raise_request_exception=False)


@pytest.fixture
def database_down():
    """Point the connection at a port where nothing listens: a real outage, then restore it."""
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT="1")
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


@time_machine.travel(FROZEN, tick=False)
def test_404_page_has_footer_disclaimer_and_copyright_to_this_year(db, client):
    SiteSettings.objects.create(owner="Example Health, Inc.", copyright_start_year=2010)
    SitePageFactory(slug="terms", title="Terms of Use", footer_position=1)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    soup = soup_of(response)
    assert soup.find("h1").get_text() == "Page not found"
    assert_footer_and_disclaimer(soup, start=2010, owner="Example Health, Inc.")
    assert soup.find("link", rel="canonical")["href"] == "http://testserver/no-such-page/"
    assert soup.find("main").find("form", role="search") is not None


@time_machine.travel(FROZEN, tick=False)
@pytest.mark.urls(__name__)
def test_500_page_has_footer_and_disclaimer_and_no_traceback(db, anonymous_client):
    response = anonymous_client.get("/boom/")
    assert response.status_code == 500
    soup = soup_of(response)
    assert soup.find("h1").get_text() == "Something went wrong"
    assert_footer_and_disclaimer(soup)
    assert "Traceback" not in soup.get_text() and "RuntimeError" not in soup.get_text()
    assert "no-store" in response["Cache-Control"]


@time_machine.travel(FROZEN, tick=False)
@pytest.mark.urls(__name__)
def test_500_page_renders_with_default_settings_when_the_database_is_down(
    transactional_db, database_down, anonymous_client
):
    response = anonymous_client.get("/boom/")
    assert response.status_code == 500
    assert_footer_and_disclaimer(soup_of(response))


@time_machine.travel(FROZEN, tick=False)
def test_database_outage_gives_a_503_page_with_the_disclaimer(
    transactional_db, database_down, anonymous_client
):
    for url in ["/", "/drugs/", "/drugs/baclofen/", "/drugs/baclofen/uses/", "/terms/"]:
        response = anonymous_client.get(url)
        assert response.status_code == 503, url
        assert response["Retry-After"] == "60"
        soup = soup_of(response)
        assert soup.find("h1").get_text() == "Temporarily unavailable"
        assert_footer_and_disclaimer(soup)
        assert "OperationalError" not in soup.get_text()
        assert "Traceback" not in soup.get_text()


def test_healthz_reports_503_when_the_database_is_down(
    transactional_db, database_down, anonymous_client
):
    response = anonymous_client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "down"


def test_pages_work_again_when_the_database_returns(transactional_db, anonymous_client):
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT="1")
    try:
        assert anonymous_client.get("/").status_code == 503
    finally:
        connection.settings_dict.update(saved)
        connection.close()
    assert anonymous_client.get("/").status_code == 200
