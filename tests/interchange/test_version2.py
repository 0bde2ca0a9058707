"""Format version 2: working and published copies with their review, checked by fingerprint."""

import datetime
import json

from django.contrib.auth import get_user_model

from articles import workflow
from articles.models import Article, PublishedArticle, SitePage, SiteSettings
from content import review_workflow
from drugs.models import Condition, Drug, PublishedDrug
from interchange.demo import seed_demo
from interchange.exporter import dumps, export_document
from interchange.importer import import_content
from tests.interchange.documents import document, encode


def _empty_database() -> None:
    for model in (Article, Drug, Condition, SitePage, SiteSettings):
        model.objects.all().delete()


def _site_with_pending_edits() -> None:
    """A hub with an unreviewed edit, a scheduled article, an unpublished draft."""
    assert import_content(encode(document())).ok  # version 1: baclofen hub published
    baclofen = Drug.objects.get(slug="baclofen")
    baclofen.summary = "A muscle relaxant, edited after review."
    baclofen.save()
    reviewer = get_user_model().objects.create(username="jroe")
    copy = Article.objects.get(slug="baclofen-uses").published
    copy.reviewer = reviewer
    copy.save()
    draft = Article.objects.get(slug="how-does-baclofen-work")
    assert draft.published_copy() is None


def test_export_writes_version_2_with_both_copies_and_the_review(db):
    _site_with_pending_edits()

    doc = export_document()

    assert doc["version"] == 2
    baclofen = next(d for d in doc["drugs"] if d["slug"] == "baclofen")
    assert baclofen["summary"] == "A muscle relaxant, edited after review."
    assert baclofen["published"]["document"]["summary"] == "A muscle relaxant."
    assert baclofen["published"]["review"]["reviewed_by"] == "Jane Doe, MD"
    uses = next(a for a in doc["articles"] if a["slug"] == "baclofen-uses")
    assert uses["published"]["review"]["reviewer"] == "jroe"
    draft = next(a for a in doc["articles"] if a["slug"] == "how-does-baclofen-work")
    assert draft["published"] is None


def test_round_trip_with_pending_edits_is_byte_identical(db):
    _site_with_pending_edits()
    first = dumps(export_document())

    _empty_database()
    get_user_model().objects.all().delete()
    result = import_content(first.encode())

    assert result.ok, [str(e) for e in result.errors]
    assert dumps(export_document()) == first
    baclofen = Drug.objects.select_related("published").get(slug="baclofen")
    assert baclofen.published.document["summary"] == "A muscle relaxant."
    assert baclofen.text_hash() != baclofen.published.fingerprint  # the edit is still pending
    reviewer = get_user_model().objects.get(username="jroe")
    assert not reviewer.is_active and not reviewer.has_usable_password()
    assert import_content(first.encode()).total.updated == 0


def test_a_published_copy_whose_text_was_changed_is_refused_and_nothing_written(db):
    _site_with_pending_edits()
    doc = json.loads(dumps(export_document()))
    _empty_database()
    index = next(i for i, d in enumerate(doc["drugs"]) if d["slug"] == "baclofen")
    doc["drugs"][index]["published"]["document"]["summary"] = "Cures everything."

    result = import_content(encode(doc))

    assert [str(e) for e in result.errors] == [
        f'drugs[{index}] (slug "baclofen"): published.review.fingerprint: '
        "does not match the published text"
    ]
    assert not Drug.objects.exists() and not Article.objects.exists()


def test_an_import_never_publishes_a_working_copy(db):
    doc = json.loads(dumps(export_document()))
    doc["conditions"] = [{"slug": "spasticity", "name": "Spasticity"}]
    doc["drugs"] = [
        {"slug": "baclofen", "name": "Baclofen", "reviewed_by": "Jane Doe, MD",
         "reviewed_on": "2026-01-02"},
    ]  # fmt: skip
    doc["articles"] = [
        {"slug": "a", "title": "A", "status": "published", "reviewed_by": "Jane Doe, MD",
         "reviewed_on": "2026-01-02"},
    ]  # fmt: skip
    doc["pages"] = [{"slug": "terms", "title": "Terms"}]

    result = import_content(encode(doc))

    assert result.ok, [str(e) for e in result.errors]
    assert Drug.objects.get().has_current_review  # the review is recorded, not published
    assert not PublishedDrug.objects.exists() and not PublishedArticle.objects.exists()
    assert Article.objects.get().status == "draft"
    assert not SitePage.objects.filter(published__isnull=False).exists()


def test_unknown_keys_in_published_and_review_are_errors(db):
    _site_with_pending_edits()
    doc = json.loads(dumps(export_document()))
    doc["drugs"][0]["published"]["colour"] = "red"
    doc["drugs"][0]["published"]["review"]["signed"] = True
    doc["drugs"][0]["published"]["document"]["extra"] = ""

    errors = {(e.field, e.message) for e in import_content(encode(doc)).errors}

    assert ("published.colour", "is not a known key") in errors
    assert ("published.review.signed", "is not a known key") in errors
    assert ("published.document.extra", "is not a known key") in errors


def test_version_1_files_still_import_and_publish_reviewed_records(db):
    result = import_content(encode(document()))

    assert result.ok
    assert PublishedDrug.objects.get().drug.slug == "baclofen"
    assert PublishedArticle.objects.get().slug == "baclofen-uses"
    assert import_content(encode(document())).total.updated == 0


def test_seed_demo_is_version_2_and_idempotent(db):
    assert seed_demo().ok
    again = seed_demo()

    assert again.ok and again.total.created == again.total.updated == 0
    hub = PublishedDrug.objects.visible().get(slug="baclofen")
    assert hub.reviewed_by == "Helen Marsh, MD"


def test_a_scheduled_article_stays_scheduled_through_a_round_trip(db):
    assert import_content(encode(document())).ok
    article = Article.objects.get(slug="how-does-baclofen-work")
    workflow.record_review(article, reviewer_name="Ann Lee, MD")
    future = datetime.datetime(2099, 1, 1, 9, tzinfo=datetime.UTC)
    workflow.publish(Article.objects.get(pk=article.pk), at=future)
    page = SitePage.objects.get()
    review_workflow.publish(page)
    first = dumps(export_document())

    _empty_database()
    assert import_content(first.encode()).ok

    assert dumps(export_document()) == first
    copy = PublishedArticle.objects.get(slug="how-does-baclofen-work")
    assert copy.published_at == future and copy.article.status == "published"
