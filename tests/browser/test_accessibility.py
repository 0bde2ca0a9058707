"""Accessibility: axe-core in a real Chromium on every reader page type and the main admin screens.

axe-core comes from the npm package pinned in package.json (``make test`` installs it into
node_modules/); it is evaluated in the page through the DevTools protocol, which the
site's Content Security Policy does not govern, so the pages are audited exactly as served.
Every WCAG 2.0, 2.1 and 2.2 rule of levels A and AA runs, at a desktop width and a phone
width; any violation fails with the page, the rule and the elements concerned.
"""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command

from articles.models import Article
from drugs.models import Drug
from interchange.demo import seed_demo
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
WIDTHS = {"desktop": 1280, "phone": 375}
PASSWORD = "a long accessibility test password"
# Django starts Select2 on every autocomplete box (but the empty inline templates') after
# the document is ready, which may be after "load".
SELECT2_STARTED = """() => [...document.querySelectorAll("select.admin-autocomplete")]
    .filter(select => !select.name.includes("__prefix__"))
    .every(select => select.classList.contains("select2-hidden-accessible"))"""

READER_PAGES = [
    "/",
    "/drugs/",
    "/drugs/?letter=b",
    "/drugs/baclofen/",
    "/drugs/baclofen/baclofen-uses/",
    "/articles/how-to-prepare-your-kitchen-for-eating-well-during-cancer-treatment/",
    "/conditions/",
    "/conditions/spasticity/",
    "/terms/",
    "/search/?q=what+is+baclofen+used+for",
    "/search/?q=baclofn",  # no result with every word: "did you mean"
    "/no-such-page/",  # the 404 page
]


def admin_pages() -> list[str]:
    article = Article.objects.get(slug="baclofen-uses")
    drug = Drug.objects.get(slug="baclofen")
    return [
        "/admin/",
        "/admin/articles/article/",
        "/admin/articles/article/add/",
        f"/admin/articles/article/{article.pk}/change/",
        f"/admin/articles/article/{article.pk}/history/",
        "/admin/articles/article/series/",
        f"/preview/articles/{article.pk}/",
        "/admin/drugs/drug/",
        f"/admin/drugs/drug/{drug.pk}/change/",
        "/admin/drugs/condition/",
    ]


@pytest.fixture
def demo_site():
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci` (make test does) - axe tests never skip")
    call_command("setup_roles", stdout=io.StringIO())
    result = seed_demo()
    assert result.ok, result.summary()
    publisher = factories.UserFactory(username="pub", password=PASSWORD, is_staff=True)
    publisher.groups.add(Group.objects.get(name="Publisher"))
    factories.ReviewerProfileFactory(user=publisher, display_name="Pat Lisher", credential="PharmD")
    editor = factories.UserFactory(username="ed", password=PASSWORD, is_staff=True)
    editor.groups.add(Group.objects.get(name="Editor"))


def audit(page, url: str) -> list[str]:
    """axe's WCAG A/AA violations on the page at ``url``, one readable line each."""
    response = page.goto(url)
    assert response is not None
    page.wait_for_load_state("load")
    page.wait_for_function(SELECT2_STARTED)  # audit the admin's boxes as editors get them
    page.evaluate(AXE.read_text())
    violations = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
        ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " targets: v.nodes.slice(0, 5).map(n => n.target.join(' '))})))",
        WCAG_TAGS,
    )
    return [
        f"{url}: {v['id']} ({v['impact']}) {v['help']}: {', '.join(v['targets'])}"
        for v in violations
    ]


def browse(browser, live_server, width: int, username: str | None):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    if username:
        page.goto(f"{live_server.url}/admin/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_url(f"{live_server.url}/admin/")
    return context, page


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_reader_pages_have_no_wcag_violations(browser, live_server, demo_site, width):
    context, page = browse(browser, live_server, width, username=None)
    try:
        found = [line for path in READER_PAGES for line in audit(page, live_server.url + path)]
    finally:
        context.close()
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_admin_screens_have_no_wcag_violations(browser, live_server, demo_site, width):
    context, page = browse(browser, live_server, width, username=None)
    try:
        found = audit(page, f"{live_server.url}/admin/login/")
    finally:
        context.close()
    for username in ("pub", "ed"):
        context, page = browse(browser, live_server, width, username=username)
        try:
            found += [
                line for path in admin_pages() for line in audit(page, live_server.url + path)
            ]
        finally:
            context.close()
    assert found == [], "\n".join(found)
