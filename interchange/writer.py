"""Writing checked records a batch at a time, inside the importer's one transaction.

1. Each batch is staged: created and changed rows put in place with plain values, in
   bulk (conditions; drugs with their brands, formulations and uses; pages; articles).
   An article's review from the file is recorded for the file's text.
2. New articles are rendered once and inserted in bulk, live only when their record
   names a review of their text (``bulk_articles``); changed ones are saved as the admin
   saves them and published or unpublished through ``articles.workflow``.
   Version 2 records never publish their working copy: their ``published`` copy is
   written as the file carries it (``published_writer``), and a review of the working
   text is recorded beside it.
3. At the end: promoted links (their target may come later in the file) and the
   drugs' mechanisms. Rendering never depends on other content (links are resolved when
   readers ask, see content.links), so nothing else is rendered again.
"""

import datetime
from dataclasses import replace

from django.utils import timezone

from articles import workflow
from articles.models import Article, SitePage, SiteSettings, Status
from articles.workflow import build_published_copy
from content import review_workflow
from content.models import OldSlug
from drugs.models import Condition, Drug
from interchange.bulk_articles import create_articles, refresh_brand_names_text, render_mechanisms
from interchange.drug_writer import BATCH, stage_drugs
from interchange.published_writer import (
    article_copies,
    finish_promoted_copies,
    reviewer_ids,
    save_article_copies,
    write_copy,
)


class PublicationRefused(Exception):
    """The workflow refused the status of the article with this slug."""

    def __init__(self, index: int, slug: str, message: str):
        super().__init__(message)
        self.index = index
        self.slug = slug


class BatchWriter:
    """Writes one batch of planned steps at a time; ``finish`` once every batch is in."""

    def __init__(self, version: int = 1):
        self.version = version
        self.copies_pending: list[tuple[int, str]] = []  # (article id, promoted slug), v2
        self.drugs_to_render: list[int] = []
        self.promotions: list[tuple[int, str | None]] = []  # (article id, promoted slug)
        self.publications: list[tuple[type, dict]] = []  # drug hubs, condition pages

    def _publish_later(self, model, steps: list) -> None:
        if self.version == 2:
            self.publications += [(model, s.record) for s in steps]
            return
        self.publications += [(model, s.record) for s in steps if s.record["status"] == "published"]

    def write(self, kind: str, steps: list) -> None:
        getattr(self, f"_write_{kind}")(steps)

    def _write_conditions(self, steps: list) -> None:
        stage(Condition, steps, _condition_values)
        self._publish_later(Condition, steps)

    def _write_drugs(self, steps: list) -> None:
        wanted = {
            use["condition"]
            for step in steps
            for use in step.record["indications"] + step.record["off_label_uses"]
        }
        conditions = Condition.objects.in_bulk(wanted, field_name="slug")
        drugs = stage_drugs(steps, conditions)
        ids = _ids_by_slug(Drug, {step.record["slug"] for step in steps})
        refresh_brand_names_text(list(ids.values()))
        self._publish_later(Drug, steps)
        # Rendered at the end, when the articles their mechanism may link to are in.
        self.drugs_to_render += [drug.pk for drug in drugs]

    def _write_pages(self, steps: list) -> None:
        reviewers = {}
        for page, step in zip(stage(SitePage, steps, _page_values), steps, strict=True):
            page.save()
            if self.version == 1:
                review_workflow.publish(page)  # whoever imports publishes: no review needed
            elif step.record["published"]:
                write_copy(page, step.record["published"], reviewers)

    def _write_articles(self, steps: list) -> None:
        v2 = self.version == 2
        drug_ids = _ids_by_slug(
            Drug,
            {step.record["drug"] for step in steps}
            | {(step.record.get("published") or {}).get("drug") for step in steps},
        )
        created = [step for step in steps if step.row is None]
        rows = create_articles(
            created, lambda r: _article_values(r, None, drug_ids, v2), publish=not v2
        )
        updated = _with_full_rows([step for step in steps if step.row is not None])
        values = _values(drug_ids, v2)
        for article, step in zip(stage(Article, updated, values), updated, strict=True):
            article.save()
            if not v2:
                settle_publication(article, step)
            rows.append(article)
        if v2:
            self._write_article_copies(rows[: len(created)], created, drug_ids, new=True)
            self._write_article_copies(rows[len(created) :], updated, drug_ids, new=False)
        for article, step in zip(rows, created + updated, strict=True):
            if step.record["promoted_article"] or article.promoted_article_id:
                self.promotions.append((article.pk, step.record["promoted_article"]))

    def _write_article_copies(self, rows, steps, drug_ids, *, new: bool) -> None:
        """Version 2: the file's published copies, then each article's status as save()
        would set it (published when readers have exactly its text)."""
        pairs = [(a, s.record["published"]) for a, s in zip(rows, steps, strict=True)]
        pairs = [(article, published) for article, published in pairs if published]
        if pairs:
            reviewers = reviewer_ids([published for _, published in pairs])
            promoted = {published["promoted_article"] for _, published in pairs}
            copies, links = article_copies(
                pairs, reviewers, drug_ids, _ids_by_slug(Article, promoted)
            )
            save_article_copies(copies, links, new=new)
            self.copies_pending += [
                (copy.article_id, published["promoted_article"])
                for copy, (_, published) in zip(copies, pairs, strict=True)
                if published["promoted_article"] and copy.promoted_article_id is None
            ]
        if not new:
            for article, step in zip(rows, steps, strict=True):
                status, published_at = _v2_status(step.record, article)
                if (article.status, article.published_at) != (status, published_at):
                    Article.objects.filter(pk=article.pk).update(
                        status=status, published_at=published_at
                    )

    def finish(self) -> None:
        """Promoted links, drug mechanisms, then the reviewed hubs and condition pages."""
        finish_promoted_copies(self.copies_pending)
        slugs = {slug for _, slug in self.promotions if slug}
        ids = _ids_by_slug(Article, slugs)
        rows = [Article(pk=pk, promoted_article_id=ids.get(slug)) for pk, slug in self.promotions]
        Article.objects.bulk_update(rows, ["promoted_article_id"], batch_size=BATCH)
        promoting = [pk for pk, slug in self.promotions if slug]
        for article in Article.objects.filter(pk__in=promoting).select_related("published"):
            cover_promoted_link(article, copy=self.version == 1)
        render_mechanisms(self.drugs_to_render)
        if self.version == 2:
            self._write_hub_copies()
            return
        for model, record in self.publications:
            publish_reviewed(model.objects.get(slug=record["slug"]), record)

    def _write_hub_copies(self) -> None:
        """Version 2: a review of the working text where the file has one, and the
        file's published copies of drug hubs and condition pages."""
        reviewers = reviewer_ids([r["published"] for _, r in self.publications if r["published"]])
        for model, record in self.publications:
            obj = model.objects.get(slug=record["slug"])
            if record["reviewed_by"]:
                review_workflow.record_review(
                    obj,
                    reviewer_name=record["reviewed_by"],
                    reviewed_on=_date(record["reviewed_on"]),
                )
            if record["published"]:
                write_copy(obj, record["published"], reviewers)


def _values(drug_ids: dict[str, int], v2: bool):
    return lambda record, row: _article_values(record, row, drug_ids, v2)


def _with_full_rows(steps: list) -> list:
    """The plan compared slim rows (exporter.articles_for_export); saving needs whole ones."""
    rows = Article.objects.in_bulk([step.row.pk for step in steps if step.row is not None])
    return [replace(step, row=rows[step.row.pk]) if step.row else step for step in steps]


def cover_promoted_link(article: Article, *, copy: bool = True) -> None:
    """The file's review vouches for the file's promoted link too (the link is set last,
    when its target is in): the review, and the copy it published, cover it."""
    reviewed_without_link = Article(
        title=article.title, lead=article.lead, body=article.body, drug_id=article.drug_id
    ).text_hash()
    if article.reviewed_hash and article.reviewed_hash == reviewed_without_link:
        article.reviewed_hash = article.text_hash()
        Article.objects.filter(pk=article.pk).update(reviewed_hash=article.reviewed_hash)
    published = article.published_copy() if copy else None  # version 2: the file's copy
    if published is not None and published.fingerprint == reviewed_without_link:
        build_published_copy(article, published.text_since, published).save()


def publish_reviewed(obj, record: dict) -> None:
    """Publish a drug hub or condition page with the review its record names (the system
    records it: the file is the reviewer's word)."""
    review_workflow.record_review(
        obj, reviewer_name=record["reviewed_by"], reviewed_on=_date(record["reviewed_on"])
    )
    review_workflow.publish(obj, at=_datetime(record["published_at"]))


def settle_publication(article: Article, step) -> None:
    """Make the article live, scheduled or unpublished as its record says."""
    record = step.record
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
        raise PublicationRefused(step.index, article.slug, str(error)) from None


def release_old_slugs(model, created: list) -> None:
    """New content takes over slugs that used to redirect (as a save() would do)."""
    if created:
        kind = OldSlug.KINDS[model._meta.model_name]
        OldSlug.objects.filter(kind=kind, slug__in=[row.slug for row in created]).delete()


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
    release_old_slugs(model, new)
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


def _v2_status(record: dict, row: Article | None) -> tuple[str, datetime.datetime | None]:
    """Version 2: an article's status and first publish time, as save() keeps them: published
    when its published copy is live with exactly the working text (and where it is shown)."""
    published = record["published"]
    if published is None:  # readers' copy left as it is (or none)
        status = record["status"]
        if row is None and status == Status.PUBLISHED:
            status = Status.DRAFT
        return status, row.published_at if row else None
    document = published["document"]
    same = (document["title"], document["lead"], document["body"]) == (
        record["title"],
        record["summary"],
        record["body"],
    ) and (published["drug"], published["promoted_article"]) == (
        record["drug"],
        record["promoted_article"],
    )
    at = _datetime(published["published_at"])
    if at is not None and same:
        return Status.PUBLISHED, at
    status = Status.DRAFT if record["status"] == Status.PUBLISHED else record["status"]
    return status, at


def _article_values(
    record: dict, row: Article | None, drug_ids: dict[str, int], v2: bool = False
) -> dict:
    values = {
        "title": record["title"],
        "drug_id": drug_ids[record["drug"]] if record["drug"] else None,
        "lead": record["summary"],
        "body": record["body"],
        "status": record["status"],
        "published_at": _datetime(record.get("published_at")),
        "reviewed_by": record["reviewed_by"],
        "reviewed_on": _date(record["reviewed_on"]),
        "series_position": record["series_position"],
        "kind": record["kind"],
        "featured": record["featured"],
    }
    if v2:
        values["status"], values["published_at"] = _v2_status(record, row)
    # The file's review vouches for the file's text, as workflow.record_review would.
    reviewed = bool(record["reviewed_by"] and record["reviewed_on"])
    # Its promoted link is set once every article of the file is in (finish): until then
    # the article has none, and cover_promoted_link() extends the review to it.
    values["promoted_article_id"] = None
    text = Article(
        title=values["title"], lead=values["lead"], body=values["body"], drug_id=values["drug_id"]
    )
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
