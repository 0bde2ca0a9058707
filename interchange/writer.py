"""Writing a checked plan in three steps, inside the importer's transaction.

1. Stage: every created or changed row is put in place with its plain values, in bulk
   (conditions; drugs with their brands, formulations and uses; pages; articles).
2. Render: save() on each written drug, page and article renders its Markdown,
   sanitises it and records its links exactly as the admin does. Every row of the file
   exists by now, so a link to a record later in the file resolves at once.
3. Re-render rows outside the file whose links point at something the import touched.
"""

import datetime

from django.utils import timezone

from articles.models import Article, SitePage, SiteSettings
from drugs.models import Condition, Drug
from interchange.drug_writer import BATCH, stage_drugs
from interchange.relink import rerender_links_to

ARTICLE_FIELDS = [
    "title", "drug", "lead", "body", "status", "published_at", "reviewed_by", "reviewed_on",
    "series_position", "featured", "updated_at",
]  # fmt: skip


def write_changes(site, steps_by_kind: dict[str, list], tick) -> int:
    """Write what the plan says changed; return how many other rows were re-rendered."""
    if site is not None:
        write_site(site.record, site.row)
    conditions = stage(Condition, steps_by_kind["conditions"], _condition_values)
    for _ in conditions:
        tick()
    wanted = {
        use["condition"]
        for step in steps_by_kind["drugs"]
        for use in step.record["indications"] + step.record["off_label_uses"]
    }
    to_render: list = stage_drugs(
        steps_by_kind["drugs"], Condition.objects.in_bulk(wanted, field_name="slug")
    )
    for _ in range(len(steps_by_kind["drugs"]) - len(to_render)):
        tick()  # only their brands, formulations or uses changed: nothing to render
    to_render += stage(SitePage, steps_by_kind["pages"], _page_values)
    article_steps = steps_by_kind["articles"]
    drug_ids = _ids_by_slug(Drug, {step.record["drug"] for step in article_steps})
    articles = stage(Article, article_steps, lambda r: _article_values(r, drug_ids))
    promoted = _ids_by_slug(Article, {step.record["promoted_article"] for step in article_steps})
    for article, step in zip(articles, article_steps, strict=True):
        article.promoted_article_id = promoted.get(step.record["promoted_article"] or "")
    to_render += articles
    for row in to_render:
        row.save()
        tick()
    written = {row._meta.model: set() for row in to_render}
    for row in to_render:
        written[row._meta.model].add(row.pk)
    touched = {
        f"{kind.removesuffix('s')}:{step.record['slug']}"
        for kind, steps in steps_by_kind.items()
        for step in steps
    }
    return rerender_links_to(touched, skip=written)


def stage(model, steps: list, values) -> list:
    """Insert new rows and update changed ones with plain values; no save(), no rendering."""
    rows, new, changed = [], [], []
    now = timezone.now()
    for step in steps:
        row = step.row or model(slug=step.record["slug"])
        for name, value in values(step.record).items():
            setattr(row, name, value)
        if step.row is None:
            new.append(row)
        else:
            row.updated_at = now
            changed.append(row)
        rows.append(row)
    model.objects.bulk_create(new, batch_size=BATCH)
    if changed:
        fields = [*values(steps[0].record), "updated_at"]
        model.objects.bulk_update(changed, fields, batch_size=BATCH)
    return rows


def write_site(record: dict, row: SiteSettings | None) -> None:
    settings = row or SiteSettings()
    settings.site_name = record["name"]
    settings.owner = record["owner"]
    settings.copyright_start_year = record["copyright_start_year"]
    settings.disclaimer = record["disclaimer"]
    settings.tagline = record["tagline"]
    settings.save()


def _condition_values(record: dict) -> dict:
    return {"name": record["name"], "summary": record["summary"]}


def _page_values(record: dict) -> dict:
    return {
        "title": record["title"],
        "body": record["body"],
        "footer_position": record["footer_position"],
    }


def _article_values(record: dict, drug_ids: dict[str, int]) -> dict:
    return {
        "title": record["title"],
        "drug_id": drug_ids[record["drug"]] if record["drug"] else None,
        "lead": record["summary"],
        "body": record["body"],
        "status": record["status"],
        "published_at": _datetime(record["published_at"]),
        "reviewed_by": record["reviewed_by"],
        "reviewed_on": _date(record["reviewed_on"]),
        "series_position": record["series_position"],
        "featured": record["featured"],
    }


def _ids_by_slug(model, slugs: set[str | None]) -> dict[str, int]:
    wanted = [slug for slug in slugs if slug]
    return dict(model.objects.filter(slug__in=wanted).values_list("slug", "pk")) if wanted else {}


def _datetime(text: str | None) -> datetime.datetime | None:
    return datetime.datetime.fromisoformat(text) if text else None


def _date(text: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(text) if text else None
