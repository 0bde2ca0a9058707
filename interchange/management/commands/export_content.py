from django.core.management.base import BaseCommand, CommandError

from drugs.models import Drug
from interchange.exporter import dumps, export_document


class Command(BaseCommand):
    help = "Write the site's content (or one drug's) as a format-1 interchange document."

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", help="File to write; standard output if omitted.")
        parser.add_argument(
            "--drug", metavar="SLUG", help="Only this drug, its articles and its conditions."
        )

    def handle(self, *args, **options):
        try:
            text = dumps(export_document(drug_slug=options["drug"]))
        except Drug.DoesNotExist:
            raise CommandError(f'no drug with slug "{options["drug"]}"') from None
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8", newline="\n") as output:
                output.write(text)
            self.stderr.write(f"Wrote {options['output']}")
        else:
            self.stdout.write(text, ending="")
