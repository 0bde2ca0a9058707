"""An editor's round trip in a real Chromium: log in, edit Markdown, watch the preview, publish."""

import pytest
from playwright.sync_api import expect

from articles import workflow
from articles.models import Article
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long browser test password"


def test_editor_sees_live_preview_and_the_saved_change_on_the_public_page(live_server, page):
    factories.UserFactory(
        username="browser-editor", password=PASSWORD, is_staff=True, is_superuser=True
    )
    drug = factories.DrugFactory(name="Baclofen", slug="baclofen")
    article = factories.ArticleFactory(
        drug=drug, title="What Is Baclofen Used For?", body="## Old heading\n\nOld text.\n"
    )
    problems = []  # CSP violations, script errors, failed requests (the favicon aside)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console",
        lambda m: (
            m.type == "error"
            and "Failed to load resource" not in m.text
            and problems.append(m.text)
        ),
    )
    page.on(
        "response",
        lambda r: (
            r.status >= 400
            and not r.url.endswith("/favicon.ico")
            and problems.append(f"{r.status} {r.url}")
        ),
    )

    change_path = f"/admin/articles/article/{article.pk}/change/"
    page.goto(f"{live_server.url}/admin/login/?next={change_path}")
    page.fill("#id_username", "browser-editor")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"**{change_path}")

    preview = page.locator(".markdownx-preview")
    expect(preview.locator("h2")).to_have_text("Old heading")  # rendered on opening

    editor = page.locator("textarea#id_body")
    editor.fill("")
    editor.press_sequentially("## Fresh heading\n\nWritten in the browser, <script>x</script>")
    expect(preview.locator("h2")).to_have_text("Fresh heading")
    expect(preview).to_contain_text("Written in the browser")
    assert preview.locator("script").count() == 0
    page.screenshot(path="/tmp/admin-article-preview.png", full_page=True)

    page.click("input[name=_continue]")
    expect(page.locator(".messagelist .success")).to_be_visible()

    # Saved but not yet reviewed: readers still see the reviewed text.
    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    expect(page.locator("main h2", has_text="Old heading")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Written in the browser")

    saved = Article.objects.get(pk=article.pk)
    workflow.publish(workflow.record_review(saved, reviewer_name="Ann Lee, MD"))
    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    expect(page.locator("main h2", has_text="Fresh heading")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Written in the browser")
    expect(page.locator("main")).not_to_contain_text("Old text")
    assert problems == []
