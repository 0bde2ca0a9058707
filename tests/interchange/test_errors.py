"""Malformed documents: every error names its record and field, and nothing is written."""

import json

import pytest

from articles.models import Article
from content.markup import MAX_MARKDOWN_CHARS
from drugs.models import Condition, Drug
from interchange.importer import import_content
from tests.interchange.documents import document, encode

DRUG = 'drugs[0] (slug "baclofen")'
ARTICLE = 'articles[0] (slug "baclofen-uses")'


def errors_of(data: bytes) -> list[str]:
    result = import_content(data)
    assert not result.ok
    return [str(error) for error in result.errors]


def change(edit) -> bytes:
    doc = document()
    edit(doc)
    return encode(doc)


def raw(old: str, new: str) -> bytes:
    text = encode(document()).decode()
    assert old in text
    return text.replace(old, new, 1).encode()


CASES = {
    "wrong version": (
        change(lambda d: d.update(version=3)),
        "document: version: expected 1 or 2, got 3 (this importer reads 1 and 2)",
    ),
    "version as a string": (
        change(lambda d: d.update(version="1")),
        "document: version: expected 1 or 2, got '1' (this importer reads 1 and 2)",
    ),
    "wrong format": (
        change(lambda d: d.update(format="wordpress")),
        "document: format: expected \"medinfo-content\", got 'wordpress'",
    ),
    "missing format": (change(lambda d: d.pop("format")), "document: format: is required"),
    "not an object": (b"[]", "document: expected an object, got a list"),
    "drugs not a list": (
        change(lambda d: d.update(drugs={"baclofen": {}})),
        "document: drugs: expected a list of objects, got an object",
    ),
    "record not an object": (
        change(lambda d: d["drugs"].append("aspirin")),
        "drugs[2]: expected an object, got a string",
    ),
    "missing drug name": (
        change(lambda d: d["drugs"][0].pop("name")),
        f"{DRUG}: name: is required",
    ),
    "missing title and slug": (
        change(lambda d: d["articles"][1].pop("title")),
        "articles[1]: title: is required",
    ),
    "missing site owner": (change(lambda d: d["site"].pop("owner")), "site: owner: is required"),
    "bad slug": (
        change(lambda d: d["drugs"][0].update(slug="Bad Slug!")),
        "drugs[0] (slug \"Bad Slug!\"): slug: 'Bad Slug!' is not a slug "
        "(letters, digits, hyphens, underscores)",
    ),
    "slug longer than the column": (
        change(lambda d: d["pages"][0].update(slug="t" * 61)),
        f'pages[0] (slug "{"t" * 61}"): slug: is 61 characters long; at most 60 allowed',
    ),
    "reserved page slug": (
        change(lambda d: d["pages"][0].update(slug="admin")),
        'pages[0] (slug "admin"): slug: "admin" is used by the site itself',
    ),
    "duplicate slugs in one file": (
        change(lambda d: d["conditions"].append({"slug": "spasticity", "name": "Stiffness"})),
        'conditions[2] (slug "spasticity"): slug: "spasticity" is also used by conditions[0]',
    ),
    "duplicate derived slugs": (
        change(lambda d: d["articles"].append({"title": "How does baclofen work"})),
        'articles[2] (slug "how-does-baclofen-work"): slug: "how-does-baclofen-work" '
        "is also used by articles[1]",
    ),
    "unknown condition": (
        change(lambda d: d["drugs"][0]["indications"][0].update(condition="gout")),
        f'{DRUG}: indications[0].condition: no condition "gout" in this file or the database',
    ),
    "formulation of another drug": (
        change(lambda d: d["drugs"][0]["indications"][0].update(formulations=["Capsule"])),
        f'{DRUG}: indications[0].formulations[0]: "Capsule" is not one of this drug\'s '
        'formulations (it has "Tablet", "Intrathecal injection")',
    ),
    "formulation on an off-label use": (
        change(lambda d: d["drugs"][0]["off_label_uses"][0].update(formulations=["Tablet"])),
        f"{DRUG}: off_label_uses[0].formulations: is not a known key",
    ),
    "brand of a formulation not the drug's": (
        change(lambda d: d["drugs"][0]["formulations"][1].update(brand_names=["Zanaflex®"])),
        f'{DRUG}: formulations[1].brand_names[0]: "Zanaflex®" is not one of the drug\'s '
        "brand_names",
    ),
    "mark inside a brand name": (
        change(lambda d: d["drugs"][0].update(brand_names=["Lioresal® Intrathecal"])),
        f"{DRUG}: brand_names[0]: 'Lioresal® Intrathecal': a mark (® or ™) may only come at "
        "the end",
    ),
    "strengths as a string": (
        change(lambda d: d["drugs"][0]["formulations"][0].update(strengths="5 mg, 10 mg")),
        f"{DRUG}: formulations[0].strengths: expected a list of strings, got a string",
    ),
    "number for a string": (
        change(lambda d: d["drugs"][0].update(summary=12)),
        f"{DRUG}: summary: expected a string, got a number",
    ),
    "true for a number": (
        change(lambda d: d["articles"][0].update(series_position=True)),
        f"{ARTICLE}: series_position: expected a whole number, got true/false",
    ),
    "negative position": (
        change(lambda d: d["pages"][0].update(footer_position=-1)),
        'pages[0] (slug "terms"): footer_position: -1 is out of range (0 to 32767)',
    ),
    "unknown top-level key": (
        change(lambda d: d.update(authors=[])),
        "document: authors: is not a known key",
    ),
    "unknown record key": (
        change(lambda d: d["articles"][0].update(author="Jane")),
        f"{ARTICLE}: author: is not a known key",
    ),
    "duplicate key": (
        raw('"name": "Baclofen"', '"name": "Baclofen", "name": "Baclofen"'),
        f"{DRUG}: name: is given more than once",
    ),
    "invalid UTF-8": (
        encode(document()).replace(b"Tight", b"T\xffight"),
        "document: the file is not valid UTF-8 (byte ",
    ),
    "truncated JSON": (
        encode(document())[:300],
        "document: the file is not valid JSON: ",
    ),
    "huge title": (
        change(lambda d: d["articles"][0].update(title="Q" * 10_000)),
        f"{ARTICLE}: title: is 10,000 characters long; at most 200 allowed",
    ),
    "huge body": (
        change(lambda d: d["articles"][0].update(body="x" * (MAX_MARKDOWN_CHARS + 1))),
        f"{ARTICLE}: body: is {MAX_MARKDOWN_CHARS + 1:,} characters long; "
        f"at most {MAX_MARKDOWN_CHARS:,} allowed",
    ),
    "NaN": (
        raw('"reviewed_on": "2026-10-30"', '"reviewed_on": "2026-10-30", "series_position": NaN'),
        f"{ARTICLE}: series_position: NaN is not a number JSON allows",
    ),
    "Infinity": (
        raw('"copyright_start_year": 2006', '"copyright_start_year": Infinity'),
        "site: copyright_start_year: Infinity is not a number JSON allows",
    ),
    "-Infinity": (
        raw('"copyright_start_year": 2006', '"copyright_start_year": -Infinity'),
        "site: copyright_start_year: -Infinity is not a number JSON allows",
    ),
    "1e400": (
        raw('"copyright_start_year": 2006', '"copyright_start_year": 1e400'),
        "site: copyright_start_year: 1e400 is out of range",
    ),
    "huge integer": (
        raw('"copyright_start_year": 2006', '"copyright_start_year": ' + "9" * 5000),
        "site: copyright_start_year: 99999999999999999999... is out of range",
    ),
    "NUL byte": (
        change(lambda d: d["drugs"][0].update(summary="A muscle\x00 relaxant.")),
        f"{DRUG}: summary: contains a NUL character",
    ),
    "lone surrogate": (
        raw('"summary": "A muscle relaxant."', '"summary": "A muscle \\ud800 relaxant."'),
        f"{DRUG}: summary: contains an unpaired surrogate (\\ud800-\\udfff), which is not text",
    ),
    "look-alike letter": (
        change(lambda d: d["drugs"][1].update(name="\u0406buprofen", slug="ibuprofen")),
        "drugs[1] (slug \"ibuprofen\"): name: '\u0406buprofen' mixes letters of different "
        "scripts (a look-alike character?)",
    ),
    "bad availability": (
        change(lambda d: d["drugs"][0].update(availability="pharmacy")),
        f'{DRUG}: availability: \'pharmacy\' is not one of "prescription", "over-the-counter"',
    ),
    "bad status": (
        change(lambda d: d["articles"][0].update(status="live")),
        f'{ARTICLE}: status: \'live\' is not one of "draft", "in_review", "published"',
    ),
    "naive datetime": (
        change(lambda d: d["articles"][0].update(published_at="2026-11-01T09:00:00")),
        f"{ARTICLE}: published_at: expected an ISO-8601 time with a time zone, "
        "e.g. 2026-11-01T09:00:00Z, or null, got '2026-11-01T09:00:00'",
    ),
    "impossible date": (
        change(lambda d: d["articles"][0].update(reviewed_on="2026-02-30")),
        f"{ARTICLE}: reviewed_on: expected a date YYYY-MM-DD or null, got '2026-02-30'",
    ),
    "published without a time": (
        change(lambda d: d["articles"][0].update(published_at=None)),
        f"{ARTICLE}: published_at: is required when status is published",
    ),
    "published without a review": (
        change(lambda d: d["articles"][0].update(reviewed_by="")),
        f"{ARTICLE}: reviewed_by: is required when status is published",
    ),
    "unknown drug on an article": (
        change(lambda d: d["articles"][0].update(drug="aspirin")),
        f'{ARTICLE}: drug: no drug "aspirin" in this file or the database',
    ),
    "article promoting itself": (
        change(lambda d: d["articles"][0].update(promoted_article="baclofen-uses")),
        f"{ARTICLE}: promoted_article: an article cannot promote itself",
    ),
    "duplicate formulation names": (
        change(lambda d: d["drugs"][0]["formulations"].append({"name": "Tablet"})),
        f'{DRUG}: formulations[2].name: "Tablet" is listed twice',
    ),
}


@pytest.mark.parametrize("data, expected", CASES.values(), ids=CASES.keys())
def test_malformed_document_is_refused_naming_record_and_field(db, data, expected):
    errors = errors_of(data)

    assert any(error.startswith(expected) for error in errors), errors
    assert not Drug.objects.exists() and not Condition.objects.exists()


def test_all_errors_are_reported_at_once(db):
    doc = document()
    doc["drugs"][0]["availability"] = "pharmacy"
    doc["drugs"][1]["formulations"][0]["strengths"] = "2 mg"
    doc["articles"][0]["status"] = "live"
    doc["pages"][0]["extra"] = 1

    errors = errors_of(encode(doc))

    assert errors == [
        f'{DRUG}: availability: \'pharmacy\' is not one of "prescription", "over-the-counter"',
        'drugs[1] (slug "tizanidine"): formulations[0].strengths: expected a list of strings, '
        "got a string",
        f'{ARTICLE}: status: \'live\' is not one of "draft", "in_review", "published"',
        'pages[0] (slug "terms"): extra: is not a known key',
    ]


def test_one_bad_record_among_many_writes_nothing(db):
    doc = document()
    doc["conditions"] += [{"name": f"Condition {n}"} for n in range(500)]
    doc["conditions"][400]["summary"] = ["not", "text"]

    errors = errors_of(encode(doc))

    assert errors == [
        'conditions[400] (slug "condition-398"): summary: expected a string, got a list'
    ]
    assert Condition.objects.count() == 0


def test_a_failure_while_writing_rolls_back_everything(db):
    """Two drugs swapping names pass the checks but break a unique name mid-write."""
    Drug.objects.create(slug="first", name="Alpha")
    Drug.objects.create(slug="second", name="Beta")
    doc = {
        "format": "medinfo-content",
        "version": 1,
        "conditions": [{"name": "New condition"}],
        "drugs": [{"slug": "first", "name": "Beta"}, {"slug": "second", "name": "Alpha"}],
    }

    errors = errors_of(json.dumps(doc).encode())

    assert errors[0].startswith("document: the database refused the import, nothing was written")
    assert not Condition.objects.exists()
    assert dict(Drug.objects.values_list("slug", "name")) == {"first": "Alpha", "second": "Beta"}


def test_name_held_by_another_slug_in_the_database_is_an_error(db):
    Drug.objects.create(slug="baclofen-old", name="Baclofen")

    errors = errors_of(encode(document()))

    assert errors == [f'{DRUG}: name: "Baclofen" is already the name of drug "baclofen-old"']


def test_condition_already_in_the_database_may_be_referenced(db):
    Condition.objects.create(slug="gout", name="Gout")
    doc = document()
    doc["drugs"][0]["off_label_uses"].append({"condition": "gout", "details": ""})

    assert import_content(encode(doc)).ok
    assert Article.objects.count() == 2
