"""The content version: one row whose counter grows with every committed content change."""

from django.db import models


class ContentVersion(models.Model):
    """Bumped by database triggers (pagecache/triggers.py), never by Python code.

    A trigger catches every write, bulk updates and raw SQL included, so no code path can
    change what readers see and forget to say so.
    """

    counter = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="one_content_version")]

    def __str__(self) -> str:
        return f"content version {self.counter}"
