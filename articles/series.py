"""The series completeness matrix: drugs × article kinds, for editors planning work.

Each drug should answer the same questions (overview, uses, dosage, ...). A row shows, per
kind, the drug's articles with their state (live, scheduled, in review, draft) and their
review state, or a suggested title to create the missing one. One page of drugs costs two
queries, whatever the number of drugs or articles.
"""

from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db.models import Count
from django.utils import timezone

from articles.models import Article, ArticleKind, Status
from articles.reviews import ReviewState, with_review_state
from drugs.models import Drug

SERIES_KINDS = [kind for kind in ArticleKind if kind != ArticleKind.OTHER]
SUGGESTED_TITLES = {
    ArticleKind.OVERVIEW: "What Is {drug}?",
    ArticleKind.USES: "What Is {drug} Used For?",
    ArticleKind.DOSAGE: "How Is {drug} Taken?",
    ArticleKind.SIDE_EFFECTS: "What Are the Side Effects of {drug}?",
    ArticleKind.WARNINGS: "What Should I Know Before Taking {drug}?",
    ArticleKind.INTERACTIONS: "What Interacts With {drug}?",
    ArticleKind.HOW_IT_WORKS: "How Does {drug} Work?",
}
DRUGS_PER_PAGE = 50


@dataclass
class Cell:
    kind: ArticleKind
    suggested_title: str
    articles: list = field(default_factory=list)


@dataclass
class Row:
    drug: Drug
    cells: list[Cell]

    @property
    def missing(self) -> int:
        return sum(not cell.articles for cell in self.cells)


def article_state(article: Article, now) -> str:
    """What readers get: live, scheduled, or nothing yet (in review / draft)."""
    if article.is_live and article.published_at and article.published_at > now:
        return "scheduled"
    if article.is_live:
        return "live, edit pending" if article.status != Status.PUBLISHED else "live"
    return Status(article.status).label.lower()


def series_page(*, page_number=1, search: str = "", only_gaps: bool = False):
    """A page of drugs with their matrix rows; ``only_gaps`` keeps drugs missing a kind."""
    drugs = Drug.objects.order_by("name").only("pk", "name", "slug")
    if search:
        drugs = drugs.filter(name__icontains=search)
    if only_gaps:
        drugs = drugs.exclude(pk__in=_drugs_with_every_kind())
    page = Paginator(drugs, DRUGS_PER_PAGE).get_page(page_number)
    articles = with_review_state(
        Article.objects.filter(drug__in=[d.pk for d in page], kind__in=SERIES_KINDS)
    ).select_related("published").only(
        "pk", "title", "drug_id", "kind", "status", "published_at", "reviewed_on",
        "published__published_at", "published__fingerprint",
    ).order_by("series_position", "title")  # fmt: skip
    by_cell: dict[tuple, list] = {}
    now = timezone.now()
    for article in articles:
        article.state = article_state(article, now)
        article.review_due = article.review_state != ReviewState.CURRENT
        by_cell.setdefault((article.drug_id, article.kind), []).append(article)
    rows = [
        Row(
            drug,
            [
                Cell(
                    kind,
                    SUGGESTED_TITLES[kind].format(drug=drug.name),
                    by_cell.get((drug.pk, kind), []),
                )
                for kind in SERIES_KINDS
            ],
        )
        for drug in page
    ]
    return page, rows


def _drugs_with_every_kind():
    return (
        Article.objects.filter(kind__in=SERIES_KINDS, drug__isnull=False)
        .values("drug_id")
        .annotate(kinds=Count("kind", distinct=True))
        .filter(kinds=len(SERIES_KINDS))
        .values("drug_id")
    )
