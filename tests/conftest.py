"""Shared fixtures: factories' users and a real Chromium for the browser tests."""

import os
import shutil

import pytest
from django.core.cache import caches
from django.db import connection

from pagecache import version
from tests import factories

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(autouse=True)
def fresh_page_cache(request):
    """Every test starts with empty caches, and sees its own writes in the content version.

    The version triggers are deferred to COMMIT (pagecache/triggers.py), and a test's
    transaction never commits: made immediate, each write statement bumps the version, as
    a committed transaction would. Tests that commit (transactional_db, live_server) need
    nothing.
    """
    for cache in caches.all(initialized_only=True):
        cache.clear()
    version.forget()
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    commits = {"transactional_db", "live_server"} & names or (
        marker and marker.kwargs.get("transaction")
    )
    if ("db" in names or marker) and not commits:
        request.getfixturevalue("db")
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS pagecache_content_changed IMMEDIATE")


@pytest.fixture
def staff_user(db):
    return factories.UserFactory(is_staff=True, is_superuser=True, username="staff")


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def plain_user(db):
    return factories.UserFactory(is_staff=False, username="reader")


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright; never a downloaded browser. Missing = failure."""
    if not shutil.which(CHROMIUM):
        pytest.fail(
            f"{CHROMIUM} is missing: apt-get install -y chromium (browser tests never skip)"
        )
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by
    # the test itself (not the live server) are still synchronous and safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
