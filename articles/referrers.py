"""Render again the pages that link to something whose URL or visibility changed.

Stored HTML carries canonical URLs and shows links to what readers cannot see as plain
text (DESIGN.md §4), so it goes stale when a target is renamed, moves to another drug,
or is published or unpublished. Every page linking to it is then rendered again from its
Markdown and its links recorded again. Referrers are found by their ``InternalLink``
rows: by the target itself (links that resolved) and by ``target_key`` for each slug the
target has or had (links that were broken when written, or written with an old slug).

Only rendered columns are written, with ``update()``: the Markdown, status, review and
``updated_at`` stay as they are. Nothing readers read changes but link URLs and whether
a link is a link, and a published article never goes back to needing review.

The readers' copy of a live article is rendered again from its own reviewed Markdown
(``live_body``), exactly as publishing rendered it, whatever edit is pending.

Scheduled articles become visible when their time comes, with no job running; links to
them were rendered as plain text. Reader views ask in their one query whether the page
holds a link to an article that has since come due (``links_now_due``) and, on the
article's own page, whether pages link to it as broken (``referrers_now_due``); the
first reader after the time passes has them rendered again, at no extra query for anyone
else. Until the time comes, ``check_links`` reports such links as "scheduled".
"""

from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone

from articles.links import record_links, resolve_hrefs
from articles.markup import render_markdown
from articles.models import Article, InternalLink, OldSlug, SitePage
from articles.search import html_to_text
from drugs.models import Condition, Drug

_NO_TARGET = {f"{name}__isnull": True for name in InternalLink.TARGET_FIELDS.values()}
_KIND = {Article: "article", Drug: "drug", Condition: "condition", SitePage: "page"}


def article_state(article: Article) -> tuple:
    """What links to an article depend on: its URL and whether readers may see it now."""
    return _state(article.slug, article.drug_id, article.is_live, article.published_at)


def stored_article_state(pk) -> tuple | None:
    """The same, as the database has it before a save (None for a new article)."""
    fields = ("slug", "drug_id", "is_live", "published_at")
    row = Article.objects.filter(pk=pk).values_list(*fields).first() if pk else None
    return _state(*row) if row else None


def _state(slug, drug_id, is_live, published_at) -> tuple:
    return (slug, drug_id, bool(is_live and published_at and published_at <= timezone.now()))


@transaction.atomic
def rerender_referrers(target: models.Model, *, old_slug: str = "") -> int:
    """Render again every page that links to target; return how many changed."""
    return rerender_sources(referrer_sources(target, old_slug=old_slug))


def referrer_sources(target: models.Model, *, old_slug: str = "") -> set[tuple]:
    """(article, drug, page) ids of every page that links to target.

    A drug's articles live under its URL, so the pages linking to them count too. A live
    article's readers' copy has link rows of its own (``in_live_copy``), so it is found
    even while a pending edit has dropped the link from the working text.
    """
    kind = _KIND[type(target)]
    field = InternalLink.TARGET_FIELDS[kind]
    old_slugs = OldSlug.objects.filter(**{"page" if kind == "page" else kind: target})
    old_keys = old_slugs.annotate(key=Concat(Value(f"{kind}:"), "slug")).values("key")
    found = (
        Q(**{field: target}) | Q(target_key=f"{kind}:{target.slug}") | Q(target_key__in=old_keys)
    )
    if kind == "drug":
        found |= Q(target_article__drug=target)
    return set(
        InternalLink.objects.filter(found).values_list(
            "source_article", "source_drug", "source_page"
        )
    )


def rerender_sources(sources: set[tuple]) -> int:
    ids_by_model = {
        model: {row[position] for row in sources if row[position] is not None}
        for position, model in enumerate((Article, Drug, SitePage))
    }
    recorded = InternalLink.objects.filter(
        Q(source_article__in=ids_by_model[Article])
        | Q(source_drug__in=ids_by_model[Drug])
        | Q(source_page__in=ids_by_model[SitePage])
    )
    resolver = _Resolver(set(recorded.values_list("href", flat=True)))
    changed = 0
    for model, ids in ids_by_model.items():
        for source in model.objects.filter(pk__in=ids).order_by("pk"):
            before = _reader_html(source)
            if rerender_source(source, resolver=resolver) != before:
                changed += 1
    return changed


class _Resolver:
    """resolve_hrefs for many pages at once: what they link to is looked up together."""

    def __init__(self, hrefs: set[str]):
        self.known = resolve_hrefs(hrefs)
        self.asked = set(hrefs)

    def __call__(self, hrefs):
        new = set(hrefs) - self.asked
        if new:  # text changed since its links were recorded, or a readers' copy
            self.known.update(resolve_hrefs(new))
            self.asked |= new
        return {href: self.known[href] for href in hrefs if href in self.known}


def _reader_html(source: models.Model) -> str:
    if isinstance(source, Article):
        return source.live_body_html if source.is_live else source.body_html
    return source.mechanism_html if isinstance(source, Drug) else source.body_html


def rerender_source(source: models.Model, *, resolver=None) -> str:
    """Render one page again from its Markdown, record its links; return readers' HTML."""
    if isinstance(source, Article):
        return _rerender_article(source, resolver)
    text_field, html_field = (
        ("mechanism", "mechanism_html") if isinstance(source, Drug) else ("body", "body_html")
    )
    rendered = render_markdown(getattr(source, text_field), resolver=resolver)
    if rendered.html != getattr(source, html_field):
        type(source).objects.filter(pk=source.pk).update(**{html_field: rendered.html})
        setattr(source, html_field, rendered.html)
        record_links(source, rendered.links)
    return rendered.html


def _rerender_article(article: Article, resolver) -> str:
    rendered = render_markdown(article.body, resolver=resolver)
    changes = {}
    if rendered.html != article.body_html:
        changes.update(body_html=rendered.html, body_text=html_to_text(rendered.html))
    live = None
    if article.is_live:
        live = (
            rendered
            if article.live_body == article.body
            else render_markdown(article.live_body, resolver=resolver)
        )
        if live.html != article.live_body_html:
            changes.update(live_body_html=live.html, live_body_text=html_to_text(live.html))
    if changes:
        Article.objects.filter(pk=article.pk).update(**changes)
        for name, value in changes.items():
            setattr(article, name, value)
    if "body_html" in changes:
        record_links(article, rendered.links)
    if "live_body_html" in changes:
        record_links(article, live.links, live=True)
    return article.live_body_html if article.is_live else article.body_html


# --- Scheduled articles coming due: checks for the reader views' own query -------------


def _visible_article_with_key(key) -> Exists:
    return Exists(Article.objects.visible().filter(slug=Substr(key, len("article:") + 1)))


def links_now_due(source_field: str) -> Exists:
    """Does this page hold a link rendered as plain text to an article now visible?"""
    return Exists(
        InternalLink.objects.filter(
            **{source_field: OuterRef("pk")}, **_NO_TARGET, target_key__startswith="article:"
        ).filter(_visible_article_with_key(OuterRef("target_key")))
    )


def referrers_now_due() -> Exists:
    """For a visible article: do pages link to it by its slug as if it were missing?"""
    return Exists(
        InternalLink.objects.filter(
            **_NO_TARGET, target_key=Concat(Value("article:"), OuterRef("slug"))
        )
    )
