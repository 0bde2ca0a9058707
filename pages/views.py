"""Reader pages for editorial content: home, articles and site pages.

Readers see only ``PublishedArticle.objects.visible()``, the reviewed published copies;
anything else is a 404, unless the slug
is one the page used to have: then it answers 301 to the page's URL today, forever.
Each view makes a fixed number of queries (tests/test_query_counts.py pins them); the
old-slug lookup happens only on the way to a 404.
"""

from functools import wraps
from string import ascii_lowercase

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import cache_control

from articles.links import links_to
from articles.models import HUB_FIELDS, Article, PublishedArticle, PublishedSitePage
from content.links import find_targets, resolve_stored_links
from content.models import InternalLink
from drugs.models import PublishedDrug
from pages import structured_data
from pages.letters import available_letters

# Shared caches may keep a public page but must revalidate it (ETag, 304) on every use,
# so a publish or an edit reaches readers at once. Drafts never get here: they 404.
public_page = cache_control(public=True, no_cache=True)


def lower_case_slugs(view):
    """Slugs are lower case: /drugs/Baclofen/ answers 301 to /drugs/baclofen/ (no query)."""

    @wraps(view)
    def wrapper(request, **kwargs):
        if any(value != value.lower() for value in kwargs.values()):
            query = request.META.get("QUERY_STRING", "")
            return redirect(request.path.lower() + (f"?{query}" if query else ""), permanent=True)
        return view(request, **kwargs)

    return wrapper


# What a list of articles shows; the bodies and search columns stay in the database.
ARTICLE_LIST_FIELDS = ("title", "slug", "lead", *HUB_FIELDS)
PROMOTED = "promoted_article__published"
ARTICLE_PAGE_FIELDS = (
    *ARTICLE_LIST_FIELDS,
    "body_html", "toc", "reviewed_by", "reviewed_on", "text_since", "published_at",
    *(f"{PROMOTED}__{field}" for field in (*ARTICLE_LIST_FIELDS, "published_at")),
)  # fmt: skip


def article_list():
    """Visible articles with just what a list of links needs (title, lead, URL)."""
    return PublishedArticle.objects.visible().with_hub().only(*ARTICLE_LIST_FIELDS)


@public_page
def home(request):

    visible = article_list()
    return render(
        request,
        "home.html",
        {
            "featured": visible.filter(featured=True).order_by("-published_at")[:4],
            "recent": visible.order_by("-published_at")[:8],
            "letters": ascii_lowercase,
            "available_letters": available_letters(),
            "page_meta": structured_data.home_page(request),
        },
    )


def redirect_from_old_slug(kind: str, slug: str):
    """The way to a 404: a slug the page used to have answers 301 to its URL today.

    Resolved like a link to the old slug (``content.links``): only to what readers may see,
    and only through an old slug (the view has looked for the current one).
    """
    target = find_targets({f"{kind}:{slug}"}).get(f"{kind}:{slug}")
    if target is None:
        raise Http404(f"No {kind} with this slug.")
    return redirect(target.url, permanent=True)


def referring_pages(target) -> list:
    """Published pages whose published text links to the target (one query): its
    Referring Pages."""
    links = (
        InternalLink.objects.filter(links_to(target))
        .filter(
            Q(source_article__in=Article.objects.readable(), in_live_copy=True)
            | Q(source_drug__published__in=PublishedDrug.objects.visible(), in_live_copy=True)
            | Q(source_page__published__in=PublishedSitePage.objects.visible(), in_live_copy=True)
        )
        .select_related(
            "source_article__published__drug__published",
            "source_drug__published",
            "source_page__published",
        )
        .only(
            "source_article__published__title",
            "source_article__published__slug",
            *(f"source_article__published__{field}" for field in HUB_FIELDS),
            "source_drug__published__name",
            "source_drug__published__slug",
            "source_page__published__title",
            "source_page__published__slug",
        )  # fmt: skip
    )
    pages, seen = [], set()
    for link in links:
        if link.source_article:
            source = link.source_article.published
        else:
            source = (link.source_drug or link.source_page).published
        key = (type(source), source.pk)
        if key not in seen:
            seen.add(key)
            pages.append(source)
    pages.sort(key=lambda page: str(page).lower())
    return pages


@public_page
@lower_case_slugs
def article_detail(request, slug, drug_slug=None):
    try:
        article = get_object_or_404(
            PublishedArticle.objects.visible()
            .select_related("drug__published", f"{PROMOTED}__drug__published")
            .only(*ARTICLE_PAGE_FIELDS),
            slug=slug,
        )
    except Http404:
        return redirect_from_old_slug("article", slug)
    if (article.hub.slug if article.hub else None) != drug_slug:
        return redirect(article, permanent=True)
    [article.body_html] = resolve_stored_links(article.body_html)
    related = []
    if article.hub:
        related = article_list().for_drug(article.drug_id).exclude(pk=article.pk).in_series_order()
    return render(
        request,
        "articles/article_detail.html",
        {
            "article": article,
            "promoted": _visible_copy(article.promoted_article),
            "related": related,
            "referring_pages": referring_pages(article),
            "show_toc": len(article.toc) >= 3,
            "page_meta": structured_data.article_page(request, article),
        },
    )


def _visible_copy(article):
    """The published copy of a (promoted) article, if readers may see it now."""
    copy = getattr(article, "published", None) if article is not None else None
    if copy is None or copy.published_at is None or copy.published_at > timezone.now():
        return None
    return copy


@public_page
@lower_case_slugs
def site_page(request, slug):
    try:
        page = get_object_or_404(
            PublishedSitePage.objects.visible().only("slug", "title", "body_html"), slug=slug
        )
    except Http404:
        return redirect_from_old_slug("page", slug)
    [page.body_html] = resolve_stored_links(page.body_html)
    return render(
        request,
        "articles/sitepage_detail.html",
        {"page": page, "page_meta": structured_data.site_page(request, page)},
    )
