"""New articles and drug mechanisms in bulk: rendered once, inserted per batch.

An article created through ``save()`` and then ``workflow.publish()`` is rendered twice
and costs a handful of queries; at 100,000 articles that is most of an import. Here a
new article is rendered once, its readers' copy is built by ``workflow.build_published_copy``
only when its record names a review of exactly this text (the review gate: reviewed
hash = text hash, and the database's constraint checks the live copy is reviewed), and
a batch goes in with one ``bulk_create`` and its links with another.
"""

from django.db.models import OuterRef, StringAgg, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from articles.models import Article, PublishedArticle, Status
from articles.workflow import build_published_copy
from content.link_records import record_links_of_many
from content.markup import html_to_text, render_markdown
from content.models import OldSlug
from drugs.models import BrandName, Drug

BATCH = 1000


def create_articles(steps: list, values, *, publish: bool = True) -> list[Article]:
    """Insert the articles of created steps; values(record) gives the plain field values.

    publish: version 1, a published record's working copy goes live (its review is the
    file's); version 2 writes the file's published copies itself (``published_writer``).
    """
    now = timezone.now()
    rows, links, published = [], [], set()
    for step in steps:
        article = Article(slug=step.record["slug"], **values(step.record))
        rendered = render_markdown(article.body)
        article.body_html = rendered.html
        article.body_text = html_to_text(rendered.html)
        article.toc = rendered.toc
        if article.status == Status.PUBLISHED and publish:
            if not article.has_current_review:  # the schema requires a review; the gate holds
                article.status = Status.DRAFT
            else:
                published.add(article.slug)
        rows.append(article)
        links.append(rendered.links)
    Article.objects.bulk_create(rows, batch_size=BATCH)
    live = [row for row in rows if row.slug in published]
    PublishedArticle.objects.bulk_create(
        [build_published_copy(row, row.published_at or now) for row in live], batch_size=BATCH
    )
    OldSlug.objects.filter(kind="article", slug__in=[row.slug for row in rows]).delete()
    pairs = list(zip(rows, links, strict=True))
    record_links_of_many(pairs, new=True)
    # A published record's readers' copy is its text: the same links, for Referring Pages.
    pairs = [(a, found) for a, found in pairs if a.slug in published]
    record_links_of_many(pairs, new=True, live=True)
    return rows


def render_mechanisms(drug_ids: list[int]) -> None:
    """Render the mechanism of these drugs and record its links, a batch at a time."""
    for start in range(0, len(drug_ids), BATCH):
        drugs = list(Drug.objects.filter(pk__in=drug_ids[start : start + BATCH]))
        rendered = [render_markdown(drug.mechanism) for drug in drugs]
        for drug, result in zip(drugs, rendered, strict=True):
            drug.mechanism_html = result.html
        Drug.objects.bulk_update(drugs, ["mechanism_html"], batch_size=BATCH)
        record_links_of_many([(d, r.links) for d, r in zip(drugs, rendered, strict=True)])


def refresh_brand_names_text(drug_ids: list[int]) -> None:
    """Drug.brand_names_text (searched by readers) from brands inserted in bulk."""
    names = (
        BrandName.objects.filter(drug=OuterRef("pk"))
        .values("drug")
        .annotate(text=StringAgg("name", Value(" "), order_by="name"))
        .values("text")
    )
    Drug.objects.filter(pk__in=drug_ids).update(
        brand_names_text=Coalesce(Subquery(names), Value(""))
    )
