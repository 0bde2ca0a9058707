"""manage.py bench_search: search latency on the current database, against a naive ILIKE.

Run by `make bench-search` on a database that generate_content filled with 100,000
articles. Each query type runs several times after a warm-up; the figures are the
median and 95th percentile of wall time for the whole search (ranking, snippets,
suggestion), next to the naive way a search page could be built with ILIKE: the
total count and the 20 newest matches (of the drug's name, for the two questions).
The relevance score is another command's (search_relevance): it needs the demo site.
"""

import statistics
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Q

from articles.models import Article, PublishedArticle
from articles.search import search
from drugs.models import BrandName, Drug

TARGET_P95_MS = 50
TARGET_SPEEDUP_COMMON = 20


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _naive(text: str) -> None:
    matches = PublishedArticle.objects.visible().filter(
        Q(title__icontains=text) | Q(lead__icontains=text) | Q(body__icontains=text)
    )
    matches.count()
    list(matches.order_by("-published_at").values_list("id", flat=True)[:20])


def _misspell(name: str) -> str:
    return name[:2] + name[3] + name[2] + name[4:] if len(name) > 5 else name + "e"


def _long_question(name: str) -> str:
    """About 300 characters: every word a candidate, most of them common."""
    return (
        f"My doctor prescribed {name} for my back pain and I wonder what the usual dose is, "
        "whether it causes dizziness or drowsiness, if I can take it with other medicines "
        "or alcohol while I also have high blood pressure and trouble sleeping, and what "
        "to do about a missed dose"
    )


class Command(BaseCommand):
    help = "Measure search latency (median, p95) against a naive ILIKE search."

    def add_arguments(self, parser):
        parser.add_argument(
            "--runs", type=int, default=25, help="Timed runs per query type (default 25)."
        )

    def handle(self, *args, runs, **options):
        count = Article.objects.count()
        if count < 1000:
            raise CommandError("Too little content: run generate_content first.")
        drug = Drug.objects.order_by("pk")[Drug.objects.count() // 2]
        brand = BrandName.objects.order_by("pk").first()
        queries = [
            ("common word", "dizziness", "dizziness"),
            ("rare word", "zymurgy", "zymurgy"),
            ("brand name", brand.name, brand.name),
            ("phrase", '"low dose"', "low dose"),
            ("misspelling", _misspell(drug.name), _misspell(drug.name)),
            ("question", f"what is {drug.name} used for", drug.name),
            ("long question", _long_question(drug.name), drug.name),
        ]
        self.stdout.write(
            f"{count:,} articles, {Drug.objects.count():,} drugs, PostgreSQL "
            f"{connection.cursor().connection.server_version // 10000}; {runs} runs each\n"
        )
        header = f"{'query':<13} {'text':<22} {'median':>8} {'p95':>8} {'naive med':>10} {'naive p95':>10} {'speed-up':>9} {'results':>8}"  # noqa: E501
        self.stdout.write(header)
        failures = []
        for label, text, naive_text in queries:
            fast = self._time(lambda t=text: search(t), runs)
            slow = self._time(lambda t=naive_text: _naive(t), max(3, runs // 5))
            results = search(text)
            speedup = statistics.median(slow) / statistics.median(fast)
            p95 = _percentile(fast, 0.95)
            self.stdout.write(
                f"{label:<13} {text[:22]:<22} {statistics.median(fast):>6.1f}ms {p95:>6.1f}ms "
                f"{statistics.median(slow):>8.1f}ms {_percentile(slow, 0.95):>8.1f}ms "
                f"{speedup:>8.0f}x {results.total:>8}"
                + (f"  (suggests {results.suggestion!r})" if results.suggestion else "")
            )
            if p95 >= TARGET_P95_MS:
                failures.append(f"{label}: p95 {p95:.1f} ms >= {TARGET_P95_MS} ms")
            if label == "common word" and speedup < TARGET_SPEEDUP_COMMON:
                failures.append(f"common word: {speedup:.0f}x < {TARGET_SPEEDUP_COMMON}x")
        self.stdout.write("")
        self.stdout.write(
            "targets met" if not failures else "targets missed: " + "; ".join(failures)
        )

    @staticmethod
    def _time(call, runs: int) -> list[float]:
        call()  # warm-up: caches and connection
        timings = []
        for _ in range(runs):
            start = time.perf_counter()
            call()
            timings.append((time.perf_counter() - start) * 1000)
        return timings
