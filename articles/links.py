"""Internal links seen from the content: which targets readers may see, and every link recorded.

``content.links`` stores links by key and resolves them at each reader request through
``published_targets``, installed here when Django starts: one query for every kind, by
the slugs things have now and the ones they used to have (``OldSlug``). Each link is also
recorded as an ``InternalLink`` row (source, key): those rows build every page's Referring
Pages and feed ``check_links``.
"""

from dataclasses import dataclass

from django.db import models
from django.db.models import CharField, Exists, F, OuterRef, Q, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone

from articles.models import Article, PublishedArticle, PublishedSitePage
from content.links import KINDS, Target, resolve_hrefs, split_key
from content.models import InternalLink, OldSlug
from content.reader_urls import content_url
from content.sql import fetch_rows
from drugs.models import PublishedCondition, PublishedDrug

_TEXT = CharField()


def _published(kind: str, *, through: str = ""):
    """What readers may see of one kind, as rows (kind, asked slug, slug, parent, summary).

    ``through``: reached through an old slug (``OldSlug`` rows, the asked slug is theirs).
    """
    summary = {"article": "lead", "drug": "summary", "condition": "summary"}.get(kind)
    prefix = ""
    if through:
        rows = OldSlug.objects.filter(kind=kind)
        if kind == "article":  # only while visible, and not a slug an article has again
            rows = rows.filter(article__published__in=PublishedArticle.objects.visible()).exclude(
                Exists(Article.objects.filter(slug=OuterRef("slug")))
            )
        elif kind == "drug":
            rows = rows.filter(drug__published__in=PublishedDrug.objects.visible())
        elif kind == "condition":
            rows = rows.filter(condition__published__in=PublishedCondition.objects.visible())
        else:
            rows = rows.filter(page__published__in=PublishedSitePage.objects.visible())
        prefix = f"{through}__published__"
    else:
        rows = {
            "article": PublishedArticle.objects.visible,
            "drug": PublishedDrug.objects.visible,
            "condition": PublishedCondition.objects.visible,
            "page": PublishedSitePage.objects.visible,
        }[kind]()
    return rows.annotate(
        link_kind=Value(kind, _TEXT),
        link_asked=F("slug"),
        link_slug=F(f"{prefix}slug"),
        link_parent=F(f"{prefix}drug__published__slug") if kind == "article" else Value("", _TEXT),
        link_summary=F(f"{prefix}{summary}") if summary else Value("", _TEXT),
    )


# The targets readers may see, for ``published_targets``: each kind by its current slug and
# by a slug it used to have (``OldSlug``), the same rule as ``_published`` (which the admin's
# ``link_works`` uses) written once as SQL. Rows: kind, asked slug, slug, hub slug, summary.
# An article lives under its drug's hub only while readers may see the hub (Article.hub).
_TARGETS_SQL = """
    SELECT 'article', a.slug, a.slug, hub.slug, a.lead
      FROM articles_publishedarticle a
      LEFT JOIN drugs_publisheddrug hub
        ON hub.drug_id = a.drug_id AND hub.published_at <= %(now)s
     WHERE a.slug = ANY(%(article)s) AND a.published_at <= %(now)s
    UNION ALL
    SELECT 'article', old.slug, a.slug, hub.slug, a.lead
      FROM articles_oldslug old
      JOIN articles_publishedarticle a ON a.article_id = old.article_id
      LEFT JOIN drugs_publisheddrug hub
        ON hub.drug_id = a.drug_id AND hub.published_at <= %(now)s
     WHERE old.kind = 'article' AND old.slug = ANY(%(article)s) AND a.published_at <= %(now)s
       AND NOT EXISTS (SELECT FROM articles_article again WHERE again.slug = old.slug)
    UNION ALL
    SELECT 'drug', d.slug, d.slug, NULL, d.summary
      FROM drugs_publisheddrug d
     WHERE d.slug = ANY(%(drug)s) AND d.published_at <= %(now)s
    UNION ALL
    SELECT 'drug', old.slug, d.slug, NULL, d.summary
      FROM articles_oldslug old JOIN drugs_publisheddrug d ON d.drug_id = old.drug_id
     WHERE old.kind = 'drug' AND old.slug = ANY(%(drug)s) AND d.published_at <= %(now)s
    UNION ALL
    SELECT 'condition', c.slug, c.slug, NULL, c.summary
      FROM drugs_publishedcondition c
     WHERE c.slug = ANY(%(condition)s) AND c.published_at <= %(now)s
    UNION ALL
    SELECT 'condition', old.slug, c.slug, NULL, c.summary
      FROM articles_oldslug old JOIN drugs_publishedcondition c ON c.condition_id = old.condition_id
     WHERE old.kind = 'condition' AND old.slug = ANY(%(condition)s) AND c.published_at <= %(now)s
    UNION ALL
    SELECT 'page', p.slug, p.slug, NULL, NULL
      FROM articles_publishedsitepage p
     WHERE p.slug = ANY(%(page)s) AND p.published_at <= %(now)s
    UNION ALL
    SELECT 'page', old.slug, p.slug, NULL, NULL
      FROM articles_oldslug old JOIN articles_publishedsitepage p ON p.page_id = old.page_id
     WHERE old.kind = 'page' AND old.slug = ANY(%(page)s) AND p.published_at <= %(now)s
"""


def published_targets(keys: set[str]) -> dict[str, Target]:
    """{key: Target} for the keys whose targets readers may see now: one query.

    The installed link lookup (``content.links``). Each kind is looked up by its current
    slugs and by the slugs it used to have, all in one UNION; a current slug wins.
    """
    params: dict = {kind: [] for kind in KINDS}
    for key in keys:
        kind, slug = split_key(key)
        params[kind].append(slug)
    params["now"] = timezone.now()
    found: dict[str, Target] = {}
    for kind, asked, slug, parent, summary in fetch_rows(PublishedArticle, _TARGETS_SQL, params):
        key = f"{kind}:{asked}"
        if key not in found or slug == asked:
            found[key] = Target(content_url(kind, slug, parent), first_line(summary))
    return found


_KIND_OF = {
    **OldSlug.KINDS,
    "publishedarticle": "article",
    "publisheddrug": "drug",
    "publishedcondition": "condition",
    "publishedsitepage": "page",
}


def key_of(obj: models.Model) -> str:
    """The key links to obj store today (a published copy or content without one)."""
    return f"{_KIND_OF[obj._meta.model_name]}:{obj.slug.lower()}"


def links_to(obj: models.Model) -> Q:
    """The ``InternalLink`` rows pointing at obj (a published copy or content without one):
    by its slug today or one it used to have."""
    kind = _KIND_OF[obj._meta.model_name]
    field = "page" if kind == "page" else kind
    old_keys = (
        OldSlug.objects.filter(kind=kind, **{f"{field}_id": obj.pk})
        .annotate(key=Concat(Value(f"{kind}:"), "slug"))
        .values("key")
    )
    return Q(target_key=key_of(obj)) | Q(target_key__in=old_keys)


def link_works() -> Q:
    """For ``InternalLink`` querysets: does the link lead readers somewhere right now?

    The database's verdict by the same rule as ``published_targets`` (for admin lists).
    """
    works = Q()
    for kind in ("article", "drug", "condition", "page"):
        slug = Substr(OuterRef("target_key"), len(kind) + 2)
        through = "page" if kind == "page" else kind
        works |= Q(target_key__startswith=f"{kind}:") & (
            Exists(_published(kind).filter(slug=slug))
            | Exists(_published(kind, through=through).filter(slug=slug))
        )
    return works


def _summary_of(obj) -> str:
    return getattr(obj, "lead", "") or getattr(obj, "summary", "") or ""


def first_line(text: str | None) -> str:
    """A link's hover title: the first line of the target's summary, at most 200 characters."""
    text = (text or "").strip()
    return text.splitlines()[0][:200] if text else ""


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
    """Every recorded link resolved now, with why it fails."""
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
    slugs = {key.split(":", 1)[1] for key in keys if key.startswith("article:")}
    if not slugs:
        return {}
    found = {}
    old = OldSlug.objects.filter(kind="article", slug__in=slugs).select_related(
        "article__published"
    )
    current = Article.objects.filter(slug__in=slugs).select_related("published")
    pairs = [(row.slug, row.article) for row in old] + [(a.slug, a) for a in current]
    for slug, article in pairs:  # the current slug last: it wins over an old one
        scheduled = article.is_live and article.published_at > timezone.now()
        found[f"article:{slug}"] = "scheduled" if scheduled else "not published"
    return found
