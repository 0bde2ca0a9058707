"""Staff preview: an article's saved working copy rendered exactly as its reader page would be.

Readers' pages read ``PublishedArticle.objects.visible()``, the published copy; this reads the
working fields, drafts included, for staff who may view articles; ``?version=ID`` shows
any saved revision of the article instead. Anonymous and non-staff users go to the admin
login, staff without the view permission get 403. The page is never cached or indexed.
The published version's preview is its public URL.

The root URLconf includes this module's ``urlpatterns`` at /preview/articles/.
"""

from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.cache import never_cache
from reversion.models import Version

from articles.models import Article, PublishedArticle
from articles.revisions import render_in_memory, restore_working_text
from content.links import resolve_stored_links
from pages.views import article_list, referring_pages


@never_cache
@staff_member_required
def article_preview(request, pk):
    if not request.user.has_perm("articles.view_article"):
        raise PermissionDenied
    article = get_object_or_404(Article.objects.select_related("drug__published"), pk=pk)
    version = None
    if request.GET.get("version", "").isdigit():
        version = get_object_or_404(
            Version.objects.get_for_object(article).select_related("revision__user"),
            pk=request.GET["version"],
        )
        restore_working_text(article, version)
        render_in_memory(article)
    [article.body_html] = resolve_stored_links(article.body_html)
    promoted = (
        PublishedArticle.objects.visible().with_hub().filter(pk=article.promoted_article_id)
    ).first()
    related = []
    if article.hub:
        related = article_list().for_drug(article.drug).exclude(pk=article.pk).in_series_order()
    response = render(
        request,
        "articles/article_detail.html",
        {
            "article": article,
            "promoted": promoted,
            "related": related,
            "referring_pages": referring_pages(article),
            "show_toc": len(article.toc) >= 3,
            "preview": True,
            "preview_version": version,
            "scheduled_for": article.published_at
            if article.is_live and article.published_at > timezone.now()
            else None,
        },
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


urlpatterns = [path("<int:pk>/", article_preview, name="article-preview")]
