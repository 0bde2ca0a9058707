"""The article workflow in the admin: one POST-only URL per step and the change page's box.

Each step calls ``articles.workflow`` with the acting user, so the permission check
happens on the server whatever the page showed.
"""

import datetime

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone

from articles import workflow
from articles.forms import ReviewForm, ScheduleForm
from articles.models import Article, Status
from content.models import shown_name_of
from content.publishing import changes

# The workflow steps: the permission each needs (checked again by articles.workflow).
STEP_PERMISSIONS = {
    "submit": "articles.submit_article",
    "review": "articles.review_article",
    "publish": "articles.publish_article",
    "schedule": "articles.publish_article",
    "unpublish": "articles.publish_article",
}


def article_state(article: Article, now: datetime.datetime | None = None) -> str:
    """Where an article stands, in words: live, scheduled, pending changes, needs review."""
    now = now or timezone.now()
    fingerprint = getattr(article, "text_fingerprint", None) or article.text_hash()
    copy = article.published_copy()  # loaded with the article by the admin's queries
    if not article.is_live:
        parts = [Status(article.status).label]
    elif copy.published_at > now:
        parts = [f"Scheduled for {when(copy.published_at)}"]
    else:
        parts = ["Live"]
    if article.is_live and fingerprint != copy.fingerprint:
        parts.append("with pending changes")
    if article.reviewed_on and article.reviewed_hash != fingerprint:
        parts.append("needs review: text changed since the review")
    elif not article.reviewed_on:
        parts.append("not reviewed")
    return "; ".join(parts)


def when(moment: datetime.datetime) -> str:
    """A time for a message: "Jan. 1, 2020, 9 a.m." put the sentence's period after "a.m."."""
    local = timezone.localtime(moment)
    return f"{local:%B} {local.day}, {local.year} at {local:%H:%M} ({local.tzname()})"


class ArticleWorkflowAdminMixin:
    """Adds the workflow steps' URLs and the workflow box to the article admin."""

    def get_urls(self):
        steps = [
            path(
                f"<path:object_id>/{step}/",
                self.admin_site.admin_view(self.workflow_view),
                {"step": step},
                name=f"articles_article_{step}",
            )
            for step in STEP_PERMISSIONS
        ]
        return steps + super().get_urls()

    def workflow_view(self, request, object_id, step):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not request.user.has_perm(STEP_PERMISSIONS[step]):
            raise PermissionDenied  # articles.workflow refuses too; this answers before forms
        article = self.get_object(request, unquote(object_id))
        if article is None:
            raise Http404
        try:
            with transaction.atomic(), self.create_revision(request):
                # Locked: an editor's save cannot slip in between the check and the step.
                article = Article.objects.select_for_update().get(pk=article.pk)
                done = getattr(self, f"_{step}")(request, article)
                self.log_change(request, article, done)  # also the revision's comment
        except (workflow.WorkflowError, ValidationError) as refusal:
            text = refusal.message if isinstance(refusal, ValidationError) else str(refusal)
            messages.error(request, text)
        else:
            messages.success(request, done)
        return redirect(reverse("admin:articles_article_change", args=[article.pk]))

    def _submit(self, request, article):
        workflow.submit_for_review(article, user=request.user)
        return "Submitted for medical review."

    def _review(self, request, article):
        form = ReviewForm(request.POST)
        if not form.is_valid():
            raise ValidationError("This form is damaged: reload the page, then review again.")
        workflow.record_review(article, user=request.user, seen_hash=form.cleaned_data["text_hash"])
        return f"Medical review recorded: {article.reviewed_by}, {article.reviewed_on}."

    def _publish(self, request, article):
        workflow.publish(article, user=request.user)
        return "Published: readers see this text now."

    def _schedule(self, request, article):
        form = ScheduleForm(request.POST)
        if not form.is_valid():
            raise ValidationError("Give the publishing date and time, e.g. 2026-05-01 09:00.")
        publish_at = form.cleaned_data["publish_at"]
        if publish_at <= timezone.now():
            raise ValidationError(
                f"{when(publish_at)} has passed: a schedule needs a time in the future. "
                "To publish at once, use “Publish now”."
            )
        workflow.publish(article, user=request.user, at=publish_at)
        return f"Scheduled: readers see this text from {when(article.published_at)}."

    def _unpublish(self, request, article):
        workflow.unpublish(article, user=request.user)
        return "Unpublished: readers no longer see this article."

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and not context.get("revert"):
            context["workflow"] = self.workflow_panel(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def workflow_panel(self, request, article) -> dict:
        """What the change page's workflow box shows: the state and the steps this user may take."""
        user, now = request.user, timezone.now()
        reviewed = article.has_current_review
        due_and_live = article.is_live and article.published_at <= now
        pending = article.has_pending_changes
        may = {step: user.has_perm(permission) for step, permission in STEP_PERMISSIONS.items()}
        own_text = article.text_edited_by_id == user.pk
        shown_as = shown_name_of(user)
        copy = article.published_copy()
        live_text = copy.document if copy is not None and copy.published_at else None
        return {
            "state": article_state(article, now),
            # What a reviewer vouches for: the working text against what readers have.
            "changes": changes(live_text, article.review_document())
            if not reviewed or pending
            else [],
            "first_publication": live_text is None,
            "submit": may["submit"] and article.status == Status.DRAFT,
            "review": may["review"] and not own_text and bool(shown_as),
            "own_text": may["review"] and own_text,
            # A review button that can only fail is not offered: the page says why instead.
            "no_profile": workflow.NO_PROFILE if may["review"] and not shown_as else "",
            "shown_as": shown_as,
            "renew_review": reviewed,
            "publish": may["publish"] and reviewed and (not due_and_live or pending),
            "schedule": may["schedule"] and reviewed and not due_and_live,
            "unpublish": may["unpublish"] and article.is_live,
            "review_form": ReviewForm(initial={"text_hash": article.text_hash()}),
            "schedule_form": ScheduleForm(),
            "preview_url": reverse("article-preview", args=[article.pk]),
            "public_url": article.get_absolute_url() if article.is_live else None,
            "urls": {
                step: reverse(f"admin:articles_article_{step}", args=[article.pk])
                for step in STEP_PERMISSIONS
            },
        }
