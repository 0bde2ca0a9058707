"""Structured drug data that editors curate: the source of every drug hub page."""

from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse

from medinfo.models import TimestampedModel


class Availability(models.TextChoices):
    PRESCRIPTION = "prescription", "Prescription only"
    OVER_THE_COUNTER = "over-the-counter", "Over the counter"


class Mark(models.TextChoices):
    NONE = "", "none"
    REGISTERED = "®", "® registered"
    TRADEMARK = "™", "™ trademark"


class Drug(TimestampedModel):
    name = models.CharField(
        max_length=120, unique=True, help_text="Generic name as readers know it, e.g. Baclofen."
    )
    slug = models.SlugField(max_length=120, unique=True, help_text="Used in the URL /drugs/SLUG/.")
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
        blank=True, help_text="How it works, in Markdown. Internal links: [text](article:SLUG)."
    )
    mechanism_html = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        from articles.links import record_links
        from articles.markup import render_markdown

        rendered = render_markdown(self.mechanism)
        self.mechanism_html = rendered.html
        super().save(*args, **kwargs)
        record_links(self, rendered.links)

    def get_absolute_url(self):
        return reverse("drug-detail", kwargs={"slug": self.slug})

    @property
    def hub_title(self):
        return f"{self.name} Medication Information"


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

    def __str__(self):
        return f"{self.name}{self.mark}"

    @classmethod
    def split_mark(cls, text: str) -> tuple[str, str]:
        """'Lioresal®' -> ('Lioresal', '®'): a trailing mark, spaces around it ignored."""
        text = text.strip()
        if text[-1:] in ("®", "™"):
            return text[:-1].rstrip(), text[-1]
        return text, ""


class Condition(TimestampedModel):
    name = models.CharField(max_length=160, unique=True, help_text="e.g. Spasticity.")
    slug = models.SlugField(max_length=160, unique=True, help_text="Used in /conditions/SLUG/.")
    summary = models.TextField(blank=True, help_text="Plain text: what the condition is.")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("condition-detail", kwargs={"slug": self.slug})


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
