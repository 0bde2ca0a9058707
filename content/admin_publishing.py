"""The published-copy workflow in the admin (drug hubs, condition pages).

The change page shows what readers have, what changed since (a diff of every reviewed
field against the published copy: what the reviewer vouches for) and the steps this user
may take. Each step is a POST-only URL that calls ``content.review_workflow`` with the
acting user, so the permission check happens on the server whatever the page showed.
Saving the working copy records who last changed its medical text (four eyes).
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from content import review_workflow
from content.models import shown_name_of
from content.publishing import changes, fingerprint

STEPS = ("review", "publish", "unpublish")


class SeenTextForm(forms.Form):
    """The fingerprint of the text the reviewer read: a newer text refuses the review."""

    text_hash = forms.CharField(widget=forms.HiddenInput, max_length=64)


class PublishingAdminMixin:
    """Adds the review/publish steps, the diff and the four-eyes record to a ModelAdmin."""

    change_form_template = "admin/content/publishing_change_form.html"
    list_select_related = ["published"]

    @admin.display(description="readers see")
    def on_site(self, obj):
        """The published page, if there is one (its changes may wait for review)."""
        copy = getattr(obj, "published", None)
        if copy is None or copy.published_at is None:
            return "—"
        if copy.published_at > timezone.now():
            return f"scheduled {copy.published_at:%Y-%m-%d}"
        return format_html('<a href="{}">published page</a>', copy.get_absolute_url())

    def _permission(self, step: str) -> str:
        opts = self.model._meta
        action = "review" if step == "review" else "publish"
        if action == "review" and not getattr(self.model, "needs_medical_review", True):
            action = "publish"  # nothing to review: the step is never offered
        return f"{opts.app_label}.{action}_{opts.model_name}"

    def get_urls(self):
        opts = self.model._meta
        steps = [
            path(
                f"<path:object_id>/{step}/",
                self.admin_site.admin_view(self.publishing_view),
                {"step": step},
                name=f"{opts.app_label}_{opts.model_name}_{step}",
            )
            for step in STEPS
        ]
        return steps + super().get_urls()

    def publishing_view(self, request, object_id, step):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not request.user.has_perm(self._permission(step)):
            raise PermissionDenied
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        try:
            with transaction.atomic():
                obj = self.model.objects.select_for_update().get(pk=obj.pk)
                done = getattr(self, f"_{step}")(request, obj)
                self.log_change(request, obj, done)
        except review_workflow.PublishingError as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, done)
        opts = self.model._meta
        return redirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))

    def _review(self, request, obj):
        form = SeenTextForm(request.POST)
        if not form.is_valid():
            raise review_workflow.PublishingError(
                "This form is damaged: reload the page, then review again."
            )
        review_workflow.record_review(
            obj, user=request.user, seen_hash=form.cleaned_data["text_hash"]
        )
        return f"Medical review recorded: {obj.reviewed_by}, {obj.reviewed_on}."

    def _publish(self, request, obj):
        review_workflow.publish(obj, user=request.user)
        return "Published: readers see this text now."

    def _unpublish(self, request, obj):
        review_workflow.unpublish(obj, user=request.user)
        return "Unpublished: readers no longer see this page; links to it are plain text."

    # --- Four eyes: who last changed the medical text --------------------------------------

    def save_model(self, request, obj, form, change):
        stored = self.model.objects.filter(pk=obj.pk).first() if change else None
        request._text_before = stored.text_hash() if stored else None
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        if not getattr(obj, "needs_medical_review", True):
            return
        if obj.text_hash() != getattr(request, "_text_before", None):
            self.model.objects.filter(pk=obj.pk).update(text_edited_by=request.user)
            obj.text_edited_by = request.user

    # --- The box on the change page --------------------------------------------------------

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and not context.get("revert"):
            context["publishing"] = self.publishing_panel(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def publishing_panel(self, request, obj) -> dict:
        user, now = request.user, timezone.now()
        document = obj.review_document()
        copy = review_workflow.published_copy(obj)
        text_hash = fingerprint(document)
        needs_review = getattr(obj, "needs_medical_review", True)
        reviewed = not needs_review or bool(obj.reviewed_on and obj.reviewed_hash == text_hash)
        pending = copy is None or copy.fingerprint != text_hash
        may = {step: user.has_perm(self._permission(step)) for step in STEPS}
        may["review"] = may["review"] and needs_review
        own_text = needs_review and obj.text_edited_by_id == user.pk
        shown_as = shown_name_of(user)
        opts = self.model._meta
        return {
            "state": _state(copy, pending, reviewed if needs_review else None, now),
            "changes": changes(copy.document if copy else None, document) if pending else [],
            "first_publication": copy is None,
            "review": may["review"] and pending and not own_text and bool(shown_as),
            "own_text": may["review"] and own_text,
            "no_profile": review_workflow.NO_PROFILE if may["review"] and not shown_as else "",
            "needs_review": needs_review,
            "shown_as": shown_as,
            "publish": may["publish"] and reviewed and (pending or copy.slug != obj.slug),
            "unpublish": may["unpublish"] and copy is not None,
            "review_form": SeenTextForm(initial={"text_hash": text_hash}),
            "public_url": copy.get_absolute_url() if copy and copy.published_at <= now else None,
            "urls": {
                step: reverse(f"admin:{opts.app_label}_{opts.model_name}_{step}", args=[obj.pk])
                for step in STEPS
            },
        }


def _state(copy, pending: bool, reviewed: bool | None, now) -> str:
    """E.g. "Live; with changes readers do not see yet; needs a medical review"."""
    if copy is None:
        parts = ["Not published"]
    elif copy.published_at > now:
        parts = ["Scheduled"]
    else:
        parts = ["Live"]
    if copy is not None and pending:
        parts.append("with changes readers do not see yet")
    if pending:
        if reviewed is None:  # no medical review needed (site pages)
            parts.append("ready to publish")
        else:
            parts.append("reviewed, ready to publish" if reviewed else "needs a medical review")
    return "; ".join(parts)
