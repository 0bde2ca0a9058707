"""manage.py check_links: every broken internal link, one a line, and a non-zero exit."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from articles.models import PublishedArticle
from tests import factories

pytestmark = pytest.mark.django_db


def check_links() -> tuple[list[str], str | None, int]:
    """Output lines, the error summary (None when clean) and the exit code."""
    out = []

    class Lines:
        def write(self, text):
            out.append(text)

        def flush(self):
            pass

    try:
        call_command("check_links", stdout=Lines())
    except CommandError as error:
        return "".join(out).splitlines(), str(error), error.returncode
    return "".join(out).splitlines(), None, 0


def test_no_broken_links_prints_so_and_exits_zero():
    factories.ArticleFactory(drug=None, slug="t")
    factories.SitePageFactory(body="[t](article:t) [all](/drugs/) [out](https://e.x/)")
    assert check_links() == (["no broken links"], None, 0)


def test_each_broken_link_is_listed_with_where_and_why_and_the_exit_code_is_one():
    drug = factories.DrugFactory(name="Baclofen", slug="baclofen")
    factories.ArticleFactory(drug=drug, slug="draft-one", status="draft", reviewed_on=None)
    later = timezone.now() + datetime.timedelta(days=3)
    factories.ArticleFactory(drug=drug, slug="soon", published_at=later)
    factories.ArticleFactory(
        drug=drug,
        slug="uses",
        title="What Is Baclofen Used For?",
        body="[a](article:gone) [b](/drugs/baclofen/draft-one/) [c](article:soon)",
    )
    drug.mechanism = "[x](condition:nowhere)"
    drug.save()
    factories.SitePageFactory(slug="terms", title="Terms", body="[y](/no/such/page/)")

    lines, summary, code = check_links()

    assert lines == [
        'article uses "What Is Baclofen Used For?" body: /drugs/baclofen/draft-one/ '
        "(not published)",
        'article uses "What Is Baclofen Used For?" body: article:gone (missing)',
        'article uses "What Is Baclofen Used For?" body: article:soon (scheduled)',
        'drug baclofen "Baclofen" mechanism: condition:nowhere (missing)',
        'page terms "Terms" body: /no/such/page/ (missing)',
    ]
    assert (summary, code) == ("5 broken links in 3 pages", 1)


def test_links_are_resolved_now_whatever_changed_their_target():
    target = factories.ArticleFactory(drug=None, slug="target")
    factories.SitePageFactory(slug="about", title="About", body="[t](article:target)")
    PublishedArticle.objects.filter(pk=target.pk).update(published_at=None)  # taken down
    assert check_links()[1:] == ("1 broken link in 1 page", 1)

    PublishedArticle.objects.filter(pk=target.pk).update(published_at=timezone.now())
    assert check_links() == (["no broken links"], None, 0)


def test_a_link_by_an_old_slug_is_not_broken():
    target = factories.ArticleFactory(drug=None, slug="before")
    target.slug = "after"
    target.save()
    factories.SitePageFactory(body="[t](article:before)")
    assert check_links()[0] == ["no broken links"]


def test_check_links_runs_in_a_fixed_number_of_queries(django_assert_num_queries):
    for n in range(10):
        factories.SitePageFactory(body=f"[a](article:gone-{n}) [b](drug:gone-{n})")
    with django_assert_num_queries(4):  # rows, their targets, reasons (2)
        lines, _, _ = check_links()
    assert len(lines) == 20
