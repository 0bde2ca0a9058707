"""Where imported FDA label text came from, so a later label can be traced to our content.

A ``DrugLabel`` is one openFDA label (its ``set_id`` is stable across versions) and the
version last imported. Each imported section keeps its LOINC code, the hash of the label
text it came from and the hash of the text the import wrote: a newer label then says
which drafts to update, and an article whose text no longer matches what the import
wrote has been rewritten by an editor and is left alone.
"""

from django.db import models


class DrugLabel(models.Model):
    set_id = models.CharField(max_length=64, unique=True, help_text="openFDA set_id.")
    drug = models.ForeignKey("drugs.Drug", on_delete=models.CASCADE, related_name="labels")
    effective_time = models.DateField(help_text="Effective date of the imported version.")
    version = models.CharField(max_length=20, blank=True)
    spl_id = models.CharField(max_length=64, blank=True, help_text="openFDA id of the version.")
    product_type = models.CharField(max_length=60, blank=True)
    brand_names = models.JSONField(default=list, blank=True)
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["drug__name", "set_id"]

    def __str__(self):
        return f"{self.set_id} ({self.effective_time:%Y-%m-%d})"


class LabelSection(models.Model):
    label = models.ForeignKey(DrugLabel, on_delete=models.CASCADE, related_name="sections")
    field = models.CharField(max_length=60, help_text="openFDA field, e.g. boxed_warning.")
    loinc = models.CharField(max_length=10, help_text="LOINC code of the label section.")
    article = models.ForeignKey(
        "articles.Article",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="label_sections",
        help_text="The draft built from this section; empty for the drug's own fields.",
    )
    source_hash = models.CharField(max_length=64, help_text="sha256 of the label's text.")
    written_hash = models.CharField(
        max_length=64, help_text="Fingerprint of the text the import wrote (Article.text_hash)."
    )
    text = models.TextField(help_text="The cleaned text as imported.")

    class Meta:
        ordering = ["label", "field"]
        constraints = [
            models.UniqueConstraint(fields=["label", "field"], name="label_section_unique"),
        ]

    def __str__(self):
        return f"{self.field} ({self.loinc})"
