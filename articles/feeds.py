"""The Atom feed of recently published articles: visible articles only, like every reader page."""

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed

from articles.models import Article, SiteSettings


class LatestArticlesFeed(Feed):
    feed_type = Atom1Feed
    link = "/"

    def title(self):
        site = SiteSettings.objects.filter(pk=1).first() or SiteSettings()
        return f"{site.site_name}: latest articles"

    def subtitle(self):
        return "Recently published, medically reviewed articles."

    def items(self):
        return (
            Article.objects.visible()
            .select_related("drug")
            .only("title", "slug", "lead", "published_at", "updated_at", "drug__slug")
            .order_by("-published_at")[:30]
        )

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.lead

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at
