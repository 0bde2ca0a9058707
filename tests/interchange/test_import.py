"""import_content: create, update, leave unchanged, and render like the admin does."""

import json

from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Article, PublishedArticle, SitePage, SiteSettings
from content.links import resolve_stored_links
from content.models import InternalLink
from drugs.models import BrandName, Condition, Drug, Formulation, Indication
from interchange.exporter import dumps, export_document
from interchange.importer import import_content
from tests import factories
from tests.interchange.documents import document, encode

WRITES = ("INSERT", "UPDATE", "DELETE")


def writes_in(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(WRITES)]


def test_import_creates_every_kind_from_a_document(db):
    result = import_content(encode(document()))

    assert result.ok, result.errors
    assert {kind: counts.created for kind, counts in result.counts.items()} == {
        "site": 1, "conditions": 2, "drugs": 2, "articles": 2, "pages": 1,
    }  # fmt: skip
    baclofen = Drug.objects.get(slug="baclofen")
    tablet = baclofen.formulations.get(name="Tablet")
    assert tablet.strengths == ["5 mg", "10 mg"]
    assert [str(b) for b in tablet.brand_names.all()] == ["Lioresal®"]
    assert BrandName.objects.get(name="Gablofen").mark == "®"
    use = baclofen.indications.approved().get()
    assert (use.condition.slug, use.details) == ("spasticity", "due to multiple sclerosis")
    assert [f.name for f in use.formulations.all()] == ["Tablet"]
    assert baclofen.indications.off_label().get().condition.name == "Chronic hiccups"
    article = Article.objects.get(slug="baclofen-uses")
    assert (article.lead, article.reviewed_by) == ("For spasticity.", "Jane Doe, MD")
    assert Article.objects.get(slug="how-does-baclofen-work").status == "draft"
    assert SiteSettings.load().owner == "Example Health, Inc."


def test_second_import_of_the_same_file_is_unchanged_and_writes_nothing(db):
    data = encode(document())
    import_content(data)

    with CaptureQueriesContext(connection) as queries:
        result = import_content(data)

    assert result.ok
    assert (result.total.created, result.total.updated, result.total.unchanged) == (0, 0, 8)
    assert writes_in(queries) == []


def test_dry_run_counts_but_writes_nothing(db):
    with CaptureQueriesContext(connection) as queries:
        result = import_content(encode(document()), dry_run=True)

    assert result.ok and result.total.created == 8
    assert result.summary().startswith("Dry run, nothing written: 8 created")
    assert writes_in(queries) == []
    assert not Drug.objects.exists() and not SiteSettings.objects.exists()


def test_changed_record_is_updated_and_the_rest_left_alone(db):
    import_content(encode(document()))
    untouched = Article.objects.get(slug="how-does-baclofen-work").updated_at
    doc = document()
    doc["articles"][0]["title"] = "What Is Baclofen Used For, Really?"

    result = import_content(encode(doc))

    assert result.counts["articles"].updated == 1
    assert result.counts["articles"].unchanged == 1
    assert result.counts["drugs"].unchanged == 2
    assert Article.objects.get(slug="baclofen-uses").title.endswith("Really?")
    assert Article.objects.get(slug="how-does-baclofen-work").updated_at == untouched


def test_drug_update_edits_children_in_place_and_removes_the_unlisted(db):
    import_content(encode(document()))
    tablet_id = Formulation.objects.get(name="Tablet").pk
    doc = document()
    drug = doc["drugs"][0]
    drug["brand_names"] = ["Lioresal™"]
    drug["formulations"] = [
        {"name": "Tablet", "route": "oral", "strengths": ["20 mg"], "brand_names": ["Lioresal™"]}
    ]
    drug["indications"][0]["details"] = "due to spinal cord injury"
    drug["off_label_uses"] = []

    result = import_content(encode(doc))

    assert result.counts["drugs"].updated == 1
    baclofen = Drug.objects.get(slug="baclofen")
    assert [str(b) for b in baclofen.brand_names.all()] == ["Lioresal™"]
    tablet = baclofen.formulations.get()
    assert (tablet.pk, tablet.strengths) == (tablet_id, ["20 mg"])
    assert Indication.objects.filter(drug=baclofen).get().details == "due to spinal cord injury"
    assert import_content(encode(doc)).total.updated == 0


def test_links_between_articles_of_one_import_resolve(db):
    result = import_content(encode(_published_pair()))

    assert result.ok
    uses = PublishedArticle.objects.visible().get(slug="baclofen-uses")
    assert (
        'href="/drugs/baclofen/how-does-baclofen-work/"' in resolve_stored_links(uses.body_html)[0]
    )
    link = InternalLink.objects.get(source_article_id=uses.pk, in_live_copy=True)
    assert link.target_key == "article:how-does-baclofen-work"


def test_an_existing_broken_link_resolves_once_its_target_is_imported(db):
    older = factories.ArticleFactory(body="See [the uses](article:baclofen-uses).")
    assert "<a" not in resolve_stored_links(older.body_html)[0]

    import_content(encode(_published_pair()))

    as_readers_see_it = PublishedArticle.objects.visible().get(pk=older.pk)
    assert (
        'href="/drugs/baclofen/baclofen-uses/"'
        in resolve_stored_links(as_readers_see_it.body_html)[0]
    )


def test_published_record_goes_live_through_the_review_gate(db):
    import_content(encode(document()))

    article = Article.objects.get(slug="baclofen-uses")
    assert article.is_live and article.has_current_review
    assert PublishedArticle.objects.visible().filter(slug="baclofen-uses").exists()
    assert not PublishedArticle.objects.visible().filter(slug="how-does-baclofen-work").exists()


def test_draft_record_unpublishes_a_live_article(db):
    import_content(encode(document()))
    doc = document()
    doc["articles"][0]["status"] = "draft"

    result = import_content(encode(doc))

    assert result.counts["articles"].updated == 1
    assert not PublishedArticle.objects.visible().exists()
    assert Article.objects.get(slug="baclofen-uses").status == "draft"
    assert import_content(encode(doc)).total.updated == 0


def test_future_publish_time_schedules_the_article(db):
    doc = document()
    doc["articles"][0]["published_at"] = "2999-01-01T00:00:00Z"

    assert import_content(encode(doc)).ok

    assert Article.objects.get(slug="baclofen-uses").status == "published"
    assert not PublishedArticle.objects.visible().exists()
    assert import_content(encode(doc)).total.updated == 0


def test_promoted_article_later_in_the_file_is_linked(db):
    doc = _published_pair()
    doc["articles"][0]["promoted_article"] = "how-does-baclofen-work"

    assert import_content(encode(doc)).ok
    uses = Article.objects.get(slug="baclofen-uses")
    assert uses.promoted_article.slug == "how-does-baclofen-work"


def test_imported_markdown_is_sanitised_like_the_admin(db):
    doc = document()
    doc["pages"][0]["body"] = "Hi <script>alert(1)</script>[x](javascript:alert(1))"

    import_content(encode(doc))

    html = SitePage.objects.get(slug="terms").body_html
    assert "<script" not in html and 'href="javascript' not in html


def test_text_is_normalised_to_nfc_and_one_micro_sign(db):
    doc = document()
    doc["conditions"][0]["name"] = "Spasticite\u0301"
    doc["drugs"][0]["formulations"][0]["strengths"] = ["50 \u00b5g"]

    import_content(encode(doc))

    assert Condition.objects.get(slug="spasticity").name == "Spasticit\u00e9"
    assert Formulation.objects.get(name="Tablet").strengths == ["50 \u03bcg"]
    assert import_content(encode(doc)).total.updated == 0


def test_non_ascii_marks_markdown_and_empty_fields_survive_a_round_trip(db):
    doc = document()
    doc["drugs"][1].update(name="Tizanidine (Zanaflex™ — «Ω»)", brand_names=["Zanaflex™"])
    doc["articles"][1]["body"] = (
        "## Tableau\n\n| a | b |\n| --- | --- |\n| é | 日本 |\n\nNote[^1].\n\n[^1]: Fußnote\n"
    )
    doc["articles"][1]["summary"] = ""
    import_content(encode(doc))
    first = dumps(export_document())

    _empty_database()
    assert import_content(first.encode()).ok

    assert dumps(export_document()) == first
    exported = json.loads(first)
    tizanidine = next(d for d in exported["drugs"] if d["slug"] == "tizanidine")
    assert tizanidine["brand_names"] == ["Zanaflex™"]
    assert tizanidine["name"] == "Tizanidine (Zanaflex™ — «Ω»)"
    work = next(a for a in exported["articles"] if a["slug"] == "how-does-baclofen-work")
    assert work["body"] == doc["articles"][1]["body"]
    assert (work["summary"], work["drug"], work["published"]) == ("", "baclofen", None)
    assert "日本" in first  # UTF-8, not \\u escapes


def test_export_of_rows_made_in_the_admin_imports_back_unchanged(db):
    drug = factories.DrugFactory(slug="zz", name="Zz")
    factories.FormulationFactory(drug=drug, name="B form")
    factories.FormulationFactory(drug=drug, name="A form")
    factories.ArticleFactory(drug=drug)

    result = import_content(dumps(export_document()).encode())

    assert result.total.created == result.total.updated == 0


def _published_pair() -> dict:
    doc = document()
    doc["articles"][1].update(
        status="published",
        published_at="2026-01-01T00:00:00+01:00",
        reviewed_by="John Roe, MD",
        reviewed_on="2026-01-01",
    )
    return doc


def _empty_database() -> None:
    Article.objects.all().delete()
    Drug.objects.all().delete()
    Condition.objects.all().delete()
    SitePage.objects.all().delete()
    SiteSettings.objects.all().delete()


def test_a_review_of_an_older_text_is_not_exported_as_a_review_of_this_one(db):
    article = factories.ArticleFactory(slug="dose", body="Take 5 mg.")
    edited = Article.objects.get(pk=article.pk)
    edited.body = "Take 500 mg."  # a pending edit nobody reviewed
    edited.save()
    record = next(a for a in export_document()["articles"] if a["slug"] == "dose")
    assert record["body"] == "Take 500 mg."
    assert record["reviewed_by"] == "" and record["reviewed_on"] is None
    assert record["status"] != "published"


def test_an_imported_review_covers_the_records_promoted_link_and_primary_drug(db):
    doc = _published_pair()
    doc["articles"][0]["promoted_article"] = "how-does-baclofen-work"
    import_content(encode(doc))
    uses = Article.objects.select_related("published").get(slug="baclofen-uses")
    assert uses.promoted_article.slug == "how-does-baclofen-work"
    assert uses.has_current_review and not uses.has_pending_changes
    assert uses.published.promoted_article_id == uses.promoted_article_id
    assert import_content(encode(doc)).total.updated == 0
