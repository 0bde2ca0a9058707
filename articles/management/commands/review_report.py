"""manage.py review_report: articles, drug hubs and condition pages whose medical review is
missing, outdated or stale.

A report by default (exit 0, for a weekly mail); with ``--fail-on`` it is a check that
exits 1 when a review of the named kinds is due, so that cron or a monitor can alert.
"""

import argparse

from django.core.management.base import BaseCommand, CommandError

from articles.reviews import DEFAULT_MONTHS, ReviewState, review_problems


class Command(BaseCommand):
    help = (
        "List articles, drug hubs (drug:SLUG) and condition pages (condition:SLUG) whose "
        "medical review is missing, outdated (text changed) or stale."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            default=DEFAULT_MONTHS,
            metavar="MONTHS",
            help=f"A review older than this many months is stale (default {DEFAULT_MONTHS}).",
        )
        parser.add_argument(
            "--fail-on",
            type=fail_on_states,
            default=frozenset(),
            metavar="KINDS",
            help="Exit 1 when a review of these kinds is due: 'any', or a comma-separated "
            "list of missing, outdated, stale (default: report only, exit 0).",
        )

    def handle(self, *args, older_than, fail_on, **options):
        if older_than < 0:
            raise CommandError("--older-than must be 0 or more months.")
        problems = review_problems(older_than_months=older_than)
        for problem in problems:
            self.stdout.write(problem.line)
        counts = {state: sum(p.state == state for p in problems) for state in ReviewState}
        self.stdout.write(
            f"Review report: {len(problems)} pages need a review "
            f"({counts[ReviewState.MISSING]} missing, {counts[ReviewState.OUTDATED]} outdated, "
            f"{counts[ReviewState.STALE]} stale older than {older_than} "
            f"month{'' if older_than == 1 else 's'})."
        )
        due = [p for p in problems if p.state in fail_on]
        if due:
            raise CommandError(
                f"{len(due)} page{'' if len(due) == 1 else 's'} due for a review "
                f"({', '.join(sorted({p.state for p in due}))}).",
                returncode=1,
            )


def fail_on_states(value: str) -> frozenset:
    """'any', 'none' or a comma-separated list of review states, for ``--fail-on``."""
    names = {name.strip().lower() for name in value.split(",") if name.strip()}
    if names == {"any"}:
        return frozenset(ReviewState) - {ReviewState.CURRENT}
    if names == {"none"}:
        return frozenset()
    wanted = {ReviewState.MISSING, ReviewState.OUTDATED, ReviewState.STALE}
    unknown = names - {state.value for state in wanted}
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown kind {', '.join(sorted(unknown)) or '(empty)'}: use any, none, or "
            "missing, outdated, stale"
        )
    return frozenset(ReviewState(name) for name in names)
