"""Reading one JSON object's keys into canonical values, collecting every error on the way.

Canonical values are what the exporter writes: NFC strings without surrounding space,
dates as ``YYYY-MM-DD`` and times as UTC ``...Z`` strings. Comparing a record read from a
file with the export of the row in the database is then a plain ``==``.
"""

import datetime
import re
import unicodedata
from collections.abc import Callable, Iterator

from django.core.validators import slug_re
from django.utils.text import slugify

from content.markup import MAX_MARKDOWN_CHARS
from interchange.reader import JSONObject, Rejected

Report = Callable[[str, str], None]  # (field path, message)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$")
MISSING = object()


def clean_string(value: object, max_length: int | None) -> tuple[str | None, str | None]:
    """(canonical string, None) or (None, error message).

    A one-line field (it has a max_length) loses surrounding spaces, as in an admin
    form; multi-line text such as Markdown is kept exactly as written.
    """
    if isinstance(value, Rejected):
        return None, value.reason
    if not isinstance(value, str):
        return None, f"expected a string, got {json_type(value)}"
    if "\x00" in value:
        return None, "contains a NUL character"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return None, "contains an unpaired surrogate (\\ud800-\\udfff), which is not text"
    # MICRO SIGN and GREEK SMALL LETTER MU look alike; "5 µg" and "5 μg" must be one strength.
    value = unicodedata.normalize("NFC", value).replace("\u00b5", "\u03bc")
    if max_length is not None:
        value = value.strip()
    limit = max_length or MAX_MARKDOWN_CHARS
    if len(value) > limit:
        return None, f"is {len(value):,} characters long; at most {limit:,} allowed"
    return value, None


def mixed_script_word(text: str) -> str | None:
    """The first word mixing Latin, Greek or Cyrillic letters: a look-alike ("Іbuprofen")."""
    for word in text.split():
        scripts = {unicodedata.name(char, "").split(" ")[0] for char in word if char.isalpha()} & {
            "LATIN",
            "GREEK",
            "CYRILLIC",
        }
        if len(scripts) > 1:
            return word
    return None


def format_datetime(value: datetime.datetime) -> str:
    utc = value.astimezone(datetime.UTC)
    text = utc.strftime("%Y-%m-%dT%H:%M:%S")
    if utc.microsecond:
        text += f".{utc.microsecond:06d}"
    return text + "Z"


def json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    return {
        str: "a string",
        int: "a number",
        float: "a number",
        list: "a list",
        JSONObject: "an object",
        dict: "an object",
    }.get(type(value), type(value).__name__)


class Fields:
    """One JSON object being read; every accessor marks its key as known."""

    def __init__(self, raw: object, report: Report, path: str = ""):
        self.raw = raw if isinstance(raw, dict) else {}
        self.report = report
        self.path = path
        self.known: set[str] = set()
        self.valid = isinstance(raw, dict)
        if not self.valid:
            report(path.rstrip("."), f"expected an object, got {json_type(raw)}")

    def error(self, key: str, message: str) -> None:
        self.report(self.path + key, message)

    def get(self, key: str, required: bool) -> object:
        self.known.add(key)
        if key not in self.raw:
            if required and self.valid:
                self.error(key, "is required")
            return MISSING
        return self.raw[key]

    def string(self, key: str, *, max_length: int | None = None, required: bool = False) -> str:
        value = self.get(key, required)
        if value is MISSING:
            return ""
        text, message = clean_string(value, max_length)
        if message:
            self.error(key, message)
            return ""
        if required and not text:
            self.error(key, "must not be empty")
        return text

    def slug(self, key: str, *, max_length: int, derive_from: str = "") -> str:
        """The record's own slug; derived from its name or title when absent."""
        value = self.get(key, required=False)
        if value is MISSING or value is None:
            derived = slugify(derive_from)
            if not derived:
                if derive_from:
                    self.error(key, "cannot be derived from the name; give a slug")
                return ""
            if len(derived) > max_length:
                self.error(key, f"derived slug is longer than {max_length} characters; give one")
                return ""
            return derived
        return self._check_slug(key, value, max_length)

    def reference(self, key: str, *, max_length: int, required: bool = False) -> str | None:
        """A slug naming another record, or None."""
        value = self.get(key, required)
        if value is MISSING or value is None:
            if required and value is None:
                self.error(key, "must not be null")
            return None
        return self._check_slug(key, value, max_length) or None

    def _check_slug(self, key: str, value: object, max_length: int) -> str:
        text, message = clean_string(value, max_length)
        if message:
            self.error(key, message)
            return ""
        if not slug_re.match(text):
            self.error(key, f"{text!r} is not a slug (letters, digits, hyphens, underscores)")
            return ""
        return text

    def integer(self, key: str, *, minimum: int, maximum: int, default: int | None = 0) -> int:
        value = self.get(key, required=default is None)
        if value is MISSING:
            return default or 0
        if isinstance(value, Rejected):
            self.error(key, value.reason)
        elif isinstance(value, bool) or not isinstance(value, int):
            self.error(key, f"expected a whole number, got {json_type(value)}")
        elif not minimum <= value <= maximum:
            self.error(key, f"{value} is out of range ({minimum} to {maximum})")
        else:
            return value
        return default or 0

    def boolean(self, key: str) -> bool:
        value = self.get(key, required=False)
        if value is MISSING:
            return False
        if not isinstance(value, bool):
            self.error(key, f"expected true or false, got {json_type(value)}")
            return False
        return value

    def choice(self, key: str, choices: list[str], default: str) -> str:
        value = self.get(key, required=False)
        if value is MISSING:
            return default
        if value not in choices or not isinstance(value, str):
            allowed = ", ".join(f'"{c}"' for c in choices)
            shown = value if isinstance(value, str) else json_type(value)
            self.error(key, f"{str(shown)[:40]!r} is not one of {allowed}")
            return default
        return value

    def date(self, key: str) -> str | None:
        value = self.get(key, required=False)
        if value is MISSING or value is None:
            return None
        if isinstance(value, str) and _DATE.match(value):
            try:
                return datetime.date.fromisoformat(value).isoformat()
            except ValueError:
                pass
        self.error(key, f"expected a date YYYY-MM-DD or null, got {_shown(value)}")
        return None

    def datetime(self, key: str) -> str | None:
        value = self.get(key, required=False)
        if value is MISSING or value is None:
            return None
        if isinstance(value, str) and _DATETIME.match(value):
            try:
                return format_datetime(datetime.datetime.fromisoformat(value))
            except ValueError:
                pass
        self.error(
            key,
            "expected an ISO-8601 time with a time zone, e.g. 2026-11-01T09:00:00Z, "
            f"or null, got {_shown(value)}",
        )
        return None

    def strings(self, key: str, *, max_length: int) -> list[str]:
        value = self.get(key, required=False)
        if value is MISSING:
            return []
        if not isinstance(value, list):
            self.error(key, f"expected a list of strings, got {json_type(value)}")
            return []
        result = []
        for index, item in enumerate(value):
            text, message = clean_string(item, max_length)
            if message:
                self.error(f"{key}[{index}]", message)
            elif not text:
                self.error(f"{key}[{index}]", "must not be empty")
            else:
                result.append(text)
        return result

    def objects(self, key: str) -> Iterator["Fields"]:
        """Each object of a nested list, read with its own path, e.g. formulations[1].

        Consume it completely (a list comprehension does): each object's unknown keys are
        reported when the next one is asked for.
        """
        value = self.get(key, required=False)
        if value is MISSING:
            return
        if not isinstance(value, list):
            self.error(key, f"expected a list of objects, got {json_type(value)}")
            return
        for index, item in enumerate(value):
            nested = Fields(item, self.report, f"{self.path}{key}[{index}].")
            yield nested
            nested.finish()  # runs once the caller has read what it knows

    def finish(self) -> None:
        """Report the keys nobody asked for and keys given twice."""
        for key in self.raw:
            if key not in self.known:
                self.error(key, "is not a known key")
        for key in getattr(self.raw, "duplicate_keys", ()):
            self.error(key, "is given more than once")


def _shown(value: object) -> str:
    if isinstance(value, str):
        return repr(value[:40])
    return json_type(value)
