"""manage.py search_relevance: how well search answers the relevance test set.

The expected results of ``articles/search_relevance.toml`` are demo pages, so by default
the score is taken on a throwaway database next to the configured one (its name plus
``_relevance``), built with Django's test-database machinery (migrate, then seed_demo)
and dropped afterwards: the configured database is never touched. ``make bench-search``
runs it after the latency figures. ``--here`` scores the configured database as it is,
for one that holds the demo site (``make run``'s).
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from articles.search_relevance import load_cases, score
from interchange.demo import seed_demo


class Command(BaseCommand):
    help = "Score search on its relevance test set (demo content): top-3 share and MRR."

    def add_arguments(self, parser):
        parser.add_argument(
            "--here",
            action="store_true",
            help="Score the configured database as it is (it must hold the demo site) "
            "instead of a throwaway copy of the demo site.",
        )

    def handle(self, *args, here, **options):
        cases = load_cases()
        if here:
            report = score(cases)
        else:
            report = self._score_on_demo_database(cases)
        self.stdout.write(report.summary())
        for line in report.lines():
            self.stdout.write(line)

    def _score_on_demo_database(self, cases):
        settings = connection.settings_dict
        original = settings["NAME"]
        settings.setdefault("TEST", {})
        saved_test_name = settings["TEST"].get("NAME")
        settings["TEST"]["NAME"] = f"{original}_relevance"
        self.stderr.write(f"Building {settings['TEST']['NAME']} with the demo site ...")
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            with transaction.atomic():
                result = seed_demo()
                if not result.ok:
                    raise CommandError(f"demo: {result.summary()}")
            return score(cases)
        finally:
            connection.creation.destroy_test_db(original, verbosity=0)
            settings["TEST"]["NAME"] = saved_test_name
