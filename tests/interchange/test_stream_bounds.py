"""Strings too long for any field: a record/field error, found in one pass over the file,
without the string ever being held in memory."""

import io
import json
import tracemalloc

import pytest

from interchange import stream
from interchange.importer import import_content
from interchange.schema import KINDS
from tests.interchange.documents import document, encode

MB = 1 << 20
TOO_LONG = "no field holds more than 100,000 characters"


def with_string(path: tuple, size: int) -> bytes:
    """The test document with the string at ``path`` replaced by ``size`` bytes of text."""
    doc = document()
    target = doc
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = "x" * size
    return encode(doc)


def errors_of(data: bytes) -> list[str]:
    result = import_content(data)
    assert not result.ok
    return [str(error) for error in result.errors]


@pytest.mark.django_db
def test_32_mb_body_is_a_record_error_naming_the_record_and_the_field():
    errors = errors_of(with_string(("articles", 0, "body"), 32 * MB))

    assert errors == [f'articles[0] (slug "baclofen-uses"): body: is 32.0 MB long; {TOO_LONG}']


@pytest.mark.django_db
def test_2_mb_name_deep_in_a_drug_names_its_path():
    errors = errors_of(with_string(("drugs", 0, "formulations", 1, "name"), 2 * MB))

    assert errors == [
        f'drugs[0] (slug "baclofen"): formulations[1].name: is 2.0 MB long; {TOO_LONG}'
    ]


@pytest.mark.django_db
def test_8_mb_site_disclaimer_is_an_error_of_the_site_record():
    errors = errors_of(with_string(("site", "disclaimer"), 8 * MB))

    assert errors == [f"site: disclaimer: is 8.0 MB long; {TOO_LONG}"]


def test_a_string_cut_by_every_chunk_is_scanned_once(monkeypatch):
    """Linear time, counted as bytes handed to the scanner's patterns."""
    scanned = []

    class Counting:
        def __init__(self, pattern):
            self.pattern = pattern

        def finditer(self, data, pos=0):
            scanned.append(len(data) - pos)
            return self.pattern.finditer(data, pos)

        def match(self, data, pos=0):
            scanned.append(len(data) - pos)
            return self.pattern.match(data, pos)

    monkeypatch.setattr(stream, "CHUNK", 64 * 1024)
    monkeypatch.setattr(stream, "_TOKEN", Counting(stream._TOKEN))
    monkeypatch.setattr(stream, "_STRING_REST", Counting(stream._STRING_REST))
    data = with_string(("articles", 0, "body"), 8 * MB)  # 128 chunks

    list(stream.Split(io.BytesIO(data), KINDS))

    # Each byte once, but for the rest of a chunk a string ends in, handed on to the next
    # pattern; the old reader rescanned the string from its start: 8 MB × 128 / 2 = 512 MB.
    assert sum(scanned) < len(data) + 2 * stream.CHUNK


def test_a_32_mb_string_is_never_held_in_memory():
    data = with_string(("articles", 0, "body"), 32 * MB)
    tracemalloc.start()
    try:
        elements = list(stream.Split(io.BytesIO(data), KINDS))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    (article, _) = [element for element in elements if element.kind == "articles"]
    assert article.value == stream.FieldTooLong("body", 32 * MB + 2, "baclofen-uses")
    assert peak < 2 * stream.MAX_STRING_BYTES + 2 * stream.CHUNK


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 64, 1 << 20])
def test_long_strings_are_cut_out_at_any_chunk_size_and_the_rest_reads_as_before(
    monkeypatch, chunk
):
    monkeypatch.setattr(stream, "CHUNK", chunk)
    monkeypatch.setattr(stream, "MAX_STRING_BYTES", 30)
    long = 'x\\"' * 20  # escapes across chunk ends too
    doc = {
        "site": {"name": "short", "disclaimer": long},
        "drugs": [
            {"slug": "a", "formulations": [{"name": "ok"}, {"name": long}], "b": long},
            {"slug": "b", "name": "fine"},
            {long: 1, "slug": "c"},
        ],
        "format": "q",
    }
    data = json.dumps(doc).encode()
    split = stream.Split(io.BytesIO(data), KINDS)

    values = [element.value for element in split]

    too_long = stream.FieldTooLong
    size = len(json.dumps(long))
    assert values == [
        too_long("formulations[1].name", size, "a"),
        {"slug": "b", "name": "fine"},
        too_long("", size, None),  # a key: the record itself is named
    ]
    assert split.too_long == [too_long("site.disclaimer", size)]
    assert json.loads(split.skeleton) == {
        "site": {"name": "short", "disclaimer": ""},
        "drugs": [],
        "format": "q",
    }
