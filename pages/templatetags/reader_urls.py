"""``{% reader_url 'drug-detail' slug=entry.drug_slug %}``: the ``{% url %}`` of the reader
templates, through ``content.reader_urls`` (a URL template filled in rather than a
``reverse()`` per link: the header, footer and a hundred-row list link on every page)."""

from django import template

from content.reader_urls import reader_url as build_reader_url

register = template.Library()


@register.simple_tag
def reader_url(name, **slugs):
    return build_reader_url(name, **slugs)
