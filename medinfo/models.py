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
