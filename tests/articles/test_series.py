"""The series completeness view: drugs × article kinds, for editors planning their work."""

import datetime

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import ArticleKind, Status
from tests import factories
from tests.articles.test_edit_conflicts import form_data
from tests.articles.test_roles import role_user

pytestmark = pytest.mark.django_db
SERIES = reverse("admin:articles_article_series")


@pytest.fixture
def editor():
    client = Client()
    client.force_login(role_user("editor"))
    return client


def matrix(response) -> dict[str, dict[str, str]]:
    """{drug: {kind: the cell's text}} as the editor reads the table."""
    soup = BeautifulSoup(response.content, "html.parser")
    kinds = [th.get_text(strip=True) for th in soup.select("#series-matrix thead th")][1:-1]
    table = {}
    for row in soup.select("#series-matrix tbody tr"):
        cells = row.select("td.series-cell")
        table[row.th.get_text(strip=True)] = {
            kind: " ".join(cell.get_text(" ", strip=True).split())
            for kind, cell in zip(kinds, cells, strict=True)
        }
    return table


def test_the_matrix_shows_what_exists_what_is_live_and_what_is_missing(editor):
    drug = factories.DrugFactory(name="Baclofen", slug="baclofen")
    factories.ArticleFactory(drug=drug, title="What Is Baclofen?", kind=ArticleKind.OVERVIEW)
    factories.ArticleFactory(
        drug=drug, title="Baclofen dosage", kind=ArticleKind.DOSAGE, status=Status.DRAFT,
        reviewed_on=None,
    )  # fmt: skip
    stale = timezone.localdate() - datetime.timedelta(days=800)
    factories.ArticleFactory(
        drug=drug, title="What Is Baclofen Used For?", kind=ArticleKind.USES, reviewed_on=stale
    )

    row = matrix(editor.get(SERIES))["Baclofen"]

    assert row["Overview"] == "What Is Baclofen? live"
    assert row["Dosage"] == "Baclofen dosage draft review missing"
    assert row["Uses"] == "What Is Baclofen Used For? live review stale"
    assert row["Interactions"] == "Add “What Interacts With Baclofen?”"


def test_a_missing_article_links_to_a_prefilled_add_form(editor):
    drug = factories.DrugFactory(name="Tizanidine", slug="tizanidine")
    soup = BeautifulSoup(editor.get(SERIES).content, "html.parser")
    link = soup.select_one('td[data-kind="side-effects"] a.addlink')

    form = form_data(editor.get(link["href"]), "#article_form")

    assert form["title"] == "What Are the Side Effects of Tizanidine?"
    assert form["drug"] == str(drug.pk)
    assert form["kind"] == "side-effects"
    assert form["slug"] == "tizanidine-side-effects"


def test_only_gaps_hides_drugs_whose_series_is_complete(editor):
    complete = factories.DrugFactory(name="Complete")
    for kind in ArticleKind:
        if kind != ArticleKind.OTHER:
            factories.ArticleFactory(drug=complete, kind=kind)
    factories.DrugFactory(name="Gappy")

    assert set(matrix(editor.get(SERIES))) == {"Complete", "Gappy"}
    assert set(matrix(editor.get(SERIES, {"gaps": "1"}))) == {"Gappy"}
    assert set(matrix(editor.get(SERIES, {"q": "comp"}))) == {"Complete"}


def test_the_matrix_costs_the_same_queries_for_one_drug_or_twenty(editor):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert editor.get(SERIES).status_code == 200
        return len(captured)

    drug = factories.DrugFactory()
    factories.ArticleFactory(drug=drug, kind=ArticleKind.USES)
    one = queries()
    for _ in range(19):
        drug = factories.DrugFactory()
        for kind in (ArticleKind.USES, ArticleKind.DOSAGE, ArticleKind.OVERVIEW):
            factories.ArticleFactory(drug=drug, kind=kind)

    assert queries() == one


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 302), ("staff without a role", 403), ("editor", 200), ("superuser", 200)],
)
def test_only_staff_who_may_see_articles_get_the_matrix(role, status):
    client = Client()
    if role == "staff without a role":
        client.force_login(factories.UserFactory(is_staff=True, username="no-role"))
    elif role != "anonymous":
        client.force_login(role_user(role))

    assert client.get(SERIES).status_code == status


def test_the_article_list_links_to_the_matrix(editor):
    soup = BeautifulSoup(
        editor.get(reverse("admin:articles_article_changelist")).content, "html.parser"
    )
    assert soup.select_one(f'.object-tools a[href="{SERIES}"]') is not None
