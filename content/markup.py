"""The one Markdown pipeline: render with markdown-it-py, mark internal links, sanitise with nh3.

Every path that turns Markdown into HTML comes through ``render_markdown``: saving an
article, drug or site page, the django-markdownx live preview, and imports. Rendering is
pure (it never reads the database): internal links are stored as keys, and each reader
request turns them into URLs from the targets' state at that moment (``content.links``).
Readers are served the stored result; a page view never renders Markdown.

markdown-it-py was chosen by measurement (STACK.md: 2.4 ms against Python-Markdown's
8.6 ms for a 1,575-word article) and because it follows CommonMark. Raw HTML is allowed
in the Markdown, because nh3 (an allow-list sanitiser that parses like a browser) has the
last word on every tag, attribute and URL.
"""

import html
import importlib
import itertools
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field

import nh3
from django.core.exceptions import ValidationError
from django.utils.text import slugify
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

from content.links import NOT_CONTENT, is_internal, link_key, resolve_stored_links, stored_link

# About ten times the longest article we expect. Parsing and sanitising grow worse than
# linearly on some shapes (deeply nested raw HTML, huge tables), so the cap is what keeps
# the worst case well under a second.
MAX_MARKDOWN_CHARS = 100_000
# Every link, image and footnote reference opens with "[". markdown-it-py spends up to
# 50 µs on each one it cannot close (90k characters of "![" took 2.2 s), so their number
# is capped too: a long, well-referenced article has a few hundred.
MAX_BRACKETS = 5_000
# Raw HTML tags written in the Markdown. nh3 takes seconds over 20,000 nested <div>s
# (measured 1.5-4 s on these machines); an article needs a handful.
MAX_RAW_TAGS = 2_000
_RAW_TAG = re.compile(r"<[A-Za-z/!?]")
# The stored HTML. A 1,500-word article renders to about 20 kB, but repeated references
# copy their target each time: 100k characters of footnote references made 3.7 MB, 94k
# characters using one 85,000-character reference link 1,450 times 123 MB. One million
# characters is fifty long articles, sanitised in about 0.1 s.
MAX_HTML_CHARS = 1_000_000
# How far an oversized page is still measured (without keeping it) for the message.
_HTML_MEASURED = 10 * MAX_HTML_CHARS
HEADING_ID_PREFIX = "sec-"

# markdown-it fills each short table row with empty cells, up to 65,536 in a table: 7 kB of
# text made 200,000 tokens and took 3 s. A real table misses a few; past the limit the table
# ends and the remaining lines are a paragraph.
importlib.import_module("markdown_it.rules_block.table").MAX_AUTOCOMPLETED_CELLS = 4_096

_md = (
    MarkdownIt("commonmark", {"html": True, "maxNesting": 20})
    .enable(["table", "strikethrough"])
    .use(footnote_plugin)
)

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd",
    "blockquote", "pre", "code", "em", "strong", "b", "i", "s", "del", "sup", "sub",
    "abbr", "a", "img", "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption",
    "section", "span", "small", "mark",
}  # fmt: skip
# Removed with everything inside them, not just unwrapped: their text is code, not prose.
REMOVED_WITH_CONTENT = {
    "script", "style", "iframe", "object", "embed", "template", "noscript", "svg", "math",
    "title", "textarea", "select", "frameset", "noembed", "xmp",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "data-link"},
    "span": {"data-link"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "th": {"align", "colspan", "rowspan"},
    "td": {"align", "colspan", "rowspan"},
    "ol": {"start"},
    "*": {"id"},
}
ALLOWED_CLASSES = {
    "section": {"footnotes"},
    "hr": {"footnotes-sep"},
    "ol": {"footnotes-list"},
    "li": {"footnote-item"},
    "sup": {"footnote-ref"},
    "a": {"footnote-backref"},
}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "noopener noreferrer"
# Only ids we generate survive, so content can never shadow page landmarks (#disclaimer).
_SAFE_ID = re.compile(rf"^(?:{HEADING_ID_PREFIX}[\w-]+|fn\d+|fnref\d+(?::\d+)?)$")
_LINK_MARKER = re.compile(r"^[0-9a-f]{16}-\d+$")
_LINK_MARKER_ATTRIBUTE = re.compile(r' data-link="([^"]*)"')

_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_URL_INVISIBLE = re.compile(r"[\t\n\r]")
_C0_AND_SPACE = "".join(chr(code) for code in range(0x21))


def url_scheme(url: str) -> str | None:
    """The scheme a browser reads in ``url`` (lower case), or None for a relative URL.

    Browsers drop tabs and newlines anywhere in a URL and control characters and spaces
    at its ends before they look for the scheme, so "java\\tscript:" is "javascript:".
    """
    match = _SCHEME.match(_URL_INVISIBLE.sub("", url).strip(_C0_AND_SPACE))
    return match.group(1).lower() if match else None


@dataclass(frozen=True)
class RecordedLink:
    href: str  # as the editor wrote it
    key: str  # normalised, e.g. "article:baclofen-uses"; the href itself when it is dead
    text: str


@dataclass
class Rendered:
    html: str
    toc: list[dict] = field(default_factory=list)  # [{"id": ..., "title": ...}] for each <h2>
    links: list[RecordedLink] = field(default_factory=list)
    refusal: ValidationError | None = None  # a limit was passed; the HTML is cut short

    @property
    def truncated(self) -> bool:
        return self.refusal is not None


def validate_markdown_length(text: str) -> None:
    """Model-field validator, and so the one place the limits on Markdown are enforced.

    The admin shows its message with the editor's text kept, the importer reports it with
    the record and field, the preview answers 400 with it. ``render_markdown`` itself only
    cuts short, so that nothing that skips validation can spend unbounded time or memory.
    Internal links count as resolving to the longest URL and title they could.
    """
    if not text:
        return
    refusal = _limit_source(text)[1] or render_markdown(text).refusal
    if refusal is not None:
        raise refusal


def render_markdown(text: str) -> Rendered:
    """Markdown to sanitised HTML, with a table of contents and the internal links found."""
    if not text:
        return Rendered(html="")
    source, refusal = _limit_source(text)
    tokens = _md.parse(source)
    toc = _number_headings(tokens)
    _align_cells(tokens)
    marker = secrets.token_hex(8)
    links = _mark_links(tokens, marker)
    html, size = _render_within_limit(tokens)
    html = sanitise(html)
    # nh3 adds rel="noopener noreferrer" to every link; readers get each internal one with
    # a URL and a title, counted here at their longest so the verdict needs no database.
    size = max(size, len(html)) + len(links) * _LONGEST_RESOLVED_LINK
    if size > MAX_HTML_CHARS:
        refusal = refusal or _html_too_large(size)
        html = sanitise(html[: MAX_HTML_CHARS - 1_000])  # room for the tags nh3 closes
    links, html = _surviving_links(links, marker, html)
    return Rendered(html=html, toc=toc, links=links, refusal=refusal)


def _surviving_links(links: list, marker: str, html: str) -> tuple[list, str]:
    """Only the links readers get: one inside an <iframe>, <template>, <xmp>, ... is gone
    after sanitising and is simply not a link. Each link carried a per-render marker
    (which raw HTML cannot forge); each marker still in the HTML becomes the stored key of
    a surviving link, and any other ``data-link`` is removed."""
    kept: list[RecordedLink] = []

    def store(match: re.Match) -> str:
        own, _, index = match.group(1).partition("-")
        if own != marker:
            return ""
        link, fragment = links[int(index)]
        kept.append(link)
        return f' data-link="{stored_link(link.key, fragment)}"'

    return kept, _LINK_MARKER_ATTRIBUTE.sub(store, html)


def html_to_text(value: str) -> str:
    """The readable text of stored HTML, for search vectors and snippets."""
    if not value:
        return ""
    return " ".join(html.unescape(nh3.clean(value, tags=set())).split())


def markdownify(text: str) -> str:
    """The django-markdownx preview function: exactly what readers will be served."""
    return resolve_stored_links(render_markdown(text).html)[0]


def sanitise(html: str) -> str:
    return _cleaner.clean(html)


def _limit_source(text: str) -> tuple[str, ValidationError | None]:
    """The part of ``text`` within the source limits, and why it was cut (None: whole)."""
    if len(text) > MAX_MARKDOWN_CHARS:
        return _limit_source(text[:MAX_MARKDOWN_CHARS])[0], ValidationError(
            "This text has %(length)s characters; the most is %(limit)s. "
            "Split it into several articles.",
            code="markdown_too_long",
            params={"length": f"{len(text):,}", "limit": f"{MAX_MARKDOWN_CHARS:,}"},
        )
    brackets = text.count("[")
    if brackets > MAX_BRACKETS:
        kept = "[".join(text.split("[", MAX_BRACKETS + 1)[:-1])
        return kept, ValidationError(
            "This text has %(count)s “[” characters; the most is %(limit)s. Each link, "
            "image and footnote reference opens with one: use fewer, or split the text.",
            code="markdown_too_many_brackets",
            params={"count": f"{brackets:,}", "limit": f"{MAX_BRACKETS:,}"},
        )
    tags = [match.start() for match in itertools.islice(_RAW_TAG.finditer(text), MAX_RAW_TAGS + 1)]
    if len(tags) > MAX_RAW_TAGS:
        return text[: tags[-1]], ValidationError(
            "This text has more than %(limit)s HTML tags. Write it in Markdown, or split it.",
            code="markdown_too_many_tags",
            params={"limit": f"{MAX_RAW_TAGS:,}"},
        )
    return text, None


def _render_within_limit(tokens: list[Token]) -> tuple[str, int]:
    """The HTML up to MAX_HTML_CHARS, and the size the whole would have.

    markdown-it's renderer would build all of it first: 123 MB for 94k characters of
    repeated references. Past the limit pieces are only counted, up to _HTML_MEASURED.
    """
    kept, size = [], 0
    for piece in _html_pieces(tokens):
        size += len(piece)
        if size <= MAX_HTML_CHARS:
            kept.append(piece)
        elif size > _HTML_MEASURED:
            break
    return "".join(kept), size


def _html_pieces(tokens: list[Token]) -> Iterable[str]:
    """What ``RendererHTML.render`` joins, one token at a time."""
    renderer, options, env = _md.renderer, _md.options, {}
    for index, token in enumerate(tokens):
        if token.type == "inline":
            yield from _html_pieces(token.children or [])
        elif token.type in renderer.rules:
            yield renderer.rules[token.type](tokens, index, options, env)
        else:
            yield renderer.renderToken(tokens, index, options, env)


def _html_too_large(size: int) -> ValidationError:
    if size > _HTML_MEASURED:
        shown = f"more than {_HTML_MEASURED // 1_000_000} MB"
    else:
        shown = f"{size / 1_000_000:.1f} MB"
    return ValidationError(
        "The rendered page would be %(size)s; the limit is %(limit)s MB. Repeated footnote "
        "references or uses of one reference link copy their target each time: use fewer, "
        "or split the text.",
        code="markdown_html_too_large",
        params={"size": shown, "limit": f"{MAX_HTML_CHARS // 1_000_000}"},
    )


# The most a stored internal link grows by when readers get it: a title of up to 200
# characters (content.links) and the longest URL, /drugs/<120-character slug>/<200-character
# slug>/; the stored key and fragment are already in the HTML.
_LONGEST_RESOLVED_LINK = len(' href="" title=""') + 330 + 200


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "data-link":  # our own marker (see _surviving_links), removed after
        return value if _LINK_MARKER.match(value) else None
    if attribute == "id":
        return value if _SAFE_ID.match(value) else None
    if attribute in ("href", "src"):
        # nh3 checks schemes too; this keeps the rule readable and independent of it.
        scheme = url_scheme(value)
        return value if scheme is None or scheme in URL_SCHEMES else None
    return value


_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    clean_content_tags=REMOVED_WITH_CONTENT,
    attributes=ALLOWED_ATTRIBUTES,
    attribute_filter=_filter_attribute,
    allowed_classes=ALLOWED_CLASSES,
    url_schemes=URL_SCHEMES,
    link_rel=LINK_REL,
    strip_comments=True,
)


def _number_headings(tokens: list[Token]) -> list[dict]:
    """Give headings stable ids, demote a stray <h1> (the page owns the only one)."""
    toc: list[dict] = []
    used: set[str] = set()
    next_suffix: dict[str, int] = {}  # keeps many equal headings linear, not quadratic
    for index, token in enumerate(tokens):
        if token.type not in ("heading_open", "heading_close"):
            continue
        if token.tag == "h1":
            token.tag = "h2"
        if token.type == "heading_close":
            continue
        title = _plain_text(tokens[index + 1].children or [])
        base = HEADING_ID_PREFIX + (slugify(title)[:60].strip("-") or "section")
        n = next_suffix.get(base, 1)
        anchor = base if n == 1 else f"{base}-{n}"
        while anchor in used:
            n += 1
            anchor = f"{base}-{n}"
        next_suffix[base] = n + 1
        used.add(anchor)
        token.attrSet("id", anchor)
        if token.tag == "h2":
            toc.append({"id": anchor, "title": title})
    return toc


def _align_cells(tokens: list[Token]) -> None:
    """Table alignment as the ``align`` attribute: style attributes never survive nh3."""
    for token in tokens:
        style = token.attrs.get("style") if token.type in ("th_open", "td_open") else None
        if style:
            token.attrs = {"align": str(style).removeprefix("text-align:")}


def _plain_text(children: list[Token]) -> str:
    """What a reader sees of an inline run: text and code, without markup or raw HTML."""
    parts = []
    for token in children:
        if token.type in ("text", "code_inline"):
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif token.type == "image":
            parts.append(_plain_text(token.children or []))
    return " ".join("".join(parts).split())


def _mark_links(tokens: list[Token], marker: str) -> list[tuple[RecordedLink, str]]:
    """Mark each internal link for storing by key (see ``content.links``); return them.

    A link to a site URL that is not content (/drugs/, /search/) stays as written.
    """
    recorded: list[tuple[RecordedLink, str]] = []
    for children in (token.children for token in tokens if token.children):
        for position, token in enumerate(children):
            if token.type != "link_open":
                continue
            href = str(token.attrGet("href") or "")
            if not is_internal(href):
                continue
            key = link_key(href)
            if key == NOT_CONTENT:
                continue
            text = _plain_text(_link_children(children, position))[:300]
            fragment = href.partition("#")[2]
            title = token.attrGet("title")
            token.attrs = {"data-link": f"{marker}-{len(recorded)}"}
            if title:
                token.attrs["title"] = title
            recorded.append((RecordedLink(href, key or href, text), fragment))
    return recorded


def _link_children(children: list[Token], start: int) -> list[Token]:
    for end in range(start + 1, len(children)):
        if children[end].type == "link_close":
            return children[start + 1 : end]
    return children[start + 1 :]
