"""Editorial content: articles, site pages, the site's settings, and recorded internal links."""

import hashlib

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.query import ModelIterable
from django.urls import reverse
from django.utils import timezone
from markdownx.models import MarkdownxField

from content.fields import LowerCaseSlugField
from content.link_records import record_links
from content.markup import html_to_text, render_markdown, validate_markdown_length
from content.models import SEARCH_CONFIG, SlugHistoryMixin, TimestampedModel

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


# Reader-facing fields and the published copies they are read from (see Article.publish).
LIVE_FIELDS = {
    "title": "live_title",
    "lead": "live_lead",
    "body": "live_body",
    "body_html": "live_body_html",
    "body_text": "live_body_text",
    "toc": "live_toc",
    "reviewed_by": "live_reviewed_by",
    "reviewed_on": "live_reviewed_on",
    "updated_at": "live_updated_at",
}


class PublishedVersionIterable(ModelIterable):
    """Yields articles as readers see them: the reviewed, published copy of the text."""

    def __iter__(self):
        for article in super().__iter__():
            yield article.as_published()


# What lists of articles load of their drug's hub: its name and URL.
HUB_FIELDS = ("drug__published__name", "drug__published__slug", "drug__published__published_at")


class ArticleQuerySet(models.QuerySet):
    def visible(self):
        """What readers may see, as they may see it. The one rule.

        An article is visible once it has a published, medically reviewed version
        (``is_live``) and its publish time has passed; a future time schedules it
        without any job running. The instances carry the published text, never a
        pending edit.
        """
        queryset = self.filter(is_live=True, published_at__lte=timezone.now())
        queryset._iterable_class = PublishedVersionIterable
        return queryset

    def only(self, *fields):
        if self._iterable_class is PublishedVersionIterable:  # load what will be shown
            fields = (*fields, *(LIVE_FIELDS[f] for f in fields if f in LIVE_FIELDS))
        return super().only(*fields)

    def for_drug(self, drug):
        return self.filter(drug=drug)

    def with_hub(self):
        """Load each article's drug hub with it (for its URL and the drug's name)."""
        return self.select_related("drug__published")

    def in_series_order(self):
        """Reader lists: ordered by the published title, never by a pending one."""
        return self.order_by("series_position", "live_title")


class Article(SlugHistoryMixin, TimestampedModel):
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
    reviewed_by = models.CharField(
        max_length=160,
        blank=True,
        help_text="Medical reviewer as shown to readers, e.g. Jane Doe, MD.",
    )
    reviewed_on = models.DateField(null=True, blank=True, help_text="Date of the medical review.")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    text_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        help_text="Who last changed the title, lead or body: another reviewer must review it.",
    )
    reviewed_hash = models.CharField(
        max_length=64, blank=True, editable=False, help_text="Fingerprint of the reviewed text."
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
    # The published version: written only by publish(), read by every reader page.
    is_live = models.BooleanField(default=False, editable=False)
    live_title = models.CharField(max_length=200, blank=True, editable=False)
    live_lead = models.TextField(blank=True, editable=False)
    live_body = models.TextField(blank=True, editable=False, help_text="The reviewed Markdown.")
    live_body_html = models.TextField(blank=True, editable=False)
    live_body_text = models.TextField(blank=True, editable=False)
    live_toc = models.JSONField(default=list, blank=True, editable=False)
    live_reviewed_by = models.CharField(max_length=160, blank=True, editable=False)
    live_reviewed_on = models.DateField(null=True, blank=True, editable=False)
    live_hash = models.CharField(max_length=64, blank=True, editable=False)
    live_updated_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Search indexes what readers may see; PostgreSQL keeps it in step with every write.
    search_vector = models.GeneratedField(
        expression=SearchVector("live_title", weight="A", config=SEARCH_CONFIG)
        + SearchVector("live_lead", weight="B", config=SEARCH_CONFIG)
        + SearchVector("live_body_text", weight="C", config=SEARCH_CONFIG),
        output_field=SearchVectorField(),
        db_persist=True,
    )
    title_vector = models.GeneratedField(
        expression=SearchVector("live_title", weight="A", config=SEARCH_CONFIG),
        output_field=SearchVectorField(),
        db_persist=True,
    )
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
            models.Index(fields=["is_live", "published_at"], name="article_live_idx"),
            models.Index(fields=["-updated_at"], name="article_updated_idx"),
            GinIndex(fields=["search_vector"], name="article_search_idx"),
            GinIndex(fields=["title_vector"], name="article_title_search_idx"),
            GinIndex(fields=["edit_vector"], name="article_edit_search_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=Status.PUBLISHED) | Q(published_at__isnull=False),
                name="article_published_has_time",
            ),
            # The review gate, in the database: nothing goes live without a review.
            models.CheckConstraint(
                condition=Q(is_live=False)
                | (
                    Q(published_at__isnull=False, live_reviewed_on__isnull=False)
                    & ~Q(live_reviewed_by="")
                    & ~Q(live_hash="")
                ),
                name="article_live_is_reviewed",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):

        if getattr(self, "_published_view", False):
            raise ValueError("This is the readers' copy of an article; load it to edit it.")
        old_slug = self.stored_slug()
        rendered = render_markdown(self.body)
        self.body_html = rendered.html
        self.body_text = html_to_text(rendered.html)
        self.toc = rendered.toc
        if self.is_live and self.text_hash() == self.live_hash:
            self.status = Status.PUBLISHED  # the text is exactly what readers see
        elif self.status == Status.PUBLISHED:
            self.status = Status.DRAFT  # an edit after publishing needs a new review
        super().save(*args, **kwargs)
        record_links(self, rendered.links)
        record_links(self, self.live_links(rendered), live=True)
        self.remember_old_slug(old_slug)

    def get_absolute_url(self):
        if hub := self.hub:
            return reverse("article-detail", kwargs={"drug_slug": hub.slug, "slug": self.slug})
        return reverse("article-standalone", kwargs={"slug": self.slug})

    @property
    def hub(self):
        """The primary drug's hub as readers see it (its ``PublishedDrug``), if they may.

        Reader queries load it with the article (``HUB_FIELDS``). An article lives under
        its drug's published URL; without one it lives at /articles/SLUG/.
        """
        if self.drug_id is None:
            return None
        hub = getattr(self.drug, "published", None)  # None: never published, or taken down
        return hub if hub is not None and hub.published_at <= timezone.now() else None

    def clean(self):
        if self.promoted_article_id and self.promoted_article_id == self.pk:
            raise ValidationError({"promoted_article": "An article cannot promote itself."})

    @property
    def last_updated(self):
        return self.updated_at

    def live_links(self, working=None) -> list:
        """The internal links of the readers' copy (none when not live)."""
        if not self.is_live:
            return []
        if working is not None and self.live_body == self.body:
            return working.links
        return render_markdown(self.live_body).links

    def text_hash(self) -> str:
        """Fingerprint of what a medical review vouches for: title, lead and body."""
        text = "\x1f".join([self.title, self.lead, self.body])
        return hashlib.sha256(text.encode()).hexdigest()

    @property
    def has_current_review(self) -> bool:
        return bool(self.reviewed_on and self.reviewed_hash == self.text_hash())

    @property
    def has_pending_changes(self) -> bool:
        """A published article whose working text differs from what readers see."""
        return self.is_live and self.text_hash() != self.live_hash

    def as_published(self) -> "Article":
        """This instance with the published copy in the reader-facing fields (not savable)."""
        loaded = self.__dict__
        for field, live_field in LIVE_FIELDS.items():
            if live_field in loaded:
                loaded[field] = loaded[live_field]
            else:
                loaded.pop(field, None)  # deferred: refresh_from_db loads the live copy
        self._published_view = True
        return self

    def refresh_from_db(self, using=None, fields=None, from_queryset=None):
        if not getattr(self, "_published_view", False):
            return super().refresh_from_db(using, fields, from_queryset)
        wanted = list(fields) if fields else [f.attname for f in self._meta.concrete_fields]
        super().refresh_from_db(using, [LIVE_FIELDS.get(f, f) for f in wanted], from_queryset)
        self.as_published()


class SitePage(SlugHistoryMixin, TimestampedModel):
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

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):

        old_slug = self.stored_slug()
        rendered = render_markdown(self.body)
        self.body_html = rendered.html
        super().save(*args, **kwargs)
        record_links(self, rendered.links)
        self.remember_old_slug(old_slug)

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
