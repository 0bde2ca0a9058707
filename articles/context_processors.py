"""Site-wide template context: settings, footer pages and the copyright years, in one query each."""

from django.utils import timezone

from articles.models import SitePage, SiteSettings


def site(request):
    return {
        "site": SiteSettings.load(),
        "footer_pages": SitePage.objects.filter(footer_position__gt=0).only(
            "slug", "title", "footer_position"
        ),
        "current_year": timezone.now().year,
    }
