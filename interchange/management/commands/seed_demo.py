from django.core.management.base import BaseCommand, CommandError

from interchange.demo import DEMO_FILE, seed_demo


class Command(BaseCommand):
    help = f"Load the demo site from {DEMO_FILE.name} through the importer (idempotent)."

    def handle(self, *args, **options):
        result = seed_demo()
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(f"demo: {result.summary()}")
        self.stdout.write(f"Demo site: {result.summary()}")
