from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Articles and site pages"

    def ready(self):
        # Reader pages resolve their stored links through what this app knows is published.
        from articles.links import published_targets
        from content.links import set_target_lookup

        set_target_lookup(published_targets)
