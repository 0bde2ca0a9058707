from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PageCacheConfig(AppConfig):
    """Whole reader pages for anonymous readers, kept correct by a content version."""

    name = "pagecache"
    verbose_name = "Page cache"

    def ready(self):
        from pagecache import triggers  # models import only once apps are ready

        post_migrate.connect(triggers.install_after_migrate, sender=self)
