"""Bytes to JSON values, strictly: the only place that decodes an interchange file.

Python's ``json`` module accepts what JSON forbids (``NaN``, ``Infinity``) and turns
``1e400`` into infinity. Here such values become ``Rejected`` markers instead of raising,
so that the schema can report them with the record and field they sit in, alongside
every other error. Duplicate keys in one object are remembered for the same reason.
"""

import json
import math
from dataclasses import dataclass

MAX_INT_DIGITS = 18


class DocumentError(Exception):
    """The file cannot be read as JSON at all: no record can be named."""


@dataclass(frozen=True)
class Rejected:
    """A JSON value that has no faithful Python equivalent, with the reason."""

    reason: str


class JSONObject(dict):
    """A JSON object that remembers keys it carried more than once."""

    duplicate_keys: tuple[str, ...] = ()


def _object(pairs: list[tuple[str, object]]) -> JSONObject:
    obj = JSONObject()
    duplicates = []
    for key, value in pairs:
        if key in obj:
            duplicates.append(key)
        obj[key] = value
    if duplicates:
        obj.duplicate_keys = tuple(duplicates)
    return obj


def _constant(name: str) -> Rejected:
    return Rejected(f"{name} is not a number JSON allows")


def _float(text: str) -> float | Rejected:
    value = float(text)
    if not math.isfinite(value):
        return Rejected(f"{text} is out of range")
    return value


def _int(text: str) -> int | Rejected:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        return Rejected(f"{text[:20]}... is out of range")
    return int(text)


def parse_json(data: bytes, *, offset: int = 0) -> object:
    """Decode UTF-8 bytes (a BOM is tolerated) into JSON values, or raise DocumentError.

    offset: where data starts in the file, when it is one record cut out of a larger one.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise DocumentError(f"the file is not valid UTF-8 (byte {offset + error.start})") from None
    text = text.removeprefix("\ufeff")
    try:
        return json.loads(
            text,
            object_pairs_hook=_object,
            parse_constant=_constant,
            parse_float=_float,
            parse_int=_int,
        )
    except json.JSONDecodeError as error:
        where = f"line {error.lineno} column {error.colno}"
        if offset:
            where = f"{where} of the record starting at byte {offset}"
        raise DocumentError(f"the file is not valid JSON: {error.msg} at {where}") from None
    except RecursionError:
        raise DocumentError("the file is not valid JSON: nested too deeply") from None
