"""manage.py setup_roles: create or update the Editor, Medical reviewer and Publisher groups."""

from django.core.management.base import BaseCommand, CommandError

from articles.roles import setup_roles


class Command(BaseCommand):
    help = "Create or update the editorial groups with exactly their permissions (idempotent)."

    def handle(self, *args, **options):
        try:
            outcome = setup_roles()
        except LookupError as error:
            raise CommandError(str(error)) from error
        if options["verbosity"] > 1:
            for group, result in outcome.items():
                self.stdout.write(f"{group}: {result}")
        counts = {
            word: list(outcome.values()).count(word) for word in ("created", "updated", "unchanged")
        }
        self.stdout.write(
            f"Roles: {counts['created']} created, {counts['updated']} updated, "
            f"{counts['unchanged']} unchanged."
        )
