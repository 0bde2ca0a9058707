"""manage.py review_report: articles whose medical review is missing, outdated or stale.

A report, not a check: it exits 0 whatever it finds (use it in a weekly mail, not a gate).
"""

from django.core.management.base import BaseCommand, CommandError

from articles.reviews import DEFAULT_MONTHS, ReviewState, review_problems


class Command(BaseCommand):
    help = "List articles whose medical review is missing, outdated (text changed) or stale."

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            default=DEFAULT_MONTHS,
            metavar="MONTHS",
            help=f"A review older than this many months is stale (default {DEFAULT_MONTHS}).",
        )

    def handle(self, *args, older_than, **options):
        if older_than < 0:
            raise CommandError("--older-than must be 0 or more months.")
        problems = review_problems(older_than_months=older_than)
        for problem in problems:
            self.stdout.write(problem.line)
        counts = {state: sum(p.state == state for p in problems) for state in ReviewState}
        self.stdout.write(
            f"Review report: {len(problems)} articles need a review "
            f"({counts[ReviewState.MISSING]} missing, {counts[ReviewState.OUTDATED]} outdated, "
            f"{counts[ReviewState.STALE]} stale older than {older_than} "
            f"month{'' if older_than == 1 else 's'})."
        )
