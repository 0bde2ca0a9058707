"""Re-render what links to content an import created or changed.

Rows outside an import may link to what it creates or changes: a broken link that now
resolves, a target's new summary in the link title, a target no longer visible. Each
such source is rendered again and saved only if its HTML changed.
"""

from articles.markup import render_markdown
from articles.models import Article, InternalLink, SitePage
from drugs.models import Drug

_SOURCES = (
    ("source_article_id", Article, "body", "body_html"),
    ("source_drug_id", Drug, "mechanism", "mechanism_html"),
    ("source_page_id", SitePage, "body", "body_html"),
)


def rerender_links_to(keys: set[str], *, skip: dict | None = None) -> int:
    """Save again each source whose rendering changed; return how many were saved.

    skip: {model: ids} already rendered after every target was in place.
    """
    if not keys:
        return 0
    skip = skip or {}
    links = InternalLink.objects.filter(target_key__in=keys)
    saved = 0
    for id_field, model, text_field, html_field in _SOURCES:
        ids = set(links.exclude(**{id_field: None}).values_list(id_field, flat=True))
        ids -= skip.get(model, set())
        if not ids:
            continue
        for source in model.objects.filter(pk__in=ids).order_by("pk"):
            if render_markdown(getattr(source, text_field)).html != getattr(source, html_field):
                source.save()
                saved += 1
    return saved
