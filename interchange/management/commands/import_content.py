from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from interchange.importer import import_content
from interchange.progress import terminal_progress


class Command(BaseCommand):
    help = (
        "Import a content interchange document (format version 1): all or nothing, "
        "created/updated/unchanged by slug. See docs/interchange-format.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The JSON document to read.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and count, but write nothing."
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            with path.open("rb"):  # read twice, in a streaming pass each, by the importer
                pass
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error.strerror}") from None
        result = import_content(
            path, dry_run=options["dry_run"], progress=terminal_progress(self.stderr)
        )
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{path.name}: {result.summary()}")
        self.stdout.write(f"{path.name}: {result.summary()}")
