"""Re-render what links to content an import created or changed.

Article.save() resolves links against the database as it stands, so an article that
links to one later in the same file first records a broken link. Once every record
is written, each source with a link to a touched key is rendered again and saved only
if its HTML changed (a link that now resolves, a target's new summary in the title).
"""

from articles.markup import render_markdown
from articles.models import Article, InternalLink, SitePage
from drugs.models import Drug

_SOURCES = (
    ("source_article_id", Article, "body", "body_html"),
    ("source_drug_id", Drug, "mechanism", "mechanism_html"),
    ("source_page_id", SitePage, "body", "body_html"),
)


def rerender_links_to(keys: set[str]) -> int:
    """Save again each source whose rendering changed; return how many were saved."""
    if not keys:
        return 0
    links = InternalLink.objects.filter(target_key__in=keys)
    saved = 0
    for id_field, model, text_field, html_field in _SOURCES:
        ids = set(links.exclude(**{id_field: None}).values_list(id_field, flat=True))
        if not ids:
            continue
        for source in model.objects.filter(pk__in=ids).order_by("pk"):
            if render_markdown(getattr(source, text_field)).html != getattr(source, html_field):
                source.save()
                saved += 1
    return saved
