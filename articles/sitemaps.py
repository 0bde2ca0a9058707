"""sitemap.xml: drugs, conditions, site pages and the articles readers may see."""

from django.contrib.sitemaps import Sitemap

from articles.models import Article, SitePage
from drugs.models import Condition, Drug


class ArticleSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return (
            Article.objects.visible()
            .select_related("drug")
            .only("slug", "updated_at", "drug__slug")
            .order_by("pk")
        )

    def lastmod(self, item):
        return item.updated_at


class DrugSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.8

    def items(self):
        return Drug.objects.only("slug", "updated_at").order_by("pk")

    def lastmod(self, item):
        return item.updated_at


class ConditionSitemap(Sitemap):
    def items(self):
        return Condition.objects.only("slug", "updated_at").order_by("pk")

    def lastmod(self, item):
        return item.updated_at


class SitePageSitemap(Sitemap):
    priority = 0.3

    def items(self):
        return SitePage.objects.only("slug", "updated_at").order_by("pk")

    def lastmod(self, item):
        return item.updated_at


SITEMAPS = {
    "articles": ArticleSitemap,
    "drugs": DrugSitemap,
    "conditions": ConditionSitemap,
    "pages": SitePageSitemap,
}
