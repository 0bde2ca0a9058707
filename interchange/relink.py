"""Re-render what links to content an import created or changed.

Rows outside an import may link to what it creates or changes: a broken link that now
resolves, a target's new summary in the link title, a target no longer visible. Each
such source is rendered again and saved only if its HTML changed; a live article whose
readers' copy is its current reviewed text is published again, so that readers see the
links too (its text and review are unchanged, so the review gate still holds).
"""

from django.db.models import Q

from articles import workflow
from articles.markup import render_markdown
from articles.models import Article, InternalLink, SitePage
from drugs.models import Drug

_SOURCES = (
    ("source_article_id", Article, "body", "body_html"),
    ("source_drug_id", Drug, "mechanism", "mechanism_html"),
    ("source_page_id", SitePage, "body", "body_html"),
)


def rerender_links_to(keys: set[str], *, written: dict | None = None) -> int:
    """Save again each source whose rendering changed; return how many were saved.

    written: {model: ids} rendered during the import, when every target already had its
    final text; of those only the ones whose links may now resolve differently (a link
    rendered broken, or to an article no longer visible) are looked at again.
    """
    if not keys:
        return 0
    written = written or {}
    links = InternalLink.objects.filter(target_key__in=keys)
    suspect = links.filter(
        Q(target_article=None, target_drug=None, target_condition=None, target_page=None)
        | Q(target_article__isnull=False)
        & ~Q(target_article__in=Article.objects.visible().values("pk"))
    )
    saved = 0
    for id_field, model, text_field, html_field in _SOURCES:
        ids = set(links.exclude(**{id_field: None}).values_list(id_field, flat=True))
        done = written.get(model, set())
        if done:
            ids = (ids - done) | (
                set(suspect.filter(**{f"{id_field}__in": done}).values_list(id_field, flat=True))
            )
        if not ids:
            continue
        for source in model.objects.filter(pk__in=ids).order_by("pk"):
            html = render_markdown(getattr(source, text_field)).html
            if model is Article and _live_copy_is_stale(source, html):
                source.save()
                workflow.publish(source, at=source.published_at)  # readers get the new links
                saved += 1
            elif html != getattr(source, html_field):
                source.save()
                saved += 1
    return saved


def _live_copy_is_stale(article: Article, html: str) -> bool:
    """A live article showing its reviewed text, whose links now render differently."""
    if not article.is_live or article.has_pending_changes or not article.has_current_review:
        return False
    return html != article.body_html or html != article.live_body_html
