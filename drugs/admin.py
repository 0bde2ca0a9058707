"""The drug admin: one page per drug, with its brands, formulations and uses inline.

A drug's revision holds the drug with all its inline rows (reversion's ``follow``), so the
history shows, compares and reverts a drug page as the editor saw it, inlines included.
"""

import reversion
from django import forms
from django.contrib import admin
from django.db import models
from markdownx.widgets import AdminMarkdownxWidget

from content.admin_publishing import PublishingAdminMixin
from content.admin_support import (
    BrokenLinkWarningMixin,
    LabelledTabularInline,
    MarkdownEditorAdminMixin,
    RevisionAdmin,
)
from content.forms import EditConflictForm
from drugs.forms import (
    BrandNameForm,
    DrugInlineFormSet,
    FormulationForm,
    IndicationForm,
    IndicationInlineFormSet,
    OffLabelUseForm,
)
from drugs.models import BrandName, Condition, Drug, Formulation, Indication

reversion.register(BrandName)
reversion.register(Formulation)
reversion.register(Indication)
# The review state is the workflow's, not an edit: a revert restores text, never a review.
REVIEW_STATE = ["reviewed_hash", "reviewer", "reviewed_by", "reviewed_on", "text_edited_by"]
reversion.register(
    Drug,
    exclude=["search_vector", *REVIEW_STATE],
    follow=["brand_names", "formulations", "indications"],
)
reversion.register(Condition, exclude=["search_vector", *REVIEW_STATE])

CHECKBOXES = {models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple}}


class BrandNameInline(LabelledTabularInline):
    model = BrandName
    form = BrandNameForm
    extra = 0
    verbose_name_plural = "brand names (type “Lioresal®” or pick the mark)"


class FormulationInline(admin.StackedInline):
    model = Formulation
    form = FormulationForm
    formset = DrugInlineFormSet
    formfield_overrides = CHECKBOXES
    extra = 0
    fields = [("name", "route", "position"), "strengths", "brand_names"]


class ApprovedUseInline(admin.StackedInline):
    model = Indication
    form = IndicationForm
    formset = IndicationInlineFormSet
    formfield_overrides = CHECKBOXES
    autocomplete_fields = ["condition"]
    extra = 0
    fields = [("condition", "position"), "details", "formulations"]
    verbose_name = "approved use"
    verbose_name_plural = "approved uses"

    def get_queryset(self, request):
        return super().get_queryset(request).approved().select_related("condition")


class OffLabelUseInline(LabelledTabularInline):
    model = Indication
    form = OffLabelUseForm
    formset = IndicationInlineFormSet
    autocomplete_fields = ["condition"]
    extra = 0
    fields = ["condition", "details", "position"]
    verbose_name = "off-label use"
    verbose_name_plural = "off-label uses (not approved; shown to readers as such)"

    def get_queryset(self, request):
        return super().get_queryset(request).off_label().select_related("condition")


@admin.register(Drug)
class DrugAdmin(
    PublishingAdminMixin, MarkdownEditorAdminMixin, BrokenLinkWarningMixin, RevisionAdmin
):
    form = EditConflictForm
    list_display = ["name", "drug_class", "availability", "on_site", "updated_at"]
    list_filter = ["availability"]
    search_fields = ["name", "slug", "brand_names__name"]
    prepopulated_fields = {"slug": ["name"]}
    show_full_result_count = False
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 3})}}
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("name", "slug"),
                    ("drug_class", "availability"),
                    "summary",
                    "loaded_updated_at",
                ]
            },
        ),
        ("How it works", {"fields": ["mechanism"]}),
    ]
    inlines = [BrandNameInline, FormulationInline, ApprovedUseInline, OffLabelUseInline]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # The mechanism is Markdown: give it the same editor and live preview as articles.
        if db_field.name == "mechanism":
            kwargs["widget"] = AdminMarkdownxWidget
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(Condition)
class ConditionAdmin(PublishingAdminMixin, RevisionAdmin):
    list_display = ["name", "slug", "on_site", "updated_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    show_full_result_count = False
