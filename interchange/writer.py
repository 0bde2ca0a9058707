"""Writing a checked plan in steps, inside the importer's transaction.

1. Stage: every created or changed row is put in place with its plain values, in bulk
   (conditions; drugs with their brands, formulations and uses; pages; articles). An
   article's review from the file is recorded for the file's text.
2. Articles: save() renders each one's Markdown, sanitises it and records its links as
   the admin does; then the workflow publishes (or unpublishes) it as its record says,
   through the review gate of ``articles.workflow``.
3. Drugs and pages are saved (rendered) once every article is in its final state.
4. Anything whose links point at a record the import touched is rendered again if that
   changes its HTML: an article linking to one later in the file, rows outside the file.
"""

import datetime
import re
from dataclasses import replace

from django.utils import timezone

from articles import workflow
from articles.models import Article, SitePage, SiteSettings, Status
from drugs.models import Condition, Drug
from interchange.drug_writer import BATCH, stage_drugs
from interchange.relink import rerender_links_to


class PublicationRefused(Exception):
    """The workflow refused the status of the article with this slug."""

    def __init__(self, slug: str, message: str):
        super().__init__(message)
        self.slug = slug


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
    drugs = stage_drugs(
        steps_by_kind["drugs"], Condition.objects.in_bulk(wanted, field_name="slug")
    )
    for _ in range(len(steps_by_kind["drugs"]) - len(drugs)):
        tick()  # only their brands, formulations or uses changed: nothing to render
    pages = stage(SitePage, steps_by_kind["pages"], _page_values)
    article_steps = _with_full_rows(targets_first(steps_by_kind["articles"]))
    drug_ids = _ids_by_slug(Drug, {step.record["drug"] for step in article_steps})
    articles = stage(Article, article_steps, lambda r, row: _article_values(r, row, drug_ids))
    promoted = _ids_by_slug(Article, {step.record["promoted_article"] for step in article_steps})
    for article, step in zip(articles, article_steps, strict=True):
        article.promoted_article_id = promoted.get(step.record["promoted_article"] or "")
        article.save()
        settle_publication(article, step.record)
        tick()
    for row in drugs + pages:
        row.save()
        tick()
    touched = {
        f"{kind.removesuffix('s')}:{step.record['slug']}"
        for kind, steps in steps_by_kind.items()
        for step in steps
    }
    written = {
        Drug: {d.pk for d in drugs},
        SitePage: {p.pk for p in pages},
        Article: {a.pk for a in articles},
    }
    return rerender_links_to(touched, written=written)


def _with_full_rows(steps: list) -> list:
    """The plan compared slim rows (exporter.articles_for_export); saving needs whole ones."""
    rows = Article.objects.in_bulk([step.row.pk for step in steps if step.row is not None])
    return [replace(step, row=rows[step.row.pk]) if step.row else step for step in steps]


_ARTICLE_LINK = re.compile(r"(?:article:|/articles/|/drugs/[-\w]+/)([-\w]+)")


def targets_first(steps: list) -> list:
    """Order articles so that one an article links to is usually written before it.

    Links resolve only to live articles, so writing targets first spares most articles
    a second rendering; the links of a cycle are still fixed by the final re-rendering.
    """
    by_slug = {step.record["slug"]: step for step in steps}
    ordered, state = [], {}  # slug -> "open" while its targets are visited, then "done"
    for root in by_slug:
        stack = [(root, iter(_linked_slugs(by_slug[root], by_slug)))]
        state.setdefault(root, "open")
        while stack:
            slug, targets = stack[-1]
            target = next(targets, None)
            if target is None:
                stack.pop()
                if state[slug] == "open":
                    state[slug] = "done"
                    ordered.append(by_slug[slug])
            elif target not in state:
                state[target] = "open"
                stack.append((target, iter(_linked_slugs(by_slug[target], by_slug))))
    return ordered


def _linked_slugs(step, by_slug: dict) -> list[str]:
    found = _ARTICLE_LINK.findall(step.record["body"])
    return [slug for slug in dict.fromkeys(found) if slug in by_slug]


def settle_publication(article: Article, record: dict) -> None:
    """Make the article live, scheduled or unpublished as its record says."""
    at = _datetime(record["published_at"])
    try:
        if record["status"] == Status.PUBLISHED:
            current = article.is_live and not article.has_pending_changes
            if current and article.status == Status.PUBLISHED and article.published_at == at:
                return
            if article.is_live and at > timezone.now():
                workflow.unpublish(article)  # the file schedules a live article again
            workflow.publish(article, at=at)
        elif article.is_live:
            workflow.unpublish(article)
            if record["status"] != article.status:
                article.status = record["status"]
                article.save()
    except workflow.WorkflowError as error:
        raise PublicationRefused(article.slug, str(error)) from None


def stage(model, steps: list, values) -> list:
    """Insert new rows and update changed ones with plain values; no save(), no rendering."""
    rows, new, changed = [], [], []
    now = timezone.now()
    for step in steps:
        row = step.row or model(slug=step.record["slug"])
        for name, value in values(step.record, step.row).items():
            setattr(row, name, value)
        if step.row is None:
            new.append(row)
        else:
            row.updated_at = now
            changed.append(row)
        rows.append(row)
    model.objects.bulk_create(new, batch_size=BATCH)
    if changed:
        fields = [*values(steps[0].record, steps[0].row), "updated_at"]
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


def _condition_values(record: dict, row) -> dict:
    return {"name": record["name"], "summary": record["summary"]}


def _page_values(record: dict, row) -> dict:
    return {
        "title": record["title"],
        "body": record["body"],
        "footer_position": record["footer_position"],
    }


def _article_values(record: dict, row: Article | None, drug_ids: dict[str, int]) -> dict:
    values = {
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
    # The file's review vouches for the file's text, as workflow.record_review would.
    reviewed = bool(record["reviewed_by"] and record["reviewed_on"])
    text = Article(title=values["title"], lead=values["lead"], body=values["body"])
    values["reviewed_hash"] = text.text_hash() if reviewed else ""
    review_changed = row is None or (row.reviewed_by, row.reviewed_on, row.reviewed_hash) != (
        values["reviewed_by"],
        values["reviewed_on"],
        values["reviewed_hash"],
    )
    values["reviewer_id"] = None if review_changed else row.reviewer_id
    return values


def _ids_by_slug(model, slugs: set[str | None]) -> dict[str, int]:
    wanted = [slug for slug in slugs if slug]
    return dict(model.objects.filter(slug__in=wanted).values_list("slug", "pk")) if wanted else {}


def _datetime(text: str | None) -> datetime.datetime | None:
    return datetime.datetime.fromisoformat(text) if text else None


def _date(text: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(text) if text else None
