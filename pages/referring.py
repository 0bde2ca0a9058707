"""Referring Pages: the published pages whose published text links to a page, in one query.

A link counts when it is in a source's published text (``InternalLink.in_live_copy``),
the source is visible now, and the link names the target by its slug today or by one it
used to have (``OldSlug``), the rule ``articles.links.links_to`` gives the ORM.
"""

from django.utils import timezone

from articles.links import key_of
from articles.models import PublishedSitePage
from content.models import InternalLink
from content.sql import fetch_rows
from drugs.models import PublishedDrug
from pages.copies import hub_from_columns, loaded, published_article

# {column}: the OldSlug column pointing at the target (article_id, drug_id, ...).
_SQL = """
    SELECT a.article_id, a.slug, a.title, a.drug_id, hub.slug, hub.name, hub.published_at,
           d.drug_id, d.slug, d.name,
           p.page_id, p.slug, p.title
      FROM articles_internallink link
      LEFT JOIN articles_publishedarticle a
        ON a.article_id = link.source_article_id AND a.published_at <= %(now)s
      LEFT JOIN drugs_publisheddrug hub ON hub.drug_id = a.drug_id
      LEFT JOIN drugs_publisheddrug d
        ON d.drug_id = link.source_drug_id AND d.published_at <= %(now)s
      LEFT JOIN articles_publishedsitepage p
        ON p.page_id = link.source_page_id AND p.published_at <= %(now)s
     WHERE link.in_live_copy
       AND (a.article_id IS NOT NULL OR d.drug_id IS NOT NULL OR p.page_id IS NOT NULL)
       AND (link.target_key = %(key)s OR link.target_key IN (
            SELECT %(kind)s || ':' || old.slug FROM articles_oldslug old
             WHERE old.kind = %(kind)s AND old.{column} = %(pk)s))
"""
_SQL_BY_KIND = {
    kind: _SQL.format(column=f"{kind}_id") for kind in ("article", "drug", "condition", "page")
}


def referring_pages(target) -> list:
    """Published pages whose published text links to the target (one query): its
    Referring Pages, each once, by title."""
    key = key_of(target)
    kind = key.partition(":")[0]
    params = {"now": timezone.now(), "key": key, "kind": kind, "pk": target.pk}
    pages, seen = [], set()
    for row in fetch_rows(InternalLink, _SQL_BY_KIND[kind], params):
        source = _source(row)
        identity = (type(source), source.pk)
        if identity not in seen:
            seen.add(identity)
            pages.append(source)
    pages.sort(key=lambda page: str(page).lower())
    return pages


def _source(row: tuple):
    """The published copy a row names: an article (with its hub), a drug or a site page."""
    article_id, article_slug, article_title, drug_id, *hub = row[:7]
    drug_pk, drug_slug, drug_name, page_id, page_slug, page_title = row[7:]
    if article_id is not None:
        return published_article(
            article_id=article_id,
            slug=article_slug,
            title=article_title,
            drug=hub_from_columns(drug_id, *hub),
        )
    if drug_pk is not None:
        return loaded(PublishedDrug, drug_id=drug_pk, slug=drug_slug, name=drug_name)
    return loaded(PublishedSitePage, page_id=page_id, slug=page_slug, title=page_title)
