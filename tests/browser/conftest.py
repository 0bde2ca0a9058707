"""Browser-test fixtures: one logged-in Chromium context per person."""

import pytest

PASSWORD = "a long browser test password"


@pytest.fixture
def open_as(browser, live_server):
    """A fresh browser context per person, logged in through the admin's login form."""
    contexts, problems = [], []

    def open_as(username, path="/admin/"):
        context = browser.new_context(viewport={"width": 1280, "height": 1000})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on(
            "console",
            lambda m: (
                m.type == "error"
                and "Failed to load resource" not in m.text
                and problems.append(m.text)
            ),
        )
        if username:
            page.goto(f"{live_server.url}/admin/login/?next={path}")
            page.fill("#id_username", username)
            page.fill("#id_password", PASSWORD)
            page.click("input[type=submit]")
            page.wait_for_url(f"**{path}")
        else:
            page.goto(f"{live_server.url}{path}")
        return page

    yield open_as
    for context in contexts:
        context.close()
    assert problems == []
