"""What a reader's query asks for, before any SQL: words, question words, readings.

Readers type names, words and whole questions, so a result need not contain every
word. A query is read three ways, each in ``websearch_to_tsquery`` syntax:

* *match*, any meaningful word: what counts as a result;
* *any*, any word at all: what ranks the results;
* *all*, every meaningful word: results that have them all rank higher.

Question words ("what", "used", "drugs", ... in ``search_vocabulary.toml``) are never
required. Quotes or a ``-word`` exclusion make every reading the query as written: the
reader has taken control. The synonyms of the same file are applied in SQL
(``articles.search``), where words compare stemmed.
"""

import functools
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

MAX_QUERY_CHARS = 300
MAX_WORDS = 40
VOCABULARY_FILE = Path(__file__).with_name("search_vocabulary.toml")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_OPERATORS = re.compile(r'"|(?:^|\s)-\w')
_EXCLUSION = re.compile(r'(?:^|\s)-(?:"[^"]*"?|\S+)')


def clean_query(raw: str) -> str:
    """Control characters (tabs, NUL, bidi overrides) become spaces; a long query is cut
    at a word boundary, never inside a word."""
    return _shorten(_normalise(raw))


def _normalise(raw: str) -> str:
    head = raw[: MAX_QUERY_CHARS * 10]  # whatever else was sent, the start is plenty
    return " ".join("".join(ch if ch.isprintable() else " " for ch in head).split())


def _shorten(text: str) -> str:
    if len(text) <= MAX_QUERY_CHARS:
        return text
    cut = text[: MAX_QUERY_CHARS + 1]
    return cut.rsplit(" ", 1)[0] if " " in cut else cut[:MAX_QUERY_CHARS]


@dataclass(frozen=True)
class Vocabulary:
    question_words: frozenset[str]
    synonyms: dict[str, str]  # word -> websearch text: the word or any alternative


@functools.cache
def vocabulary() -> Vocabulary:
    with VOCABULARY_FILE.open("rb") as handle:
        data = tomllib.load(handle)
    return Vocabulary(
        question_words=frozenset(word.lower() for word in data["question_words"]),
        synonyms={
            word.lower(): any_of([word, *alternatives])
            for word, alternatives in data["synonyms"].items()
        },
    )


def any_of(terms: list[str]) -> str:
    """Websearch text matching any of these words or phrases."""
    return " or ".join('"' + term.replace('"', " ") + '"' for term in terms)


@dataclass(frozen=True)
class ReaderQuery:
    text: str  # cleaned and shortened: what the page says was searched
    words: tuple[str, ...]  # lower case, at most MAX_WORDS
    exact: bool  # quotes or exclusions: run as written
    shortened: bool = False

    @classmethod
    def parse(cls, raw: str) -> "ReaderQuery":
        normal = _normalise(raw)
        text = _shorten(normal)
        words = tuple(word.lower() for word in _WORD.findall(text))[:MAX_WORDS]
        exact = bool(_OPERATORS.search(text))
        return cls(text=text, words=words, exact=exact, shortened=len(text) < len(normal))

    @property
    def searchable(self) -> bool:
        """Has a word to look for; exclusions alone would scan every row."""
        return (
            bool(_WORD.search(_EXCLUSION.sub(" ", self.text))) if self.exact else bool(self.words)
        )

    @property
    def meaningful(self) -> tuple[str, ...]:
        """The words a result needs one of: all but question words (unless that is all)."""
        question_words = vocabulary().question_words
        return tuple(word for word in self.words if word not in question_words) or self.words

    def readings(self) -> dict[str, str]:
        """The query's "all", "any" and "match" readings (module docstring)."""
        if self.exact:
            ranked = _EXCLUSION.sub(" ", self.text)  # ts_rank scores a negation as zero
            return {"all": self.text, "any": ranked, "match": self.text}
        words = [word for word in self.words if word != "or"]  # websearch's operator
        meaningful = [word for word in self.meaningful if word != "or"]
        return {
            "all": " ".join(meaningful),
            "any": " or ".join(words),
            "match": " or ".join(meaningful),
        }

    def spelling_candidates(self) -> list[str]:
        return [word for word in self.meaningful if len(word) >= 4 and not word.isdigit()]

    def replace_words(self, replacements: dict[str, str]) -> str:
        return _WORD.sub(lambda m: replacements.get(m.group().lower(), m.group()), self.text)
