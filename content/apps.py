from django.apps import AppConfig


class ContentConfig(AppConfig):
    """The content pipeline: Markdown rendering and internal links, for every content app."""

    name = "content"
    verbose_name = "Content pipeline"
