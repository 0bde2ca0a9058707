"""Reading a large interchange file one record at a time, in bounded memory.

The file is scanned in chunks for JSON's structural bytes only (strings, brackets,
braces, commas), which never occur inside a multi-byte UTF-8 sequence. Each element of
a top-level ``conditions``/``drugs``/``articles``/``pages`` array is cut out as its own
bytes and decoded by ``reader.parse_json``, so every record gets exactly the strict
reading a small file gets (NaN, 1e400 and duplicate keys reported with their field).
What remains, the *skeleton* (the document with those arrays emptied), is a few
hundred bytes and is decoded as a whole: a missing comma or a stray bracket between
records is caught there, as JSON.

A hand-written scanner rather than an incremental JSON library: ijson's parser rejects
NaN outright, where the format reports it as a field error of the record it is in.
"""

import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from interchange.reader import DocumentError, parse_json

CHUNK = 1 << 20
BOM = b"\xef\xbb\xbf"
# A string (without its closing quote when the buffer ends inside it) or a structural byte.
_TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*(")?|[][{},]', re.S)

Source = Callable[[], io.BufferedIOBase]  # opens the file again for each pass


def source_of(data: bytes | str | Path) -> Source:
    """Bytes in memory (small files, tests) or a path read twice from disk."""
    if isinstance(data, bytes | bytearray):
        return lambda: io.BytesIO(data)
    return lambda: open(data, "rb")  # noqa: SIM115 - the caller closes it


@dataclass(frozen=True)
class Element:
    kind: str
    index: int
    value: object  # parsed JSON value; a DocumentError when the element is not JSON
    offset: int  # of its first byte in the file


class Split:
    """Iterate the elements of the streamed arrays; ``skeleton`` is ready afterwards."""

    def __init__(self, stream, kinds: tuple[str, ...], wanted: set[str] | None = None):
        self.stream = stream
        self.kinds = kinds
        self.wanted = set(kinds) if wanted is None else wanted
        self.skeleton = b""
        self.order: list[str] = []  # the streamed arrays in file order

    def __iter__(self) -> Iterator[Element]:
        buf = self.stream.read(len(BOM))
        base = len(BOM) if buf == BOM else 0
        buf = buf[base:]
        pos, depth, top_is_object, eof = 0, 0, None, False
        last_at_top = None  # the last token seen directly in the top-level object
        kind, start, index = None, 0, 0  # inside a streamed array: its kind, element start
        skeleton, copied = [], base  # copied: absolute position copied into the skeleton
        while True:
            stop = None
            for match in _TOKEN.finditer(buf, pos):
                token = match.group()
                where = base + match.start()
                if token[0] == 0x22:  # a string
                    if match.group(1) is None:
                        stop = match.start()  # perhaps cut by the chunk's end: read more
                        break
                    if depth == 1:
                        last_at_top = token
                    continue
                if token in b"[{":
                    if depth == 0 and top_is_object is None:
                        top_is_object = token == b"{"
                    elif (
                        depth == 1 and top_is_object and token == b"[" and kind is None
                        and (name := _key(last_at_top)) in self.kinds
                    ):  # fmt: skip
                        skeleton.append(buf[copied - base : match.end()])
                        kind, start, index = name, where + 1, 0
                        self.order.append(name)
                    depth += 1
                    if depth == 1:
                        last_at_top = None
                    continue
                if depth == 2 and kind is not None and token in b",]":
                    data = buf[start - base : match.start()]
                    if token == b"," or data.strip() or index:
                        if kind in self.wanted:
                            yield Element(kind, index, _parse(data, start), start)
                        index += 1
                    start = where + 1
                    if token == b"]":
                        kind, copied = None, where
                if token in b"]}":
                    depth -= 1
                    if depth < 0:
                        raise DocumentError(f"the file is not valid JSON: unmatched {token!r}")
                elif depth == 1:
                    last_at_top = token
            if stop is None:
                stop = len(buf)
            if eof:
                break
            if kind is None:
                skeleton.append(buf[copied - base : stop])
                copied, keep = base + stop, stop
            else:
                keep = min(stop, start - base)
            buf, base, pos = buf[keep:], base + keep, stop - keep
            chunk = self.stream.read(CHUNK)
            eof = not chunk
            buf += chunk
        if kind is not None:
            raise DocumentError(f"the file is not valid JSON: it ends inside its {kind!r} list")
        skeleton.append(buf[copied - base :])
        self.skeleton = b"".join(skeleton)


def _key(token: bytes | None) -> str | None:
    if token is None or token[:1] != b'"':
        return None
    try:
        return json.loads(token)
    except ValueError:
        return None


def _parse(data: bytes, offset: int) -> object:
    try:
        return parse_json(data, offset=offset)
    except DocumentError as error:
        return error
