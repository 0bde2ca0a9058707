"""The sitemaps: home, the A–Z lists, drugs, conditions, site pages and the visible articles.

/sitemap.xml is an index (``django.contrib.sitemaps.views.index``) of one sitemap per kind,
/sitemap-articles.xml and so on, each split into pages of ``URLS_PER_SITEMAP`` URLs
(?p=2, ...): the protocol allows 50,000 per file, and a smaller file is quicker to build
and to fetch. Every page reads its rows in primary-key order through the key's index.
"""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from articles.models import HUB_FIELDS, PublishedArticle, PublishedSitePage
from drugs.models import PublishedCondition, PublishedDrug

URLS_PER_SITEMAP = 5_000


class PagedSitemap(Sitemap):
    limit = URLS_PER_SITEMAP

    def get_latest_lastmod(self):
        """No lastmod in the index: Django would read every row of the section to find it.
        Each URL in the section's pages carries its own."""
        return None


class ListPageSitemap(PagedSitemap):
    """The pages that list the others: home and the A–Z lists (no query)."""

    changefreq = "daily"
    priority = 0.6

    def items(self):
        return ["home", "drug-index", "condition-index"]

    def location(self, item):
        return reverse(item)


class ArticleSitemap(PagedSitemap):
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


class DrugSitemap(PagedSitemap):
    changefreq = "monthly"
    priority = 0.8

    def items(self):
        return PublishedDrug.objects.visible().only("slug", "text_since").order_by("pk")

    def lastmod(self, item):
        return item.text_since


class ConditionSitemap(PagedSitemap):
    def items(self):
        return PublishedCondition.objects.visible().only("slug", "text_since").order_by("pk")

    def lastmod(self, item):
        return item.text_since


class SitePageSitemap(PagedSitemap):
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
