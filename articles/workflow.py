"""The life of an article: draft → in review → published, and back.

Every step checks the acting user's permission here, on the server, whatever the form
showed; ``user=None`` is the system itself (imports, management commands). The review
gate is structural: only ``publish`` writes the readers' copy, and only from text whose
fingerprint a medical review recorded (the database re-checks it, see the model's
constraints), and never by whoever last changed the text (four eyes, superusers
included). Submitting, reviewing and publishing also need alt text on every image in
the body: readers who cannot see an image get that description instead.
"""

import datetime
from html.parser import HTMLParser

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from articles.models import Article, PublishedArticle, Status
from content.link_records import record_links
from content.markup import render_markdown
from content.models import shown_name_of


class WorkflowError(Exception):
    """A step that the article's state does not allow; the message is for the editor."""


def _require(user, permission: str, action: str) -> None:
    if user is not None and not user.has_perm(f"articles.{permission}"):
        raise PermissionDenied(f"You may not {action}.")


# Four eyes: whoever made the last change to the reviewed text cannot vouch for it.
OWN_TEXT = "You made the last change to this text, so another medical reviewer must review it."
# Readers see the reviewer's name and credential as an admin set them, never as typed.
NO_PROFILE = (
    "Your reviewer name and credential, as readers see them, are not set: an administrator "
    "must set them in your account's reviewer profile before you can record a review."
)


class _ImageSources(HTMLParser):
    def __init__(self):
        super().__init__()
        self.without_alt: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "img" and not (attributes.get("alt") or "").strip():
            self.without_alt.append(attributes.get("src") or "(an image without an address)")


def images_without_alt_text(body_html: str) -> list[str]:
    """The address of each image readers would get without a description (alt text).

    Read from the rendered, sanitised HTML the save stored, so every way of writing an
    image counts (``![](…)``, reference images, raw ``<img>``) exactly as readers get it.
    """
    parser = _ImageSources()
    parser.feed(body_html)
    return parser.without_alt


def _require_alt_text(article: Article) -> None:
    """Readers who cannot see an image get its alt text instead: every image needs one."""
    missing = images_without_alt_text(article.body_html)
    if not missing:
        return
    example = f"![a description]({missing[0][:120]})"
    if len(missing) == 1:
        raise WorkflowError(
            f"The image “{missing[0][:120]}” has no alt text, so readers who cannot see it "
            f"get nothing: describe it between the square brackets, {example}, save, "
            "then try again."
        )
    names = ", ".join(f"“{src[:120]}”" for src in missing)
    raise WorkflowError(
        f"These images have no alt text, so readers who cannot see them get nothing: {names}. "
        f"Describe each between the square brackets, e.g. {example}, save, then try again."
    )


@transaction.atomic
def submit_for_review(article: Article, *, user=None) -> Article:
    _require(user, "submit_article", "submit articles for review")
    if article.status == Status.IN_REVIEW:
        raise WorkflowError("This article is already waiting for a medical review.")
    if article.status == Status.PUBLISHED:
        raise WorkflowError("This article's text is already published as it is.")
    _require_alt_text(article)
    article.status = Status.IN_REVIEW
    article.save()
    return article


@transaction.atomic
def record_review(
    article: Article,
    *,
    user=None,
    reviewer_name: str = "",
    reviewed_on: datetime.date | None = None,
    seen_hash: str | None = None,
) -> Article:
    """A medical review vouches for the exact text it saw (title, lead and body).

    ``seen_hash``: the fingerprint of the text the reviewer read; a different text in the
    database now (an editor saved meanwhile) refuses the review.

    The name readers see is the reviewing user's profile (``ReviewerProfile.shown_name``,
    set by an admin), so nobody vouches under a name they typed. ``reviewer_name`` is for
    the system only (``user=None``: imports, commands, demo and synthetic data), which
    records a review someone did elsewhere; passing it with a user is a programming error.

    The status stays as it is ("in review" until a publisher publishes): a review is
    recorded beside the text, and ``Article.has_current_review`` says whether it still
    matches.
    """
    if user is not None and reviewer_name:
        raise ValueError("reviewer_name is the system's: a user's review carries their profile.")
    _require(user, "review_article", "record medical reviews")
    if seen_hash is not None and seen_hash != article.text_hash():
        raise WorkflowError(
            "The text changed after you opened it: read the current text, then review it."
        )
    if user is not None and user.pk == article.text_edited_by_id:
        raise WorkflowError(OWN_TEXT)
    name = shown_name_of(user) if user is not None else reviewer_name.strip()
    if not name:
        raise WorkflowError(NO_PROFILE if user is not None else "A review needs a reviewer's name.")
    _require_alt_text(article)
    article.reviewer = user
    article.reviewed_by = name
    article.reviewed_on = reviewed_on or timezone.localdate()
    article.reviewed_hash = article.text_hash()
    article.save()
    return article


@transaction.atomic
def publish(article: Article, *, user=None, at: datetime.datetime | None = None) -> Article:
    """Copy the reviewed text to the readers' copy; a future ``at`` schedules it."""
    _require(user, "publish_article", "publish articles")
    if not article.has_current_review:
        raise WorkflowError(
            "This text has no medical review yet: a reviewer must review it before it is published."
        )
    _require_alt_text(article)
    now = timezone.now()
    copy = article.published_copy()
    live = article.is_live
    # Readers first see this text at once when it updates a live article, else at ``at``.
    text_since = now if live or at is None else at
    if at is not None and at > now and live and copy.published_at <= now:
        raise WorkflowError(
            "This article is live: a reviewed update is published at once. "
            "To hide it until a later time, unpublish it first."
        )
    if at is not None:
        article.published_at = at
    elif not live or article.published_at is None or article.published_at > now:
        article.published_at = now  # a live article's update keeps its first publish time
    try:
        with transaction.atomic():
            copy_to_published(article, text_since).save()
    except IntegrityError as clash:
        raise WorkflowError(
            f"Another published article has the address “{article.slug}”: change this "
            "article's slug, save, then publish."
        ) from clash
    article.status = Status.PUBLISHED
    article.save()  # pages linking to it show it as a link from their next request
    return article


def copy_to_published(article: Article, text_since: datetime.datetime) -> PublishedArticle:
    """The readers' copy of the current, reviewed article (unsaved; the caller saves it).

    Carries the reviewed title, lead and body (rendered) and, as of this step, the slug,
    primary drug, promoted link, series place and featured flag; records the copy's links
    and remembers a published slug it replaces (old URLs answer 301).

    ``text_since`` is when readers first see this text: the page's "Last updated" date.
    Publishing the text already live again (after an unpublish, say) keeps the old date:
    readers expect the date the reviewed text last changed, not that of an import or a
    re-publish.
    """
    existing = article.published_copy()
    old_slug = existing.slug if existing else None
    copy = build_published_copy(article, text_since, existing)
    record_links(article, render_markdown(article.body).links, live=True)
    if old_slug != article.slug:
        article.remember_old_slug(old_slug)
    return copy


def build_published_copy(
    article: Article, text_since: datetime.datetime, copy: PublishedArticle | None = None
) -> PublishedArticle:
    """The readers' copy of ``article`` as it is now, filled in memory (no query): on
    ``copy`` (the existing one) or a new one. Imports build many at once with it."""
    copy = copy or PublishedArticle(article=article)
    text_hash = article.text_hash()
    if copy.text_since is None or copy.fingerprint != text_hash:
        copy.text_since = text_since
    copy.fingerprint = text_hash
    copy.document = article.review_document()
    for field in (
        "slug", "drug_id", "promoted_article_id", "title", "lead", "body_html", "body_text",
        "toc", "series_position", "kind", "featured", "reviewer_id", "reviewed_by",
        "reviewed_on", "published_at",
    ):  # fmt: skip
        setattr(copy, field, getattr(article, field))
    return copy


@transaction.atomic
def unpublish(article: Article, *, user=None) -> Article:
    """Take the article away from readers. Its copy is kept, out of sight, so that
    publishing the same text again keeps its "Last updated" date."""
    _require(user, "publish_article", "unpublish articles")
    if not article.is_live:
        raise WorkflowError("This article is not published.")
    copy = article.published_copy()
    copy.published_at = None
    copy.save(update_fields=["published_at"])
    article.status = Status.DRAFT
    article.save()  # pages linking to it show plain text from their next request
    return article
