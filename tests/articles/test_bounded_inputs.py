"""Markdown that would render to far more than it is: refused with the size, or cut short.

The limits live in one validator on every Markdown field (content.markup); the admin, the
preview and the importer all show its message. Render times of these inputs are measured
by hand (see the commit message), not asserted: they depend on the machine.
"""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from articles.models import Article, SitePage
from content.markup import MAX_BRACKETS, MAX_HTML_CHARS, render_markdown
from drugs.models import Drug
from interchange.importer import import_content
from tests import factories
from tests.articles.test_edit_conflicts import errors_on, form_data
from tests.interchange.documents import document, encode

pytestmark = pytest.mark.django_db

FOOTNOTE_BOMB = "[^1]" * 24_995 + "\n\n[^1]: A note.\n"  # 100k characters; 4.6 MB of HTML once
IMAGE_BOMB = "![" * 45_000  # 90k characters, never closed
# 16 kB that render to 2 MB: 2,000 uses of one 1,000-character reference link.
REFERENCE_BOMB = "[a]: https://example.com/" + "x" * 1000 + "\n\n" + "[a]" * 4_000
SIZE_MESSAGE = re.compile(r"The rendered page would be (\d+\.\d) MB; the limit is 1 MB\.")


def refusal(text: str) -> str:
    with pytest.raises(ValidationError) as raised:
        Article(title="T", slug="t", body=text).full_clean()
    return " ".join(raised.value.message_dict["body"])


def test_footnote_bomb_of_100k_chars_is_refused_with_the_count():
    assert refusal(FOOTNOTE_BOMB).startswith(
        f"This text has 24,996 “[” characters; the most is {MAX_BRACKETS:,}."
    )


def test_footnote_bomb_of_100k_chars_renders_cut_short():
    rendered = render_markdown(FOOTNOTE_BOMB)

    assert rendered.truncated
    assert len(rendered.html) <= MAX_HTML_CHARS
    assert rendered.html.count("[^1]") == MAX_BRACKETS  # the rest, and the note, cut off


def test_image_bomb_of_90k_chars_is_refused_and_renders_cut_short():
    rendered = render_markdown(IMAGE_BOMB)

    assert "45,000 “[” characters" in refusal(IMAGE_BOMB)
    assert rendered.truncated
    assert rendered.html.count("[") == MAX_BRACKETS


def test_one_reference_link_used_2000_times_is_refused_with_the_rendered_size():
    message = refusal(REFERENCE_BOMB)

    assert 1.0 < float(SIZE_MESSAGE.match(message).group(1)) < 10


def test_one_reference_link_used_2000_times_renders_within_the_limit():
    rendered = render_markdown(REFERENCE_BOMB)

    assert rendered.truncated
    assert MAX_HTML_CHARS - 2_000 < len(rendered.html) <= MAX_HTML_CHARS


def test_reference_bomb_of_hundreds_of_megabytes_is_never_built_whole():
    bomb = "[a]: https://x/" + "x" * 85_000 + "\n\n" + "[a]" * 2_900  # would be 123 MB of HTML

    assert "would be more than 10 MB" in refusal(bomb)
    assert len(render_markdown(bomb).html) <= MAX_HTML_CHARS


def test_internal_links_count_at_the_longest_url_and_title_they_could_resolve_to():
    few, many = "[a](drug:x) " * 1_000, "[a](drug:x) " * 2_000  # about 550 characters each

    Article(title="T", slug="t", body=few).clean_fields()
    assert SIZE_MESSAGE.match(refusal(many))


def test_table_rows_short_of_1000_header_cells_stop_being_filled_in():
    header = "|" + "a|" * 1_000 + "\n|" + "-|" * 1_000 + "\n"
    rendered = render_markdown(header + "a|\n" * 30_000)

    assert rendered.html.count("<td") < 6_000  # 30 million cells if every row were filled


# --- Where editors meet the limit -------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "admin_url", "field", "form"),
    [
        (lambda: factories.ArticleFactory(body="Short."), "articles_article", "body", "article"),
        (lambda: SitePage.objects.create(slug="terms", title="Terms"), "articles_sitepage",
         "body", "sitepage"),
        (lambda: factories.DrugFactory(), "drugs_drug", "mechanism", "drug"),
    ],
    ids=["article", "site page", "drug mechanism"],
)  # fmt: skip
def test_reference_bomb_in_the_admin_is_refused_with_the_size_and_the_text_kept(
    staff_client, make, admin_url, field, form
):
    obj = make()
    url = reverse(f"admin:{admin_url}_change", args=[obj.pk])
    data = form_data(staff_client.get(url), f"#{form}_form") | {field: REFERENCE_BOMB}

    response = staff_client.post(url, data)

    assert response.status_code == 200
    assert any(SIZE_MESSAGE.match(error) for error in errors_on(response)), errors_on(response)
    assert form_data(response, f"#{form}_form")[field] == REFERENCE_BOMB
    obj.refresh_from_db()
    assert getattr(obj, field) != REFERENCE_BOMB


@pytest.mark.parametrize(
    ("text", "expected"),
    [(REFERENCE_BOMB, SIZE_MESSAGE), (IMAGE_BOMB, re.compile("This text has 45,000 “\\[”"))],
    ids=["reference bomb", "image bomb"],
)
def test_preview_of_a_bomb_is_a_400_with_the_message(staff_client, text, expected):
    response = staff_client.post(reverse("markdownx_markdownify"), {"content": text})

    assert response.status_code == 400
    assert expected.match(response.content.decode())


def test_bombs_in_an_import_are_errors_naming_the_record_and_field():
    doc = document()
    doc["articles"][0]["body"] = REFERENCE_BOMB
    doc["drugs"][0]["mechanism"] = IMAGE_BOMB

    result = import_content(encode(doc))

    assert [(e.record, e.field) for e in result.errors] == [
        ('drugs[0] (slug "baclofen")', "mechanism"),
        ('articles[0] (slug "baclofen-uses")', "body"),
    ]
    assert result.errors[0].message.startswith("This text has 45,000 “[” characters")
    assert SIZE_MESSAGE.match(result.errors[1].message)
    assert not Article.objects.exists()


def test_drug_saved_without_validation_stores_at_most_the_limit():
    drug = factories.DrugFactory(mechanism=REFERENCE_BOMB)

    assert len(Drug.objects.get(pk=drug.pk).mechanism_html) <= MAX_HTML_CHARS
