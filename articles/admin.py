"""The editorial admin for articles, site pages and the site's settings."""

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from markdownx.admin import MarkdownxModelAdmin

from articles.models import Article, InternalLink, SitePage, SiteSettings
from articles.search import rank_articles
from drugs.models import Drug


class DrugListFilter(admin.RelatedFieldListFilter):
    """Drug names only: the default filter loads every drug with all its text."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.empty_value_display = "No drug"

    def field_choices(self, field, request, model_admin):
        return list(Drug.objects.order_by("name").values_list("pk", "name"))


BROKEN = Q(target_article=None, target_drug=None, target_condition=None, target_page=None)


class LinkWorksFilter(admin.SimpleListFilter):
    title = "works"
    parameter_name = "works"

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No: plain text for readers")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(BROKEN)
        if self.value() == "no":
            return queryset.filter(BROKEN)
        return queryset


class OutgoingLinkInline(admin.TabularInline):
    """The internal links found in the saved text; broken ones show to readers as plain text."""

    model = InternalLink
    fk_name = "source_article"
    fields = ["text", "href", "target", "works"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name = "internal link in the body"
    verbose_name_plural = "internal links in the body (updated on save)"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related(
                "target_article__drug", "target_drug", "target_condition", "target_page"
            )
        )

    @admin.display(description="links to")
    def target(self, link):
        target = link.target_article or link.target_drug or link.target_condition
        target = target or link.target_page
        if target is None:
            return "—"
        return format_html('<a href="{}">{}</a>', target.get_absolute_url(), target)

    @admin.display(description="works", boolean=True)
    def works(self, link):
        return not link.is_broken


@admin.register(Article)
class ArticleAdmin(MarkdownxModelAdmin):
    list_display = ["title", "drug", "status", "published_at", "reviewed_on", "on_site"]
    list_filter = ["status", ("drug", DrugListFilter)]
    list_select_related = ["drug"]
    search_fields = ["title", "slug", "drug__name"]
    show_full_result_count = False
    ordering = ["-updated_at"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["drug", "promoted_article"]
    readonly_fields = ["created_at", "updated_at"]
    formfield_overrides = {
        **MarkdownxModelAdmin.formfield_overrides,
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 80})},
    }
    fieldsets = [
        (None, {"fields": ["title", "slug", ("drug", "series_position")]}),
        ("Text", {"fields": ["lead", "body"]}),
        ("Publishing", {"fields": [("status", "published_at"), "featured"]}),
        ("Medical review", {"fields": [("reviewed_by", "reviewed_on")]}),
        ("Promoted link", {"fields": ["promoted_article"]}),
        ("History", {"fields": [("created_at", "updated_at")], "classes": ["collapse"]}),
    ]
    inlines = [OutgoingLinkInline]

    def get_queryset(self, request):
        visible = Article.objects.visible().filter(pk=OuterRef("pk"))
        queryset = self.model._default_manager.annotate(is_visible=Exists(visible))
        term = request.GET.get("q", "").strip()
        if term:  # ranked as readers' search ranks it, drafts included
            queryset = rank_articles(queryset, term)
        return queryset.order_by(*self.get_ordering(request))

    def get_search_results(self, request, queryset, search_term):
        if request.GET.get("q", "").strip():
            return queryset, False  # the changelist: get_queryset filtered and ranked already
        # Autocomplete widgets match partial words as editors type: keep Django's search.
        return super().get_search_results(request, queryset, search_term)

    def get_ordering(self, request):
        if request.GET.get("q", "").strip() and not request.GET.get("o"):
            return ["-search_rank", "-updated_at"]
        return super().get_ordering(request)

    @admin.display(description="on site")
    def on_site(self, article):
        if not article.is_visible:
            return "—"
        return format_html('<a href="{}">view</a>', article.get_absolute_url())

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        broken = form.instance.outgoing_links.filter(BROKEN)
        hrefs = sorted({link.href for link in broken})
        if hrefs:
            messages.warning(
                request,
                "Readers see these links as plain text until their target is published: "
                + ", ".join(hrefs),
            )


@admin.register(SitePage)
class SitePageAdmin(MarkdownxModelAdmin):
    list_display = ["title", "slug", "footer_position", "updated_at"]
    list_editable = ["footer_position"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    fields = ["title", "slug", "footer_position", "body"]


@admin.register(SiteSettings)
class SiteSettingsAdmin(admin.ModelAdmin):
    """One row: the list goes straight to it, and it can be neither added twice nor deleted."""

    fieldsets = [
        (None, {"fields": [("site_name", "tagline"), ("owner", "copyright_start_year")]}),
        ("Disclaimer", {"fields": ["disclaimer"]}),
    ]

    def has_add_permission(self, request):
        return not SiteSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        settings_row = SiteSettings.objects.first()
        if settings_row is not None:
            return redirect(reverse("admin:articles_sitesettings_change", args=[settings_row.pk]))
        return super().changelist_view(request, extra_context)


# Referring Pages are built from these rows; editors may look, never edit.
@admin.register(InternalLink)
class InternalLinkAdmin(admin.ModelAdmin):
    list_display = ["source", "href", "target_key", "works"]
    list_select_related = ["source_article", "source_drug", "source_page"]
    search_fields = ["href", "target_key", "text"]
    list_filter = [LinkWorksFilter]
    show_full_result_count = False

    @admin.display(description="works", boolean=True)
    def works(self, link):
        return not link.is_broken

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
