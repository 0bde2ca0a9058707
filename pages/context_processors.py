"""Site-wide template context: the settings, the footer links and the copyright years.

One query per page, never a write. The error pages build the same context with
``site_context(database=False)`` so that the footer and disclaimer still render when
the database is the thing that failed.
"""

from dataclasses import dataclass

from django.db import DatabaseError
from django.utils import timezone

from articles.models import SiteSettings
from content.reader_urls import reader_url
from content.sql import fetch_rows, json_value


@dataclass(frozen=True)
class FooterLink:
    """A footer entry: a published site page, or a built-in one when the site pages are
    missing (fresh database, or database down)."""

    slug: str
    title: str

    def get_absolute_url(self):
        return reader_url("site-page", slug=self.slug)


DEFAULT_FOOTER_LINKS = (
    FooterLink("terms", "Terms of Use"),
    FooterLink("advertise", "Advertise with Us"),
    FooterLink("contact", "Contact Us"),
    FooterLink("about", "About"),
    FooterLink("privacy", "Privacy Policy"),
)


def site(request):
    return {**site_context(), "canonical_root": f"{request.scheme}://{request.get_host()}"}


# The settings row (or none yet) and the footer's published pages, in one query.
_SITE_SQL = """
    SELECT s.site_name, s.owner, s.copyright_start_year, s.disclaimer, s.tagline,
           (SELECT json_agg(json_build_array(p.slug, p.title) ORDER BY p.footer_position, p.title)
              FROM articles_publishedsitepage p
             WHERE p.footer_position > 0 AND p.published_at <= %(now)s)
      FROM (SELECT) AS one LEFT JOIN articles_sitesettings s ON s.id = 1
"""
_SETTINGS_COLUMNS = ("site_name", "owner", "copyright_start_year", "disclaimer", "tagline")


def site_context(*, database: bool = True) -> dict:
    """The footer's data; with ``database=False``, or when it fails, the built-in defaults."""
    settings_row, footer_pages = SiteSettings(), []
    if database:
        try:
            [row] = fetch_rows(SiteSettings, _SITE_SQL, {"now": timezone.now()})
        except DatabaseError:
            row = None
        if row is not None:
            *columns, footer = row
            if columns[0] is not None:
                settings_row = SiteSettings(
                    pk=1, **dict(zip(_SETTINGS_COLUMNS, columns, strict=True))
                )
            footer_pages = [FooterLink(slug, title) for slug, title in json_value(footer) or ()]
    return {
        "site": settings_row,
        "footer_pages": footer_pages or DEFAULT_FOOTER_LINKS,
        "current_year": timezone.localdate().year,
    }
