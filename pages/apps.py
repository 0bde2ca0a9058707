from django.apps import AppConfig


class PagesConfig(AppConfig):
    """What readers get: every reader page's view, feed, sitemap and structured data."""

    name = "pages"
    verbose_name = "Reader pages"
