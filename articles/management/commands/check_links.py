"""List every broken internal link; exit 1 when there is any (DESIGN.md §6)."""

from django.core.management.base import BaseCommand, CommandError

from articles.links import find_broken_links


class Command(BaseCommand):
    help = "List every broken internal link, one a line; exit 1 when there is any."

    def handle(self, *args, **options):
        broken = find_broken_links()
        for link in broken:
            self.stdout.write(str(link))
        if not broken:
            self.stdout.write("no broken links")
            return
        pages = len({(link.source_kind, link.source_slug) for link in broken})
        raise CommandError(
            f"{_count(len(broken), 'broken link')} in {_count(pages, 'page')}", returncode=1
        )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
