"""``reader_url``: Django's ``reverse()`` for URLs whose arguments are slugs, at a fraction
of its cost.

A condition page links a hundred drugs and articles, and ``reverse()`` searches the URL
patterns for each one (~13 µs: over two milliseconds a page). A named URL whose arguments
are slugs always has the same shape, so ``reader_url`` reverses it once with placeholder
slugs and fills the real ones into that template. The URL patterns in medinfo/urls.py stay
the one place each shape is written.

It answers exactly what ``reverse()`` answers: the template is kept per URLconf and script
prefix (both read at call time, as ``reverse()`` reads them), a slug needs no quoting, and
a value that is not a slug goes to ``reverse()`` itself, which raises as it always has.
"""

import re
from functools import lru_cache

from django.urls import get_resolver, get_script_prefix, get_urlconf, reverse

# What Django's <slug:> converter accepts; URL quoting leaves these characters alone.
_SLUG = re.compile(r"[-a-zA-Z0-9_]+")


def reader_url(name: str, **slugs: str) -> str:
    """``reverse(name, kwargs=slugs)`` for a URL name whose arguments are all slugs."""
    if not all(isinstance(slug, str) and _SLUG.fullmatch(slug) for slug in slugs.values()):
        return reverse(name, kwargs=slugs)
    resolver = get_resolver(get_urlconf())
    template = _template(resolver, get_script_prefix(), name, tuple(slugs))
    if template is None:
        return reverse(name, kwargs=slugs)
    return template % slugs


@lru_cache(maxsize=256)
def _template(resolver, prefix: str, name: str, arguments: tuple[str, ...]) -> str | None:
    """The URL reversed with a placeholder slug per argument, as a %-format template; None
    when a placeholder does not stand out once in it (then every call reverses).

    ``resolver`` and ``prefix`` key the cache: a new URLconf (``clear_url_caches`` makes new
    resolvers) or script prefix gets its own template. ``reverse()`` reads the same prefix.
    """
    placeholders = {
        argument: f"Z{index}READERURLPLACEHOLDER" for index, argument in enumerate(arguments)
    }
    url = reverse(name, urlconf=resolver.urlconf_name, kwargs=placeholders).replace("%", "%%")
    for argument, placeholder in placeholders.items():
        if url.count(placeholder) != 1:
            return None
        url = url.replace(placeholder, f"%({argument})s")
    return url


URL_NAMES = {"drug": "drug-detail", "condition": "condition-detail", "page": "site-page"}


def content_url(kind: str, slug: str, hub: str | None = None) -> str:
    """The canonical path of a piece of content by kind ("article", "drug", "condition",
    "page") and slug: an article's names its drug's hub (``hub``) while readers may see it."""
    if kind != "article":
        return reader_url(URL_NAMES[kind], slug=slug)
    if hub:
        return reader_url("article-detail", drug_slug=hub, slug=slug)
    return reader_url("article-standalone", slug=slug)
