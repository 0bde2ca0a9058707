"""Reviewer profiles in the admin: set by those who manage accounts, never by the reviewer.

A profile is the name and credential readers see on a person's medical reviews. Changing
one needs Django's permission on the profile *and* on accounts (``auth.change_user``);
none of the editorial roles has either (articles.roles), so a reviewer cannot give
themselves a name or a degree. articles.admin registers these classes.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from content.models import ReviewerProfile


class ManagedWithAccounts:
    """A profile is part of the account: reading or writing it also needs the account's right."""

    def has_view_permission(self, request, obj=None):
        may_see_accounts = request.user.has_perm("auth.view_user") or request.user.has_perm(
            "auth.change_user"
        )
        return may_see_accounts and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return request.user.has_perm("auth.change_user") and super().has_add_permission(
            request, *args
        )

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("auth.change_user") and super().has_change_permission(
            request, obj
        )

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm("auth.change_user") and super().has_delete_permission(
            request, obj
        )


class ReviewerProfileInline(ManagedWithAccounts, admin.StackedInline):
    model = ReviewerProfile
    fields = ["display_name", "credential"]
    verbose_name_plural = "reviewer profile (the name readers see on this person's reviews)"


class AccountAdmin(UserAdmin):
    """Django's user admin, with the reviewer profile on the same page."""

    inlines = [*UserAdmin.inlines, ReviewerProfileInline]


class ReviewerProfileAdmin(ManagedWithAccounts, admin.ModelAdmin):
    """Every reviewer's name as readers see it, on one list."""

    list_display = ["shown_name", "user"]
    list_select_related = ["user"]
    search_fields = ["display_name", "credential", "user__username", "user__email"]
    autocomplete_fields = ["user"]
    fields = ["user", "display_name", "credential"]
    ordering = ["display_name"]

    @admin.display(description="shown to readers as", ordering="display_name")
    def shown_name(self, profile):
        return profile.shown_name
