"""Measuring search quality on the relevance set (`relevance_set`): the seed practices indexed as
the service indexes them, each case searched as the API searches it, and the share of cases whose
expected practice is in the top 3 (success@3), the mean reciprocal rank of the first expected
practice within the top 10 (MRR@10) and the cases that found nothing at all.

Used by `tests/search/test_relevance.py` (the floor every engine must keep) and by
`bench/relevance.py` (the figures in bench/README.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.search.base import SearchIndex, SearchQuery
from app.search.rewrite import search_as_meant
from tests.search.relevance_set import CASES, KINDS, Case

TOP = 3
DEPTH = 10


def seed_documents(directory: Path) -> list[dict[str, Any]]:
    """The search documents of every seed practice, built in a fresh SQLite database under
    `directory` by the same import and document code the service runs."""
    from sqlmodel import Session

    from app.catalogue.practices.io import import_lines
    from app.catalogue.reference import ReferenceProvider
    from app.db import make_engine, session_scope
    from app.migrate import migrate
    from app.search.documents import iter_documents
    from app.settings import SEED_DIR

    engine = make_engine(f"sqlite:///{directory / 'seed.db'}")
    try:
        migrate(engine)
        lines = (SEED_DIR / "practices.jsonl").read_text(encoding="utf-8").splitlines()
        with session_scope(engine) as session:
            import_lines(session, ReferenceProvider(engine).get(), lines)
        with Session(engine) as session:
            return list(iter_documents(session))
    finally:
        engine.dispose()


@dataclass
class Outcome:
    case: Case
    found: list[str]  # the slugs of the first DEPTH hits
    total: int
    shown_text: str | None  # the reading searched instead of the query, if any

    @property
    def rank(self) -> int | None:
        """1-based rank of the first expected practice within the first DEPTH hits."""
        wanted = set(self.case.expected)
        return next((i for i, slug in enumerate(self.found, start=1) if slug in wanted), None)

    @property
    def success(self) -> bool:
        return self.rank is not None and self.rank <= TOP


@dataclass
class Score:
    cases: int = 0
    successes: int = 0
    reciprocal: float = 0.0
    empty: int = 0

    def add(self, outcome: Outcome) -> None:
        self.cases += 1
        self.successes += outcome.success
        self.reciprocal += 1 / outcome.rank if outcome.rank else 0.0
        self.empty += outcome.total == 0

    @property
    def success_at_3(self) -> float:
        return self.successes / self.cases if self.cases else 0.0

    @property
    def mrr(self) -> float:
        return self.reciprocal / self.cases if self.cases else 0.0


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    def score(self, kind: str | None = None) -> Score:
        score = Score()
        for outcome in self.outcomes:
            if kind is None or outcome.case.kind == kind:
                score.add(outcome)
        return score

    @property
    def misses(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.success]

    def table(self) -> str:
        """success@3, MRR@10 and empty results per kind and overall, as a Markdown table."""
        rows = ["| kind | cases | success@3 | MRR@10 | found nothing |", "|---|---:|---:|---:|---:|"]
        for kind in (*KINDS, None):
            s = self.score(kind)
            if s.cases:
                name = kind or "**all**"
                rows.append(f"| {name} | {s.cases} | {s.success_at_3:.1%} | {s.mrr:.3f} | {s.empty} |")
        return "\n".join(rows)


def evaluate(index: SearchIndex, cases: Iterable[Case] = CASES) -> Report:
    """Search every case as the API does (relevance order, the other reading of a Latin query
    when the query as typed finds nothing) and record where the expected practices came."""
    report = Report()
    for case in cases:
        result, shown = search_as_meant(index, SearchQuery(text=case.query, per_page=DEPTH, facets=()))
        found = [hit.slug for hit in result.hits]
        report.outcomes.append(Outcome(case, found, result.total, shown))
    return report

