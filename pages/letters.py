"""The drug A–Z: which letters lead somewhere, and the drugs and brand names under one letter.

Both read one letter's range of an index on the upper-cased name (``*_initial_idx``), in
its order, never a whole table: the A–Z bar and a page of a letter cost the same with ten
drugs or ten thousand.
"""

from string import ascii_lowercase

from django.db.models import BooleanField, CharField, F, TextField, Value
from django.db.models.functions import Upper
from django.utils import timezone

from content.sql import fetch_rows
from drugs.models import PublishedBrandName, PublishedDrug

LETTERS = ascii_lowercase
ENTRY_COLUMNS = (
    "sort_name", "entry_name", "entry_mark", "entry_summary", "drug_name", "drug_slug", "is_brand",
)  # fmt: skip


def _visible_brands():
    """Brands of visible drugs, through the join that fetches the drug's name anyway (an
    ``IN (visible drugs)`` subquery makes PostgreSQL hash every drug)."""
    return PublishedBrandName.objects.filter(published_drug__published_at__lte=timezone.now())


# For each letter, is there one visible drug, or one brand of a visible drug, whose upper-cased
# name falls in [letter, next letter)? Each EXISTS is a probe of an index on the upper-cased
# name (``*_initial_idx``) that stops at its first row.
# Written in SQL because the ORM would spell it as a 52-part UNION, which PostgreSQL takes
# longer to plan (~7 ms) than this takes to run.
AVAILABLE_LETTERS_SQL = """
SELECT letter FROM unnest(%(letters)s::text[]) AS letter
WHERE EXISTS (
    SELECT 1 FROM drugs_publisheddrug d
    WHERE upper(d.name::text) >= letter AND upper(d.name::text) < chr(ascii(letter) + 1)
      AND d.published_at <= %(now)s
) OR EXISTS (
    SELECT 1 FROM drugs_publishedbrandname b
    JOIN drugs_publisheddrug d ON d.drug_id = b.published_drug_id
    WHERE upper(b.name::text) >= letter AND upper(b.name::text) < chr(ascii(letter) + 1)
      AND d.published_at <= %(now)s
)
"""


def available_letters() -> set[str]:
    """First letters that have at least one drug or brand name: one query of 52 index
    probes, rather than reading every name to find its initial, on the connection the
    router picks for reads. Visible means what ``PublishedQuerySet.visible()`` means:
    published at or before now."""
    params = {"letters": list(LETTERS.upper()), "now": timezone.now()}
    return {
        letter.lower() for (letter,) in fetch_rows(PublishedDrug, AVAILABLE_LETTERS_SQL, params)
    }


def _in_range(rows, letter: str):
    """Rows whose upper-cased name starts with the letter, with it as ``sort_name``."""
    first = letter.upper()
    return (
        rows.order_by()
        .annotate(sort_name=Upper("name"))
        .filter(sort_name__gte=first, sort_name__lt=chr(ord(first) + 1))
    )


def entries_starting_with(letter: str):
    """The drugs and brand names starting with the letter, in name order, as dicts of
    ``ENTRY_COLUMNS`` (a brand points to its drug): one UNION ALL query whose halves read
    the name indexes in order, so a page of it stops after the rows it shows."""
    drugs = _in_range(PublishedDrug.objects.visible(), letter).annotate(
        entry_name=F("name"),
        entry_mark=Value("", output_field=CharField()),
        entry_summary=F("summary"),
        drug_name=F("name"),
        drug_slug=F("slug"),
        is_brand=Value(False, output_field=BooleanField()),
    )
    brands = _in_range(_visible_brands(), letter).annotate(
        entry_name=F("name"),
        entry_mark=F("mark"),
        entry_summary=Value("", output_field=TextField()),
        drug_name=F("published_drug__name"),
        drug_slug=F("published_drug__slug"),
        is_brand=Value(True, output_field=BooleanField()),
    )
    return (
        drugs.values(*ENTRY_COLUMNS)
        .union(brands.values(*ENTRY_COLUMNS), all=True)
        .order_by("sort_name", "is_brand", "drug_slug")
    )
