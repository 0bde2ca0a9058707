"""The editorial admin for articles, site pages and the site's settings.

Every change form keeps a revision (django-reversion, with a diff between any two by
django-reversion-compare) and refuses to save over a version its editor has not seen
(articles.forms). An article's workflow fields are read-only here: they change only
through the workflow buttons, which call ``articles.workflow`` with the acting user, so
the permission check happens on the server whatever the page showed.
"""

import reversion
from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Exists, OuterRef
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import format_html
from markdownx.admin import MarkdownxModelAdmin

from articles.admin_profiles import AccountAdmin, ReviewerProfileAdmin
from articles.admin_workflow import ArticleWorkflowAdminMixin, article_state
from articles.links import link_works
from articles.models import Article, ArticleKind, PublishedArticle, SitePage, SiteSettings
from articles.reviews import ReviewState, with_review_state
from articles.revisions import ARTICLE_UNVERSIONED, restore_working_text
from articles.search import rank_articles
from articles.series import SERIES_KINDS, series_page
from content.admin_publishing import PublishingAdminMixin
from content.admin_support import (
    BrokenLinkWarningMixin,
    LabelledTabularInline,
    MarkdownEditorAdminMixin,
    RevisionAdmin,
)
from content.forms import EditConflictForm
from content.links import find_targets
from content.models import InternalLink, ReviewerProfile
from drugs.models import Drug

reversion.register(Article, exclude=ARTICLE_UNVERSIONED)
reversion.register(SitePage, exclude=["body_html"])
reversion.register(SiteSettings)


class DrugListFilter(admin.RelatedFieldListFilter):
    """Drug names only: the default filter loads every drug with all its text."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.empty_value_display = "No drug"

    def field_choices(self, field, request, model_admin):
        return list(Drug.objects.order_by("name").values_list("pk", "name"))


class LinkWorksFilter(admin.SimpleListFilter):
    title = "works"
    parameter_name = "works"

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No: plain text for readers")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(works=True)
        if self.value() == "no":
            return queryset.filter(works=False)
        return queryset


class OutgoingLinkInline(LabelledTabularInline):
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
            .filter(in_live_copy=False)  # the links of the text being edited
            .annotate(works=link_works())
        )

    @admin.display(description="links to")
    def target(self, link):
        """The target's page as readers get it now (the inline's links resolved at once)."""
        if not hasattr(self, "_targets"):  # inline instances live for one request
            keys = InternalLink.objects.filter(
                source_article=link.source_article_id, in_live_copy=False
            ).values_list("target_key", flat=True)
            self._targets = find_targets(keys)
        target = self._targets.get(link.target_key)
        if target is None:
            return link.target_key
        return format_html('<a href="{}">{}</a>', target.url, link.target_key)

    @admin.display(description="works now", boolean=True)
    def works(self, link):
        return link.works


class ReviewFilter(admin.SimpleListFilter):
    """The review report at a glance (articles.reviews, shared with ``review_report``)."""

    title = "review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return ReviewState.choices

    def queryset(self, request, queryset):
        if self.value() in ReviewState.values:
            return queryset.filter(review_state=self.value())
        return queryset


@admin.register(Article)
class ArticleAdmin(
    ArticleWorkflowAdminMixin,
    MarkdownEditorAdminMixin,
    BrokenLinkWarningMixin,
    RevisionAdmin,
    MarkdownxModelAdmin,
):
    form = EditConflictForm
    change_list_template = "admin/articles/article/change_list.html"
    list_display = ["title", "drug", "state", "review", "published_at", "on_site"]
    list_filter = ["status", ReviewFilter, "kind", ("drug", DrugListFilter)]
    list_select_related = ["drug__published", "published__drug__published"]
    search_fields = ["title", "slug", "drug__name"]
    show_full_result_count = False
    ordering = ["-updated_at"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["drug", "promoted_article"]
    readonly_fields = [
        "state", "status", "published_at", "reviewed_by", "reviewed_on", "created_at", "updated_at"
    ]  # fmt: skip
    formfield_overrides = {
        **MarkdownxModelAdmin.formfield_overrides,
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 80})},
    }
    fieldsets = [
        (
            None,
            {"fields": ["title", "slug", ("drug", "kind", "series_position"), "loaded_updated_at"]},
        ),
        ("Text", {"fields": ["lead", "body"]}),
        (
            "Publishing (changed only by the workflow steps above)",
            {"fields": ["state", ("status", "published_at"), "featured"]},
        ),
        ("Medical review", {"fields": [("reviewed_by", "reviewed_on")]}),
        ("Promoted link", {"fields": ["promoted_article"]}),
        ("History", {"fields": [("created_at", "updated_at")], "classes": ["collapse"]}),
    ]
    inlines = [OutgoingLinkInline]

    def get_fieldsets(self, request, obj=None):
        """On the add page there are no workflow buttons yet: say when they appear."""
        if obj is not None:
            return self.fieldsets
        return [
            ("Publishing (the workflow steps appear once the article is saved)", options)
            if title and title.startswith("Publishing")
            else (title, options)
            for title, options in self.fieldsets
        ]

    def get_urls(self):
        series = path(
            "series/",
            self.admin_site.admin_view(self.series_view),
            name="articles_article_series",
        )
        return [series, *super().get_urls()]

    def series_view(self, request):
        """Drugs × article kinds: what exists, what is live, which reviews are due."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        search = request.GET.get("q", "").strip()[:100]
        only_gaps = request.GET.get("gaps") == "1"
        page, rows = series_page(
            page_number=request.GET.get("p", 1), search=search, only_gaps=only_gaps
        )
        context = {
            **self.admin_site.each_context(request),
            "title": "Series completeness",
            "opts": self.model._meta,
            "kinds": [ArticleKind(kind) for kind in SERIES_KINDS],
            "rows": rows,
            "page": page,
            "search": search,
            "only_gaps": only_gaps,
            "can_add": self.has_add_permission(request),
        }
        return TemplateResponse(request, "admin/articles/article/series.html", context)

    def get_queryset(self, request):
        visible = PublishedArticle.objects.visible().filter(pk=OuterRef("pk"))
        queryset = with_review_state(self.model._default_manager.all())
        queryset = queryset.annotate(is_visible=Exists(visible))
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

    def view_on_site(self, article):
        """The public page once the article is live; until then, the staff preview."""
        if article.is_live:
            return article.published.get_absolute_url()
        return reverse("article-preview", args=[article.pk])

    @admin.display(description="on site")
    def on_site(self, article):
        if not getattr(article, "is_visible", False):
            return "—"
        return format_html('<a href="{}">view</a>', article.published.get_absolute_url())

    @admin.display(description="state")
    def state(self, article):
        return article_state(article) if article.pk else "New draft"

    @admin.display(description="review", ordering="reviewed_on")
    def review(self, article):
        label = ReviewState(article.review_state).label.split(":")[0]
        return f"{label} ({article.reviewed_on:%Y-%m-%d})" if article.reviewed_on else label

    def save_model(self, request, obj, form, change):
        """Remember who changed the reviewed text (a revert too): they may not review it."""
        stored = (
            Article.objects.filter(pk=obj.pk).values_list("title", "lead", "body").first()
            if change
            else None
        )
        if stored != (obj.title, obj.lead, obj.body):
            obj.text_edited_by = request.user
        super().save_model(request, obj, form, change)

    # Revert: the working text only, through the ordinary change form (and so the gate).

    def get_object(self, request, object_id, from_field=None):
        article = super().get_object(request, object_id, from_field)
        version = getattr(request, "_revert_to", None)
        if article is not None and version is not None:
            restore_working_text(article, version)
        return article

    def revision_view(self, request, object_id, version_id, extra_context=None):
        """reversion's own revert writes every stored field raw; this edits the text only.

        The chosen version's text fills the change form; saving it is an ordinary edit
        (a new revision, status back to draft if it differs from what readers see), so
        readers keep the published copy until the reverted text is reviewed and published.
        """
        _, version = self.own_version(request, object_id, version_id)
        request._revert_to = version
        saved_on = localize(timezone.localtime(version.revision.date_created))
        context = {
            "title": f"Revert {version.object_repr}",
            "revert": True,
            "version_preview_url": (
                reverse("article-preview", args=[version.object_id]) + f"?version={version.pk}"
            ),
        }
        with self.create_revision(request):
            response = self.changeform_view(
                request, object_id, request.path, context | (extra_context or {})
            )
            if request.method == "POST" and response.status_code == 302:
                reversion.set_comment(f"Reverted to the version saved on {saved_on}")
        if response.status_code == 200 and hasattr(response, "template_name"):
            response.template_name = self._reversion_get_template_list("revision_form.html")
        return response


@admin.register(SitePage)
class SitePageAdmin(
    PublishingAdminMixin, BrokenLinkWarningMixin, RevisionAdmin, MarkdownxModelAdmin
):
    """Site pages reach readers through a Publisher's publish step (no medical review)."""

    form = EditConflictForm
    list_display = ["title", "slug", "footer_position", "on_site", "updated_at"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    fields = ["title", "slug", "footer_position", "body", "loaded_updated_at"]


@admin.register(SiteSettings)
class SiteSettingsAdmin(RevisionAdmin):
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

    def get_queryset(self, request):
        # What editors fix: the links of the working text, and whether each works now.
        return super().get_queryset(request).filter(in_live_copy=False).annotate(works=link_works())

    @admin.display(description="works now", boolean=True, ordering="works")
    def works(self, link):
        return link.works

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# The reviewer's name and credential readers see: set with the account, by an admin.
admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), AccountAdmin)
admin.site.register(ReviewerProfile, ReviewerProfileAdmin)
