"""Recording internal links: one ``InternalLink`` row per link in each page's Markdown.

Called whenever a page's Markdown is rendered (saves, publishing, imports). The rows,
matched by key, build each page's Referring Pages and feed ``check_links``.
"""

from django.db import models

from content.markup import RecordedLink
from content.models import InternalLink


def source_field(source: models.Model) -> str:
    return {"article": "source_article", "drug": "source_drug", "sitepage": "source_page"}[
        source._meta.model_name
    ]


def record_links(source: models.Model, links: list[RecordedLink], *, live: bool = False) -> None:
    """Replace the recorded links of one source with those of its current text
    (``live``: of a live article's readers' copy)."""
    record_links_of_many([(source, links)], live=live)


def record_links_of_many(
    sources: list[tuple[models.Model, list[RecordedLink]]],
    *,
    new: bool = False,
    live: bool = False,
) -> None:
    """record_links for many sources of one model: one delete and one bulk insert.

    ``new``: the sources were just created, so they have no old rows to delete.
    """
    if not sources:
        return
    field_name = source_field(sources[0][0])
    if not new:
        InternalLink.objects.filter(
            **{f"{field_name}__in": [s.pk for s, _ in sources]}, in_live_copy=live
        ).delete()
    rows = []
    for source, links in sources:
        for link in links:
            row = InternalLink(
                href=link.href[:500], target_key=link.key[:300], text=link.text, in_live_copy=live
            )
            setattr(row, field_name, source)
            rows.append(row)
    InternalLink.objects.bulk_create(rows, batch_size=1000)
