"""Editorial content: articles, site pages, the site's settings, and recorded internal links."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from markdownx.models import MarkdownxField

from articles.markup import validate_markdown_length
from medinfo.models import SEARCH_CONFIG, TimestampedModel

RESERVED_PAGE_SLUGS = {
    "admin", "articles", "conditions", "drugs", "feeds", "healthz", "media", "search",
    "sitemap.xml", "robots.txt", "static", "markdownx", "preview",
}  # fmt: skip


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"


class ArticleQuerySet(models.QuerySet):
    def visible(self):
        """What readers may see: published, due, and medically reviewed. The one rule."""
        return self.filter(
            status=Status.PUBLISHED,
            published_at__lte=timezone.now(),
            reviewed_on__isnull=False,
        )

    def for_drug(self, drug):
        return self.filter(drug=drug)

    def in_series_order(self):
        return self.order_by("series_position", "title")


class Article(TimestampedModel):
    title = models.CharField(max_length=200, help_text="Usually the reader's question.")
    slug = models.SlugField(max_length=200, unique=True)
    drug = models.ForeignKey(
        "drugs.Drug",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="articles",
        help_text="The primary drug; the article then lives at /drugs/DRUG/SLUG/.",
    )
    lead = models.TextField(
        blank=True, help_text="Two or three sentences that answer the title's question."
    )
    body = MarkdownxField(
        blank=True,
        validators=[validate_markdown_length],
        help_text="Markdown with ## sections. Link with [text](article:SLUG), (drug:SLUG), "
        "(condition:SLUG) or a site URL.",
    )
    body_html = models.TextField(blank=True, editable=False)
    body_text = models.TextField(blank=True, editable=False, help_text="Plain text, for search.")
    toc = models.JSONField(default=list, blank=True, editable=False)
    series_position = models.PositiveSmallIntegerField(
        default=0, help_text="Order among the drug's articles (overview first)."
    )
    status = models.CharField(max_length=20, choices=Status, default=Status.DRAFT, db_index=True)
    published_at = models.DateTimeField(
        null=True, blank=True, help_text="Readers see the article from this time on."
    )
    reviewed_by = models.CharField(
        max_length=160,
        blank=True,
        help_text="Medical reviewer as shown to readers, e.g. Jane Doe, MD.",
    )
    reviewed_on = models.DateField(null=True, blank=True, help_text="Date of the medical review.")
    promoted_article = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="An editor-chosen article shown as a labelled promoted link.",
    )
    featured = models.BooleanField(default=False, help_text="Show on the home page.")
    # Maintained by PostgreSQL itself, so bulk writes and imports can never leave it stale.
    search_vector = models.GeneratedField(
        expression=SearchVector("title", weight="A", config=SEARCH_CONFIG)
        + SearchVector("lead", weight="B", config=SEARCH_CONFIG)
        + SearchVector("body_text", weight="C", config=SEARCH_CONFIG),
        output_field=SearchVectorField(),
        db_persist=True,
    )
    title_vector = models.GeneratedField(
        expression=SearchVector("title", weight="A", config=SEARCH_CONFIG),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["series_position", "title"]
        indexes = [
            models.Index(fields=["status", "published_at"], name="article_visibility_idx"),
            GinIndex(fields=["search_vector"], name="article_search_idx"),
            GinIndex(fields=["title_vector"], name="article_title_search_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=Status.PUBLISHED) | Q(published_at__isnull=False),
                name="article_published_has_time",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        from articles.links import record_links
        from articles.markup import render_markdown
        from articles.search import html_to_text

        rendered = render_markdown(self.body)
        self.body_html = rendered.html
        self.body_text = html_to_text(rendered.html)
        self.toc = rendered.toc
        if self.status == Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        super().save(*args, **kwargs)
        record_links(self, rendered.links)

    def get_absolute_url(self):
        if self.drug_id:
            return reverse(
                "article-detail", kwargs={"drug_slug": self.drug.slug, "slug": self.slug}
            )
        return reverse("article-standalone", kwargs={"slug": self.slug})

    def clean(self):
        if self.promoted_article_id and self.promoted_article_id == self.pk:
            raise ValidationError({"promoted_article": "An article cannot promote itself."})

    @property
    def last_updated(self):
        return self.updated_at


class SitePage(TimestampedModel):
    slug = models.SlugField(
        max_length=60, unique=True, help_text="The page lives at /SLUG/, e.g. terms, privacy."
    )
    title = models.CharField(max_length=120)
    body = MarkdownxField(blank=True, validators=[validate_markdown_length])
    body_html = models.TextField(blank=True, editable=False)
    footer_position = models.PositiveSmallIntegerField(
        default=0, help_text="Order in the footer; 0 keeps the page out of the footer."
    )

    class Meta:
        ordering = ["footer_position", "title"]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        from articles.links import record_links
        from articles.markup import render_markdown

        rendered = render_markdown(self.body)
        self.body_html = rendered.html
        super().save(*args, **kwargs)
        record_links(self, rendered.links)

    def get_absolute_url(self):
        return reverse("site-page", kwargs={"slug": self.slug})

    def clean(self):
        if self.slug in RESERVED_PAGE_SLUGS:
            raise ValidationError({"slug": f"'{self.slug}' is used by the site itself."})


class SiteSettings(models.Model):
    """The one row of site-wide settings (its primary key is always 1)."""

    site_name = models.CharField(max_length=80, default="MedInfo")
    owner = models.CharField(max_length=160, default="MedInfo", help_text="Copyright holder.")
    copyright_start_year = models.PositiveSmallIntegerField(default=2006)
    disclaimer = models.TextField(
        default=(
            "MedInfo is an informational resource only. It does not provide medical advice, "
            "diagnosis or treatment. Always consult your own physician about your situation."
        ),
        help_text="Shown on every page with a link to the Terms of Use.",
    )
    tagline = models.CharField(
        max_length=160, blank=True, default="Clear, medically reviewed drug information"
    )

    class Meta:
        verbose_name = verbose_name_plural = "site settings"
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="site_settings_singleton")]

    def __str__(self):
        return "Site settings"

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> "SiteSettings":
        return cls.objects.get_or_create(pk=1)[0]


class InternalLink(models.Model):
    """One internal link in one source's Markdown; its target is null when the link is broken."""

    TARGET_FIELDS = {
        "article": "target_article",
        "drug": "target_drug",
        "condition": "target_condition",
        "page": "target_page",
    }

    source_article = models.ForeignKey(
        Article, on_delete=models.CASCADE, null=True, related_name="outgoing_links"
    )
    source_drug = models.ForeignKey(
        "drugs.Drug", on_delete=models.CASCADE, null=True, related_name="outgoing_links"
    )
    source_page = models.ForeignKey(
        SitePage, on_delete=models.CASCADE, null=True, related_name="outgoing_links"
    )
    href = models.CharField(max_length=500, help_text="The link as the editor wrote it.")
    target_key = models.CharField(max_length=300, db_index=True)
    text = models.CharField(max_length=300, blank=True)
    target_article = models.ForeignKey(
        Article, on_delete=models.SET_NULL, null=True, related_name="incoming_links"
    )
    target_drug = models.ForeignKey(
        "drugs.Drug", on_delete=models.SET_NULL, null=True, related_name="incoming_links"
    )
    target_condition = models.ForeignKey(
        "drugs.Condition", on_delete=models.SET_NULL, null=True, related_name="incoming_links"
    )
    target_page = models.ForeignKey(
        SitePage, on_delete=models.SET_NULL, null=True, related_name="incoming_links"
    )

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

    @property
    def is_broken(self) -> bool:
        return not any(getattr(self, f"{name}_id") for name in self.TARGET_FIELDS.values())
