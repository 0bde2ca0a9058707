"""Condition pages: the conditions A–Z, and one condition's drugs and articles.

A condition page lists the published drugs with a use for the condition and the articles
about it, ``CONDITION_PAGE_SIZE`` of each per page, neither list counted (pages.windows).
A common condition has hundreds of drugs and thousands of articles, so both lists are
read in their page order from indexes and stop after the page: the cost of a page does
not grow with the catalogue. The queries are hand-written SQL (content.sql): building
them with the ORM cost more Python than PostgreSQL takes to answer them.
"""

import re
from dataclasses import dataclass
from datetime import datetime

from django.shortcuts import render
from django.utils import timezone

from content.reader_urls import reader_url
from content.sql import fetch_rows, json_value
from drugs.hub import ConditionLink, Use, uses_of
from drugs.models import PublishedCondition, PublishedDrug
from pages import structured_data
from pages.copies import hub_from_columns, loaded, published_article
from pages.views import lower_case_slugs, public_page, redirect_from_old_slug
from pages.windows import Window, requested_page, window

# Drugs, and articles, on one page of a condition.
CONDITION_PAGE_SIZE = 50
# Conditions on one page of the A–Z: one page for a catalogue of a few hundred.
CONDITION_INDEX_PAGE_SIZE = 250


@public_page
def condition_index(request):
    """The conditions by name, grouped by first letter, ``CONDITION_INDEX_PAGE_SIZE`` a page
    (the catalogue of a small site fits on the first)."""
    number = requested_page(request)
    page = window(visible_conditions_by_name(), number, CONDITION_INDEX_PAGE_SIZE)
    groups: dict[str, list] = {}
    for condition in page:
        groups.setdefault(condition.name[:1].upper(), []).append(condition)
    path = reader_url("condition-index")
    meta = structured_data.index_page(
        request,
        path + (f"?page={number}" if number > 1 else ""),
        title="Conditions A–Z",
        description="Medical conditions by name, with the drugs approved or used for each.",
        trail=[structured_data.conditions_crumb()],
    )
    return render(
        request,
        "drugs/condition_index.html",
        {"groups": groups, "page": page, "page_meta": meta},
    )


# Conditions readers may see, by name in any case (byte order, as Python sorts lower-cased
# names), one page at a time.
_INDEX_SQL = """
    SELECT c.condition_id, c.slug, c.name, c.summary
      FROM drugs_publishedcondition c
     WHERE c.published_at <= %(now)s
     ORDER BY lower(c.name) COLLATE "C", c.condition_id
    OFFSET %(offset)s LIMIT %(limit)s
"""


class _ConditionRows:
    """The A–Z's rows in name order, sliced by ``window`` into one query."""

    def __getitem__(self, page: slice) -> list[PublishedCondition]:
        params = {"now": timezone.now(), "offset": page.start, "limit": page.stop - page.start}
        return [
            loaded(PublishedCondition, condition_id=pk, slug=slug, name=name, summary=summary)
            for pk, slug, name, summary in fetch_rows(PublishedCondition, _INDEX_SQL, params)
        ]


def visible_conditions_by_name() -> _ConditionRows:
    return _ConditionRows()


# The condition readers may see at this slug now.
_CONDITION_SQL = """
    SELECT c.condition_id, c.slug, c.name, c.summary, c.reviewed_by, c.reviewed_on, c.text_since
      FROM drugs_publishedcondition c
     WHERE c.slug = %(slug)s AND c.published_at <= %(now)s
"""
_CONDITION_COLUMNS = (
    "condition_id", "slug", "name", "summary", "reviewed_by", "reviewed_on", "text_since",
)  # fmt: skip


@public_page
@lower_case_slugs
def condition_detail(request, slug):
    """The drugs approved or used off-label for the condition, and the articles about it,
    ``CONDITION_PAGE_SIZE`` of each per page (?page=2 shows the next ones)."""
    rows = fetch_rows(PublishedCondition, _CONDITION_SQL, {"slug": slug, "now": timezone.now()})
    if not rows:
        return redirect_from_old_slug("condition", slug)
    condition = loaded(PublishedCondition, **dict(zip(_CONDITION_COLUMNS, rows[0], strict=True)))
    number = requested_page(request)
    lists = condition_lists(condition, number)
    uses = lists.uses
    approved = [use for use in uses if not use.off_label]
    meta = structured_data.condition_page(request, condition, approved)
    if number > 1:
        meta.path += f"?page={number}"  # each page of the lists is its own canonical page
    return render(
        request,
        "drugs/condition_detail.html",
        {
            "condition": condition,
            "approved": approved,
            "off_label": [use for use in uses if use.off_label],
            "articles": lists.articles,
            "page": Window([], number, has_next=lists.has_next),
            "page_meta": meta,
        },
    )


# One page of a condition's lists, in one query of three JSON arrays:
# - its drugs: published drugs with a use recorded for the condition (the condition ids'
#   GIN index) or whose uses' details name it (the details' trigram index), in name order.
#   An approval is recorded once, under the condition it treats, with the patients or
#   causes in its details: intrathecal baclofen is approved for *spasticity*, "severe, from
#   various causes including multiple sclerosis, spinal cord injury or disease, and
#   cerebral palsy"; the cerebral palsy page lists it too. A UNION of the two halves: an
#   OR would read every drug.
# - the published conditions those drugs' uses name, to link them;
# - its articles: the articles on its drugs, and those whose published text links to it
#   (by its slug or an old one, as ``articles.links.links_to``), in drug name and series
#   order. The drugs are walked in name order and each one's articles read in series order
#   from ``published_article_series_idx`` alone, so the walk stops after the page's rows;
#   only those rows are then read in full.
# Each list fetches one row more than a page: that row says whether there is a next page.
_LISTS_SQL = """
    WITH its_drugs AS (
        SELECT d.drug_id, d.name FROM drugs_publisheddrug d
         WHERE d.condition_ids @> ARRAY[%(pk)s]::integer[] AND d.published_at <= %(now)s
        UNION
        SELECT d.drug_id, d.name FROM drugs_publisheddrug d
         WHERE d.uses_text ~* %(pattern)s AND d.published_at <= %(now)s
    ), drug_page AS (
        SELECT d.drug_id, d.slug, d.name, d.document, d.condition_ids
          FROM (SELECT * FROM its_drugs ORDER BY name, drug_id
                OFFSET %(offset)s LIMIT %(limit)s) page
          JOIN drugs_publisheddrug d ON d.drug_id = page.drug_id
    ), article_keys AS (
        (SELECT d.name, d.drug_id, a.series_position, a.title, a.article_id
           FROM (SELECT * FROM its_drugs ORDER BY name, drug_id) d
          CROSS JOIN LATERAL (
                SELECT a.series_position, a.title, a.article_id
                  FROM articles_publishedarticle a
                 WHERE a.drug_id = d.drug_id AND a.published_at <= %(now)s
                 ORDER BY a.series_position, a.title, a.article_id) a
          ORDER BY 1, 2, 3, 4, 5
          LIMIT %(offset)s + %(limit)s)
        UNION
        (SELECT hub.name, a.drug_id, a.series_position, a.title, a.article_id
           FROM articles_internallink link
           JOIN articles_publishedarticle a
             ON a.article_id = link.source_article_id AND a.published_at <= %(now)s
           LEFT JOIN drugs_publisheddrug hub ON hub.drug_id = a.drug_id
          WHERE link.in_live_copy
            AND (link.target_key = 'condition:' || %(slug)s OR link.target_key IN (
                 SELECT 'condition:' || old.slug FROM articles_oldslug old
                  WHERE old.kind = 'condition' AND old.condition_id = %(pk)s))
          ORDER BY 1, 2, 3, 4, 5
          LIMIT %(offset)s + %(limit)s)
        ORDER BY 1, 2, 3, 4, 5
        OFFSET %(offset)s LIMIT %(limit)s
    )
    SELECT (SELECT json_agg(json_build_array(p.drug_id, p.slug, p.name, p.document,
                                             p.condition_ids) ORDER BY p.name, p.drug_id)
              FROM drug_page p),
           (SELECT json_agg(json_build_array(c.condition_id, c.slug, c.name))
              FROM drugs_publishedcondition c
             WHERE c.condition_id IN (SELECT unnest(p.condition_ids) FROM drug_page p)
               AND c.published_at <= %(now)s),
           (SELECT json_agg(json_build_array(a.article_id, a.slug, a.title, a.lead, a.drug_id,
                                             hub.slug, hub.name, hub.published_at)
                            ORDER BY k.name, k.drug_id, k.series_position, k.title,
                                     k.article_id)
              FROM article_keys k
              JOIN articles_publishedarticle a ON a.article_id = k.article_id
              LEFT JOIN drugs_publisheddrug hub ON hub.drug_id = a.drug_id)
"""


@dataclass(frozen=True)
class ConditionLists:
    """One page of a condition's lists: its drugs' uses for it, and its articles."""

    uses: list[Use]
    articles: list
    has_next: bool


def condition_lists(condition: PublishedCondition, number: int) -> ConditionLists:
    """Page ``number`` of the condition's drugs' uses for it and of its articles: one query."""
    size = CONDITION_PAGE_SIZE
    params = {
        "pk": condition.pk,
        "slug": condition.slug,
        "pattern": _name_pattern(condition.name),
        "now": timezone.now(),
        "offset": (number - 1) * size,
        "limit": size + 1,
    }
    [(drugs, conditions, articles)] = fetch_rows(PublishedDrug, _LISTS_SQL, params)
    drugs, articles = json_value(drugs) or [], json_value(articles) or []
    links = {
        pk: ConditionLink(pk, name, reader_url("condition-detail", slug=slug))
        for pk, slug, name in json_value(conditions) or ()
    }
    shown = [
        loaded(
            PublishedDrug, drug_id=pk, slug=slug, name=name, document=document, condition_ids=ids
        )
        for pk, slug, name, document, ids in drugs[:size]
    ]
    return ConditionLists(
        uses=_uses_for(condition, shown, links),
        articles=_articles(articles[:size]),
        has_next=len(drugs) > size or len(articles) > size,
    )


def _name_pattern(name: str) -> str:
    """A PostgreSQL regex matching the name as whole words, in any case."""
    return r"\m" + re.sub(r"(\W)", r"\\\1", name) + r"\M"


def _uses_for(condition, drugs: list[PublishedDrug], links: dict[int, ConditionLink]):
    """The drugs' uses for the condition: recorded for it, or naming it in their details as
    whole words, in any case."""
    named = re.compile(rf"\b{re.escape(condition.name)}\b", re.IGNORECASE)
    return [
        use
        for drug in drugs
        for use in uses_of(drug, links)
        if use.condition_id == condition.pk or named.search(use.details)
    ]


def _articles(rows) -> list:
    """The listed articles, each with its hub; articles of one drug share it (a page often
    lists several of a drug's articles, and each copy built is a model instance)."""
    hubs: dict = {}
    articles = []
    for pk, slug, title, lead, drug_id, hub_slug, hub_name, hub_published_at in rows:
        if drug_id not in hubs:
            if hub_published_at is not None:  # JSON gives the hub's publish time as ISO text
                hub_published_at = datetime.fromisoformat(hub_published_at)
            hubs[drug_id] = hub_from_columns(drug_id, hub_slug, hub_name, hub_published_at)
        articles.append(
            published_article(article_id=pk, slug=slug, title=title, lead=lead, drug=hubs[drug_id])
        )
    return articles
