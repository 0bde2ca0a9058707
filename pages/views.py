"""Reader pages for editorial content: home, articles and site pages.

Readers see only ``PublishedArticle.objects.visible()``, the reviewed published copies;
anything else is a 404, unless the slug
is one the page used to have: then it answers 301 to the page's URL today, forever.
Each view makes a fixed number of queries (tests/test_query_counts.py pins them); the
old-slug lookup happens only on the way to a 404.
"""

from functools import wraps
from string import ascii_lowercase

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import cache_control

from articles.models import HUB_FIELDS, PublishedArticle, PublishedSitePage
from content.links import find_targets, resolve_stored_links
from content.sql import fetch_rows, json_value
from pages import structured_data
from pages.copies import hub_from_columns, published_article
from pages.letters import available_letters
from pages.referring import referring_pages

# A page any reader may get from a shared cache: the page cache stores it for anonymous
# readers and sets the policy browsers and CDNs follow (pagecache.middleware.cdn_policy).
# Drafts never get here: they 404.
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


def article_list():
    """Visible articles with just what a list of links needs (title, lead, URL)."""
    return PublishedArticle.objects.visible().with_hub().only(*ARTICLE_LIST_FIELDS)


# The home page's newest featured articles and newest articles, with their hubs: one query.
_HOME_SQL = """
    SELECT *
      FROM ((SELECT true AS featured_list, a.article_id, a.slug, a.title, a.lead, a.drug_id,
                    hub.slug, hub.name, hub.published_at, a.published_at AS shown_since
               FROM articles_publishedarticle a
               LEFT JOIN drugs_publisheddrug hub ON hub.drug_id = a.drug_id
              WHERE a.featured AND a.published_at <= %(now)s
              ORDER BY a.published_at DESC LIMIT 4)
            UNION ALL
            (SELECT false, a.article_id, a.slug, a.title, a.lead, a.drug_id,
                    hub.slug, hub.name, hub.published_at, a.published_at
               FROM articles_publishedarticle a
               LEFT JOIN drugs_publisheddrug hub ON hub.drug_id = a.drug_id
              WHERE a.published_at <= %(now)s
              ORDER BY a.published_at DESC LIMIT 8)) AS lists
     ORDER BY featured_list DESC, shown_since DESC
"""


@public_page
def home(request):
    lists = {True: [], False: []}
    rows = fetch_rows(PublishedArticle, _HOME_SQL, {"now": timezone.now()})
    for featured, pk, slug, title, lead, drug_id, *hub, _ in rows:
        lists[featured].append(
            published_article(
                article_id=pk,
                slug=slug,
                title=title,
                lead=lead,
                drug=hub_from_columns(drug_id, *hub),
            )
        )
    return render(
        request,
        "home.html",
        {
            "featured": lists[True],
            "recent": lists[False],
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


# An article as its page shows it, with its drug hub, its promoted article while readers
# may see it, and the other articles on its hub in series order (JSON rows): one query.
_ARTICLE_SQL = """
    SELECT a.article_id, a.slug, a.title, a.lead, a.body_html, a.toc, a.reviewed_by,
           a.reviewed_on, a.text_since, a.published_at, a.drug_id,
           hub.slug, hub.name, hub.published_at,
           promoted.article_id, promoted.slug, promoted.title, promoted.lead, promoted.drug_id,
           promoted_hub.slug, promoted_hub.name, promoted_hub.published_at,
           (SELECT json_agg(json_build_array(other.article_id, other.slug, other.title, other.lead)
                            ORDER BY other.series_position, other.title)
              FROM articles_publishedarticle other
             WHERE other.drug_id = a.drug_id AND other.article_id <> a.article_id
               AND other.published_at <= %(now)s)
      FROM articles_publishedarticle a
      LEFT JOIN drugs_publisheddrug hub ON hub.drug_id = a.drug_id
      LEFT JOIN articles_publishedarticle promoted
        ON promoted.article_id = a.promoted_article_id AND promoted.published_at <= %(now)s
      LEFT JOIN drugs_publisheddrug promoted_hub ON promoted_hub.drug_id = promoted.drug_id
     WHERE a.slug = %(slug)s AND a.published_at <= %(now)s
"""
_ARTICLE_COLUMNS = (
    "article_id", "slug", "title", "lead", "body_html", "toc", "reviewed_by", "reviewed_on",
    "text_since", "published_at",
)  # fmt: skip


def visible_article(slug: str):
    """(article, promoted article or None, related articles) readers may see now, or None."""
    rows = fetch_rows(PublishedArticle, _ARTICLE_SQL, {"slug": slug, "now": timezone.now()})
    if not rows:
        return None
    row = rows[0]
    drug = hub_from_columns(row[10], *row[11:14])
    article = published_article(**dict(zip(_ARTICLE_COLUMNS, row[:10], strict=True)), drug=drug)
    article.toc = json_value(article.toc)
    promoted_pk, promoted_slug, promoted_title, promoted_lead, promoted_drug = row[14:19]
    promoted = None
    if promoted_pk is not None:
        promoted = published_article(
            article_id=promoted_pk,
            slug=promoted_slug,
            title=promoted_title,
            lead=promoted_lead,
            drug=hub_from_columns(promoted_drug, *row[19:22]),
        )
    related = []
    if article.hub:  # the hub's other articles
        related = [
            published_article(article_id=pk, slug=slug, title=title, lead=lead, drug=drug)
            for pk, slug, title, lead in json_value(row[22]) or ()
        ]
    return article, promoted, related


@public_page
@lower_case_slugs
def article_detail(request, slug, drug_slug=None):
    found = visible_article(slug)
    if found is None:
        return redirect_from_old_slug("article", slug)
    article, promoted, related = found
    if (article.hub.slug if article.hub else None) != drug_slug:
        return redirect(article, permanent=True)
    [article.body_html] = resolve_stored_links(article.body_html)
    return render(
        request,
        "articles/article_detail.html",
        {
            "article": article,
            "promoted": promoted,
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
