"""manage.py bench_markup: render times of a typical article and of hostile Markdown.

Speed is measured here, not asserted in tests: the suite checks that hostile texts are
refused or bounded; this prints how long each costs on the machine at hand.
"""

import statistics
import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand

from content.markup import render_markdown, validate_markdown_length
from content.markup_samples import PATHOLOGICAL, typical_article


class Command(BaseCommand):
    help = "Print median render and validation times for a typical article and hostile texts."

    def add_arguments(self, parser):
        parser.add_argument(
            "--runs", type=int, default=5, help="Renders per text; the median is shown (5)."
        )

    def handle(self, *args, runs, **options):
        self.stdout.write(
            f"{'text':<16}{'validate ms':>12}{'render ms':>12}{'html kB':>10}  verdict"
        )
        for name, text in {"typical-1500w": typical_article(), **PATHOLOGICAL}.items():
            start = time.perf_counter()
            try:
                validate_markdown_length(text)
                verdict = "accepted"
            except ValidationError as refusal:
                verdict = "refused: " + refusal.messages[0][:50]
            validate_ms = (time.perf_counter() - start) * 1000
            timings, html = [], ""
            for _ in range(runs):
                start = time.perf_counter()
                html = render_markdown(text).html
                timings.append((time.perf_counter() - start) * 1000)
            self.stdout.write(
                f"{name:<16}{validate_ms:>12.1f}{statistics.median(timings):>12.1f}"
                f"{len(html) / 1000:>10.1f}  {verdict}"
            )
