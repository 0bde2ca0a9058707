"""The streaming reader cuts records out of a file exactly as a whole-file parse reads them."""

import io
import json

import pytest

from interchange import stream
from interchange.importer import import_content
from interchange.reader import DocumentError
from interchange.schema import KINDS
from tests.interchange.documents import document, encode

TRICKY = (
    b'\xef\xbb\xbf{"drugs": [ {"a": "x\\\\\\"]}[,", "b": {"c": [1, {}]}}, "s", 3 ,[1]],'
    b' "format" : "q", "pages": []}'
)


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 64, 1 << 20])
def test_records_and_skeleton_match_a_whole_parse_at_any_chunk_size(monkeypatch, chunk):
    monkeypatch.setattr(stream, "CHUNK", chunk)
    data = encode(document())
    split = stream.Split(io.BytesIO(data), KINDS)
    elements = list(split)
    whole = json.loads(data)

    for kind in KINDS:
        assert [e.value for e in elements if e.kind == kind] == whole[kind]
    assert json.loads(split.skeleton) == {**whole, **{kind: [] for kind in KINDS}}
    assert split.order == list(KINDS)


@pytest.mark.parametrize("chunk", [1, 5, 1 << 20])
def test_escaped_quotes_and_brackets_inside_strings_do_not_cut_records(monkeypatch, chunk):
    monkeypatch.setattr(stream, "CHUNK", chunk)
    split = stream.Split(io.BytesIO(TRICKY), KINDS)

    values = [e.value for e in split]

    assert values == [{"a": 'x\\"]}[,', "b": {"c": [1, {}]}}, "s", 3, [1]]
    assert json.loads(split.skeleton) == {"drugs": [], "format": "q", "pages": []}


def test_a_file_ending_inside_a_list_is_not_json():
    with pytest.raises(DocumentError, match="ends inside its 'articles' list"):
        list(stream.Split(io.BytesIO(b'{"articles": [{"slug": "a"}, {"sl'), KINDS))


def test_import_reads_a_path_twice_without_loading_it_whole(db, tmp_path, monkeypatch):
    monkeypatch.setattr(stream, "CHUNK", 16)
    path = tmp_path / "site.json"
    path.write_bytes(encode(document()))

    result = import_content(path)

    assert result.ok, result.errors
    assert result.counts["articles"].created == 2
