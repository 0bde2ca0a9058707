"""Abstract bases shared by the content apps."""

from django.db import models, transaction

# The text search configuration every search vector and query uses: English stemming with
# accents folded (created by drugs/migrations/0003_search.py).
SEARCH_CONFIG = "english_unaccent"


class TimestampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class SlugHistoryMixin:
    """Remembers the slug an instance was loaded with, so a rename can leave a redirect."""

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        instance = super().from_db(db, field_names, values, **kwargs)
        instance._loaded_slug = instance.__dict__.get("slug")
        return instance

    def remember_old_slug(self) -> None:
        from articles.models import OldSlug

        old = getattr(self, "_loaded_slug", None)
        if old and old != self.slug:
            OldSlug.remember(self, old)
        elif old is None:
            OldSlug.release(self)  # new content takes over a slug that used to redirect
        self._loaded_slug = self.slug


class LinkTargetMixin:
    """Content that pages link to: deleting it re-renders those pages (no dead links)."""

    def delete(self, *args, **kwargs):
        from articles.referrers import referrer_sources, rerender_sources

        with transaction.atomic():
            sources = referrer_sources(self)
            result = super().delete(*args, **kwargs)
            rerender_sources(sources)
        return result
