"""How well reader search answers the queries of a relevance test set.

The set (``search_relevance.toml``) pairs queries with the results that belong in their
first three, on the demo content. ``score`` runs each query through ``search`` and
reports the share of queries whose expected results are all in the top three and the
mean reciprocal rank of the first expected result. The suite
(``tests/articles/test_search_relevance.py``) and ``manage.py search_relevance`` (run
by ``make bench-search``) call it.
"""

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from articles.search import search

CASES_FILE = Path(__file__).with_name("search_relevance.toml")
TOP = 3


@dataclass(frozen=True)
class Case:
    query: str
    expect: tuple[str, ...]
    must: bool = False


@dataclass
class Outcome:
    case: Case
    found: list[str]  # KIND:SLUG of the first page, best first

    @property
    def passed(self) -> bool:
        return set(self.case.expect) <= set(self.found[:TOP])

    @property
    def reciprocal_rank(self) -> float:
        ranks = [self.found.index(key) + 1 for key in self.case.expect if key in self.found]
        return 1 / min(ranks) if ranks else 0.0


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def top3(self) -> float:
        return sum(o.passed for o in self.outcomes) / len(self.outcomes)

    @property
    def mrr(self) -> float:
        return sum(o.reciprocal_rank for o in self.outcomes) / len(self.outcomes)

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.passed]

    def summary(self) -> str:
        passed = len(self.outcomes) - len(self.failures)
        return (
            f"relevance: {passed}/{len(self.outcomes)} queries with their expected results "
            f"in the top {TOP} ({self.top3:.0%}), MRR {self.mrr:.3f}"
        )

    def lines(self) -> list[str]:
        """One line per failing case: the query, what was expected, what came first."""
        return [
            f"  {'MUST ' if o.case.must else ''}{o.case.query[:60]!r}: expected "
            f"{', '.join(o.case.expect)}; got {', '.join(o.found[:TOP]) or 'nothing'}"
            for o in self.failures
        ]


def load_cases(path: Path = CASES_FILE) -> list[Case]:
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    return [
        Case(query=c["query"], expect=tuple(c["expect"]), must=c.get("must", False))
        for c in data["case"]
    ]


def result_key(hit) -> str:
    return f"{hit.kind}:{hit.obj.slug}"


def score(cases: list[Case]) -> Report:
    return Report(
        [Outcome(case, [result_key(h) for h in search(case.query).hits]) for case in cases]
    )
