"""The Markdown pipeline: hostile input never survives, and the features editors use work.

Every hostile case goes through ``render_markdown`` (the function the admin preview, the
save path and imports share) and is checked twice: once against the general rules any
output must meet (``assert_safe``), once for what that particular input tried to do.
"""

import re

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from content.markup import (
    ALLOWED_TAGS,
    HEADING_ID_PREFIX,
    MAX_HTML_CHARS,
    MAX_MARKDOWN_CHARS,
    markdownify,
    render_markdown,
    url_scheme,
    validate_markdown_length,
)
from content.markup_samples import PATHOLOGICAL, typical_article

SAFE_SCHEMES = {None, "http", "https", "mailto"}
FORBIDDEN_TAGS = {
    "script", "style", "iframe", "object", "embed", "form", "input", "base", "meta", "link",
    "svg", "math", "noscript", "template", "details", "frame", "frameset", "h1", "div",
}  # fmt: skip
GENERATED_ID = re.compile(rf"^(?:{HEADING_ID_PREFIX}[\w-]+|fn\d+|fnref\d+(?::\d+)?)$")


def soup_of(markdown: str) -> BeautifulSoup:
    return BeautifulSoup(render_markdown(markdown).html, "html.parser")


def assert_safe(html: str) -> BeautifulSoup:
    """The rules every rendered fragment meets, whatever went in."""
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(True):
        assert tag.name in ALLOWED_TAGS, tag
        assert tag.name not in FORBIDDEN_TAGS, tag
        for name, value in tag.attrs.items():
            assert not name.lower().startswith("on"), tag
            assert name.lower() not in {"style", "srcdoc", "srcset", "formaction"}, tag
            if name in ("href", "src"):
                assert url_scheme(value) in SAFE_SCHEMES, tag
            if name == "id":
                assert GENERATED_ID.match(value), tag
    assert "<script" not in html.lower()
    return soup


def hrefs(soup: BeautifulSoup) -> list[str]:
    return [a["href"] for a in soup.find_all("a", href=True)]


def no_link_to(scheme: str):
    def check(soup):
        assert all(url_scheme(h) != scheme for h in hrefs(soup))
        assert all(url_scheme(img.get("src", "")) != scheme for img in soup.find_all("img"))

    return check


def no_tags(*names: str):
    def check(soup):
        assert soup.find_all(names) == []

    return check


def no_event_handlers(soup):
    assert not [t for t in soup.find_all(True) if any(a.startswith("on") for a in t.attrs)]


def no_ids(soup):
    assert soup.find_all(id=True) == []


def no_classes(soup):
    assert soup.find_all(class_=True) == []


def text_kept(words: str):
    def check(soup):
        assert words in soup.get_text()

    return check


def all_of(*checks):
    def check(soup):
        for one in checks:
            one(soup)

    return check


HOSTILE = [
    # Dangerous URL schemes, however they are spelled.
    ("[x](javascript:alert(1))", no_link_to("javascript")),
    ("[x](JaVaScRiPt:alert(1))", no_link_to("javascript")),
    ("[x](&#106;avascript:alert(1))", no_link_to("javascript")),
    ("[x](java&#x09;script:alert(1))", no_link_to("javascript")),
    ("[x](java&#10;script:alert(1))", no_link_to("javascript")),
    ("[x](<java\tscript:alert(1)>)", no_link_to("javascript")),
    ("[r][1]\n\n[1]: javascript:alert(1)", no_link_to("javascript")),
    ('[r][1]\n\n[1]: <javascript:alert(1)> "t"', no_link_to("javascript")),
    ("<javascript:alert(1)>", no_link_to("javascript")),
    ("![i](javascript:alert(1))", no_link_to("javascript")),
    ('<a href="  javascript:alert(1)">x</a>', no_link_to("javascript")),
    ('<a href="\x01javascript:alert(1)">x</a>', no_link_to("javascript")),
    ('<a href="jav\tascript:alert(1)">x</a>', no_link_to("javascript")),
    ('<a href="&#x6A;avascript&colon;alert(1)">x</a>', no_link_to("javascript")),
    ("[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", no_link_to("data")),
    ("![d](data:image/png;base64,iVBORw0KGgo=)", no_link_to("data")),
    ('<img src="data:image/svg+xml,<svg onload=alert(1)>">', no_link_to("data")),
    ("[x](vbscript:msgbox(1))", no_link_to("vbscript")),
    ('<a href="file:///etc/passwd">x</a>', no_link_to("file")),
    ("[x](article:no-such-article)", no_link_to("article")),
    ('<a href="drug:baclofen">raw html keeps no internal scheme</a>', no_link_to("drug")),
    # Event handlers.
    ("<img src=x onerror=alert(1)>", no_event_handlers),
    ('![a](x" onerror="alert(1))', no_event_handlers),
    ('[a](https://e.x "t\\" onmouseover=\\"alert(1)")', no_event_handlers),
    ("<details open ontoggle=alert(1)>x</details>", all_of(no_event_handlers, no_tags("details"))),
    ("<p onclick=alert(1) ONMOUSEOVER=alert(2)>hi</p>", all_of(no_event_handlers, text_kept("hi"))),
    ('<img src="/m.png" srcset="javascript:alert(1) 1x">', no_event_handlers),
    # Active or page-changing elements.
    ("<script>alert(1)</script>", no_tags("script")),
    ("<SCRIPT SRC=//evil.example/x.js></SCRIPT>", no_tags("script")),
    ("<svg><a xlink:href=javascript:alert(1)><text>x</text></a></svg>", no_tags("svg", "a")),
    ("<svg onload=alert(1)>", no_tags("svg")),
    ("<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>", no_tags("math", "style")),
    ("<iframe srcdoc='<script>alert(1)</script>'></iframe>", no_tags("iframe")),
    ("<base href=//evil.example/>", no_tags("base")),
    ("<meta http-equiv=refresh content='0;url=//evil.example'>", no_tags("meta")),
    ("<form action=//evil.example><input name=q><button>Go</button></form>", no_tags("form")),
    ("<object data=//evil.example/x.swf></object><embed src=x.swf>", no_tags("object", "embed")),
    ("<link rel=stylesheet href=//evil.example/x.css>", no_tags("link")),
    ('<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>', no_event_handlers),
    ("<template><script>alert(1)</script></template>", no_tags("template", "script")),
    # Comments and unbalanced markup.
    ("<!--<script>alert(1)</script>-->", no_tags("script")),
    ("<!--><script>alert(1)</script>-->", no_tags("script")),
    ("<!-- x --!><img src=x onerror=alert(1)>", no_event_handlers),
    ("<div><p>unclosed <b>bold <i>it", text_kept("unclosed bold it")),
    ("</p></div></body><script>alert(1)</script>", no_tags("script")),
    ("<b>**[x](javascript:alert(1))** [y](https://ok.example)</b>", no_link_to("javascript")),
    ("> <img src=x onerror=alert(1)>\n>\n> - [x](javascript:alert(1))", no_event_handlers),
    ("| a |\n|---|\n| <img src=x onerror=alert(1)> |", no_event_handlers),
    # Content that would restyle the page or hide the disclaimer.
    ("<style>.disclaimer{display:none}</style>", all_of(no_tags("style"), no_ids)),
    ('<p style="position:fixed;top:0">x</p>', text_kept("x")),
    ('<p id="disclaimer">x</p>', no_ids),
    ('<p class="disclaimer visually-hidden">x</p>', no_classes),
    ('<h2 id="main">x</h2>', no_ids),
    ('<a name="disclaimer" id="footer">x</a>', no_ids),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("markdown", "check"), HOSTILE, ids=[m[:40] for m, _ in HOSTILE])
def test_hostile_markdown_is_made_harmless(markdown, check):
    html = render_markdown(markdown).html
    soup = assert_safe(html)
    check(soup)


def test_the_hostile_list_is_long_enough():
    assert len(HOSTILE) >= 25


@pytest.mark.django_db
def test_preview_function_serves_exactly_the_stored_html():
    text = "## Dose\n\n<img src=x onerror=alert(1)> [ok](https://example.com)"
    assert markdownify(text) == render_markdown(text).html


def test_every_link_gets_rel():
    soup = soup_of("[a](https://example.com) <a href='mailto:x@example.com'>b</a>")
    assert [a["rel"] for a in soup.find_all("a")] == [["noopener", "noreferrer"]] * 2


def test_a_user_supplied_rel_or_target_is_replaced():
    soup = soup_of('<a href="https://example.com" target="_blank" rel="opener">x</a>')
    assert soup.a["rel"] == ["noopener", "noreferrer"]
    assert "target" not in soup.a.attrs


@pytest.mark.parametrize(
    ("url", "scheme"),
    [
        ("https://example.com", "https"),
        ("/drugs/", None),
        ("#fn1", None),
        ("java\tscript:alert(1)", "javascript"),
        ("\x01 JAVASCRIPT:alert(1)", "javascript"),
        ("java%09script:alert(1)", None),  # a relative path to a browser, too
        ("1x:y", None),
    ],
)
def test_url_scheme_reads_urls_as_a_browser_does(url, scheme):
    assert url_scheme(url) == scheme


# --- Features editors rely on -------------------------------------------------------------


def test_headings_get_prefixed_ids_and_h2s_feed_the_table_of_contents():
    rendered = render_markdown("## How it *works*\n\n### Detail\n\n## Side `effects`\n")
    soup = BeautifulSoup(rendered.html, "html.parser")
    assert [h["id"] for h in soup.find_all(["h2", "h3"])] == [
        "sec-how-it-works",
        "sec-detail",
        "sec-side-effects",
    ]
    assert rendered.toc == [
        {"id": "sec-how-it-works", "title": "How it works"},
        {"id": "sec-side-effects", "title": "Side effects"},
    ]


def test_a_stray_h1_becomes_an_h2_because_the_page_owns_the_only_h1():
    rendered = render_markdown("# Overview\n\ntext")
    soup = BeautifulSoup(rendered.html, "html.parser")
    assert soup.find("h1") is None
    assert soup.h2["id"] == "sec-overview"
    assert rendered.toc == [{"id": "sec-overview", "title": "Overview"}]


def test_repeated_headings_get_unique_ids():
    rendered = render_markdown("## Dose\n\n## Dose\n\n## Dose 2\n\n## Dose\n\n## ***\n")
    assert [item["id"] for item in rendered.toc] == [
        "sec-dose",
        "sec-dose-2",
        "sec-dose-2-2",
        "sec-dose-3",
        "sec-section",
    ]


def test_raw_html_in_a_heading_stays_out_of_the_table_of_contents():
    rendered = render_markdown("## Uses <em>of</em> baclofen\n")
    assert rendered.toc == [{"id": "sec-uses-of-baclofen", "title": "Uses of baclofen"}]


def test_tables_lists_and_strikethrough_render():
    soup = soup_of(
        "| Form | Strength |\n|:---|---:|\n| Tablet | 10 mg |\n\n"
        "1. one\n2. two\n\n- a\n- b\n\n~~withdrawn~~\n"
    )
    assert [th.get_text() for th in soup.select("table thead th")] == ["Form", "Strength"]
    assert [td.get_text() for td in soup.select("table tbody td")] == ["Tablet", "10 mg"]
    assert [td.get("align") for td in soup.select("table tbody td")] == ["left", "right"]
    assert [li.get_text() for li in soup.select("ol > li")] == ["one", "two"]
    assert [li.get_text() for li in soup.select("ul > li")] == ["a", "b"]
    assert soup.find("s").get_text() == "withdrawn"


def test_footnote_links_and_ids_survive_sanitising_and_point_at_each_other():
    soup = soup_of("Taken at night[^1] and again[^1].\n\n[^1]: Drowsiness is common.\n")
    refs = soup.select("sup.footnote-ref a")
    assert [a["href"] for a in refs] == ["#fn1", "#fn1"]
    assert [a["id"] for a in refs] == ["fnref1", "fnref1:1"]
    note = soup.find(id="fn1")
    assert note.name == "li" and "Drowsiness is common." in note.get_text()
    backrefs = [a["href"] for a in note.select("a.footnote-backref")]
    assert backrefs == ["#fnref1", "#fnref1:1"]
    assert all(soup.find(id=href[1:]) for href in backrefs)


def test_images_with_safe_sources_are_kept():
    soup = soup_of("![A tablet](/media/markdownx/tablet.png)")
    assert soup.img["src"] == "/media/markdownx/tablet.png"
    assert soup.img["alt"] == "A tablet"


def test_empty_text_renders_nothing():
    assert render_markdown("").html == ""
    assert render_markdown("").toc == []


# --- Size and pathological input ----------------------------------------------------------


@pytest.mark.parametrize("name", PATHOLOGICAL)
def test_pathological_input_is_refused_or_renders_bounded_html(name):
    """Timings are for ``manage.py bench_markup``; here: refused, or small, and no error."""
    text = PATHOLOGICAL[name]
    try:
        validate_markdown_length(text)
        refused = False
    except ValidationError:
        refused = True

    rendered = render_markdown(text)

    assert len(rendered.html) <= MAX_HTML_CHARS
    assert refused or not rendered.refusal


def test_nested_html_bomb_is_refused_for_its_tags():
    with pytest.raises(ValidationError, match="more than 2,000 HTML tags"):
        validate_markdown_length(PATHOLOGICAL["nested-html"])


def test_three_megabytes_render_truncated_and_without_error():
    text = "## Section\n\nSome *text* with [a link](https://example.com).\n\n" * 50_000
    assert len(text) > 3_000_000
    rendered = render_markdown(text)
    assert rendered.truncated
    assert not render_markdown("short").truncated


def test_over_long_text_is_refused_by_the_field_validator():
    validate_markdown_length("x" * MAX_MARKDOWN_CHARS)
    with pytest.raises(Exception, match="most is 100,000") as excinfo:
        validate_markdown_length("x" * (MAX_MARKDOWN_CHARS + 1))
    assert excinfo.value.code == "markdown_too_long"


# --- Property: nothing dangerous, whatever the text --------------------------------------

FRAGMENTS = [
    "[", "]", "(", ")", "<", ">", "!", "*", "_", "`", "#", "\n", "\t", " ", '"', "'", "=",
    "&", ";", ":", "/", "\\", "|", "-", "^", "javascript", "JaVaScRiPt", "vbscript", "data",
    "article", "drug", "condition", "&#106;", "&#x09;", "&colon;", "%0a", "\x00", "\x01",
    "<a href=", "<img src=", " onerror=", " onclick=", "<script>", "<style>", "<svg>",
    "<!--", "-->", "[^1]", "[1]: ", "http://x.example", "/drugs/", "mailto:", " style=",
    " id=disclaimer", "<iframe", "<object", "<p ", "<details open ontoggle=",
]  # fmt: skip
markdownish = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=4)), max_size=40).map(
    "".join
)


@pytest.mark.django_db
@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=markdownish)
def test_no_text_yields_an_event_handler_or_an_unsafe_url(text):
    assert_safe(render_markdown(text).html)


# --- An ordinary article ------------------------------------------------------------------


def test_a_typical_article_passes_every_limit_whole():
    text = typical_article()
    validate_markdown_length(text)
    rendered = render_markdown(text)
    assert not rendered.truncated and not rendered.refusal
    assert len(rendered.toc) > 10
