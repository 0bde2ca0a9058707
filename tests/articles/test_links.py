"""Internal links (DESIGN.md §4): stored by key, resolved for readers as they are now, recorded."""

import datetime

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone

from articles.links import link_works
from articles.models import Status
from content.links import NOT_CONTENT, link_key, resolve_hrefs, resolve_stored_links
from content.markup import markdownify, render_markdown
from content.models import InternalLink
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def baclofen():
    return factories.DrugFactory(
        name="Baclofen", slug="baclofen", summary="A muscle relaxant.\nSecond line."
    )


@pytest.fixture
def uses(baclofen):
    return factories.ArticleFactory(
        drug=baclofen, slug="baclofen-uses", lead="What baclofen treats.", title="Uses"
    )


@pytest.fixture
def spasticity():
    return factories.ConditionFactory(
        name="Spasticity", slug="spasticity", summary="Stiff, tight muscles."
    )


@pytest.fixture
def terms():
    return factories.SitePageFactory(slug="terms", title="Terms of Use")


def links_in(markdown: str) -> list:
    """The links readers get for this Markdown now."""
    return BeautifulSoup(markdownify(markdown), "html.parser").find_all("a")


def broken(rendered) -> list[str]:
    """The hrefs of the rendered links that lead readers nowhere now."""
    resolved = resolve_hrefs(link.href for link in rendered.links)
    return [link.href for link in rendered.links if resolved[link.href][1] is None]


def only_link(markdown: str):
    found = links_in(markdown)
    assert len(found) == 1, found
    return found[0]


# --- Resolution ----------------------------------------------------------------------------


def test_article_scheme_resolves_to_the_canonical_url_with_the_lead_as_title(uses):
    link = only_link("See [uses](article:baclofen-uses).")
    assert link["href"] == "/drugs/baclofen/baclofen-uses/"
    assert link["title"] == "What baclofen treats."
    assert link.get_text() == "uses"


def test_drug_scheme_takes_the_first_line_of_the_summary_as_title(baclofen):
    link = only_link("[Baclofen](drug:baclofen)")
    assert (link["href"], link["title"]) == ("/drugs/baclofen/", "A muscle relaxant.")


def test_condition_scheme_resolves(spasticity):
    link = only_link("[spasticity](condition:spasticity)")
    assert (link["href"], link["title"]) == ("/conditions/spasticity/", "Stiff, tight muscles.")


def test_an_editors_own_title_is_kept(baclofen):
    link = only_link('[Baclofen](drug:baclofen "Read more")')
    assert link["title"] == "Read more"


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        ("/drugs/baclofen/", "/drugs/baclofen/"),
        ("/drugs/baclofen", "/drugs/baclofen/"),
        ("/drugs/baclofen/baclofen-uses/", "/drugs/baclofen/baclofen-uses/"),
        ("/articles/baclofen-uses/", "/drugs/baclofen/baclofen-uses/"),
        ("/conditions/spasticity/", "/conditions/spasticity/"),
        ("/terms/", "/terms/"),
    ],
)
def test_site_relative_urls_resolve_to_canonical_urls(href, expected, uses, spasticity, terms):
    assert only_link(f"[x]({href})")["href"] == expected


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("[x](article:baclofen-uses#sec-dose)", "/drugs/baclofen/baclofen-uses/#sec-dose"),
        ("[x](/drugs/baclofen/#sec-uses)", "/drugs/baclofen/#sec-uses"),
        ("[x](/articles/baclofen-uses/?ref=1#sec-dose)", "/drugs/baclofen/baclofen-uses/#sec-dose"),
        ("[x](drug:baclofen#fn1)", "/drugs/baclofen/#fn1"),
    ],
)
def test_the_fragment_of_an_internal_link_is_kept(markdown, expected, uses):
    assert only_link(markdown)["href"] == expected


@pytest.mark.parametrize(
    "markdown",
    [
        "[x](Article:Baclofen-Uses)",
        "[x](ARTICLE:baclofen-uses)",
        "[x](<article: baclofen-uses >)",
        "[x]( article:baclofen-uses )",
        "[x](article:baclofen-uses/)",
        "<article:baclofen-uses>",
    ],
)
def test_case_and_stray_whitespace_in_an_internal_link_are_forgiven(markdown, uses):
    assert only_link(markdown)["href"] == "/drugs/baclofen/baclofen-uses/"


@pytest.mark.parametrize(
    "article",
    [
        {"status": Status.DRAFT, "published_at": None},
        {"status": Status.IN_REVIEW},
        {"published_at": timezone.now() + datetime.timedelta(days=3)},
        {"reviewed_on": None},
    ],
    ids=["draft", "in-review", "future", "unreviewed"],
)
def test_a_link_to_an_article_readers_cannot_see_is_plain_text(article, baclofen):
    factories.ArticleFactory(drug=baclofen, slug="hidden", **article)
    for href in ("article:hidden", "/drugs/baclofen/hidden/", "/articles/hidden/"):
        rendered = render_markdown(f"Before [the hidden one]({href}) after.")
        soup = BeautifulSoup(resolve_stored_links(rendered.html)[0], "html.parser")
        assert soup.find("a") is None
        assert soup.get_text().strip() == "Before the hidden one after."
        assert [link.key for link in rendered.links] == ["article:hidden"]
        assert broken(rendered) == [href]


@pytest.mark.parametrize(
    "href",
    ["article:nope", "drug:nope", "condition:nope", "/drugs/nope/", "/nope/", "/a/b/c/d/"],
)
def test_a_link_to_something_missing_is_plain_text_and_reported(href):
    rendered = render_markdown(f"[**gone**]({href})")
    soup = BeautifulSoup(resolve_stored_links(rendered.html)[0], "html.parser")
    assert soup.find("a") is None
    assert soup.strong.get_text() == "gone"
    assert broken(rendered) == [href]


@pytest.mark.parametrize(
    "href",
    ["/drugs/", "/search/?q=baclofen", "/", "/static/site.css", "/media/leaflet.pdf"],
)
def test_a_valid_site_url_that_is_not_content_is_left_as_written(href):
    rendered = render_markdown(f"[x]({href})")
    assert only_link(f"[x]({href})")["href"] == href
    assert rendered.links == []


def test_external_links_are_not_internal(baclofen):
    rendered = render_markdown("[x](https://example.com/drugs/baclofen/) [y](//example.com/)")
    assert rendered.links == []


@pytest.mark.parametrize(
    ("href", "key"),
    [
        ("article:Baclofen-Uses#x", "article:baclofen-uses"),
        ("drug:%20baclofen", "drug:baclofen"),
        ("condition:", None),
        ("/drugs/baclofen/baclofen-uses/", "article:baclofen-uses"),
        ("/privacy", "page:privacy"),
        ("/search/?q=x", NOT_CONTENT),
        ("/no/such/page/at/all/", None),
    ],
)
def test_link_key_normalises_what_editors_write(href, key):
    assert link_key(href) == key


def test_readers_links_cost_one_query_however_many_links_of_every_kind(
    django_assert_num_queries, baclofen, spasticity, terms
):
    articles = factories.ArticleFactory.create_batch(10, drug=baclofen)
    drugs = factories.DrugFactory.create_batch(10)
    conditions = factories.ConditionFactory.create_batch(10)

    def markdown(n):
        return "\n".join(
            f"[a](article:{articles[i].slug}) [d](/drugs/{drugs[i].slug}/) "
            f"[c](condition:{conditions[i].slug}) [p](/terms/) [gone](article:missing-{i})"
            for i in range(n)
        )

    for n in (1, 10):
        with django_assert_num_queries(0):  # rendering never reads the database
            rendered = render_markdown(markdown(n))
        assert len(rendered.links) == 5 * n
        with django_assert_num_queries(1):  # every kind, by current and old slugs, at once
            html = resolve_stored_links(rendered.html)[0]
        soup = BeautifulSoup(html, "html.parser")
        assert len(soup.find_all("a")) == 4 * n
        assert len(soup.find_all("span")) == n


def test_text_without_internal_links_makes_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        markdownify("## Plain\n\n[out](https://example.com) [frag](#sec-plain)")


# --- Recording on save ---------------------------------------------------------------------


def test_saving_an_article_records_every_internal_link_by_key(uses, spasticity, terms, baclofen):
    article = factories.ArticleFactory(
        drug=baclofen,
        body=(
            "[Uses](article:baclofen-uses) [Baclofen](/drugs/baclofen/) "
            "[Spasticity](condition:spasticity) [Terms](/terms/) [Gone](article:gone) "
            "[All drugs](/drugs/) [Out](https://example.com/)"
        ),
    )
    working = InternalLink.objects.filter(source_article=article, in_live_copy=False)
    rows = {row.text: row for row in working.annotate(works=link_works())}
    assert set(rows) == {"Uses", "Baclofen", "Spasticity", "Terms", "Gone"}
    assert {text: row.target_key for text, row in rows.items()} == {
        "Uses": "article:baclofen-uses",
        "Baclofen": "drug:baclofen",
        "Spasticity": "condition:spasticity",
        "Terms": "page:terms",
        "Gone": "article:gone",
    }
    assert {text for text, row in rows.items() if not row.works} == {"Gone"}
    assert rows["Baclofen"].href == "/drugs/baclofen/"
    # the article is live: its readers' copy has the same links, recorded apart
    live = InternalLink.objects.filter(source_article=article, in_live_copy=True)
    assert live.filter(target_key="article:baclofen-uses").count() == 1
    soup = BeautifulSoup(resolve_stored_links(article.body_html)[0], "html.parser")
    assert [a.get_text() for a in soup.find_all("a")] == [
        "Uses",
        "Baclofen",
        "Spasticity",
        "Terms",
        "All drugs",
        "Out",
    ]


def test_saving_again_replaces_the_recorded_links(uses):
    article = factories.ArticleFactory(body="[a](article:baclofen-uses) [b](article:gone)")
    article.body = "[only](article:baclofen-uses)"
    article.save()
    assert list(
        InternalLink.objects.filter(source_article=article, in_live_copy=False).values_list("text")
    ) == [("only",)]


def test_saving_a_drug_records_the_links_in_its_mechanism(uses, spasticity):
    drug = factories.DrugFactory(
        mechanism="Relieves [spasticity](condition:spasticity); see [uses](article:baclofen-uses)."
    )
    rows = InternalLink.objects.filter(source_drug=drug, in_live_copy=False).order_by("text")
    assert [(r.text, r.target_key) for r in rows] == [
        ("spasticity", "condition:spasticity"),
        ("uses", "article:baclofen-uses"),
    ]
    assert 'href="/conditions/spasticity/"' in resolve_stored_links(drug.mechanism_html)[0]


def test_saving_a_site_page_records_its_links(baclofen):
    page = factories.SitePageFactory(body="[Baclofen](drug:baclofen) [x](drug:nothing)")
    rows = InternalLink.objects.filter(source_page=page, in_live_copy=False)
    rows = rows.annotate(works=link_works())
    assert [(r.text, r.target_key, r.works) for r in rows.order_by("text")] == [
        ("Baclofen", "drug:baclofen", True),
        ("x", "drug:nothing", False),
    ]


def test_a_link_to_an_unpublished_article_is_recorded_as_broken(baclofen):
    draft = factories.ArticleFactory(drug=baclofen, status=Status.DRAFT, published_at=None)
    source = factories.ArticleFactory(body=f"[draft](article:{draft.slug})")
    links = InternalLink.objects.filter(source_article=source, in_live_copy=False)
    row = links.annotate(works=link_works()).get()
    assert not row.works and row.target_key == f"article:{draft.slug}"
    assert "<a" not in resolve_stored_links(source.body_html)[0]
