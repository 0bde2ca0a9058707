"""Reader pages for editorial content: home, articles and site pages."""

from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render

from articles.models import Article, InternalLink, SitePage
from drugs.models import Drug


def home(request):
    visible = Article.objects.visible().select_related("drug")
    return render(
        request,
        "home.html",
        {
            "featured": visible.filter(featured=True).order_by("-published_at")[:4],
            "recent": visible.order_by("-published_at")[:8],
            "drugs": Drug.objects.only("name", "slug")[:200],
        },
    )


def referring_pages(target_filter: dict) -> list:
    """Published pages whose bodies link to the target: the page's Referring Pages."""
    visible_articles = Article.objects.visible()
    links = (
        InternalLink.objects.filter(**target_filter)
        .filter(
            Q(source_article__in=visible_articles)
            | Q(source_drug__isnull=False)
            | Q(source_page__isnull=False)
        )
        .select_related("source_article__drug", "source_drug", "source_page")
    )
    pages, seen = [], set()
    for link in links:
        source = link.source
        key = (type(source), source.pk)
        if key not in seen:
            seen.add(key)
            pages.append(source)
    pages.sort(key=lambda page: str(page).lower())
    return pages


def article_detail(request, slug, drug_slug=None):
    article = get_object_or_404(
        Article.objects.visible().select_related("drug", "promoted_article__drug"), slug=slug
    )
    if (article.drug.slug if article.drug else None) != drug_slug:
        return redirect(article, permanent=True)
    promoted = article.promoted_article
    if promoted is not None and not Article.objects.visible().filter(pk=promoted.pk).exists():
        promoted = None
    related = []
    if article.drug:
        related = (
            Article.objects.visible()
            .for_drug(article.drug)
            .exclude(pk=article.pk)
            .in_series_order()
            .select_related("drug")
        )
    return render(
        request,
        "articles/article_detail.html",
        {
            "article": article,
            "promoted": promoted,
            "related": related,
            "referring_pages": referring_pages({"target_article": article}),
            "show_toc": len(article.toc) >= 3,
        },
    )


def site_page(request, slug):
    page = get_object_or_404(SitePage, slug=slug)
    return render(request, "articles/sitepage_detail.html", {"page": page})
