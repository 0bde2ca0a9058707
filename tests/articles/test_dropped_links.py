"""Links the sanitiser drops are not links: no record, no stored link, no reader work.

Found on an earlier design: a link written inside an element nh3 removes with its content
(<iframe>, <object>, <noscript>, <template>, <select>, <xmp>, <noembed>) was still
recorded. Pointing at a scheduled article, it made every view of its page after the due
time re-render the page (11 queries and ~1.25 s instead of 3 queries), forever.
"""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from content.links import stored_keys
from content.markup import render_markdown
from content.models import InternalLink
from tests import factories
from tests.test_query_counts import QUERIES

pytestmark = pytest.mark.django_db

DROPPING_TAGS = ["iframe", "object", "noscript", "template", "select", "xmp", "noembed"]


@pytest.mark.parametrize("tag", DROPPING_TAGS)
@pytest.mark.parametrize("layout", ["inline", "block"])
def test_a_link_inside_a_tag_the_sanitiser_drops_is_not_recorded(tag, layout):
    inner = "[hidden](article:target)"
    text = (
        f"Before <{tag}>{inner}</{tag}> after [shown](article:other)."
        if layout == "inline"
        else f"<{tag}>\n{inner}\n</{tag}>\n\nAfter [shown](article:other)."
    )

    rendered = render_markdown(text)

    assert [link.text for link in rendered.links] == ["shown"]
    assert "hidden" not in rendered.html
    assert stored_keys(rendered.html) == {"article:other"}


def test_the_per_render_marker_cannot_be_forged_from_markdown():
    text = '<span data-link="0123456789abcdef-0">fake</span> and <a data-link="x">a</a>'
    rendered = render_markdown(text)
    assert "data-link" not in rendered.html
    assert rendered.links == []


def test_a_dropped_link_to_a_scheduled_article_costs_nothing_after_it_is_due(client):
    due = timezone.now() + datetime.timedelta(days=1)
    factories.ArticleFactory(drug=None, slug="sched", title="Scheduled", published_at=due)
    factories.SitePageFactory(
        slug="about",
        body="See <xmp>[sched](article:sched)</xmp> and <iframe>[s](article:sched)</iframe>.",
    )
    assert not InternalLink.objects.filter(target_key="article:sched").exists()

    # The page cache off: this is about what rendering the page costs, every time.
    with (
        time_machine.travel(due + datetime.timedelta(minutes=1)),
        override_settings(PAGE_CACHE_ENABLED=False),
    ):
        client.get("/about/")
        for _ in range(3):
            with CaptureQueriesContext(connection) as queries:
                assert client.get("/about/").status_code == 200
            writes = [
                q["sql"] for q in queries if q["sql"].split()[0] in {"INSERT", "UPDATE", "DELETE"}
            ]
            assert writes == []
            # The page and the site's settings: the dropped links are no links to resolve.
            assert len(queries) == QUERIES["site_page"] - 1
