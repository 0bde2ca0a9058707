"""The published copy: what readers see of a drug hub or a condition page, and why.

Editors change the *working copy* (the ordinary model rows); readers only ever get the
*published copy*, a separate row that holds the medical text exactly as a medical reviewer
vouched for it (``document``, with its ``fingerprint``) plus the columns reader queries
filter and sort on. Publishing copies the working copy into it; until then an edit waits,
unseen, and the published copy stays live. Reader queries name the published model
(``PublishedDrug.objects.visible()``): nothing swaps fields behind their back.

A kind of content takes part by giving its working model the ``Reviewable`` fields and a
``review_document()`` (the medical text as one JSON-able dict, in a fixed order: what the
reviewer reads, diffs and fingerprints), and a published model built on ``PublishedCopy``.
"""

import difflib
import hashlib
import json
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils import timezone


def fingerprint(document: dict) -> str:
    """What a medical review vouches for: a hash of exactly this text."""
    text = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


class Reviewable(models.Model):
    """The review state of a working copy: who vouched for which text, who last changed it."""

    reviewed_hash = models.CharField(
        max_length=64, blank=True, editable=False, help_text="Fingerprint of the reviewed text."
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    reviewed_by = models.CharField(max_length=160, blank=True, editable=False)
    reviewed_on = models.DateField(null=True, blank=True, editable=False)
    text_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        help_text="Who last changed the medical text: another reviewer must review it.",
    )

    class Meta:
        abstract = True

    def review_document(self) -> dict:
        raise NotImplementedError

    def text_hash(self) -> str:
        return fingerprint(self.review_document())

    @property
    def has_current_review(self) -> bool:
        return bool(self.reviewed_on and self.reviewed_hash == self.text_hash())


class PublishedQuerySet(models.QuerySet):
    def visible(self):
        """What readers may see now: published copies whose publish time has passed (a copy
        taken down has none)."""
        return self.filter(published_at__lte=timezone.now())


class PublishedCopy(models.Model):
    """The readers' copy of one piece of content; written only by publishing.

    ``reviewed_by`` is empty only for copies made before the review gate covered this kind
    of content (the migration that created it): ``review_report`` lists them.
    """

    document = models.JSONField(help_text="The medical text as reviewed.")
    fingerprint = models.CharField(max_length=64)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reviewed_by = models.CharField(max_length=160, blank=True)
    reviewed_on = models.DateField(null=True)
    published_at = models.DateTimeField(
        null=True, help_text="Readers see this copy from this time on; none: taken down."
    )
    text_since = models.DateTimeField(help_text="When readers first saw this text.")

    objects = PublishedQuerySet.as_manager()

    class Meta:
        abstract = True


@dataclass(frozen=True)
class Change:
    """One reviewed field that differs between the published and the working copy."""

    field: str
    before: list[str]
    after: list[str]

    @property
    def label(self) -> str:
        return self.field.replace("_", " ").capitalize()

    @property
    def lines(self) -> list[tuple[str, str]]:
        """("-", line) removed, ("+", line) added, (" ", line) kept: a line diff."""
        diff = difflib.ndiff(self.before, self.after)
        return [(line[0], line[2:]) for line in diff if line[:1] in "-+ "]


def changes(published: dict | None, working: dict) -> list[Change]:
    """What a reviewer must read: each field of the working copy that readers do not have."""
    published = published or {}
    found = []
    for field in working:
        before, after = _lines(published.get(field)), _lines(working[field])
        if before != after:
            found.append(Change(field, before, after))
    return found


def _lines(value) -> list[str]:
    """A field as lines of text: one per list item, nested items as "key: value; ..."."""
    if value in (None, "", []):
        return []
    if isinstance(value, list):
        return [_line(item) for item in value]
    return str(value).splitlines() or [""]


# Nested items read in this order whatever order they were stored in (PostgreSQL's jsonb
# keeps its own); ids are left out, the reviewer reads the name beside them.
_KEY_ORDER = ["condition", "name", "route", "strengths", "details", "formulations", "brands"]
_HIDDEN = {"condition_id"}


def _rank(key: str) -> int:
    return _KEY_ORDER.index(key) if key in _KEY_ORDER else len(_KEY_ORDER)


def _line(item) -> str:
    if isinstance(item, dict):
        if set(item) == {"name", "mark"}:  # a brand: "Lioresal®"
            return f"{item['name']}{item['mark']}"
        keys = sorted(set(item) - _HIDDEN, key=lambda k: (_rank(k), k))
        return "; ".join(f"{key}: {_line(item[key])}" for key in keys if item[key])
    if isinstance(item, list):
        return ", ".join(_line(value) for value in item)
    return str(item)
