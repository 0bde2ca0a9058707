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
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import Resolver404, resolve
from django.utils import timezone

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


def record_links(source: models.Model, links: list[RecordedLink], *, live: bool = False) -> None:
    """Replace the recorded links of one source with those of its current text
    (``live``: of a live article's readers' copy)."""
    record_links_of_many([(source, links)], live=live)


def record_links_of_many(
    sources: list[tuple[models.Model, list[RecordedLink]]],
    *,
    new: bool = False,
    live: bool = False,
) -> None:
    """record_links for many sources of one model: one delete and one bulk insert.

    ``new``: the sources were just created, so they have no old rows to delete.
    """
    from articles.models import InternalLink

    if not sources:
        return
    field_name = source_field(sources[0][0])
    if not new:
        InternalLink.objects.filter(
            **{f"{field_name}__in": [s.pk for s, _ in sources]}, in_live_copy=live
        ).delete()
    rows = []
    for source, links in sources:
        for link in links:
            row = InternalLink(
                href=link.href[:500], target_key=link.key[:300], text=link.text, in_live_copy=live
            )
            setattr(row, field_name, source)
            if link.target is not None:
                kind = link.key.split(":", 1)[0]
                setattr(row, InternalLink.TARGET_FIELDS[kind], link.target.obj)
            rows.append(row)
    InternalLink.objects.bulk_create(rows, batch_size=1000)


@dataclass(frozen=True)
class BrokenLink:
    source_kind: str  # "article", "drug" or "page"
    source_slug: str
    source_title: str
    field: str  # the Markdown field the link is written in
    href: str  # as the editor wrote it
    reason: str  # "missing", "not published" or "scheduled"

    def __str__(self):
        return (
            f'{self.source_kind} {self.source_slug} "{self.source_title}" {self.field}: '
            f"{self.href} ({self.reason})"
        )


def find_broken_links() -> list[BrokenLink]:
    """Every recorded link resolved again now (not the stored verdict), with why it fails."""
    from articles.models import InternalLink

    rows = list(
        InternalLink.objects.filter(in_live_copy=False)  # the text editors can fix
        .select_related("source_article", "source_drug", "source_page")
        .only(
            "href",
            "source_article__slug",
            "source_article__title",
            "source_drug__slug",
            "source_drug__name",
            "source_page__slug",
            "source_page__title",
        )  # fmt: skip
        .order_by("pk")
    )
    resolved = resolve_hrefs({row.href for row in rows})
    broken = [row for row in rows if row.href in resolved and resolved[row.href][1] is None]
    reasons = _reasons({resolved[row.href][0] for row in broken})
    found = []
    for row in broken:
        source = row.source
        kind = "page" if row.source_page_id else source._meta.model_name
        found.append(
            BrokenLink(
                source_kind=kind,
                source_slug=source.slug,
                source_title=str(source),
                field="mechanism" if row.source_drug_id else "body",
                href=row.href,
                reason=reasons.get(resolved[row.href][0], "missing"),
            )
        )
    return sorted(found, key=lambda b: (b.source_kind, b.source_slug, b.href))


def _reasons(keys: set[str]) -> dict[str, str]:
    """Why article links fail when the article exists: unpublished, or not yet due."""
    from articles.models import Article, OldSlug

    slugs = {key.split(":", 1)[1] for key in keys if key.startswith("article:")}
    if not slugs:
        return {}
    found = {}
    old = OldSlug.objects.filter(kind="article", slug__in=slugs).select_related("article")
    current = Article.objects.filter(slug__in=slugs)
    pairs = [(row.slug, row.article) for row in old] + [(a.slug, a) for a in current]
    for slug, article in pairs:  # the current slug last: it wins over an old one
        scheduled = article.is_live and article.published_at > timezone.now()
        found[f"article:{slug}"] = "scheduled" if scheduled else "not published"
    return found
