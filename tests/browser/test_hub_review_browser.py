"""A drug-hub edit goes through review in a real Chromium, one browser context per person.

A medical reviewer edits the baclofen hub's summary and a strength; readers still get the
published hub. The same reviewer cannot review their own change: the box says so. A second
reviewer opens the page, sees the diff of exactly what changed, and records the review; a
publisher publishes; an anonymous reader then gets the new facts.
"""

import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from playwright.sync_api import expect

from drugs.models import Drug
from interchange.demo import seed_demo
from tests import factories
from tests.browser.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOT = "/tmp/hub-review-{}.png"


@pytest.fixture
def people():
    call_command("setup_roles", stdout=io.StringIO())
    seed_demo()
    for username, group, name in [
        ("rita", "Medical reviewer", "Rita Roe"),
        ("ann", "Medical reviewer", "Ann Lee"),
        ("pub", "Publisher", ""),
    ]:
        user = factories.UserFactory(username=username, password=PASSWORD, is_staff=True)
        user.groups.add(Group.objects.get(name=group))
        if name:
            factories.ReviewerProfileFactory(user=user, display_name=name, credential="MD")


def test_a_hub_edit_is_reviewed_by_a_second_reviewer_with_the_diff_then_published(
    people, open_as, live_server
):
    change_url = f"/admin/drugs/drug/{Drug.objects.get(slug='baclofen').pk}/change/"
    rita = open_as("rita", change_url)
    rita.fill("#id_summary", "A muscle relaxant. Reviewed change for the browser test.")
    strengths = rita.locator("#id_formulations-0-strengths")
    strengths.fill(strengths.input_value().replace("5 mg", "2.5 mg"))
    rita.click("input[name=_continue]")
    expect(rita.locator(".messagelist")).to_contain_text("was changed successfully")
    box = rita.locator("#workflow")
    expect(box).to_contain_text("needs a medical review")
    expect(box).to_contain_text("You made the last change to this text")
    expect(box.locator("form[action$='/review/']")).to_have_count(0)

    reader = open_as(None, "/drugs/baclofen/")
    expect(reader.locator("main")).not_to_contain_text("Reviewed change for the browser test")

    ann = open_as("ann", change_url)
    diff = ann.locator(".review-diff")
    expect(diff.locator(".review-diff__added").first).to_contain_text(
        "Reviewed change for the browser test"
    )
    expect(diff).to_contain_text("2.5 mg")
    ann.screenshot(path=SHOT.format("diff"), full_page=True)
    expect(ann.locator(".reviewer-shown-as")).to_contain_text("Ann Lee, MD")
    ann.click("#workflow button[value=review]")
    expect(ann.locator(".messagelist")).to_contain_text("Medical review recorded: Ann Lee, MD")

    publisher = open_as("pub", change_url)
    publisher.click("#workflow button[value=publish]")
    expect(publisher.locator(".messagelist")).to_contain_text("Published")

    reader.goto(f"{live_server.url}/drugs/baclofen/")
    expect(reader.locator("main")).to_contain_text("Reviewed change for the browser test")
    expect(reader.locator("table.formulations")).to_contain_text("2.5 mg")
    reader.screenshot(path=SHOT.format("reader"), full_page=True)
