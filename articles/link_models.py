"""Where links point: every recorded internal link, and the slugs content used to have.

``InternalLink`` rows build Referring Pages and feed ``check_links``; ``OldSlug`` rows
keep old URLs answering 301 and old ``article:SLUG`` links resolving.
"""

from django.db import models
from django.db.models import Q


class InternalLink(models.Model):
    """One internal link in one source's Markdown, to the target its key names.

    The target is found by key ("article:slug") when it is needed, not stored: whether a
    link works changes with the target's state, never with the link (see content.links).
    """

    source_article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, null=True, related_name="outgoing_links"
    )
    source_drug = models.ForeignKey(
        "drugs.Drug", on_delete=models.CASCADE, null=True, related_name="outgoing_links"
    )
    source_page = models.ForeignKey(
        "articles.SitePage", on_delete=models.CASCADE, null=True, related_name="outgoing_links"
    )
    href = models.CharField(max_length=500, help_text="The link as the editor wrote it.")
    # A live article has two texts: links recorded from the readers' copy build what
    # readers see (Referring Pages); those from the working text serve the editors.
    in_live_copy = models.BooleanField(default=False)
    target_key = models.CharField(max_length=300, db_index=True)
    text = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        source_article__isnull=False,
                        source_drug__isnull=True,
                        source_page__isnull=True,
                    )
                    | Q(
                        source_article__isnull=True,
                        source_drug__isnull=False,
                        source_page__isnull=True,
                    )
                    | Q(
                        source_article__isnull=True,
                        source_drug__isnull=True,
                        source_page__isnull=False,
                    )
                ),
                name="internal_link_has_one_source",
            ),
        ]

    def __str__(self):
        return f"{self.source} → {self.href}"

    @property
    def source(self):
        return self.source_article or self.source_drug or self.source_page


class OldSlug(models.Model):
    """A slug something used to have: its old URLs answer 301 to the current one, forever."""

    KINDS = {"article": "article", "drug": "drug", "condition": "condition", "sitepage": "page"}

    kind = models.CharField(max_length=12, choices=[(k, k) for k in KINDS.values()])
    slug = models.CharField(max_length=200)
    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, null=True, related_name="+"
    )
    drug = models.ForeignKey("drugs.Drug", on_delete=models.CASCADE, null=True, related_name="+")
    condition = models.ForeignKey(
        "drugs.Condition", on_delete=models.CASCADE, null=True, related_name="+"
    )
    page = models.ForeignKey(
        "articles.SitePage", on_delete=models.CASCADE, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "slug"], name="old_slug_unique_per_kind"),
            models.CheckConstraint(
                condition=Q(kind="article", article__isnull=False)
                | Q(kind="drug", drug__isnull=False)
                | Q(kind="condition", condition__isnull=False)
                | Q(kind="page", page__isnull=False),
                name="old_slug_points_to_its_kind",
            ),
        ]

    def __str__(self):
        return f"{self.kind}:{self.slug}"

    @property
    def target(self):
        return self.article or self.drug or self.condition or self.page

    @classmethod
    def remember(cls, obj, old_slug: str) -> None:
        """Record obj's previous slug; a slug in use again by anything stops redirecting."""
        kind = cls.KINDS[obj._meta.model_name]
        field = "page" if kind == "page" else kind
        cls.release(obj)
        cls.objects.update_or_create(kind=kind, slug=old_slug, defaults={field: obj})

    @classmethod
    def release(cls, obj) -> None:
        """obj's current slug is live again: it no longer redirects anywhere."""
        cls.objects.filter(kind=cls.KINDS[obj._meta.model_name], slug=obj.slug).delete()
