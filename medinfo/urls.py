from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from medinfo import bench_views
from medinfo import views as site_views
from pages import conditions, drug_views, search_views, sitemaps
from pages import views as article_views
from pages.feeds import LatestArticlesFeed

admin.site.site_header = "MedInfo editorial admin"
admin.site.site_title = "MedInfo admin"

urlpatterns = [
    path("", article_views.home, name="home"),
    path("drugs/", drug_views.drug_index, name="drug-index"),
    path("drugs/<slug:slug>/", drug_views.drug_detail, name="drug-detail"),
    path(
        "drugs/<slug:drug_slug>/<slug:slug>/", article_views.article_detail, name="article-detail"
    ),
    path("articles/<slug:slug>/", article_views.article_detail, name="article-standalone"),
    path("conditions/", conditions.condition_index, name="condition-index"),
    path("conditions/<slug:slug>/", conditions.condition_detail, name="condition-detail"),
    path("search/", search_views.search, name="search"),
    path("feeds/articles/", article_views.public_page(LatestArticlesFeed()), name="article-feed"),
    path("sitemap.xml", sitemaps.index, name="sitemap"),
    path("sitemap-<slug:section>.xml", sitemaps.section, name="sitemap-section"),
    path("robots.txt", site_views.robots_txt, name="robots-txt"),
    path("healthz", site_views.healthz, name="healthz"),
    path("preview/articles/", include("pages.preview_views")),  # staff only
    path("admin/", admin.site.urls),
    path("markdownx/", include("articles.editor_urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
if bench_views.enabled():  # `make bench` only (MEDINFO_BENCH=1): Django's constant cost
    urlpatterns.append(path("_bench/constant", bench_views.constant, name="bench-constant"))
# Site pages take the short URLs left over (/terms/, /privacy/, ...): keep this last.
urlpatterns.append(path("<slug:slug>/", article_views.site_page, name="site-page"))

handler404 = "medinfo.views.page_not_found"
handler500 = "medinfo.views.server_error"
