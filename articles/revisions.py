"""What a revision of an article holds, and what going back to one restores.

A revision holds the working text only. Reverting (or previewing an old revision) must
never touch the readers' copy, the workflow state or the review: only articles.workflow
writes those. Generated and derived columns are recomputed from the text.
"""

from content.markup import render_markdown

ARTICLE_UNVERSIONED = [
    "status", "published_at", "reviewed_by", "reviewed_on", "reviewer", "reviewed_hash",
    "text_edited_by", "edit_vector", "body_html", "body_text", "toc",
]  # fmt: skip
# What a revert of an article restores (attribute names, as Version.field_dict has them).
ARTICLE_REVERTED = [
    "title", "slug", "drug_id", "lead", "body", "series_position", "promoted_article_id",
    "featured", "kind",
]  # fmt: skip


def restore_working_text(article, version) -> None:
    """Put a revision's working fields back on ``article`` (in memory; nothing is saved)."""
    for attname, value in version.field_dict.items():
        if attname in ARTICLE_REVERTED:
            setattr(article, attname, value)


def render_in_memory(article) -> None:
    """Fill the derived HTML and contents of an unsaved article, as save() would."""
    rendered = render_markdown(article.body)
    article.body_html = rendered.html
    article.toc = rendered.toc
