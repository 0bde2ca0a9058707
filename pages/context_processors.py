"""Site-wide template context: the settings, the footer links and the copyright years.

Two queries per page, never a write. The error pages build the same context with
``site_context(database=False)`` so that the footer and disclaimer still render when
the database is the thing that failed.
"""

from dataclasses import dataclass

from django.db import DatabaseError
from django.urls import reverse
from django.utils import timezone

from articles.models import PublishedSitePage, SiteSettings


@dataclass(frozen=True)
class FooterLink:
    """A footer entry when the site pages are missing (fresh database, or database down)."""

    slug: str
    title: str

    def get_absolute_url(self):
        return reverse("site-page", kwargs={"slug": self.slug})


DEFAULT_FOOTER_LINKS = (
    FooterLink("terms", "Terms of Use"),
    FooterLink("advertise", "Advertise with Us"),
    FooterLink("contact", "Contact Us"),
    FooterLink("about", "About"),
    FooterLink("privacy", "Privacy Policy"),
)


def site(request):
    return {**site_context(), "canonical_root": f"{request.scheme}://{request.get_host()}"}


def site_context(*, database: bool = True) -> dict:
    """The footer's data; with ``database=False``, or when it fails, the built-in defaults."""
    settings_row, footer_pages = SiteSettings(), []
    if database:
        try:
            settings_row = SiteSettings.objects.filter(pk=1).first() or settings_row
            footer_pages = list(
                PublishedSitePage.objects.visible()
                .filter(footer_position__gt=0)
                .only("slug", "title", "footer_position")
            )
        except DatabaseError:
            settings_row, footer_pages = SiteSettings(), []
    return {
        "site": settings_row,
        "footer_pages": footer_pages or DEFAULT_FOOTER_LINKS,
        "current_year": timezone.localdate().year,
    }
