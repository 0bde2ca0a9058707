"""The whole editorial workflow in a real Chromium, one browser context per person.

An editor logs in, writes an article and submits it; a medical reviewer records a review;
a publisher publishes; an anonymous reader opens the public page and reads the text.
"""

import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from playwright.sync_api import expect

from articles.models import Article
from tests import factories
from tests.browser.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


SHOTS = "/tmp/workflow-{}.png"


@pytest.fixture
def people():
    call_command("setup_roles", stdout=io.StringIO())
    for username, group, first, last in [
        ("ed", "Editor", "Ed", "Itor"),
        ("ann", "Medical reviewer", "Ann", "Lee"),
        ("pub", "Publisher", "Pat", "Lisher"),
    ]:
        user = factories.UserFactory(
            username=username, password=PASSWORD, is_staff=True, first_name=first, last_name=last
        )
        user.groups.add(Group.objects.get(name=group))
        if username == "ann":  # the name readers see, as an admin set it
            factories.ReviewerProfileFactory(user=user, display_name="Ann Lee", credential="MD")


def test_editor_writes_reviewer_reviews_publisher_publishes_reader_reads(
    people, open_as, live_server
):
    editor = open_as("ed", "/admin/articles/article/add/")
    editor.locator("#id_title").press_sequentially("What Is Baclofen Used For?")
    expect(editor.locator("#id_slug")).to_have_value("what-is-baclofen-used-for")
    editor.fill("#id_lead", "Baclofen relaxes muscles that are too stiff.")
    editor.locator("textarea#id_body").fill(
        "## Overview\n\nBaclofen treats spasticity from multiple sclerosis."
    )
    expect(editor.locator(".markdownx-preview h2")).to_have_text("Overview")
    editor.click("input[name=_continue]")
    expect(editor.locator(".messagelist .success")).to_be_visible()
    expect(editor.locator("#workflow .state")).to_have_text("Draft; not reviewed")
    assert editor.locator("#workflow button[value=publish]").count() == 0
    editor.click("#workflow button[value=submit]")
    expect(editor.locator(".messagelist .success")).to_have_text("Submitted for medical review.")
    expect(editor.locator("#workflow .state")).to_have_text("In review; not reviewed")
    editor.screenshot(path=SHOTS.format("1-editor"), full_page=True)
    article = Article.objects.get(slug="what-is-baclofen-used-for")
    change_path = f"/admin/articles/article/{article.pk}/change/"

    reader = open_as(None, "/articles/what-is-baclofen-used-for/")
    expect(reader.locator("h1")).to_have_text("Page not found")

    reviewer = open_as("ann", change_path)
    expect(reviewer.locator("#workflow .reviewer-shown-as")).to_have_text(
        "You will be shown to readers as: Ann Lee, MD"
    )
    reviewer.click("#workflow button[value=review]")
    expect(reviewer.locator(".messagelist .success")).to_contain_text("Ann Lee, MD")
    assert reviewer.locator("#workflow button[value=publish]").count() == 0
    reviewer.click("a.previewlink")
    expect(reviewer.locator(".preview-banner")).to_contain_text("Preview")
    expect(reviewer.locator("main .prose")).to_contain_text("Baclofen treats spasticity")
    reviewer.screenshot(path=SHOTS.format("2-preview"), full_page=True)

    publisher = open_as("pub", change_path)
    publisher.click("#workflow button[value=publish]")
    expect(publisher.locator(".messagelist .success")).to_have_text(
        "Published: readers see this text now."
    )
    expect(publisher.locator("#workflow .state")).to_have_text("Live")
    publisher.screenshot(path=SHOTS.format("3-publisher"), full_page=True)

    reader.reload()
    expect(reader.locator("main h1")).to_have_text("What Is Baclofen Used For?")
    expect(reader.locator("main .prose")).to_contain_text(
        "Baclofen treats spasticity from multiple sclerosis."
    )
    expect(reader.locator("main .reviewer")).to_have_text("Ann Lee, MD")
    assert reader.locator(".preview-banner").count() == 0
    reader.screenshot(path=SHOTS.format("4-reader"), full_page=True)
