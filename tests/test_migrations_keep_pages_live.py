"""The migrations of the publishing model keep every live page live, as readers saw it.

The database is taken back to the schema before them (articles 0012, drugs 0006, no
content app), filled there through the historical models with content of each kind in
each state (live, live with a pending edit, scheduled, draft; a drug hub, a condition, a
site page, links stored the old way with resolved URLs, a slug with capitals), then
migrated forward. Readers must then get the same text, review and URL for everything that
was live, nothing that was not, and links in the new stored form that lead where they led.
"""

import datetime

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.utils import timezone

from drugs.models import PublishedCondition, PublishedDrug

pytestmark = pytest.mark.django_db(transaction=True)

OLD_NODES = [("articles", "0012_article_text_edited_by"), ("drugs", "0006_drug_conditions_text")]
BEFORE = [("content", None), *OLD_NODES]
NOW = timezone.now()
DUE = NOW + datetime.timedelta(days=2)
OLD_LINK = (  # a link as stored before: resolved when the page was rendered
    '<p>See <a href="/drugs/baclofen/" title="Old title." rel="noopener noreferrer">'
    "baclofen</a>.</p>\n"
)


def migrate(targets) -> None:
    MigrationExecutor(connection).migrate(targets)


def latest() -> list:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def old_schema():
    """The historical models before the publishing model; the schema is latest again after."""
    migrate(BEFORE)
    try:
        yield MigrationExecutor(connection).loader.project_state(OLD_NODES).apps
    finally:
        migrate(latest())


def fill_old_schema(apps) -> None:
    Condition = apps.get_model("drugs", "Condition")
    Drug = apps.get_model("drugs", "Drug")
    BrandName = apps.get_model("drugs", "BrandName")
    Formulation = apps.get_model("drugs", "Formulation")
    Indication = apps.get_model("drugs", "Indication")
    Article = apps.get_model("articles", "Article")
    SitePage = apps.get_model("articles", "SitePage")
    spasticity = Condition.objects.create(name="Spasticity", slug="spasticity", summary="Stiff.")
    baclofen = Drug.objects.create(
        name="Baclofen", slug="baclofen", drug_class="Muscle relaxant", summary="Relaxes.",
        mechanism="Acts on [GABA](condition:spasticity).", mechanism_html=OLD_LINK,
    )  # fmt: skip
    brand = BrandName.objects.create(drug=baclofen, name="Lioresal", mark="®")
    tablet = Formulation.objects.create(drug=baclofen, name="Tablet", strengths=["10 mg"])
    tablet.brand_names.add(brand)
    use = Indication.objects.create(drug=baclofen, condition=spasticity, details="in MS")
    use.formulations.add(tablet)
    reviewed = {"live_reviewed_by": "Jane Doe, MD", "live_reviewed_on": datetime.date(2026, 3, 1)}

    def article(slug, *, live, when=None, pending=False, **fields):
        body = "## One\n\nText. See [baclofen](drug:baclofen)."
        text = {"title": f"Title {slug}", "lead": f"Lead {slug}.", "body": body}
        live_copy = {f"live_{k}": v for k, v in text.items()} if live else {}
        if pending:
            text = {**text, "body": "## One\n\nUNREVIEWED pending edit."}
        return Article.objects.create(
            slug=slug, drug=baclofen, **text, body_html="<h2>One</h2>", status="published"
            if live and not pending else "draft", published_at=when, is_live=live,
            **live_copy, **(reviewed | {"live_hash": "x" * 64, "live_body_html": OLD_LINK}
                             if live else {}), **fields,
        )  # fmt: skip

    article("live", live=True, when=NOW - datetime.timedelta(days=9))
    article("pending", live=True, when=NOW - datetime.timedelta(days=9), pending=True)
    article("scheduled", live=True, when=DUE)
    article("draft", live=False)
    article("Upper-Case", live=True, when=NOW - datetime.timedelta(days=1))
    SitePage.objects.create(
        slug="about", title="About", body="[b](drug:baclofen)", body_html=OLD_LINK
    )


def text_of(url: str) -> str:
    response = Client().get(url)
    assert response.status_code == 200, url
    return BeautifulSoup(response.content, "html.parser").select_one("main").get_text(" ")


def test_every_live_page_stays_live_with_the_same_text_review_and_url(old_schema):
    fill_old_schema(old_schema)
    migrate(latest())

    client = Client()
    assert "Relaxes." in text_of("/drugs/baclofen/")
    assert "Lioresal" in text_of("/drugs/baclofen/") and "10 mg" in text_of("/drugs/baclofen/")
    assert "Stiff." in text_of("/conditions/spasticity/")
    live = text_of("/drugs/baclofen/live/")
    assert "Lead live." in live and "Jane Doe, MD" in live
    pending = text_of("/drugs/baclofen/pending/")
    assert "Text." in pending and "UNREVIEWED" not in pending  # the reviewed copy, not the edit
    assert client.get("/drugs/baclofen/scheduled/").status_code == 404
    assert client.get("/drugs/baclofen/draft/").status_code == 404
    with time_machine.travel(DUE + datetime.timedelta(minutes=1)):
        assert "Lead scheduled." in text_of("/drugs/baclofen/scheduled/")
    upper = client.get("/drugs/baclofen/Upper-Case/")
    assert (upper.status_code, upper["Location"]) == (301, "/drugs/baclofen/upper-case/")
    assert "Lead Upper-Case." in text_of("/drugs/baclofen/upper-case/")
    # Stored links now carry keys, and resolve to where they led.
    about = BeautifulSoup(client.get("/about/").content, "html.parser").select_one("main")
    assert about.select_one("a[href='/drugs/baclofen/']").get_text() == "b"
    live_page = BeautifulSoup(client.get("/drugs/baclofen/live/").content, "html.parser")
    in_text = [a for a in live_page.select("main a") if a.get_text() == "baclofen"]
    assert [(a["href"], a["title"]) for a in in_text] == [("/drugs/baclofen/", "Relaxes.")]
    # Hubs and conditions were live before their review gate: published as they were.
    hub = PublishedDrug.objects.get(slug="baclofen")
    assert (hub.reviewed_by, hub.document["summary"]) == ("", "Relaxes.")
    assert PublishedCondition.objects.filter(slug="spasticity").exists()
