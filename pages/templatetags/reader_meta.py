"""Template side of pages/structured_data.py: the JSON-LD block and an article's breadcrumbs."""

from django import template

from pages import structured_data

register = template.Library()


@register.filter
def json_ld(page_meta, site):
    """``{{ page_meta|json_ld:site }}``: one escaped <script type="application/ld+json">."""
    return page_meta.json_ld_script(site_name=site.site_name, tagline=site.tagline)


@register.filter
def article_breadcrumbs(article):
    """The article's trail, for its page and for the staff preview, which has no PageMeta."""
    return structured_data.article_breadcrumbs(article)
