"""Which articles need a medical review: missing, outdated (text changed since) or stale.

One annotation serves the ``review_report`` command and the admin's "Review" filter, so
both always agree. The text fingerprint is computed in PostgreSQL with the same recipe as
``Article.text_hash()`` (SHA-256 of title, lead, body, primary drug id and promoted
article id joined by U+001F), so a
changelist page or a report over every article costs one query, not a hash per row.
"""

import datetime
from dataclasses import dataclass

from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone

from articles.models import Article
from drugs.models import Condition, Drug

DEFAULT_MONTHS = 12


class ReviewState(models.TextChoices):
    MISSING = "missing", "Missing: never reviewed"
    OUTDATED = "outdated", "Outdated: text changed since the review"
    STALE = "stale", "Stale: reviewed too long ago"
    CURRENT = "current", "Current"


class TextHash(models.Func):
    """SQL twin of Article.text_hash(): hex SHA-256 of the UTF-8 text."""

    template = "ENCODE(SHA256(CONVERT_TO(%(expressions)s, 'UTF8')), 'hex')"
    output_field = models.CharField()


def text_hash_expression() -> TextHash:
    separator = Value("\x1f", output_field=models.TextField())

    def id_text(field: str):
        return Coalesce(Cast(field, models.TextField()), Value(""), output_field=models.TextField())

    text = Concat(
        F("title"), separator, F("lead"), separator, F("body"), separator,
        id_text("drug_id"), separator, id_text("promoted_article_id"),
        output_field=models.TextField(),
    )  # fmt: skip
    return TextHash(text)


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day of the month ``months`` earlier (the month's last day if it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    next_month = datetime.date(year + (month == 12), month % 12 + 1, 1)
    return datetime.date(year, month, min(day.day, (next_month - datetime.timedelta(days=1)).day))


def with_review_state(queryset, *, older_than_months: int = DEFAULT_MONTHS, today=None):
    """Annotate ``review_state`` (a ReviewState) and ``text_fingerprint`` on articles."""
    cutoff = months_before(today or timezone.localdate(), older_than_months)
    return queryset.annotate(text_fingerprint=text_hash_expression()).annotate(
        review_state=Case(
            When(
                Q(reviewed_on__isnull=True) | Q(reviewed_hash=""), then=Value(ReviewState.MISSING)
            ),
            When(~Q(reviewed_hash=F("text_fingerprint")), then=Value(ReviewState.OUTDATED)),
            When(reviewed_on__lt=cutoff, then=Value(ReviewState.STALE)),
            default=Value(ReviewState.CURRENT),
            output_field=models.CharField(),
        )
    )


@dataclass(frozen=True)
class ReviewProblem:
    slug: str
    title: str
    state: str
    reviewed_on: datetime.date | None
    status: str

    @property
    def line(self) -> str:
        reviewed = self.reviewed_on.isoformat() if self.reviewed_on else "never"
        return f"{self.slug}\t{self.title}\t{self.state}\treviewed {reviewed}\t{self.status}"


def review_problems(*, older_than_months: int = DEFAULT_MONTHS, today=None) -> list[ReviewProblem]:
    """Every article, drug hub and condition page whose review is missing, outdated or stale,
    worst first, then articles by slug, then hubs and condition pages ("drug:SLUG")."""
    found = _article_problems(older_than_months, today)
    found += _hub_problems(months_before(today or timezone.localdate(), older_than_months))
    rank = {state: position for position, state in enumerate(ReviewState)}
    return sorted(found, key=lambda p: (rank[p.state], ":" in p.slug, p.slug))


def _hub_problems(cutoff: datetime.date) -> list[ReviewProblem]:
    """Drug hubs and condition pages: the working copy's review against its text now."""
    found = []
    for kind, queryset in (
        ("drug", Drug.objects.select_related("published")),
        ("condition", Condition.objects.select_related("published")),
    ):
        for obj in queryset.order_by("slug"):
            if not obj.reviewed_on or not obj.reviewed_hash:
                state = ReviewState.MISSING
            elif obj.reviewed_hash != obj.text_hash():
                state = ReviewState.OUTDATED
            elif obj.reviewed_on < cutoff:
                state = ReviewState.STALE
            else:
                continue
            status = "published" if getattr(obj, "published", None) else "draft"
            found.append(
                ReviewProblem(f"{kind}:{obj.slug}", obj.name, state, obj.reviewed_on, status)
            )
    return found


def _article_problems(older_than_months: int, today) -> list[ReviewProblem]:
    order = Case(
        *(When(review_state=state, then=Value(rank)) for rank, state in enumerate(ReviewState)),
        output_field=models.IntegerField(),
    )
    rows = (
        with_review_state(Article.objects.all(), older_than_months=older_than_months, today=today)
        .exclude(review_state=ReviewState.CURRENT)
        .order_by(order, "slug")
        .values_list("slug", "title", "review_state", "reviewed_on", "status")
    )
    return [ReviewProblem(*row) for row in rows]
