"""Re-render what links to content an import created or changed.

Rows outside an import may link to what it creates or changes: a broken link that now
resolves, a target's new summary in the link title, a target no longer visible. Those
sources go through ``articles.referrers.rerender_sources``, the same re-rendering a
rename or a publish triggers: rendered columns only, both copies of a live article, and
no change to text, review or dates.
"""

from django.db.models import Q

from articles.models import Article, InternalLink
from articles.referrers import rerender_sources

_SOURCE_FIELDS = ("source_article_id", "source_drug_id", "source_page_id")


def rerender_links_to(keys: set[str], *, written: dict | None = None) -> int:
    """Render again each source linking to ``keys``; return how many changed.

    written: {model: ids} rendered during the import, when every target already had its
    final text; of those only the ones whose links may now resolve differently (a link
    rendered broken, or to an article no longer visible) are looked at again.
    """
    if not keys:
        return 0
    written = {model._meta.model_name: ids for model, ids in (written or {}).items()}
    links = InternalLink.objects.filter(target_key__in=keys)
    suspect = links.filter(
        Q(target_article=None, target_drug=None, target_condition=None, target_page=None)
        | Q(target_article__isnull=False)
        & ~Q(target_article__in=Article.objects.visible().values("pk"))
    )
    sources = set()
    for position, (id_field, model_name) in enumerate(
        zip(_SOURCE_FIELDS, ("article", "drug", "sitepage"), strict=True)
    ):
        ids = set(links.exclude(**{id_field: None}).values_list(id_field, flat=True))
        done = written.get(model_name, set())
        if done:
            ids = (ids - done) | (
                set(suspect.filter(**{f"{id_field}__in": done}).values_list(id_field, flat=True))
            )
        for pk in ids:
            row = [None, None, None]
            row[position] = pk
            sources.add(tuple(row))
    return rerender_sources(sources)
