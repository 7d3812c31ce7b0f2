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

from sqlalchemy import Select, func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from app.catalogue.reference import district_slug
from app.db import engine_for
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


def _query() -> Select[Any]:
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
            "federal_district": district_slug(district) if district else "",  # the `district` facet's value
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


def _read_range(session: Session, first: int, last: int) -> list[dict[str, Any]]:
    rows = _rows(session, _query().where(col(Practice.id).between(first, last)))
    return _documents(rows, _themes(session, col(PracticeTheme.practice_id).between(first, last)))


class PublishedDocuments:
    """Every published practice as a document, in id order: what a reindex hands the engine.

    It is a `PagedDocuments`: it pickles as its database URL, so an engine may read pages of
    it in worker processes (the local engine does). Pages are id ranges listed up front; a
    practice published after the listing beyond the last page, or changed meanwhile, is
    brought in by the outbox rows the reindex replays after the swap.
    """

    PAGE = 1000  # practices per page

    def __init__(self, engine: Engine, batch: int | None = None) -> None:
        self.engine, self.batch = engine, batch or self.PAGE
        url = engine.url
        self.shareable = not (url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"))

    def __reduce__(self) -> tuple[Any, ...]:
        return _from_url, (self.engine.url.render_as_string(hide_password=False), self.batch)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        with Session(self.engine) as session:
            yield from iter_documents(session, self.batch)

    def pages(self) -> list[tuple[int, int]]:
        """(first id, last id) of every `batch` published practices."""
        with Session(self.engine) as session:
            ids = [r[0] for r in _rows(session, select(col(Practice.id))
                                       .where(col(Practice.status) == Status.published).order_by(col(Practice.id)))]
        return [(ids[i], ids[min(i + self.batch, len(ids)) - 1]) for i in range(0, len(ids), self.batch)]

    def read(self, page: tuple[int, int]) -> list[dict[str, Any]]:
        with Session(self.engine) as session:
            return _read_range(session, *page)


def _from_url(url: str, batch: int) -> PublishedDocuments:
    return PublishedDocuments(engine_for(url), batch)


def iter_documents(session: Session, batch: int = 2000) -> Iterator[dict[str, Any]]:
    """Every published practice as a document, in id order, read in batches (keyset paging)."""
    last = 0
    while rows := _rows(session, _query().where(col(Practice.id) > last).limit(batch)):
        last = rows[-1][0]
        yield from _documents(rows, _themes(session, col(PracticeTheme.practice_id).between(rows[0][0], last)))
