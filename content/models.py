"""The content pipeline's records, shared by every content app.

- ``InternalLink``: each internal link in each page's Markdown, by key; builds Referring
  Pages and feeds ``check_links``.
- ``OldSlug``: a slug something used to have; old URLs answer 301 and old links resolve.
- ``ReviewerProfile``: the name and credential readers see for a reviewer's reviews.
- ``TimestampedModel``, ``SlugHistoryMixin``: bases of the content models.

Sources and targets are named by string ("articles.Article"), so this module imports no
content app; the content apps import it. The link and slug tables keep their first names
(``articles_internallink``, ``articles_oldslug``): they moved here without a data copy.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

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
        if old and old != self.slug:
            OldSlug.remember(self, old)
        elif old is None:
            OldSlug.release(self)  # new content takes over a slug that used to redirect


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
        db_table = "articles_internallink"
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
        db_table = "articles_oldslug"
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


class ReviewerProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviewer_profile"
    )
    display_name = models.CharField(
        max_length=120, help_text="The reviewer's name as readers see it, e.g. Jane Doe."
    )
    credential = models.CharField(
        max_length=30, blank=True, help_text="Shown after the name, e.g. MD, PharmD; optional."
    )

    class Meta:
        verbose_name = "reviewer profile"

    def __str__(self):
        return self.shown_name or f"(no name) {self.user}"

    @property
    def shown_name(self) -> str:
        """E.g. "Jane Doe, MD"; the name alone without a credential; empty without a name."""
        name = self.display_name.strip()
        credential = self.credential.strip().lstrip(",").strip()
        return f"{name}, {credential}" if name and credential else name


def shown_name_of(user) -> str:
    """The name readers would see for ``user``'s reviews; empty when no admin has set one."""
    profile = getattr(user, "reviewer_profile", None)  # a missing profile is an AttributeError
    return profile.shown_name if profile is not None else ""
