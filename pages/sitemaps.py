"""sitemap.xml: home, the A–Z lists, drugs, conditions, site pages and the visible articles."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from articles.models import HUB_FIELDS, PublishedArticle, PublishedSitePage
from drugs.models import PublishedCondition, PublishedDrug


class ListPageSitemap(Sitemap):
    """The pages that list the others: home and the A–Z lists (no query)."""

    changefreq = "daily"
    priority = 0.6

    def items(self):
        return ["home", "drug-index", "condition-index"]

    def location(self, item):
        return reverse(item)


class ArticleSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return (
            PublishedArticle.objects.visible()
            .with_hub()
            .only("slug", "text_since", *HUB_FIELDS)
            .order_by("pk")
        )

    def lastmod(self, item):
        return item.text_since


class DrugSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.8

    def items(self):
        return PublishedDrug.objects.visible().only("slug", "text_since").order_by("pk")

    def lastmod(self, item):
        return item.text_since


class ConditionSitemap(Sitemap):
    def items(self):
        return PublishedCondition.objects.visible().only("slug", "text_since").order_by("pk")

    def lastmod(self, item):
        return item.text_since


class SitePageSitemap(Sitemap):
    priority = 0.3

    def items(self):
        return PublishedSitePage.objects.visible().only("slug", "text_since").order_by("pk")

    def lastmod(self, item):
        return item.text_since


SITEMAPS = {
    "lists": ListPageSitemap,
    "articles": ArticleSitemap,
    "drugs": DrugSitemap,
    "conditions": ConditionSitemap,
    "pages": SitePageSitemap,
}
