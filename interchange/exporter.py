"""The database as a format-2 document: deterministic, so exports can be compared.

The record functions here define the canonical shape of each kind, in both versions
(``*_record`` version 1, ``*_record_v2`` version 2, which adds the published copy). The
importer compares a record read from a file with the record of the row in the database,
in the file's version, so a row is only written when its export would change.
"""

import json

from articles.models import Article, SitePage, SiteSettings
from drugs.models import Condition, Drug
from interchange.fields import format_datetime
from interchange.published_export import condition_slugs_of, published_record
from interchange.schema import FORMAT, VERSION


def site_record(settings: SiteSettings) -> dict:
    return {
        "name": settings.site_name,
        "owner": settings.owner,
        "copyright_start_year": settings.copyright_start_year,
        "disclaimer": settings.disclaimer,
        "tagline": settings.tagline,
    }


def condition_record(condition: Condition) -> dict:
    record = {"slug": condition.slug, "name": condition.name, "summary": condition.summary}
    return record | publication_record(condition)


def publication_record(obj) -> dict:
    """Published when readers have exactly the working text; the review when it is current.

    Needs ``published`` loaded with obj (``select_related``).
    """
    text_hash = obj.text_hash()
    copy = getattr(obj, "published", None)
    if copy is not None and copy.fingerprint == text_hash and copy.reviewed_on:
        return {
            "status": "published",
            "published_at": format_datetime(copy.published_at),
            "reviewed_by": copy.reviewed_by,
            "reviewed_on": copy.reviewed_on.isoformat(),
        }
    reviewed = obj.reviewed_on is not None and obj.reviewed_hash == text_hash
    return {
        "status": "draft",
        "published_at": None,
        "reviewed_by": obj.reviewed_by if reviewed else "",
        "reviewed_on": obj.reviewed_on.isoformat() if reviewed else None,
    }


def working_review(obj) -> dict:
    """Version 2: the review of the working text, while it is current."""
    reviewed = obj.reviewed_on is not None and obj.reviewed_hash == obj.text_hash()
    return {
        "reviewed_by": obj.reviewed_by if reviewed else "",
        "reviewed_on": obj.reviewed_on.isoformat() if reviewed else None,
    }


def conditions_for_export():
    return Condition.objects.select_related("published__reviewer")


def condition_record_v2(condition: Condition) -> dict:
    record = {"slug": condition.slug, "name": condition.name, "summary": condition.summary}
    copy = getattr(condition, "published", None)
    return record | working_review(condition) | {"published": published_record("conditions", copy)}


def drug_record_v2(drug: Drug, condition_slugs: dict[int, str]) -> dict:
    """Needs the prefetches of drugs_for_export() and condition_slugs_of() its copy."""
    record = drug_record(drug)
    for key in ("status", "published_at", "reviewed_by", "reviewed_on"):
        del record[key]
    copy = getattr(drug, "published", None)
    return (
        record
        | working_review(drug)
        | {"published": published_record("drugs", copy, condition_slugs)}
    )


def drugs_v2(drugs) -> list[dict]:
    drugs = list(drugs)
    slugs = condition_slugs_of(getattr(d, "published", None) for d in drugs)
    return [drug_record_v2(drug, slugs) for drug in drugs]


def drugs_for_export():
    """Drugs with everything drug_record reads, in a fixed number of queries."""
    return Drug.objects.select_related("published__reviewer").prefetch_related(
        "brand_names",
        "formulations__brand_names",
        "indications__condition",
        "indications__formulations",
    )


def drug_record(drug: Drug) -> dict:
    """Needs the prefetches of drugs_for_export()."""
    formulations = sorted(drug.formulations.all(), key=lambda f: (f.position, f.name, f.pk))
    order = {f.pk: position for position, f in enumerate(formulations)}
    uses = sorted(drug.indications.all(), key=lambda i: (i.position, i.pk))
    return {
        "slug": drug.slug,
        "name": drug.name,
        "brand_names": sorted(str(brand) for brand in drug.brand_names.all()),
        "drug_class": drug.drug_class,
        "availability": drug.availability,
        "summary": drug.summary,
        "mechanism": drug.mechanism,
        "formulations": [
            {
                "name": f.name,
                "route": f.route,
                "strengths": list(f.strengths),
                "brand_names": sorted(str(brand) for brand in f.brand_names.all()),
            }
            for f in formulations
        ],
        "indications": [
            {
                "condition": use.condition.slug,
                "details": use.details,
                "formulations": [
                    f.name for f in sorted(use.formulations.all(), key=lambda f: order[f.pk])
                ],
            }
            for use in uses
            if not use.off_label
        ],
        "off_label_uses": [
            {"condition": use.condition.slug, "details": use.details}
            for use in uses
            if use.off_label
        ],
    } | publication_record(drug)


def articles_for_export():
    """Only the columns article_record reads: an article row also carries its rendered
    HTML, the readers' copy and search vectors, several times the size of its text."""
    return Article.objects.select_related("drug", "promoted_article").only(
        "slug", "title", "drug__slug", "lead", "body", "status", "published_at",
        "reviewed_by", "reviewed_on", "reviewed_hash", "series_position", "kind", "featured",
        "promoted_article__slug",
    )  # fmt: skip


def articles_for_export_v2():
    """articles_for_export() and the published copy, without its rendered HTML."""
    return articles_for_export().select_related(
        "published__drug", "published__promoted_article", "published__reviewer"
    ).only(
        "slug", "title", "drug__slug", "lead", "body", "status", "published_at",
        "reviewed_by", "reviewed_on", "reviewed_hash", "series_position", "kind", "featured",
        "promoted_article__slug", "published__slug", "published__drug__slug",
        "published__promoted_article__slug", "published__series_position", "published__kind",
        "published__featured", "published__published_at", "published__text_since",
        "published__reviewer__username", "published__reviewed_by", "published__reviewed_on",
        "published__document",
    )  # fmt: skip


def article_record_v2(article: Article) -> dict:
    """Needs the select_related of articles_for_export_v2(). The status is the working
    copy's; published_at is the published copy's (in ``published``)."""
    record = article_record(article)
    del record["published_at"]
    copy = getattr(article, "published", None)
    return record | {"published": published_record("articles", copy)}


def page_record_v2(page: SitePage) -> dict:
    copy = getattr(page, "published", None)
    return page_record(page) | {"published": published_record("pages", copy)}


def pages_for_export():
    return SitePage.objects.select_related("published")


def article_record(article: Article) -> dict:
    """Needs the select_related of articles_for_export().

    A review is exported only while it vouches for the exported text: a review of an
    older text must not arrive elsewhere as a review of this one.
    """
    reviewed = article.has_current_review
    return {
        "slug": article.slug,
        "title": article.title,
        "drug": article.drug.slug if article.drug_id else None,
        "summary": article.lead,
        "body": article.body,
        "status": article.status,
        "published_at": format_datetime(article.published_at) if article.published_at else None,
        "reviewed_by": article.reviewed_by if reviewed else "",
        "reviewed_on": article.reviewed_on.isoformat() if reviewed else None,
        "series_position": article.series_position,
        "kind": article.kind,
        "featured": article.featured,
        "promoted_article": (
            article.promoted_article.slug if article.promoted_article_id else None
        ),
    }


def page_record(page: SitePage) -> dict:
    return {
        "slug": page.slug,
        "title": page.title,
        "body": page.body,
        "footer_position": page.footer_position,
    }


def export_document(*, drug_slug: str | None = None) -> dict:
    """The whole site, or one drug with its articles and the conditions it names.

    A drug's export also carries the standalone articles its articles promote; a
    promoted article of another drug stays a reference to a row the target must have.

    Raises Drug.DoesNotExist for an unknown drug_slug.
    """
    document: dict = {"format": FORMAT, "version": VERSION}
    if drug_slug is None:
        settings = SiteSettings.objects.filter(pk=1).first()
        if settings is not None:
            document["site"] = site_record(settings)
        conditions = conditions_for_export()
        drugs = drugs_for_export()
        articles = articles_for_export_v2()
    else:
        drug = drugs_for_export().get(slug=drug_slug)
        drugs = [drug]
        conditions = conditions_for_export().filter(indications__drug=drug).distinct()
        own = list(articles_for_export_v2().filter(drug=drug))
        # A standalone article the drug's articles promote travels with them.
        promoted = {a.promoted_article_id for a in own} - {a.pk for a in own} - {None}
        articles = own + list(articles_for_export_v2().filter(pk__in=promoted, drug=None))
    document["conditions"] = _by_slug(condition_record_v2(c) for c in conditions)
    document["drugs"] = _by_slug(drugs_v2(drugs))
    document["articles"] = _by_slug(article_record_v2(a) for a in articles)
    if drug_slug is None:
        document["pages"] = _by_slug(page_record_v2(p) for p in pages_for_export())
    return document


def dumps(document: dict) -> str:
    """UTF-8 text, two-space indent, a final newline: the same bytes for the same content."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _by_slug(records) -> list[dict]:
    return sorted(records, key=lambda record: record["slug"])
