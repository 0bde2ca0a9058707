"""Structured drug data that editors curate: the source of every drug hub page."""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower, Upper

from content.fields import LowerCaseSlugField
from content.link_records import record_links
from content.markup import render_markdown, validate_markdown_length
from content.models import SEARCH_CONFIG, SlugHistoryMixin, TimestampedModel
from content.publishing import PublishedCopy, Reviewable
from content.reader_urls import reader_url
from content.review_workflow import PublishingError


class Availability(models.TextChoices):
    PRESCRIPTION = "prescription", "Prescription only"
    OVER_THE_COUNTER = "over-the-counter", "Over the counter"


class Mark(models.TextChoices):
    NONE = "", "none"
    REGISTERED = "®", "® registered"
    TRADEMARK = "™", "™ trademark"


class Drug(Reviewable, SlugHistoryMixin, TimestampedModel):
    """A drug as editors curate it: the working copy of its hub (readers see PublishedDrug)."""

    name = models.CharField(
        max_length=120, unique=True, help_text="Generic name as readers know it, e.g. Baclofen."
    )
    slug = LowerCaseSlugField(
        max_length=120, unique=True, help_text="Used in the URL /drugs/SLUG/."
    )
    drug_class = models.CharField(
        max_length=160,
        blank=True,
        help_text="Pharmacological class, e.g. Skeletal muscle relaxant.",
    )
    availability = models.CharField(
        max_length=20, choices=Availability, default=Availability.PRESCRIPTION
    )
    summary = models.TextField(
        blank=True, help_text="One or two plain sentences; shown on the hub and in link titles."
    )
    mechanism = models.TextField(
        blank=True,
        validators=[validate_markdown_length],
        help_text="How it works, in Markdown. Internal links: [text](article:SLUG).",
    )
    mechanism_html = models.TextField(blank=True, editable=False)
    brand_names_text = models.TextField(
        blank=True, editable=False, help_text="The brand names, kept in step for search."
    )
    conditions_text = models.TextField(
        blank=True,
        editable=False,
        help_text="Names of the conditions it is approved or used for, kept in step for "
        "search by database triggers (migration 0006), whatever writes the uses.",
    )
    search_vector = models.GeneratedField(
        expression=SearchVector("name", weight="A", config=SEARCH_CONFIG)
        + SearchVector(
            "brand_names_text", "conditions_text", "drug_class", weight="B", config=SEARCH_CONFIG
        )
        + SearchVector("summary", weight="C", config=SEARCH_CONFIG),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["name"]
        permissions = [
            ("review_drug", "Can record a medical review of a drug hub"),
            ("publish_drug", "Can publish and unpublish drug hubs"),
        ]
        indexes = [
            GinIndex(fields=["search_vector"], name="drug_search_idx"),
            GinIndex(OpClass(Lower("name"), name="gin_trgm_ops"), name="drug_name_trgm_idx"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        rendered = render_markdown(self.mechanism)
        self.mechanism_html = rendered.html
        super().save(*args, **kwargs)
        record_links(self, rendered.links)

    def get_absolute_url(self):
        return reader_url("drug-detail", slug=self.slug)

    def review_document(self) -> dict:
        """Everything medical the hub shows, in the hub's order: what a review vouches for."""
        uses = list(
            self.indications.select_related("condition")
            .prefetch_related("formulations")
            .order_by("position", "pk")
        )
        formulations = self.formulations.prefetch_related("brand_names")
        return {
            "name": self.name,
            "drug_class": self.drug_class,
            "availability": self.get_availability_display(),
            "summary": self.summary,
            "brands": [{"name": b.name, "mark": b.mark} for b in self.brand_names.all()],
            "formulations": [
                {
                    "name": f.name,
                    "route": f.route,
                    "strengths": list(f.strengths),
                    "brands": [{"name": b.name, "mark": b.mark} for b in f.brand_names.all()],
                }
                for f in formulations
            ],
            "approved_uses": [_use(use) for use in uses if not use.off_label],
            "off_label_uses": [_use(use) for use in uses if use.off_label],
            "mechanism": self.mechanism,
        }

    def after_publish(self, copy: "PublishedDrug") -> None:
        """The published hub's brand rows and the links of its published mechanism."""
        PublishedBrandName.objects.filter(published_drug=copy).delete()
        PublishedBrandName.objects.bulk_create(
            PublishedBrandName(published_drug=copy, name=b["name"], mark=b["mark"])
            for b in copy.document["brands"]
        )
        record_links(self, render_markdown(copy.document["mechanism"]).links, live=True)

    def before_unpublish(self) -> None:
        live = self.articles.filter(published__published_at__isnull=False).count()
        if live:
            raise PublishingError(
                f"{live} published article{'s are' if live > 1 else ' is'} about this drug "
                "and live under its URL: unpublish them or move them to another drug first."
            )

    @property
    def hub_title(self):
        return f"{self.name} Medication Information"

    def refresh_brand_names_text(self) -> None:
        """Copy the brand names onto the drug row, where its search vector can see them."""
        text = " ".join(self.brand_names.order_by("name").values_list("name", flat=True))
        if text != self.brand_names_text:
            Drug.objects.filter(pk=self.pk).update(brand_names_text=text)
            self.brand_names_text = text


class BrandName(models.Model):
    drug = models.ForeignKey(Drug, on_delete=models.CASCADE, related_name="brand_names")
    name = models.CharField(max_length=120, help_text="The brand without its mark, e.g. Lioresal.")
    mark = models.CharField(
        max_length=1,
        choices=Mark,
        blank=True,
        default=Mark.NONE,
        help_text="® or ™ as on the label.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["drug", "name"], name="brand_name_unique_per_drug"),
            models.CheckConstraint(
                condition=Q(mark__in=["", "®", "™"]), name="brand_name_mark_valid"
            ),
            models.CheckConstraint(
                condition=~Q(name__contains="®") & ~Q(name__contains="™"),
                name="brand_name_has_no_mark_in_name",
            ),
        ]
        indexes = [
            GinIndex(OpClass(Lower("name"), name="gin_trgm_ops"), name="brand_name_trgm_idx"),
        ]

    def __str__(self):
        return f"{self.name}{self.mark}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        self.drug.refresh_brand_names_text()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        self.drug.refresh_brand_names_text()
        return result

    @classmethod
    def split_mark(cls, text: str) -> tuple[str, str]:
        """'Lioresal®' -> ('Lioresal', '®'): a trailing mark, spaces around it ignored."""
        text = text.strip()
        if text[-1:] in ("®", "™"):
            return text[:-1].rstrip(), text[-1]
        return text, ""


def _use(use) -> dict:
    found = {"condition": use.condition.name, "condition_id": use.condition_id}
    found["details"] = use.details
    if not use.off_label:
        found["formulations"] = [f.name for f in use.formulations.all()]
    return found


class Condition(Reviewable, SlugHistoryMixin, TimestampedModel):
    """A condition as editors curate it: the working copy (readers see PublishedCondition)."""

    name = models.CharField(max_length=160, unique=True, help_text="e.g. Spasticity.")
    slug = LowerCaseSlugField(max_length=160, unique=True, help_text="Used in /conditions/SLUG/.")
    summary = models.TextField(blank=True, help_text="Plain text: what the condition is.")
    search_vector = models.GeneratedField(
        expression=SearchVector("name", weight="A", config=SEARCH_CONFIG)
        + SearchVector("summary", weight="C", config=SEARCH_CONFIG),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["name"]
        permissions = [
            ("review_condition", "Can record a medical review of a condition page"),
            ("publish_condition", "Can publish and unpublish condition pages"),
        ]
        indexes = [
            GinIndex(fields=["search_vector"], name="condition_search_idx"),
            GinIndex(OpClass(Lower("name"), name="gin_trgm_ops"), name="condition_name_trgm_idx"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reader_url("condition-detail", slug=self.slug)

    def review_document(self) -> dict:
        return {"name": self.name, "summary": self.summary}

    def after_publish(self, copy) -> None:
        pass

    def before_unpublish(self) -> None:
        pass


class Formulation(models.Model):
    drug = models.ForeignKey(Drug, on_delete=models.CASCADE, related_name="formulations")
    name = models.CharField(
        max_length=120,
        help_text="Dosage form as readers say it, e.g. Tablet, Intrathecal injection.",
    )
    route = models.CharField(max_length=60, blank=True, help_text="e.g. oral, intrathecal.")
    strengths = ArrayField(
        models.CharField(max_length=60),
        default=list,
        blank=True,
        help_text="Comma-separated, e.g. 5 mg, 10 mg, 20 mg.",
    )
    brand_names = models.ManyToManyField(
        BrandName, blank=True, related_name="formulations", help_text="Brands sold in this form."
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["drug", "name"], name="formulation_unique_per_drug"),
        ]

    def __str__(self):
        return self.name


class IndicationQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(off_label=False)

    def off_label(self):
        return self.filter(off_label=True)


class Indication(models.Model):
    drug = models.ForeignKey(Drug, on_delete=models.CASCADE, related_name="indications")
    condition = models.ForeignKey(Condition, on_delete=models.PROTECT, related_name="indications")
    details = models.CharField(
        max_length=300,
        blank=True,
        help_text="Cause or patients, e.g. 'due to multiple sclerosis or spinal cord injury'.",
    )
    off_label = models.BooleanField(
        default=False, help_text="Used by some prescribers but not approved for this use."
    )
    formulations = models.ManyToManyField(
        Formulation,
        blank=True,
        related_name="indications",
        help_text="The formulations approved for this use (same drug only).",
    )
    position = models.PositiveSmallIntegerField(default=0)

    objects = IndicationQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["drug", "condition", "details", "off_label"], name="indication_unique"
            ),
        ]

    def __str__(self):
        label = "off-label" if self.off_label else "approved"
        return f"{self.drug} for {self.condition} ({label})"

    def clean(self):
        if self.off_label and self.pk and self.formulations.exists():
            raise ValidationError("An off-label use has no approved formulations.")


# --- What readers see: the published copies (content.publishing) ------------------------


class PublishedDrug(PublishedCopy):
    """A drug hub as readers see it: the reviewed document, and columns to query it by."""

    drug = models.OneToOneField(
        Drug, on_delete=models.CASCADE, primary_key=True, related_name="published"
    )
    slug = LowerCaseSlugField(max_length=120, unique=True)
    name = models.CharField(max_length=120)
    summary = models.TextField(blank=True)
    drug_class = models.CharField(max_length=160, blank=True)
    mechanism_html = models.TextField(blank=True)
    brand_names_text = models.TextField(blank=True)
    conditions_text = models.TextField(blank=True)
    condition_ids = ArrayField(models.IntegerField(), default=list)
    uses_text = models.TextField(blank=True, help_text="The uses' details, for condition pages.")
    search_vector = models.GeneratedField(
        expression=SearchVector("name", weight="A", config=SEARCH_CONFIG)
        + SearchVector(
            "brand_names_text", "conditions_text", "drug_class", weight="B", config=SEARCH_CONFIG
        )
        + SearchVector("summary", weight="C", config=SEARCH_CONFIG),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["name"]
        indexes = [
            GinIndex(fields=["search_vector"], name="published_drug_search_idx"),
            GinIndex(fields=["condition_ids"], name="published_drug_conditions_idx"),
            GinIndex(
                OpClass(Lower("name"), name="gin_trgm_ops"), name="published_drug_name_trgm_idx"
            ),
            # The A–Z reads one letter's range, in order, never the whole table (pages.letters).
            models.Index(Upper("name"), name="published_drug_initial_idx"),
            # Lists that name a drug beside something else (a brand in the A–Z) read its name,
            # slug and publish time from this small index instead of the whole table.
            models.Index(
                fields=["drug"],
                include=["name", "slug", "published_at"],
                name="published_drug_card_idx",
            ),
            # Condition pages find the uses whose details name the condition (iregex).
            GinIndex(
                OpClass("uses_text", name="gin_trgm_ops"), name="published_drug_uses_trgm_idx"
            ),
            # The content version's scheduled-time lookups (pagecache.version).
            models.Index(fields=["published_at"], name="published_drug_time_idx"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reader_url("drug-detail", slug=self.slug)

    @property
    def hub_title(self):
        return f"{self.name} Medication Information"

    def fill_from(self, document: dict) -> None:
        """The query columns, from the document (the caller saves)."""
        self.name = document["name"]
        self.summary = document["summary"]
        self.drug_class = document["drug_class"]
        self.mechanism_html = render_markdown(document["mechanism"]).html
        self.brand_names_text = " ".join(b["name"] for b in document["brands"])
        uses = document["approved_uses"] + document["off_label_uses"]
        self.conditions_text = " ".join(dict.fromkeys(use["condition"] for use in uses))
        self.condition_ids = sorted({use["condition_id"] for use in uses})
        self.uses_text = "\n".join(use["details"] for use in uses if use["details"])


class PublishedBrandName(models.Model):
    """A published hub's brand, one row each: the A–Z lists and /drugs/BRAND/ find them."""

    published_drug = models.ForeignKey(
        PublishedDrug, on_delete=models.CASCADE, related_name="brand_names"
    )
    name = models.CharField(max_length=120)
    mark = models.CharField(max_length=1, blank=True)

    class Meta:
        ordering = ["name"]
        indexes = [
            GinIndex(OpClass(Lower("name"), name="gin_trgm_ops"), name="published_brand_trgm_idx"),
            models.Index(Upper("name"), name="published_brand_initial_idx"),  # the A–Z
        ]

    def __str__(self):
        return f"{self.name}{self.mark}"


class PublishedCondition(PublishedCopy):
    """A condition page as readers see it."""

    condition = models.OneToOneField(
        Condition, on_delete=models.CASCADE, primary_key=True, related_name="published"
    )
    slug = LowerCaseSlugField(max_length=160, unique=True)
    name = models.CharField(max_length=160)
    summary = models.TextField(blank=True)
    search_vector = models.GeneratedField(
        expression=SearchVector("name", weight="A", config=SEARCH_CONFIG)
        + SearchVector("summary", weight="C", config=SEARCH_CONFIG),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["name"]
        indexes = [
            GinIndex(fields=["search_vector"], name="published_condition_search_idx"),
            GinIndex(OpClass(Lower("name"), name="gin_trgm_ops"), name="published_cond_trgm_idx"),
            models.Index(fields=["published_at"], name="published_condition_time_idx"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reader_url("condition-detail", slug=self.slug)

    def fill_from(self, document: dict) -> None:
        self.name = document["name"]
        self.summary = document["summary"]
