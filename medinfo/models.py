"""Abstract bases shared by the content apps."""

from django.db import models

# The text search configuration every search vector and query uses: English stemming with
# accents folded (created by drugs/migrations/0003_search.py).
SEARCH_CONFIG = "english_unaccent"


class TimestampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class SlugHistoryMixin:
    """Leaves a redirect behind when a slug changes, whatever path the save came by.

    The previous slug is read from the database at save time, not remembered from load
    time: django-reversion's revert, for one, writes the row raw before the form saves.
    """

    def stored_slug(self) -> str | None:
        """The slug the database holds now (None for new content)."""
        if self._state.adding or self.pk is None:
            return None
        return type(self).objects.filter(pk=self.pk).values_list("slug", flat=True).first()

    def remember_old_slug(self, old: str | None) -> None:
        from articles.models import OldSlug

        if old and old != self.slug:
            OldSlug.remember(self, old)
        elif old is None:
            OldSlug.release(self)  # new content takes over a slug that used to redirect
