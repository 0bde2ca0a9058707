"""Internal links: what editors write, how it is stored, and what readers get.

Editors write ``article:SLUG``, ``drug:SLUG``, ``condition:SLUG`` or a site-relative URL.
Rendering (``content.markup``) normalises each to a key ("article:slug") and stores the
link as ``<a data-link="article:slug#fragment">text</a>``: no URL, no title, nothing that
can go stale. A reader request turns the stored links of its page into canonical URLs
carrying the target's published one-line summary, or into plain text when the target is
missing or unpublished (``resolve_stored_links``), from the target's state at that moment.
So a rename, a move, a publish, an unpublish, a scheduled time passing or a republished
summary shows on every linking page at the next request, with nothing re-rendered.

Which content exists and what readers may see of it is the content apps' business: the
articles app installs the lookup (``set_target_lookup``) when Django starts, so this
module depends on no content app.
"""

import html
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.urls import Resolver404, resolve

# URL names (medinfo/urls.py) whose pages are content, and the kind they hold.
_KIND_BY_URL_NAME = {
    "drug-detail": "drug",
    "condition-detail": "condition",
    "article-detail": "article",
    "article-standalone": "article",
    "site-page": "page",
}
EDITOR_SCHEMES = ("article", "drug", "condition")
KINDS = ("article", "drug", "condition", "page")
NOT_CONTENT = "-"  # a valid site URL that is not a content page (/drugs/, /search/?q=...)


def is_internal(href: str) -> bool:
    """An href this module owns: one of our schemes, or a path on this site."""
    href = unquote(href).strip()
    return href.lower().startswith(tuple(f"{s}:" for s in EDITOR_SCHEMES)) or (
        href.startswith("/") and not href.startswith(("//", "/\\"))
    )


def link_key(href: str) -> str | None:
    """Normalise an internal href to "kind:slug", NOT_CONTENT, or None when it is dead.

    Editors' spelling is forgiven where the intent is clear: "Article: Baclofen-Uses",
    a missing trailing slash, a fragment or query. Slugs are compared in lower case.
    """
    text = unquote(href).strip()
    scheme, colon, rest = text.partition(":")
    if colon and scheme.strip().lower() in EDITOR_SCHEMES:
        slug = re.split(r"[#?]", rest, maxsplit=1)[0].strip().strip("/").lower()
        return f"{scheme.strip().lower()}:{slug}" if slug else None
    path = urlsplit(text).path
    if path.startswith((settings.STATIC_URL, settings.MEDIA_URL)):
        return NOT_CONTENT
    match = _resolve(path) or (None if path.endswith("/") else _resolve(path + "/"))
    if match is None:
        return None
    kind = _KIND_BY_URL_NAME.get(match.url_name or "")
    if kind is None:
        return NOT_CONTENT
    return f"{kind}:{match.kwargs['slug'].lower()}"


def _resolve(path: str):
    try:
        return resolve(path)
    except Resolver404:
        return None


def split_key(key: str) -> tuple[str, str] | None:
    """("article", "slug") for a key of a known kind, else None."""
    kind, colon, slug = key.partition(":")
    return (kind, slug) if colon and kind in KINDS and slug else None


@dataclass(frozen=True)
class Target:
    """Where a link goes today: the canonical URL and the hover title readers get."""

    url: str
    title: str


# {key: Target} for the keys whose targets readers may see now; the rest are absent.
TargetLookup = Callable[[set[str]], dict[str, Target]]
_lookup: TargetLookup | None = None


def set_target_lookup(lookup: TargetLookup) -> None:
    global _lookup
    _lookup = lookup


def find_targets(keys: Iterable[str]) -> dict[str, Target]:
    """The targets readers may see now, by key (a fixed number of queries, none if empty)."""
    wanted = {key for key in keys if split_key(key)}
    if not wanted:
        return {}
    if _lookup is None:
        raise RuntimeError("No link target lookup is installed (see content.links).")
    return _lookup(wanted)


# Longer keys name nothing (slugs have at most 200 characters) and are stored empty.
MAX_KEY_CHARS = 300


def stored_link(key: str, fragment: str) -> str:
    """The data-link value a rendered page stores for one internal link.

    A link to nothing (a dead URL, an unknown kind) is stored without its key: it will be
    plain text whatever happens, and a long URL is not copied into the page again.
    """
    if not split_key(key) or len(key) > MAX_KEY_CHARS:
        return ""
    return html.escape(f"{key}#{fragment}" if fragment else key, quote=True)


# A stored internal link: sanitised HTML never nests <a>, so the first </a> closes it.
_STORED_LINK = re.compile(r'<a ([^>]*?)data-link="([^"]*)"([^>]*)>(.*?)</a>', re.S)
_TITLE = re.compile(r'\btitle="([^"]*)"')


def stored_keys(*pages: str) -> set[str]:
    """The keys of the internal links stored in rendered pages."""
    return {
        html.unescape(match.group(2)).partition("#")[0]
        for page in pages
        for match in _STORED_LINK.finditer(page)
    }


def resolve_stored_links(*pages: str) -> list[str]:
    """Rendered pages as readers get them now: links to what they may see, else text.

    Several pages (a feed's items) share one lookup.
    """
    targets = find_targets(stored_keys(*pages))
    return [_STORED_LINK.sub(lambda match: _link_html(match, targets), page) for page in pages]


def _link_html(match: re.Match, targets: dict[str, Target]) -> str:
    before, stored, after, inner = match.groups()
    key, hash_sign, fragment = html.unescape(stored).partition("#")
    target = targets.get(key)
    if target is None:
        return f"<span>{inner}</span>"  # plain text, never a dead link
    written_title = _TITLE.search(before + after)
    title = written_title.group(1) if written_title else html.escape(target.title, quote=True)
    url = html.escape(target.url + (hash_sign + fragment if fragment else ""), quote=True)
    title_attribute = f' title="{title}"' if title else ""
    return f'<a href="{url}"{title_attribute}>{inner}</a>'


def resolve_hrefs(hrefs: Iterable[str]) -> dict[str, tuple[str, Target | None]]:
    """Map each internal href to (key, target); target None when missing or unpublished.

    For the editors (``check_links``, the admin's link list); readers go through
    ``content.links.resolve_stored_links``.
    """
    keys = {href: link_key(href) for href in hrefs}
    targets = find_targets(key for key in keys.values() if key and key != NOT_CONTENT)
    return {
        href: (key or href, targets.get(key) if key else None)
        for href, key in keys.items()
        if key != NOT_CONTENT
    }
