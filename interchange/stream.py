"""Reading a large interchange file one record at a time, in bounded memory and linear time.

The file is scanned in chunks for JSON's structural bytes only (strings, brackets,
braces, commas), which never occur inside a multi-byte UTF-8 sequence. Each element of
a top-level ``conditions``/``drugs``/``articles``/``pages`` array is cut out as its own
bytes and decoded by ``reader.parse_json``, so every record gets exactly the strict
reading a small file gets (NaN, 1e400 and duplicate keys reported with their field).
What remains, the *skeleton* (the document with those arrays emptied), is a few
hundred bytes and is decoded as a whole: a missing comma or a stray bracket between
records is caught there, as JSON.

Every byte is scanned once: a string that a chunk ends inside is resumed where the scan
stopped, never rescanned from its start. A string longer than any field accepts is
skipped without being kept and reported with its record and field (``FieldTooLong``).

A hand-written scanner rather than an incremental JSON library: ijson's parser rejects
NaN outright, where the format reports it as a field error of the record it is in.
"""

import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from content.markup import MAX_MARKDOWN_CHARS
from interchange.reader import DocumentError, parse_json

CHUNK = 1 << 20
BOM = b"\xef\xbb\xbf"
# No field accepts more than MAX_MARKDOWN_CHARS characters, which are at most 12 bytes
# each in the file (an emoji written as "\ud83d\ude00"): no valid string, quotes included,
# is longer.
MAX_STRING_BYTES = 12 * MAX_MARKDOWN_CHARS + 2
# A string (without its closing quote when the chunk ends inside it) or a structural byte.
_TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*(")?|[][{},]', re.S)
_STRING_REST = re.compile(rb'[^"\\]*(?:\\.[^"\\]*)*', re.S)
QUOTE, LONG = 0x22, -1  # a token's first byte; LONG: a string passed MAX_STRING_BYTES

Source = Callable[[], io.BufferedIOBase]  # opens the file again for each pass


def source_of(data: bytes | str | Path) -> Source:
    """Bytes in memory (small files, tests) or a path read twice from disk."""
    if isinstance(data, bytes | bytearray):
        return lambda: io.BytesIO(data)
    return lambda: open(data, "rb")  # noqa: SIM115 - the caller closes it


@dataclass(frozen=True)
class FieldTooLong:
    """A string longer than any field accepts; it was skipped, and its record not read."""

    field: str  # "body", "formulations[1].name"; from the document for the skeleton
    size: int  # bytes in the file
    slug: str | None = None  # the record's, when it came before the string

    def __str__(self) -> str:
        return (
            f"is {self.size / (1 << 20):.1f} MB long; "
            f"no field holds more than {MAX_MARKDOWN_CHARS:,} characters"
        )


@dataclass(frozen=True)
class Element:
    kind: str
    index: int
    value: object  # parsed JSON value; a DocumentError (not JSON) or a FieldTooLong
    offset: int  # of its first byte in the file


class Split:
    """Iterate the elements of the streamed arrays; ``skeleton`` is ready afterwards."""

    def __init__(self, stream, kinds: tuple[str, ...], wanted: set[str] | None = None):
        self.stream = stream
        self.kinds = kinds
        self.wanted = set(kinds) if wanted is None else wanted
        self.skeleton = b""
        self.order: list[str] = []  # the streamed arrays in file order
        self.too_long: list[FieldTooLong] = []  # in the skeleton (cut out of it)

    def __iter__(self) -> Iterator[Element]:
        head = self.stream.read(len(BOM))
        offset = len(BOM) if head == BOM else 0
        scan = _Scanner(self.stream, offset, head[offset:])
        depth, top_is_object = 0, None
        last_at_top = None  # the last token directly in the top-level object: (start, end) or ","
        kind, start, index = None, 0, 0  # inside a streamed array: its kind, element start
        skeleton, copied = [], offset  # copied: where the skeleton goes on; None while skipping
        long_at, long_field = None, ""  # an over-long string being skipped, and its field
        failed = None  # the FieldTooLong of the current element
        for first, at, end in scan.tokens():
            if first == LONG or (first == QUOTE and end - at > MAX_STRING_BYTES):
                if kind is not None and kind not in self.wanted:
                    continue
                if long_at != at:  # announced now: find its field while its record is held
                    long_at = at
                    if kind is None:
                        long_field = _field_at(b"".join([*skeleton, scan.bytes(copied, at)]))[0]
                        skeleton.append(scan.bytes(copied, at) + b'""')
                        copied = None
                    elif failed is None:
                        long_field, slug = _field_at(scan.bytes(start, at))
                    scan.hold = None
                if first == LONG:
                    continue
                if kind is None:
                    self.too_long.append(FieldTooLong(long_field, end - at))
                    copied = scan.hold = end
                elif failed is None:
                    failed = FieldTooLong(long_field, end - at, slug)
                if depth == 1:
                    last_at_top = None
                continue
            if first == QUOTE:
                if depth == 1:
                    last_at_top = (at, end)
                continue
            if first in b"[{":
                if depth == 0 and top_is_object is None:
                    top_is_object = first == ord("{")
                elif (
                    depth == 1 and top_is_object and first == ord("[") and kind is None
                    and (name := _key(scan, last_at_top)) in self.kinds
                ):  # fmt: skip
                    skeleton.append(scan.bytes(copied, end))
                    kind, start, index = name, end, 0
                    scan.hold = start if kind in self.wanted else None
                    self.order.append(name)
                depth += 1
                if depth == 1:
                    last_at_top = None
                continue
            if depth == 2 and kind is not None and first in b",]":
                if kind in self.wanted:
                    data = failed or scan.bytes(start, at)
                    if first == ord(",") or failed or data.strip() or index:
                        yield Element(kind, index, failed or _parse(data, start), start)
                        index += 1
                start, failed = end, None
                scan.hold = start if kind in self.wanted else None
                if first == ord("]"):
                    kind = None
                    copied = scan.hold = at
            if first in b"]}":
                depth -= 1
                if depth < 0:
                    raise DocumentError(f"the file is not valid JSON: unmatched {bytes([first])!r}")
            elif depth == 1:
                last_at_top = ","
        if kind is not None:
            raise DocumentError(f"the file is not valid JSON: it ends inside its {kind!r} list")
        if copied is not None:
            skeleton.append(scan.bytes(copied, scan.end))
        self.skeleton = b"".join(skeleton)


class _Scanner:
    """The strings and structural bytes of a JSON stream, with their offsets in the file.

    ``tokens`` yields (first byte, start, end). The chunks from ``hold`` on are kept for
    ``bytes`` (None: none is needed), so a record's bytes are joined once, never copied
    as each chunk arrives.
    """

    def __init__(self, stream, offset: int, head: bytes):
        self.stream = stream
        self.head = head
        self.end = offset  # of what has been read
        self.hold: int | None = offset
        self.chunks: list[tuple[int, bytes]] = []

    def bytes(self, start: int, end: int) -> bytes:
        return b"".join(
            chunk[max(start - at, 0) : end - at]
            for at, chunk in self.chunks
            if at < end and at + len(chunk) > start
        )

    def _read(self) -> bytes:
        chunk, self.head = (self.head + self.stream.read(CHUNK)), b""
        hold = self.hold
        self.chunks = [
            (at, kept) for at, kept in self.chunks if hold is not None and at + len(kept) > hold
        ]
        if chunk:
            self.chunks.append((self.end, chunk))
            self.end += len(chunk)
        return chunk

    def tokens(self) -> Iterator[tuple[int, int, int]]:
        string_at = None  # the start of a string a chunk ended inside
        resume = 0  # where its scan goes on in the next chunk (1: after an escaping "\")
        while chunk := self._read():
            at = self.end - len(chunk)
            pos = 0
            if string_at is not None:
                stop = _STRING_REST.match(chunk, resume).end()
                if stop == len(chunk) or chunk[stop] != QUOTE:  # still open
                    resume = len(chunk) - stop  # 1 when a "\" ends the chunk
                    if self.end - string_at > MAX_STRING_BYTES:
                        yield LONG, string_at, -1
                    continue
                yield QUOTE, string_at, at + stop + 1
                string_at, pos = None, stop + 1
            for match in _TOKEN.finditer(chunk, pos):
                if chunk[match.start()] == QUOTE and match.group(1) is None:
                    string_at, resume = at + match.start(), len(chunk) - match.end()
                    if self.end - string_at > MAX_STRING_BYTES:
                        yield LONG, string_at, -1
                    break
                yield chunk[match.start()], at + match.start(), at + match.end()


def _key(scan: _Scanner, token: tuple[int, int] | str | None) -> str | None:
    if not isinstance(token, tuple):
        return None
    try:
        return json.loads(scan.bytes(*token))
    except ValueError:
        return None


def _field_at(prefix: bytes) -> tuple[str, str | None]:
    """The field of a string that follows ``prefix`` (a record's or the document's start),
    e.g. "formulations[1].name", and the record's slug when it came before."""
    frames: list[list] = []  # [key token or list index, expecting a key]
    slug = None
    for match in _TOKEN.finditer(prefix):
        token = match.group()
        if token == b"{":
            frames.append([None, True])
        elif token == b"[":
            frames.append([0, False])
        elif token in (b"]", b"}"):
            frames.pop()
        elif token == b",":
            if isinstance(frames[-1][0], int):
                frames[-1][0] += 1
            else:
                frames[-1][1] = True
        elif frames[-1][1]:
            frames[-1] = [token, False]
        elif len(frames) == 1 and frames[0][0] == b'"slug"':
            slug = _text(token)
    if frames and frames[-1][1]:
        frames.pop()  # the string is a key: name the object it is in
    field = "".join(f"[{key}]" if isinstance(key, int) else f".{_text(key)}" for key, _ in frames)
    return field.lstrip("."), slug


def _text(token: bytes) -> str:
    try:
        return str(json.loads(token))
    except ValueError:
        return token.decode("utf-8", "replace")


def _parse(data: bytes, offset: int) -> object:
    try:
        return parse_json(data, offset=offset)
    except DocumentError as error:
        return error
