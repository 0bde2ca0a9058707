"""An editor never loses work, in a real Chromium (static/js/unsaved-changes.js and
static/js/markdown-editor.js).

Workflow steps and previews act on the saved text: with changes on screen they offer to
save first. Drafts are kept in the browser and offered back after a closed tab. Uploads
show the server's refusal and ask for alt text. The preview is labelled and, on a wide
screen, beside the text.
"""

import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image
from playwright.sync_api import expect

from articles.models import Article, Status
from tests import factories
from tests.browser.test_workflow_browser import people  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = "/tmp/editor-{}.png"
NOT_AN_IMAGE = b"Take one tablet three times a day.\n"
REFUSED = "Upload a PNG or JPEG image; this file is not one, or it is damaged."
DRAFTS = "() => Object.keys(localStorage).filter(k => k.startsWith('medinfo.draft:'))"


@pytest.fixture
def article(people):  # noqa: F811
    return factories.ArticleFactory(
        title="What Is Baclofen Used For?",
        slug="baclofen-uses",
        lead="Baclofen relaxes stiff muscles.",
        body="## Uses\n\nThe saved text.",
        status=Status.DRAFT,
        reviewed_on=None,
        drug=factories.DrugFactory(name="Baclofen", slug="baclofen"),
    )


def change_path(article) -> str:
    return f"/admin/articles/article/{article.pk}/change/"


def saved_body(article) -> str:
    return Article.objects.get(pk=article.pk).body.replace("\r\n", "\n")


def png(size=(60, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "teal").save(buffer, format="PNG")
    return buffer.getvalue()


def choose_file(page, field: str, name: str, content: bytes, mime="image/png"):
    """Click the editor's "Insert image…" button and pick a file in the file chooser."""
    with page.expect_file_chooser() as chooser:
        page.locator(f".field-{field}").get_by_role("button", name="Insert image…").click()
    chooser.value.set_files(files=[{"name": name, "mimeType": mime, "buffer": content}])


def drop_file(page, textarea: str, name: str, content: bytes):
    """Drop a file onto the textarea, as dragging it from the desktop does."""
    page.evaluate(
        """([selector, name, bytes]) => {
            const data = new DataTransfer();
            data.items.add(new File([new Uint8Array(bytes)], name, {type: "image/png"}));
            document.querySelector(selector).dispatchEvent(
                new DragEvent("drop", {dataTransfer: data, bubbles: true, cancelable: true}));
        }""",
        [textarea, name, list(content)],
    )


def wait_for_draft(page, text: str):
    page.wait_for_function(
        "text => Object.keys(localStorage).some(k => k.startsWith('medinfo.draft:')"
        " && localStorage.getItem(k).includes(text))",
        arg=text,
    )


def box(locator) -> dict:
    return locator.bounding_box()


# --- Workflow steps and previews act on the saved text ----------------------------------


def test_typed_text_is_saved_before_it_is_submitted_for_review(open_as, article):  # noqa: F811
    page = open_as("ed", change_path(article))
    body = page.locator("textarea#id_body")
    body.fill("## Uses\n\nThe text typed just now.")

    page.locator("#workflow button[value=submit]").click()
    dialog = page.locator("dialog#save-first")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("sends the saved text to a medical reviewer")
    page.screenshot(path=SHOTS.format("save-first-dialog"), full_page=False)
    dialog.get_by_role("button", name="Keep editing").click()
    expect(dialog).to_be_hidden()
    assert Article.objects.get(pk=article.pk).status == Status.DRAFT  # nothing was sent
    expect(body).to_have_value("## Uses\n\nThe text typed just now.")

    page.locator("#workflow button[value=submit]").click()
    dialog.get_by_role("button", name="Save, then submit for review").click()

    messages = page.locator(".messagelist")
    expect(messages).to_contain_text("Submitted for medical review.")
    expect(messages).to_contain_text("was changed successfully")
    expect(page.locator("#workflow .state")).to_have_text("In review; not reviewed")
    expect(body).to_have_value("## Uses\n\nThe text typed just now.")
    assert saved_body(article) == "## Uses\n\nThe text typed just now."
    assert Article.objects.get(pk=article.pk).status == Status.IN_REVIEW
    expect(page.locator("#draft-banner")).to_be_hidden()
    assert page.evaluate(DRAFTS) == []  # the server has the text now


def test_a_step_without_changes_goes_ahead_without_asking(open_as, article):  # noqa: F811
    page = open_as("ed", change_path(article))
    page.locator("#workflow button[value=submit]").click()

    expect(page.locator(".messagelist")).to_have_text("Submitted for medical review.")
    assert Article.objects.get(pk=article.pk).status == Status.IN_REVIEW


def test_preview_with_unsaved_changes_saves_them_first(open_as, article):  # noqa: F811
    page = open_as("ed", change_path(article))
    page.locator("textarea#id_body").fill("## Uses\n\nWhat the preview must show.")

    page.locator("a.previewlink").click()
    page.locator("dialog#save-first").get_by_role("button", name="Save, then preview").click()

    expect(page.locator(".preview-banner")).to_contain_text("Preview")
    expect(page.locator("main .prose")).to_contain_text("What the preview must show.")
    assert saved_body(article) == "## Uses\n\nWhat the preview must show."


def test_a_refused_save_shows_the_errors_with_the_typed_text_kept(open_as, article):  # noqa: F811
    page = open_as("ed", change_path(article))
    page.locator("#id_title").fill("")  # a title is required
    page.locator("textarea#id_body").fill("## Uses\n\nText that must not be lost.")

    page.locator("#workflow button[value=submit]").click()
    page.locator("dialog#save-first").get_by_role(
        "button", name="Save, then submit for review"
    ).click()

    expect(page.locator(".errornote")).to_be_visible()
    expect(page.locator(".field-title .errorlist")).to_be_visible()
    expect(page.locator("textarea#id_body")).to_have_value("## Uses\n\nText that must not be lost.")
    saved = Article.objects.get(pk=article.pk)
    assert saved.status == Status.DRAFT and saved.title == "What Is Baclofen Used For?"
    wait_for_draft(page, "Text that must not be lost.")  # only this page has it


def test_a_reviewer_with_changes_saves_them_for_another_reviewer(open_as, article):  # noqa: F811
    page = open_as("ann", change_path(article))
    page.locator("textarea#id_body").fill("## Uses\n\nCorrected by the reviewer.")

    page.locator("#workflow button[value=review]").click()
    dialog = page.locator("dialog#save-first")
    expect(dialog).to_contain_text("A medical review vouches for the saved text")
    expect(dialog).to_contain_text("another medical reviewer")
    dialog.get_by_role("button", name="Save changes").click()

    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    expect(page.locator(".markdownx-preview")).to_contain_text("Corrected by the reviewer.")
    # Four eyes: the text is now Ann's, so she cannot vouch for it herself.
    expect(page.locator("#workflow")).to_contain_text("another medical reviewer must review it")
    expect(page.locator("#workflow button[value=review]")).to_have_count(0)
    assert Article.objects.get(pk=article.pk).reviewed_on is None


def test_leaving_with_unsaved_changes_asks(open_as, article):  # noqa: F811
    asked = []

    def answer(dialog):
        asked.append(dialog.type)
        dialog.dismiss()  # stay on the page

    page = open_as("ed", change_path(article))
    page.on("dialog", answer)
    with page.expect_event("close"):
        page.close(run_before_unload=True)  # nothing changed: no question
    assert asked == []

    page = open_as("ed", change_path(article))
    page.on("dialog", answer)
    page.locator("textarea#id_body").press_sequentially(" More words.")
    with page.expect_event("dialog"):
        page.close(run_before_unload=True)
    assert asked == ["beforeunload"]
    expect(page.locator("textarea#id_body")).to_have_value(re.compile(r"More words\."))


# --- Drafts kept in the browser -------------------------------------------------------------


def test_a_draft_survives_a_closed_tab_and_is_restored(open_as, article, live_server):  # noqa: F811
    page = open_as("ed", change_path(article))
    page.locator("textarea#id_body").fill("## Uses\n\nWords that must survive a crash.")
    wait_for_draft(page, "Words that must survive a crash.")
    context = page.context
    page.close()  # no questions asked: as when the browser crashes

    page = context.new_page()
    page.goto(f"{live_server.url}{change_path(article)}")
    banner = page.locator("#draft-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text(re.compile(r"You have unsaved changes from \w+"))
    expect(page.locator("textarea#id_body")).to_have_value("## Uses\n\nThe saved text.")
    page.screenshot(path=SHOTS.format("draft-banner"), full_page=False)

    banner.get_by_role("button", name="Restore").click()
    expect(banner).to_be_hidden()
    expect(page.locator("textarea#id_body")).to_have_value(
        "## Uses\n\nWords that must survive a crash."
    )
    expect(page.locator(".markdownx-preview")).to_contain_text("Words that must survive a crash.")
    assert saved_body(article) == "## Uses\n\nThe saved text."  # never saved by itself

    page.click("input[name=_continue]")
    expect(page.locator(".messagelist .success")).to_be_visible()
    assert saved_body(article) == "## Uses\n\nWords that must survive a crash."
    expect(banner).to_be_hidden()
    assert page.evaluate(DRAFTS) == []


def test_a_discarded_draft_is_gone(open_as, article, live_server):  # noqa: F811
    page = open_as("ed", change_path(article))
    page.locator("textarea#id_body").fill("Second thoughts.")
    wait_for_draft(page, "Second thoughts.")
    context = page.context
    page.close()

    page = context.new_page()
    page.goto(f"{live_server.url}{change_path(article)}")
    page.locator("#draft-banner").get_by_role("button", name="Discard").click()

    expect(page.locator("#draft-banner")).to_be_hidden()
    expect(page.locator("textarea#id_body")).to_have_value("## Uses\n\nThe saved text.")
    assert page.evaluate(DRAFTS) == []
    page.reload()
    expect(page.locator("textarea#id_body")).to_have_value("## Uses\n\nThe saved text.")
    expect(page.locator("#draft-banner")).to_be_hidden()


def test_a_new_article_draft_is_restored_and_forgotten_once_saved(open_as, people, live_server):  # noqa: F811
    factories.DrugFactory(name="Baclofen", slug="baclofen")
    page = open_as("ed", "/admin/articles/article/add/")
    page.locator("#id_title").press_sequentially("Baclofen and Alcohol")
    page.locator("#id_lead").fill("Do not drink alcohol while taking baclofen.")
    page.locator("textarea#id_body").fill("## Why\n\nBoth make you sleepy.")
    wait_for_draft(page, "Both make you sleepy.")
    context = page.context
    page.close()

    page = context.new_page()
    page.goto(f"{live_server.url}/admin/articles/article/add/")
    page.locator("#draft-banner").get_by_role("button", name="Restore").click()
    expect(page.locator("#id_title")).to_have_value("Baclofen and Alcohol")
    expect(page.locator("#id_slug")).to_have_value("baclofen-and-alcohol")
    page.click("input[name=_save]")  # to the list: the draft is forgotten there

    expect(page.locator(".messagelist .success")).to_contain_text("was added successfully")
    assert Article.objects.get(slug="baclofen-and-alcohol").body.endswith("Both make you sleepy.")
    assert page.evaluate(DRAFTS) == []
    page.goto(f"{live_server.url}/admin/articles/article/add/")
    expect(page.locator("#draft-banner")).to_be_hidden()


# --- Uploads --------------------------------------------------------------------------------


def test_a_refused_upload_shows_the_servers_message_and_leaves_the_text_alone(open_as, article):  # noqa: F811
    page = open_as("ed", change_path(article))
    body = page.locator("textarea#id_body")
    alert = page.locator(".field-body [role=alert]")

    choose_file(page, "body", "notes.png", NOT_AN_IMAGE)
    expect(alert).to_contain_text(REFUSED)
    expect(alert).to_contain_text("“notes.png” was not uploaded")
    expect(body).to_have_value("## Uses\n\nThe saved text.")
    page.screenshot(path=SHOTS.format("refused-upload"), full_page=False)

    drop_file(page, "#id_body", "dropped.png", NOT_AN_IMAGE)  # markdownx's own path
    expect(alert).to_contain_text("“dropped.png” was not uploaded")
    expect(alert).to_contain_text(REFUSED)
    expect(body).to_have_value("## Uses\n\nThe saved text.")
    assert "Invalid response" not in body.input_value()


def test_an_uploaded_image_goes_in_with_the_alt_text_asked_for(open_as, article):  # noqa: F811
    page = open_as("ed", change_path(article))
    body = page.locator("textarea#id_body")
    body.focus()
    body.press("Control+End")

    with page.expect_response("**/markdownx/upload/") as upload:
        choose_file(page, "body", "tablet.png", png())
    url = re.search(r"\((/media/[^)]+)\)", upload.value.json()["image_code"]).group(1)
    try:
        alt = page.get_by_role(
            "textbox", name="Describe the image for readers who cannot see it (alt text)"
        )
        expect(alt).to_be_focused()
        page.screenshot(path=SHOTS.format("alt-text"), full_page=False)
        insert = page.locator(".field-body").get_by_role("button", name="Insert image", exact=True)
        insert.click()
        expect(page.locator(".field-body .markdownx-alt-error")).to_contain_text(
            "Describe the image"
        )
        expect(body).to_have_value("## Uses\n\nThe saved text.")  # nothing without alt text

        alt.fill("A round white tablet")
        alt.press("Enter")

        expect(body).to_have_value(f"## Uses\n\nThe saved text.![A round white tablet]({url})")
        assert re.fullmatch(r"/media/markdownx/[0-9a-f]{32}\.png", url)
        image = page.locator(".markdownx-preview img")
        expect(image).to_have_attribute("alt", "A round white tablet")
        expect(page.locator(".field-body [role=status]")).to_have_text("“tablet.png” is inserted.")
        assert page.evaluate("img => img.naturalWidth", image.element_handle()) == 60
    finally:
        (Path(settings.MEDIA_ROOT) / url.removeprefix(settings.MEDIA_URL)).unlink(missing_ok=True)


def test_the_drug_mechanism_editor_shows_a_refused_upload_too(open_as, people):  # noqa: F811
    drug = factories.DrugFactory(name="Baclofen", slug="baclofen", mechanism="Acts on GABA-B.")
    page = open_as("ed", f"/admin/drugs/drug/{drug.pk}/change/")

    choose_file(page, "mechanism", "notes.png", NOT_AN_IMAGE)

    expect(page.locator(".field-mechanism [role=alert]")).to_contain_text(REFUSED)
    expect(page.locator("textarea#id_mechanism")).to_have_value("Acts on GABA-B.")
    expect(page.locator(".field-mechanism")).to_contain_text("Preview — what readers will see")
    page.locator(".field-mechanism").scroll_into_view_if_needed()
    page.screenshot(path=SHOTS.format("drug"), full_page=False)


# --- The preview ----------------------------------------------------------------------------


def test_the_preview_is_labelled_and_beside_the_text_on_a_wide_screen(open_as, article):  # noqa: F811
    page = open_as("ed", change_path(article))
    editor, preview = (
        page.locator("textarea#id_body"),
        page.locator(".field-body .markdownx-preview"),
    )
    expect(preview.locator("h2")).to_have_text("Uses")
    region = page.get_by_role("region", name="Preview — what readers will see")
    expect(region).to_have_count(1)
    expect(region).to_contain_text("The saved text.")

    page.locator(".field-body").scroll_into_view_if_needed()
    page.screenshot(path=SHOTS.format("1280"), full_page=True)
    text_box, preview_box = box(editor), box(preview)
    assert preview_box["x"] >= text_box["x"] + text_box["width"]  # to the right of the text
    assert preview_box["y"] < text_box["y"] + text_box["height"]  # on the same rows
    assert text_box["y"] < preview_box["y"] + preview_box["height"]
    assert preview_box["x"] + preview_box["width"] <= 1280

    page.set_viewport_size({"width": 375, "height": 800})
    page.screenshot(path=SHOTS.format("375"), full_page=True)
    text_box, preview_box = box(editor), box(preview)
    assert preview_box["y"] >= text_box["y"] + text_box["height"]  # below the text
    assert preview_box["x"] + preview_box["width"] <= 375
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
