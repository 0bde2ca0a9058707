"""Internal links: resolve what editors write to canonical URLs, and record every link.

Editors write ``article:SLUG``, ``drug:SLUG``, ``condition:SLUG`` or a site-relative URL.
Each is normalised to a key ("article:SLUG"), resolved in one query per kind, and
recorded as an ``InternalLink`` row; those rows build every page's Referring Pages and
are what ``check_links`` reports on. A slug something used to have (``OldSlug``) still
resolves, to the object's URL today, in one more query when any key is left unresolved.
"""

import re
from collections import defaultdict
from collections.abc import Iterable
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import Resolver404, resolve

from articles.markup import LinkTarget, RecordedLink

# URL names (medinfo/urls.py) whose pages are content, and the kind they hold.
_KIND_BY_URL_NAME = {
    "drug-detail": "drug",
    "condition-detail": "condition",
    "article-detail": "article",
    "article-standalone": "article",
    "site-page": "page",
}
EDITOR_SCHEMES = ("article", "drug", "condition")
NOT_CONTENT = "-"  # a valid site URL that is not a content page (/drugs/, /search/?q=...)


def link_key(href: str) -> str | None:
    """Normalise an internal href to "kind:slug", NOT_CONTENT, or None when it is dead.

    Editors' spelling is forgiven where the intent is clear: "Article: Baclofen-Uses",
    a missing trailing slash, a fragment or query. Slugs are lower case on this site.
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


def resolve_hrefs(hrefs: Iterable[str]) -> dict[str, tuple[str, LinkTarget | None]]:
    """Map each internal href to (key, target); target None when missing or unpublished."""
    keys = {href: link_key(href) for href in hrefs}
    slugs_by_kind: dict[str, set[str]] = defaultdict(set)
    for key in keys.values():
        if key and key != NOT_CONTENT:
            kind, slug = key.split(":", 1)
            slugs_by_kind[kind].add(slug)
    targets = {}
    for kind, slugs in slugs_by_kind.items():
        for obj in _visible_objects(kind, slugs):
            key = f"{kind}:{obj.slug}"
            targets[key] = LinkTarget(key, obj.get_absolute_url(), _summary(obj), obj)
    unresolved = {
        kind: {slug for slug in slugs if f"{kind}:{slug}" not in targets}
        for kind, slugs in slugs_by_kind.items()
    }
    for key, obj in old_slug_targets(unresolved).items():
        current = f"{key.split(':', 1)[0]}:{obj.slug}"
        targets[key] = LinkTarget(current, obj.get_absolute_url(), _summary(obj), obj)
    result = {}
    for href, key in keys.items():
        if key == NOT_CONTENT:
            continue  # a working site link that is not content: left as written
        result[href] = (key or href, targets.get(key) if key else None)
    return result


def _visible_objects(kind: str, slugs: set[str]):
    from articles.models import Article, SitePage
    from drugs.models import Condition, Drug

    if kind == "article":
        return Article.objects.visible().filter(slug__in=slugs).select_related("drug")
    model = {"drug": Drug, "condition": Condition, "page": SitePage}[kind]
    return model.objects.filter(slug__in=slugs)


def old_slug_targets(slugs_by_kind: dict[str, set[str]]) -> dict[str, models.Model]:
    """{"kind:old-slug": what has that slug's page today}, in one query (none when empty).

    An article answers only while readers may see it, as the published copy. A slug an
    article has again, even an unpublished one, belongs to it and no longer redirects.
    """
    from articles.models import Article, OldSlug

    wanted = Q()
    for kind, slugs in slugs_by_kind.items():
        if slugs:
            wanted |= Q(kind=kind, slug__in=slugs)
    if not wanted:
        return {}
    article_ok = Q(article__in=Article.objects.visible()) & ~Exists(
        Article.objects.filter(slug=OuterRef("slug"))
    )
    rows = (
        OldSlug.objects.filter(wanted)
        .filter(Q(article=None) | article_ok)
        .select_related("article__drug", "drug", "condition", "page")
    )
    found = {}
    for row in rows:
        target = row.target
        found[f"{row.kind}:{row.slug}"] = target.as_published() if row.kind == "article" else target
    return found


def _summary(obj) -> str:
    text = getattr(obj, "lead", "") or getattr(obj, "summary", "") or ""
    first_line = text.strip().splitlines()[0] if text.strip() else ""
    return first_line[:200]


def source_field(source: models.Model) -> str:
    return {"article": "source_article", "drug": "source_drug", "sitepage": "source_page"}[
        source._meta.model_name
    ]


def record_links(source: models.Model, links: list[RecordedLink]) -> None:
    """Replace the recorded links of one source with those of its current text."""
    from articles.models import InternalLink

    field_name = source_field(source)
    InternalLink.objects.filter(**{field_name: source}).delete()
    rows = []
    for link in links:
        row = InternalLink(href=link.href[:500], target_key=link.key[:300], text=link.text)
        setattr(row, field_name, source)
        if link.target is not None:
            kind = link.key.split(":", 1)[0]
            setattr(row, InternalLink.TARGET_FIELDS[kind], link.target.obj)
        rows.append(row)
    InternalLink.objects.bulk_create(rows)
