"""manage.py bench_import FILE: time one import_content of FILE and report its peak memory.

Run by ``make bench-import`` on an empty benchmark database; never on a site's own.
"""

import resource
import time

from django.core.management.base import BaseCommand, CommandError

from interchange.importer import import_content


class Command(BaseCommand):
    help = "Import FILE once; print wall time and the process's peak resident memory."

    def add_arguments(self, parser):
        parser.add_argument(
            "file", help="The interchange file to import (into an empty benchmark database)."
        )

    def handle(self, *args, file, **options):
        start = time.monotonic()
        result = import_content(file)
        seconds = time.monotonic() - start
        if not result.ok:
            raise CommandError("; ".join(str(error) for error in result.errors[:5]))
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
        self.stdout.write(result.summary())
        self.stdout.write(f"import: {seconds:.1f} s wall, peak memory {peak_mb:.0f} MB")
