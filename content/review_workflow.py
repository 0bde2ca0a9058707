"""Review and publish a drug hub or a condition page: the published-copy workflow.

The same rule as for articles (DESIGN.md §3): readers only get a published copy, copied
from a working copy whose exact medical text (its fingerprint) a medical reviewer vouched
for, by a Publisher, and nobody reviews a version they last changed (superusers
included). Each step checks the acting user's permission here, on the server; ``user=None``
is the system itself (imports, management commands, migrations).
"""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import timezone

from content.models import shown_name_of
from content.publishing import PublishedCopy, Reviewable, fingerprint

OWN_TEXT = "You made the last change to this text, so another medical reviewer must review it."
NO_PROFILE = (
    "Readers are told who reviewed each page, so an admin must first set your reviewer "
    "name and credential (your account's reviewer profile)."
)


class PublishingError(Exception):
    """A step the content's state does not allow; the message is for the editor."""


def _require(user, obj: models.Model, action: str, verb: str) -> None:
    opts = obj._meta
    if user is not None and not user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}"):
        raise PermissionDenied(f"You may not {verb} {opts.verbose_name_plural}.")


def published_copy(obj: Reviewable) -> PublishedCopy | None:
    """The readers' copy of obj, if it has one (published or scheduled)."""
    model = obj._meta.get_field("published").related_model
    return model.objects.filter(pk=obj.pk).first()


@transaction.atomic
def record_review(
    obj: Reviewable,
    *,
    user=None,
    reviewer_name: str = "",
    reviewed_on: datetime.date | None = None,
    seen_hash: str | None = None,
) -> Reviewable:
    """A medical review vouches for the exact text the reviewer saw (``seen_hash``).

    The name readers see is the reviewer's profile; ``reviewer_name`` is for the system
    (``user=None``), which records reviews that happened elsewhere (imports).
    """
    _require(user, obj, "review", "record medical reviews of")
    if user is not None and reviewer_name:
        raise ValueError("A user's review carries the name from their profile.")
    current = obj.text_hash()
    if seen_hash is not None and seen_hash != current:
        raise PublishingError(
            "The text changed after you opened it: read the current text, then review it."
        )
    if user is not None and user.pk == obj.text_edited_by_id:
        raise PublishingError(OWN_TEXT)
    name = (reviewer_name if user is None else shown_name_of(user)).strip()
    if not name:
        raise PublishingError(NO_PROFILE if user is not None else "A review needs a name.")
    obj.reviewer = user
    obj.reviewed_by = name
    obj.reviewed_on = reviewed_on or timezone.localdate()
    obj.reviewed_hash = current
    type(obj).objects.filter(pk=obj.pk).update(
        reviewer=user, reviewed_by=name, reviewed_on=obj.reviewed_on, reviewed_hash=current
    )
    return obj


@transaction.atomic
def publish(obj: Reviewable, *, user=None, at: datetime.datetime | None = None) -> PublishedCopy:
    """Copy the reviewed working copy to readers, now or at ``at``; its slug goes with it."""
    _require(user, obj, "publish", "publish")
    document = obj.review_document()
    text_hash = fingerprint(document)
    reviewed = getattr(obj, "needs_medical_review", True)
    if reviewed and not (obj.reviewed_on and obj.reviewed_hash == text_hash):
        raise PublishingError(
            "This text has no medical review yet: a reviewer must review it before it is published."
        )
    now = timezone.now()
    copy = published_copy(obj)
    old_slug = copy.slug if copy else None
    if copy is None:
        copy = obj._meta.get_field("published").related_model(pk=obj.pk)
        copy.published_at = at or now
        copy.text_since = copy.published_at
    else:
        if at is not None:
            copy.published_at = at
        elif copy.published_at > now:
            copy.published_at = now
        if copy.fingerprint != text_hash:
            copy.text_since = max(now, copy.published_at)
    copy.document, copy.fingerprint, copy.slug = document, text_hash, obj.slug
    if reviewed:  # site pages need a Publisher's step, not a medical review
        copy.reviewer_id, copy.reviewed_by = obj.reviewer_id, obj.reviewed_by
        copy.reviewed_on = obj.reviewed_on
    copy.fill_from(document)
    copy.save()
    obj.after_publish(copy)
    if old_slug != obj.slug:
        obj.remember_old_slug(old_slug)  # old URLs answer 301; a first publish takes the slug
    return copy


@transaction.atomic
def unpublish(obj: Reviewable, *, user=None) -> None:
    """Take the page away from readers (links to it become plain text); the text stays."""
    _require(user, obj, "publish", "unpublish")
    copy = published_copy(obj)
    if copy is None:
        raise PublishingError("This page is not published.")
    obj.before_unpublish()
    copy.delete()
