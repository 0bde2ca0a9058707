"""Search relevance on the demo content: the test set in articles/search_relevance.toml.

The demo site is loaded once for the module (seed_demo, through the importer) and rolled
back at the end. The cases the search issue names must each pass; the whole set must
stay above its floor, so that a change to the vocabulary, the weights or the demo
content that makes search worse fails here.
"""

import pytest
from django.db import transaction

from articles.search_relevance import TOP, load_cases, score
from interchange.demo import seed_demo

TOP3_FLOOR = 0.9  # share of cases with every expected result in the top three
MRR_FLOOR = 0.85

CASES = load_cases()


@pytest.fixture(scope="module")
def demo_site(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        result = seed_demo()
        assert result.ok, result.errors
        yield
        transaction.set_rollback(True)


def test_the_test_set_has_at_least_thirty_queries_with_known_expectations():
    assert len(CASES) >= 30
    assert len({case.query for case in CASES}) == len(CASES)
    assert all(case.expect and len(case.expect) <= TOP for case in CASES)
    assert all(
        key.split(":")[0] in {"drug", "article", "condition"} for c in CASES for key in c.expect
    )


@pytest.mark.parametrize(
    "case", [case for case in CASES if case.must], ids=lambda case: case.query[:40]
)
def test_the_queries_the_issue_names_find_their_results_in_the_top_three(demo_site, db, case):
    outcome = score([case]).outcomes[0]
    assert outcome.passed, f"expected {case.expect} in the top {TOP}, got {outcome.found[:TOP]}"


def test_relevance_stays_above_its_floor(demo_site, db):
    report = score(CASES)
    print(report.summary())  # shown with pytest -s, or on failure
    detail = "\n".join([report.summary(), *report.lines()])
    assert report.top3 >= TOP3_FLOOR, detail
    assert report.mrr >= MRR_FLOOR, detail


def test_every_expected_result_exists_in_the_demo_content(demo_site, db):
    from articles.models import Article
    from drugs.models import Condition, Drug

    models = {"drug": Drug.objects, "condition": Condition.objects, "article": Article.objects}
    missing = [
        key
        for case in CASES
        for key in case.expect
        if not models[key.split(":")[0]].filter(slug=key.split(":")[1]).exists()
    ]
    assert missing == []
