"""The Atom feed of recently published articles: visible articles only, like every reader page.

Each entry carries the article's lead as its summary and the published body as its content,
the same sanitised HTML the article page shows, with its links made absolute for feed readers.
"""

import re
from urllib.parse import urljoin

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from articles.models import HUB_FIELDS, PublishedArticle, SiteSettings
from content.links import resolve_stored_links

# href="..." and src="..." that are not already absolute (the sanitiser always double-quotes).
RELATIVE_URL = re.compile(r'(\s(?:href|src)=")(?![a-zA-Z][a-zA-Z0-9+.-]*:)([^"]*)"')


def absolute_links(html: str, base: str) -> str:
    return RELATIVE_URL.sub(lambda m: f'{m[1]}{urljoin(base, m[2])}"', html)


class AtomFeedWithContent(Atom1Feed):
    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content"):
            content = absolute_links(item["content"], item["link"])
            handler.addQuickElement("content", content, {"type": "html"})


class LatestArticlesFeed(Feed):
    feed_type = AtomFeedWithContent
    link = "/"

    def title(self):
        site = SiteSettings.objects.filter(pk=1).first() or SiteSettings()
        return f"{site.site_name}: latest articles"

    def subtitle(self):
        return "Recently published, medically reviewed articles."

    def items(self):
        """The latest articles, their links resolved as on their pages (one lookup for all)."""
        items = list(
            PublishedArticle.objects.visible()
            .with_hub()
            .only("title", "slug", "lead", "body_html", "published_at", "text_since", *HUB_FIELDS)
            .order_by("-published_at")[:30]
        )
        bodies = resolve_stored_links(*(item.body_html for item in items))
        for item, body in zip(items, bodies, strict=True):
            item.body_html = body
        return items

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return escape(item.lead)  # plain text, in a summary of type="html"

    def item_extra_kwargs(self, item):
        return {"content": item.body_html}

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.text_since
