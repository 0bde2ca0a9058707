"""The demo site: loaded through the importer, idempotent, and a faithful round trip."""

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.links import link_works
from articles.models import Article, PublishedArticle, SitePage, SiteSettings
from content.links import resolve_stored_links
from content.models import InternalLink
from drugs.models import Condition, Drug
from interchange.demo import DEMO_FILE, seed_demo
from interchange.exporter import dumps, export_document
from interchange.importer import import_content
from pages.views import referring_pages

WRITES = ("INSERT", "UPDATE", "DELETE")


def test_seed_demo_creates_the_demo_site(db):
    result = seed_demo()

    assert result.ok, [str(e) for e in result.errors]
    assert result.total.updated == result.total.unchanged == 0
    baclofen = Drug.objects.get(slug="baclofen")
    assert sorted(str(b) for b in baclofen.brand_names.all()) == ["Gablofen®", "Lioresal®"]
    assert baclofen.indications.approved().count() == 2
    assert baclofen.indications.off_label().count() == 3
    assert PublishedArticle.objects.visible().filter(drug=baclofen).count() >= 4
    assert SiteSettings.load().owner == "MedInfo Health Publishing"
    assert list(SitePage.objects.values_list("slug", flat=True)) == [
        "terms", "advertise", "contact", "about", "privacy",
    ]  # fmt: skip


def test_links_between_articles_of_the_demo_all_resolve(db):
    seed_demo()

    assert not InternalLink.objects.annotate(works=link_works()).filter(works=False).exists()
    uses = PublishedArticle.objects.visible().get(slug="baclofen-uses")
    html = resolve_stored_links(uses.body_html)[0]
    assert 'href="/drugs/baclofen/how-does-baclofen-work/"' in html
    assert uses.promoted_article.drug is None
    assert referring_pages(uses)


def test_seed_demo_twice_changes_nothing_and_writes_nothing(db):
    seed_demo()

    with CaptureQueriesContext(connection) as queries:
        result = seed_demo()

    assert result.total.created == result.total.updated == 0
    assert not [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(WRITES)]


def test_seed_demo_command_prints_the_summary(db, capsys):
    call_command("seed_demo")
    call_command("seed_demo")

    out = capsys.readouterr().out.splitlines()
    assert "0 created, 0 updated, 33 unchanged, 0 errors" in out[-1]


def test_demo_round_trip_is_byte_identical(db):
    seed_demo()
    first = dumps(export_document())

    # Articles first: they protect their drug, and drugs their conditions.
    for model in (Article, Drug, Condition, SitePage, SiteSettings):
        model.objects.all().delete()

    assert import_content(first.encode()).ok
    assert dumps(export_document()) == first


def test_demo_file_is_in_export_form(db):
    seed_demo()

    assert dumps(export_document()) == DEMO_FILE.read_text(encoding="utf-8")


def test_demo_has_what_the_reader_pages_need(db):
    seed_demo()

    baclofen = Drug.objects.get(slug="baclofen")
    assert {f.name: f.route for f in baclofen.formulations.all()} == {
        "Tablet": "oral",
        "Intrathecal injection": "intrathecal",
    }
    off_label = {u.condition.slug for u in baclofen.indications.off_label()}
    assert off_label == {"bladder-spasms", "chronic-hiccups", "alcohol-use-disorder"}
    assert "GABA" in baclofen.mechanism
    uses = Article.objects.get(slug="baclofen-uses")
    assert len(uses.toc) >= 3
    assert uses.promoted_article.title.startswith("How to Prepare Your Kitchen")
    for article in Article.objects.all():
        assert article.lead and article.reviewed_by.endswith(", MD"), article.slug
        assert article.reviewed_on <= article.published_at.date()
    assert PublishedArticle.objects.visible().count() == Article.objects.count()
    for slug in ("what-is-baclofen", "baclofen-uses", "how-does-baclofen-work"):
        assert referring_pages(Article.objects.get(slug=slug)), slug
    footer = SitePage.objects.filter(footer_position__gt=0).order_by("footer_position")
    assert [p.title for p in footer] == [
        "Terms of Use", "Advertise with Us", "Contact Us", "About MedInfo", "Privacy Policy",
    ]  # fmt: skip
    settings = SiteSettings.load()
    assert (settings.site_name, settings.copyright_start_year) == ("MedInfo", 2006)
    assert "physician" in settings.disclaimer
