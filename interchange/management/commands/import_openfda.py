from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from interchange.label_import import import_openfda


class Command(BaseCommand):
    help = (
        "Import openFDA drug label records (results envelope, one record, a list or JSON "
        "Lines) as a drug with draft articles. See docs/openfda-import.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The openFDA JSON or JSON Lines file.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change; write nothing."
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error.strerror}") from None
        result = import_openfda(data, dry_run=options["dry_run"])
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{path.name}: {result.summary()}")
        for report in result.reports:
            self.stdout.write(f"{report.label}: {report.action}")
            for line in report.lines:
                self.stdout.write(f"  {line}")
        self.stdout.write(f"{path.name}: {result.summary()}")
