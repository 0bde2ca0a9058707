"""content.reader_urls: the URLs it fills in are the ones ``reverse()`` gives, always."""

import pytest
from django.urls import NoReverseMatch, clear_script_prefix, reverse, set_script_prefix

from content.reader_urls import reader_url

SHAPES = [
    ("home", {}),
    ("drug-index", {}),
    ("drug-detail", {"slug": "baclofen"}),
    ("condition-detail", {"slug": "cerebral-palsy"}),
    ("article-detail", {"drug_slug": "baclofen", "slug": "baclofen-uses"}),
    ("article-standalone", {"slug": "about_spasticity-2"}),
    ("site-page", {"slug": "terms"}),
]


@pytest.mark.parametrize(("name", "slugs"), SHAPES)
def test_reader_url_is_what_reverse_gives(name, slugs):
    assert reader_url(name, **slugs) == reverse(name, kwargs=slugs)


@pytest.mark.parametrize("prefix", ["/", "/medinfo/", "/a b%/"])
def test_reader_url_follows_the_script_prefix_of_the_request(prefix):
    reader_url("drug-detail", slug="baclofen")  # a template is cached for the default prefix
    set_script_prefix(prefix)
    try:
        for name, slugs in SHAPES:
            assert reader_url(name, **slugs) == reverse(name, kwargs=slugs)
    finally:
        clear_script_prefix()
    assert reader_url("drug-detail", slug="baclofen") == "/drugs/baclofen/"


@pytest.mark.parametrize("slug", ["", "a/b", "ünïcode", "a b"])
def test_a_value_that_is_not_a_slug_fails_as_reverse_does(slug):
    with pytest.raises(NoReverseMatch):
        reverse("drug-detail", kwargs={"slug": slug})
    with pytest.raises(NoReverseMatch):
        reader_url("drug-detail", slug=slug)


def test_arguments_a_url_does_not_take_fail_as_reverse_does():
    with pytest.raises(NoReverseMatch):
        reader_url("drug-index", slug="baclofen")
    with pytest.raises(NoReverseMatch):
        reader_url("drug-detail")


def test_a_value_that_is_not_text_is_turned_into_a_url_as_reverse_does():
    assert reader_url("drug-detail", slug=7) == reverse("drug-detail", kwargs={"slug": 7})
