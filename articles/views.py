"""Reader pages for editorial content: home, articles and site pages.

Readers see only ``Article.objects.visible()``; anything else is a 404, unless the slug
is one the page used to have: then it answers 301 to the page's URL today, forever.
Each view makes a fixed number of queries (tests/test_query_counts.py pins them); the
old-slug lookup happens only on the way to a 404.
"""

from functools import wraps
from string import ascii_lowercase

from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import cache_control

from articles.links import links_to, old_slug_targets
from articles.models import Article, SitePage
from content.links import resolve_stored_links
from content.models import InternalLink
from medinfo import structured_data

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
ARTICLE_LIST_FIELDS = ("title", "slug", "lead", "drug__name", "drug__slug")
ARTICLE_PAGE_FIELDS = (
    *ARTICLE_LIST_FIELDS,
    "body_html", "toc", "reviewed_by", "reviewed_on", "updated_at", "published_at",
    "promoted_article__live_title", "promoted_article__slug", "promoted_article__live_lead",
    "promoted_article__drug__slug",
)  # fmt: skip


def article_list():
    """Visible articles with just what a list of links needs (title, lead, URL)."""
    return Article.objects.visible().select_related("drug").only(*ARTICLE_LIST_FIELDS)


@public_page
def home(request):
    from drugs.views import available_letters  # drugs.views imports this module

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
    """The way to a 404: a slug the page used to have answers 301 to its URL today."""
    target = old_slug_targets({kind: {slug}}).get(f"{kind}:{slug}")
    if target is None:
        raise Http404(f"No {kind} with this slug.")
    return redirect(target, permanent=True)


def referring_pages(target) -> list:
    """Published pages whose bodies link to the target (one query): its Referring Pages."""
    links = (
        InternalLink.objects.filter(links_to(target))
        .filter(
            Q(source_article__in=Article.objects.visible(), in_live_copy=True)
            | Q(source_drug__isnull=False)
            | Q(source_page__isnull=False)
        )
        .select_related("source_article__drug", "source_drug", "source_page")
        .only(
            "source_article__live_title",
            "source_article__slug",
            "source_article__drug__slug",
            "source_drug__name",
            "source_drug__slug",
            "source_page__title",
            "source_page__slug",
        )  # fmt: skip
    )
    pages, seen = [], set()
    for link in links:
        source = link.source_article.as_published() if link.source_article else link.source
        key = (type(source), source.pk)
        if key not in seen:
            seen.add(key)
            pages.append(source)
    pages.sort(key=lambda page: str(page).lower())
    return pages


@public_page
@lower_case_slugs
def article_detail(request, slug, drug_slug=None):
    promoted_is_visible = Exists(Article.objects.visible().filter(pk=OuterRef("promoted_article")))
    try:
        article = get_object_or_404(
            Article.objects.visible()
            .select_related("drug", "promoted_article__drug")
            .only(*ARTICLE_PAGE_FIELDS)
            .annotate(promoted_is_visible=promoted_is_visible),
            slug=slug,
        )
    except Http404:
        return redirect_from_old_slug("article", slug)
    if (article.drug.slug if article.drug else None) != drug_slug:
        return redirect(article, permanent=True)
    [article.body_html] = resolve_stored_links(article.body_html)
    related = []
    if article.drug:
        related = article_list().for_drug(article.drug).exclude(pk=article.pk).in_series_order()
    return render(
        request,
        "articles/article_detail.html",
        {
            "article": article,
            "promoted": (
                article.promoted_article.as_published() if article.promoted_is_visible else None
            ),
            "related": related,
            "referring_pages": referring_pages(article),
            "show_toc": len(article.toc) >= 3,
            "page_meta": structured_data.article_page(request, article),
        },
    )


@public_page
@lower_case_slugs
def site_page(request, slug):
    try:
        page = get_object_or_404(SitePage.objects.only("slug", "title", "body_html"), slug=slug)
    except Http404:
        return redirect_from_old_slug("page", slug)
    [page.body_html] = resolve_stored_links(page.body_html)
    return render(
        request,
        "articles/sitepage_detail.html",
        {"page": page, "page_meta": structured_data.site_page(request, page)},
    )
