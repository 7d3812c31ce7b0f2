"""The one way practices become search documents.

Documents are read with plain SQL (one query for the practices, one for their themes) rather
than through ORM objects: a full reindex reads 100,000 practices several times faster so, and
the sync worker and the reindex share this one reader.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from app.models import Practice, PracticeTheme, Region, Status


def _ts(value: datetime | None) -> float | None:
    return value.timestamp() if value else None


_COLUMNS = (
    col(Practice.id),
    col(Practice.slug),
    col(Practice.title),
    col(Practice.summary),
    col(Practice.problem),
    col(Practice.solution),
    col(Practice.outcome),
    col(Practice.municipality),
    col(Practice.region_code),
    col(Region.name),
    col(Region.federal_district),
    col(Practice.municipality_type_slug),
    col(Practice.year_started),
    # json_array_length exists with the same meaning on SQLite and PostgreSQL.
    func.json_array_length(Practice.outcome_figures),
    func.coalesce(Practice.published_at, Practice.created_at),  # typed as its first argument
    col(Practice.updated_at),
    col(Practice.version),
)


def _query():  # type: ignore[no-untyped-def]
    return (
        select(*_COLUMNS)
        .outerjoin(Region, col(Region.code) == col(Practice.region_code))
        .where(col(Practice.status) == Status.published)
        .order_by(col(Practice.id))
    )


def _rows(session: Session, stmt: Any) -> list[Any]:
    """Plain rows through the session's connection (Core: no ORM loading machinery)."""
    return list(session.connection().execute(stmt).all())


def _themes(session: Session, where: Any) -> dict[int, list[str]]:
    """Theme slugs by practice, sorted, for the practice_theme rows `where` selects."""
    out: dict[int, list[str]] = defaultdict(list)
    rows = _rows(session, select(col(PracticeTheme.practice_id), col(PracticeTheme.theme_slug))
                 .where(where)
                 .order_by(col(PracticeTheme.practice_id), col(PracticeTheme.theme_slug)))
    for practice_id, slug in rows:
        out[practice_id].append(slug)
    return out


def _documents(rows: Any, themes: dict[int, list[str]]) -> list[dict[str, Any]]:
    return [
        {
            "id": pid,
            "slug": slug,
            "title": title,
            "summary": summary or "",
            "problem": problem or "",
            "solution": solution or "",
            "outcome": outcome or "",
            "municipality": municipality or "",
            "region": region,
            "region_name": region_name or "",
            "federal_district": district or "",
            "municipality_type": mtype,
            "themes": themes.get(pid, []),
            "year_started": year,
            "has_figures": bool(figures),
            "published_at": _ts(published),
            "updated_at": _ts(updated),
            "version": version,
        }
        for (pid, slug, title, summary, problem, solution, outcome, municipality, region, region_name,
             district, mtype, year, figures, published, updated, version) in rows
    ]


def documents_of(session: Session, ids: Iterable[int]) -> list[dict[str, Any]]:
    """Documents of those of `ids` that are published, in id order (the others are left out)."""
    wanted = sorted(set(ids))
    out: list[dict[str, Any]] = []
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        rows = _rows(session, _query().where(col(Practice.id).in_(chunk)))
        out += _documents(rows, _themes(session, col(PracticeTheme.practice_id).in_([r[0] for r in rows])))
    return out


def iter_documents(session: Session, batch: int = 2000) -> Iterator[dict[str, Any]]:
    """Every published practice as a document, in id order, read in batches (keyset paging)."""
    last = 0
    while rows := _rows(session, _query().where(col(Practice.id) > last).limit(batch)):
        last = rows[-1][0]
        yield from _documents(rows, _themes(session, col(PracticeTheme.practice_id).between(rows[0][0], last)))
