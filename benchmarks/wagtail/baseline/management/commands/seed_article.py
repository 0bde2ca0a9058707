"""Put medinfo's article, and the other articles about its drug, into the Wagtail page tree.

Reads the JSON that medinfo/bench_wagtail.py exports from the demo ({"path", "sections",
"articles"}) on stdin and builds the same URL under the default site's root page, each
level a plain Wagtail page, every article an ArticlePage published through a revision as an
editor's "Publish" does. medinfo stores an internal link as ``<a data-link="article:SLUG">``
and resolves it per request; Wagtail's rich text does the same with ``<a linktype="page"
id="ID">``, so links between the copied articles become those. It replaces what an earlier
run made, so it can run every time.
"""

import json
import re
import sys

from django.core.management.base import BaseCommand
from django.db import transaction
from wagtail.models import Page, Site

from baseline.models import ArticlePage

STORED_LINK = re.compile(r'<a [^>]*?data-link="(\w+):([^"#]*)[^"]*"[^>]*>')


class Command(BaseCommand):
    help = "Build the benchmark's article pages from medinfo's JSON export on stdin."

    def handle(self, *args, **options):
        export = json.load(sys.stdin)
        with transaction.atomic():
            site = Site.objects.get(is_default_site=True)
            site.site_name = "MedInfo"
            site.save()
            parent = site.root_page
            parent.title = "Home"  # breadcrumbs start there, as medinfo's do
            parent.save(update_fields=["title", "draft_title"])
            first_slug = export["sections"][0]["slug"]
            for old in parent.get_children().filter(slug=first_slug):
                old.delete()
            for number, section in enumerate(export["sections"]):
                page = Page(title=section["title"], slug=section["slug"], show_in_menus=number == 0)
                parent.add_child(instance=page)
                page.save_revision().publish()
                parent = page
            pages = []
            for article in export["articles"]:
                page = ArticlePage(
                    title=article["title"],
                    slug=article["slug"],
                    search_description=article["lead"],
                    intro=article["lead"],
                )
                parent.add_child(instance=page)
                pages.append((page, article["body_html"]))
            ids = {page.slug: page.pk for page, _ in pages}
            for page, body in pages:
                page.body = STORED_LINK.sub(lambda m: page_link(m, ids), body)
                page.save_revision().publish()
        self.stdout.write(f"{len(export['articles'])} articles under {export['path']}")


def page_link(match: re.Match, ids: dict[str, int]) -> str:
    kind, slug = match.groups()
    if kind == "article" and slug in ids:
        return f'<a linktype="page" id="{ids[slug]}">'
    return "<a>"  # a target outside the copied pages: text, as medinfo shows a missing one
