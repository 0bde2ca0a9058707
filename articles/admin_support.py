"""Admin building blocks shared by the articles and drugs admins: revisions, link warnings."""

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from reversion.models import Version
from reversion_compare.admin import CompareVersionAdmin


class RevisionAdmin(CompareVersionAdmin):
    """History, diff between any two revisions, and revert, for staff who may see the object.

    reversion-compare's compare view checks only that the user is staff; this checks
    the object's own view permission too.
    """

    history_latest_first = True

    def revision_view(self, request, object_id, version_id, extra_context=None):
        """reversion writes the old version raw before the form saves it, so a slug that
        the revert changes is seen here: leave the redirect and fix the referrers."""
        from articles.referrers import rerender_referrers

        before = self.get_object(request, unquote(object_id))
        old_slug = getattr(before, "slug", None)
        response = super().revision_view(request, object_id, version_id, extra_context)
        if request.method == "POST" and response.status_code == 302 and old_slug:
            after = self.get_object(request, unquote(object_id))
            if after is not None and after.slug != old_slug:
                after.remember_old_slug(old_slug)
                rerender_referrers(after, old_slug=old_slug)
        return response

    def recover_view(self, request, version_id, extra_context=None):
        """Recovery is for deleted content only. For an object that still exists it would
        write every stored field raw (an article's readers' copy and review included);
        such an object goes back through its history, where only its text is restored."""
        if not Version.objects.get_deleted(self.model).filter(pk=version_id).exists():
            raise Http404
        return super().recover_view(request, version_id, extra_context)

    def compare_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        return super().compare_view(request, object_id, extra_context)


BROKEN = Q(target_article=None, target_drug=None, target_condition=None, target_page=None)


class BrokenLinkWarningMixin:
    """After a save, warn about links readers will see as plain text (the save stands)."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not hasattr(form.instance, "outgoing_links"):
            return  # content without Markdown (conditions) links nowhere
        broken = form.instance.outgoing_links.filter(BROKEN, in_live_copy=False)
        hrefs = sorted({link.href for link in broken})
        if hrefs:
            messages.warning(
                request,
                "Readers see these links as plain text until their target exists and is "
                "published: " + ", ".join(hrefs),
            )
