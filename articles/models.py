"""Editorial content: articles, site pages, the site's settings, and recorded internal links."""

import hashlib

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from markdownx.models import MarkdownxField

from content.fields import LowerCaseSlugField
from content.link_records import record_links
from content.markup import html_to_text, render_markdown, validate_markdown_length
from content.models import SEARCH_CONFIG, SlugHistoryMixin, TimestampedModel
from content.publishing import PublishedCopy, PublishedQuerySet, Reviewable, fingerprint
from content.reader_urls import reader_url

RESERVED_PAGE_SLUGS = {
    "admin", "articles", "conditions", "drugs", "feeds", "healthz", "media", "search",
    "sitemap.xml", "robots.txt", "static", "markdownx", "preview",
}  # fmt: skip


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"


class ArticleKind(models.TextChoices):
    """The questions of a drug's article series, in the order readers meet them."""

    OVERVIEW = "overview", "Overview"
    USES = "uses", "Uses"
    DOSAGE = "dosage", "Dosage"
    SIDE_EFFECTS = "side-effects", "Side effects"
    WARNINGS = "warnings", "Warnings"
    INTERACTIONS = "interactions", "Interactions"
    HOW_IT_WORKS = "how-it-works", "How it works"
    OTHER = "other", "Other"


# What lists of articles load of their drug's hub: its name and URL.
HUB_FIELDS = ("drug__published__name", "drug__published__slug", "drug__published__published_at")


class ArticleQuerySet(models.QuerySet):
    def readable(self):
        """The articles readers can see now (working rows: readers read ``published``)."""
        return self.filter(published__in=PublishedArticle.objects.visible())

    def for_drug(self, drug):
        return self.filter(drug=drug)

    def with_hub(self):
        """Load each article's drug hub with it (for its URL and the drug's name)."""
        return self.select_related("drug__published")


class Article(Reviewable, SlugHistoryMixin, TimestampedModel):
    title = models.CharField(max_length=200, help_text="Usually the reader's question.")
    slug = LowerCaseSlugField(max_length=200, unique=True)
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
    kind = models.CharField(
        max_length=20,
        choices=ArticleKind,
        default=ArticleKind.OTHER,
        help_text="Which question of the drug's series this answers; the series "
        "completeness view shows each drug's missing ones.",
    )
    status = models.CharField(max_length=20, choices=Status, default=Status.DRAFT, db_index=True)
    published_at = models.DateTimeField(
        null=True, blank=True, help_text="Readers see the article from this time on."
    )
    promoted_article = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="An editor-chosen article shown as a labelled promoted link.",
    )
    featured = models.BooleanField(default=False, help_text="Show on the home page.")
    # The working text, drafts included, for the editors' search in the admin.
    edit_vector = models.GeneratedField(
        expression=SearchVector("title", weight="A", config=SEARCH_CONFIG)
        + SearchVector("lead", weight="B", config=SEARCH_CONFIG)
        + SearchVector("body_text", weight="C", config=SEARCH_CONFIG),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["series_position", "title"]
        permissions = [
            ("submit_article", "Can submit an article for medical review"),
            ("review_article", "Can record a medical review of an article"),
            ("publish_article", "Can publish, schedule and unpublish articles"),
        ]
        indexes = [
            models.Index(fields=["-updated_at"], name="article_updated_idx"),
            GinIndex(fields=["edit_vector"], name="article_edit_search_idx"),
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
        rendered = render_markdown(self.body)
        self.body_html = rendered.html
        self.body_text = html_to_text(rendered.html)
        self.toc = rendered.toc
        if self.is_live and self.text_hash() == self.published_copy().fingerprint:
            self.status = Status.PUBLISHED  # the text is exactly what readers see
        elif self.status == Status.PUBLISHED:
            self.status = Status.DRAFT  # an edit after publishing needs a new review
        super().save(*args, **kwargs)
        record_links(self, rendered.links)  # the working text's; publishing records the copy's

    def get_absolute_url(self):
        if hub := self.hub:
            return reader_url("article-detail", drug_slug=hub.slug, slug=self.slug)
        return reader_url("article-standalone", slug=self.slug)

    @property
    def hub(self):
        """The primary drug's hub as readers see it (its ``PublishedDrug``), if they may.

        Reader queries load it with the article (``HUB_FIELDS``). An article lives under
        its drug's published URL; without one it lives at /articles/SLUG/.
        """
        if self.drug_id is None:
            return None
        hub = getattr(self.drug, "published", None)  # None: never published
        visible = hub is not None and hub.published_at is not None  # None: taken down
        return hub if visible and hub.published_at <= timezone.now() else None

    def clean(self):
        if self.promoted_article_id and self.promoted_article_id == self.pk:
            raise ValidationError({"promoted_article": "An article cannot promote itself."})

    @property
    def last_updated(self):
        return self.updated_at

    def text_hash(self) -> str:
        """Fingerprint of what a medical review vouches for: title, lead and body, and the
        primary drug and promoted link it appears with (articles.reviews has its SQL twin)."""
        text = "\x1f".join(
            [
                self.title,
                self.lead,
                self.body,
                str(self.drug_id or ""),
                str(self.promoted_article_id or ""),
            ]
        )
        return hashlib.sha256(text.encode()).hexdigest()

    def review_document(self) -> dict:
        """What the reviewer reads and diffs against readers' copy (names, not ids)."""
        return {
            "title": self.title,
            "lead": self.lead,
            "body": self.body,
            "primary_drug": self.drug.name if self.drug_id else "",
            "promoted_article": self.promoted_article.title if self.promoted_article_id else "",
        }

    def published_copy(self) -> "PublishedArticle | None":
        """The readers' copy (published or scheduled), if there is one."""
        if self.pk is None:
            return None
        try:
            return self.published
        except PublishedArticle.DoesNotExist:
            return None

    @property
    def is_live(self) -> bool:
        """Whether readers have (or will have, when scheduled) a published copy."""
        copy = self.published_copy()
        return copy is not None and copy.published_at is not None

    @property
    def has_pending_changes(self) -> bool:
        """A published article whose working text differs from what readers see."""
        return self.is_live and self.text_hash() != self.published_copy().fingerprint


class PublishedArticleQuerySet(PublishedQuerySet):
    def for_drug(self, drug):
        return self.filter(drug=drug)

    def with_hub(self):
        return self.select_related("drug__published")

    def in_series_order(self):
        return self.order_by("series_position", "title")


class PublishedArticle(PublishedCopy):
    """An article as readers see it: the reviewed text, and where and how it is shown.

    Written only by publishing (articles.workflow): the title, lead and body a medical
    reviewer vouched for (``fingerprint``), rendered; and, as of that publish step, the
    slug, primary drug, promoted link, series place and the featured flag.
    """

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, primary_key=True, related_name="published"
    )
    slug = LowerCaseSlugField(max_length=200, unique=True)
    drug = models.ForeignKey(
        "drugs.Drug", on_delete=models.PROTECT, null=True, related_name="published_articles"
    )
    promoted_article = models.ForeignKey(
        Article, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    title = models.CharField(max_length=200)
    lead = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    body_text = models.TextField(blank=True)
    toc = models.JSONField(default=list, blank=True)
    series_position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=20, choices=ArticleKind, default=ArticleKind.OTHER)
    featured = models.BooleanField(default=False)
    # Search indexes what readers may see; PostgreSQL keeps it in step with every write.
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

    objects = PublishedArticleQuerySet.as_manager()

    class Meta:
        ordering = ["series_position", "title"]
        indexes = [
            models.Index(fields=["published_at"], name="published_article_time_idx"),
            models.Index(
                fields=["-published_at"],
                condition=Q(featured=True),
                name="published_article_featured_idx",
            ),
            # A drug's or a condition's articles, in series order, read from the index alone
            # (pages.conditions): the wide rows are fetched for one page only.
            models.Index(
                fields=["drug", "series_position", "title"],
                include=["published_at", "article"],
                name="published_article_series_idx",
            ),
            GinIndex(fields=["search_vector"], name="published_article_search_idx"),
            GinIndex(fields=["title_vector"], name="published_article_title_idx"),
        ]
        constraints = [
            # The review gate, in the database: nothing is published without a review.
            models.CheckConstraint(
                condition=Q(reviewed_on__isnull=False) & ~Q(reviewed_by="") & ~Q(fingerprint=""),
                name="published_article_is_reviewed",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        if hub := self.hub:
            return reader_url("article-detail", drug_slug=hub.slug, slug=self.slug)
        return reader_url("article-standalone", slug=self.slug)

    hub = Article.hub

    @property
    def last_updated(self):
        """When readers first got this text (not an import's or a re-publish's date)."""
        return self.text_since


class SitePage(SlugHistoryMixin, TimestampedModel):
    """A site page as editors write it (Terms of Use, Privacy Policy, ...): readers see its
    ``PublishedSitePage``, once a Publisher publishes it; no medical review is needed."""

    needs_medical_review = False

    slug = LowerCaseSlugField(
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
        permissions = [("publish_sitepage", "Can publish and unpublish site pages")]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        rendered = render_markdown(self.body)
        self.body_html = rendered.html
        super().save(*args, **kwargs)
        record_links(self, rendered.links)  # the working text's; publishing records the copy's

    def get_absolute_url(self):
        return reader_url("site-page", slug=self.slug)

    def review_document(self) -> dict:
        """What publishing copies to readers (no medical review: a Publisher's step)."""
        return {"title": self.title, "body": self.body}

    def text_hash(self) -> str:
        return fingerprint(self.review_document())

    def after_publish(self, copy: "PublishedSitePage") -> None:
        copy.footer_position = self.footer_position
        copy.save(update_fields=["footer_position"])
        record_links(self, render_markdown(self.body).links, live=True)

    def before_unpublish(self) -> None:
        pass

    def clean(self):
        if self.slug in RESERVED_PAGE_SLUGS:
            raise ValidationError({"slug": f"'{self.slug}' is used by the site itself."})


class PublishedSitePage(PublishedCopy):
    """A site page as readers see it, from its last publish step."""

    page = models.OneToOneField(
        SitePage, on_delete=models.CASCADE, primary_key=True, related_name="published"
    )
    slug = LowerCaseSlugField(max_length=60, unique=True)
    title = models.CharField(max_length=120)
    body_html = models.TextField(blank=True)
    footer_position = models.PositiveSmallIntegerField(default=0)

    objects = PublishedQuerySet.as_manager()

    class Meta:
        ordering = ["footer_position", "title"]
        indexes = [models.Index(fields=["published_at"], name="published_page_time_idx")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reader_url("site-page", slug=self.slug)

    def fill_from(self, document: dict) -> None:
        self.title = document["title"]
        self.body_html = render_markdown(document["body"]).html


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
