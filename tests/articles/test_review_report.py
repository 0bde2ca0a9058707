"""review_report and the admin's Review filter: one list of articles needing a review."""

import datetime
import io

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Status
from articles.reviews import ReviewState, months_before, review_problems, with_review_state
from tests import factories
from tests.articles.test_roles import role_user

pytestmark = pytest.mark.django_db


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


@pytest.fixture
def articles():
    """One article in each review state (stale at the default 12 months)."""
    current = factories.ArticleFactory(slug="current", title="Current", reviewed_on=days_ago(45))
    stale = factories.ArticleFactory(slug="stale", title="Stale", reviewed_on=days_ago(400))
    missing = factories.ArticleFactory(
        slug="missing", title="Missing", status=Status.DRAFT, reviewed_on=None
    )
    outdated = factories.ArticleFactory(slug="outdated", title="Outdated", reviewed_on=days_ago(9))
    outdated.body = "Edited after the review."
    outdated.save()
    return {"current": current, "stale": stale, "missing": missing, "outdated": outdated}


def report(*args) -> list[str]:
    out = io.StringIO()
    call_command("review_report", *args, stdout=out)  # raises on a non-zero exit
    return out.getvalue().splitlines()


def test_review_report_lists_missing_outdated_and_stale_reviews(articles):
    lines = report()

    rows = [line.split("\t") for line in lines[:-1]]
    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("missing", "Missing", "missing"),
        ("outdated", "Outdated", "outdated"),
        ("stale", "Stale", "stale"),
    ]
    assert rows[0][3] == "reviewed never"
    assert rows[2][3] == f"reviewed {days_ago(400).isoformat()}"
    assert lines[-1] == (
        "Review report: 3 pages need a review "
        "(1 missing, 1 outdated, 1 stale older than 12 months)."
    )


def test_older_than_moves_the_stale_line(articles):
    lines = report("--older-than", "1")

    assert [line.split("\t")[0] for line in lines[:-1]] == [
        "missing",
        "outdated",
        "current",
        "stale",
    ]
    assert lines[-1].endswith("(1 missing, 1 outdated, 2 stale older than 1 month).")


def test_a_clean_site_reports_nothing_and_exits_zero():
    factories.ArticleFactory(reviewed_on=days_ago(1))

    assert report() == [
        "Review report: 0 pages need a review "
        "(0 missing, 0 outdated, 0 stale older than 12 months)."
    ]


def test_a_negative_age_is_an_error():
    with pytest.raises(Exception, match="0 or more"):
        report("--older-than", "-1")


@pytest.mark.parametrize(
    "text",
    [("Title", "Lead", "Body"), ("µg and μg", "", "é\u0301 ünïcode ✓ 🧪"), ("", "", "")],
)
def test_the_databases_fingerprint_equals_the_models(text):
    title, lead, body = text
    article = factories.ArticleFactory(title=title or "x", lead=lead, body=body)
    if not title:
        Article.objects.filter(pk=article.pk).update(title="")
        article.refresh_from_db()

    annotated = with_review_state(Article.objects.filter(pk=article.pk)).get()

    assert annotated.text_fingerprint == article.text_hash()


def test_months_before_keeps_the_day_or_the_months_last():
    assert months_before(datetime.date(2026, 3, 31), 1) == datetime.date(2026, 2, 28)
    assert months_before(datetime.date(2026, 1, 15), 12) == datetime.date(2025, 1, 15)
    assert months_before(datetime.date(2026, 1, 15), 13) == datetime.date(2024, 12, 15)


@pytest.mark.parametrize("state", list(ReviewState))
def test_the_admin_review_filter_shows_the_same_articles_as_the_report(articles, state):
    client = Client()
    client.force_login(role_user("editor"))

    response = client.get(reverse("admin:articles_article_changelist"), {"review": state.value})

    soup = BeautifulSoup(response.content, "html.parser")
    titles = [cell.get_text(strip=True) for cell in soup.select("#result_list th.field-title")]
    assert titles == [state.value.capitalize()]
    choices = [a.get_text(strip=True) for a in soup.select("#changelist-filter a")]
    assert state.label in choices


def test_fail_on_any_exits_1_when_a_review_is_due_for_cron(articles):
    with pytest.raises(CommandError, match=r"3 pages due for a review") as refused:
        report("--fail-on", "any")

    assert refused.value.returncode == 1


def test_fail_on_names_the_kinds_that_count(articles):
    with pytest.raises(CommandError, match=r"1 page due for a review \(stale\)"):
        report("--fail-on", "stale")
    assert report("--fail-on", "none")[-1].startswith("Review report: 3 pages")


def test_fail_on_exits_0_on_a_clean_site():
    factories.ArticleFactory(reviewed_on=days_ago(1))

    assert report("--fail-on", "any")[-1].startswith("Review report: 0 pages")


def test_fail_on_refuses_an_unknown_kind():
    with pytest.raises(CommandError, match="unknown kind soon"):
        report("--fail-on", "soon")


def test_drug_hubs_and_condition_pages_are_reported_too():
    drug = factories.DrugFactory(slug="baclofen", name="Baclofen")  # reviewed and published
    factories.ConditionFactory(slug="spasticity", name="Spasticity", published=False)
    drug.summary = "Changed since its review."
    drug.save()
    lines = [p.line for p in review_problems() if ":" in p.slug]
    assert lines == [
        "condition:spasticity\tSpasticity\tmissing\treviewed never\tdraft",
        f"drug:baclofen\tBaclofen\toutdated\treviewed {drug.reviewed_on.isoformat()}\tpublished",
    ]
