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
from app.db import make_engine
from app.models import Award, Competition, MunicipalityType, Nomination, Practice, PracticeTheme, Region, Status, Theme


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


class _Related:
    """What a batch of practices has in other tables (themes, awards), and the names the
    catalogue files them under (read once per batch from the small reference tables)."""

    def __init__(self, session: Session, theme_where: Any, award_where: Any) -> None:
        theme_names = {slug: f"{name}. {description or ''}" for slug, name, description in
                       _rows(session, select(col(Theme.slug), col(Theme.name), col(Theme.description)))}
        self.type_names = dict(_rows(session, select(col(MunicipalityType.slug), col(MunicipalityType.name))))
        competitions = {slug: f"{short or ''}. {name}" for slug, short, name in
                        _rows(session, select(col(Competition.slug), col(Competition.short_name), col(Competition.name)))}
        nominations = dict(_rows(session, select(col(Nomination.slug), col(Nomination.name))))
        self.themes: dict[int, list[str]] = defaultdict(list)
        self.tags: dict[int, list[str]] = defaultdict(list)
        for practice_id, slug in _rows(
            session,
            select(col(PracticeTheme.practice_id), col(PracticeTheme.theme_slug))
            .where(theme_where)
            .order_by(col(PracticeTheme.practice_id), col(PracticeTheme.theme_slug)),
        ):
            self.themes[practice_id].append(slug)
            self.tags[practice_id].append(theme_names.get(slug, ""))
        self.awards: dict[int, list[str]] = defaultdict(list)
        for practice_id, competition, year, nomination in _rows(
            session,
            select(col(Award.practice_id), col(Award.competition_slug), col(Award.year), col(Award.nomination_slug))
            .where(award_where)
            .order_by(col(Award.practice_id), col(Award.year), col(Award.competition_slug)),
        ):
            self.awards[practice_id] += [competition, f"{competition}:{year}"]
            self.tags[practice_id] += [competitions.get(competition, ""), nominations.get(nomination or "", "")]


def _documents(rows: Any, related: _Related) -> list[dict[str, Any]]:
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
            "themes": related.themes.get(pid, []),
            "awards": list(dict.fromkeys(related.awards.get(pid, []))),
            # The names the catalogue files it under, searched as the weakest tier.
            "tags": [t for t in (*related.tags.get(pid, []), related.type_names.get(mtype, ""),
                                 f"{district} федеральный округ" if district else "") if t],
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
        ids = [r[0] for r in rows]
        out += _documents(rows, _Related(session, col(PracticeTheme.practice_id).in_(ids), col(Award.practice_id).in_(ids)))
    return out


def _read_range(session: Session, first: int, last: int) -> list[dict[str, Any]]:
    rows = _rows(session, _query().where(col(Practice.id).between(first, last)))
    return _documents(rows, _Related(session, col(PracticeTheme.practice_id).between(first, last),
                                     col(Award.practice_id).between(first, last)))


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
        self._shareable = not (url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"))

    def __reduce__(self) -> tuple[Any, ...]:
        # Only ever sent to our own spawned worker processes, through a pipe: the password
        # goes from this process's memory to its child's, never to a file.
        return _from_url, (self.engine.url.render_as_string(hide_password=False), self.batch)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        with Session(self.engine) as session:
            yield from iter_documents(session, self.batch)

    def pages(self) -> list[tuple[int, int]] | None:
        """(first id, last id) of every `batch` published practices (None for an in-memory database)."""
        if not self._shareable:
            return None
        with Session(self.engine) as session:
            ids = [r[0] for r in _rows(session, select(col(Practice.id))
                                       .where(col(Practice.status) == Status.published).order_by(col(Practice.id)))]
        return [(ids[i], ids[min(i + self.batch, len(ids)) - 1]) for i in range(0, len(ids), self.batch)]

    def read(self, page: tuple[int, int]) -> list[dict[str, Any]]:
        with Session(self.engine) as session:
            return _read_range(session, *page)


def _from_url(url: str, batch: int) -> PublishedDocuments:
    return PublishedDocuments(make_engine(url), batch)


def iter_documents(session: Session, batch: int = 2000) -> Iterator[dict[str, Any]]:
    """Every published practice as a document, in id order, read in batches (keyset paging)."""
    last = 0
    while rows := _rows(session, _query().where(col(Practice.id) > last).limit(batch)):
        last = rows[-1][0]
        yield from _documents(rows, _Related(session, col(PracticeTheme.practice_id).between(rows[0][0], last),
                                             col(Award.practice_id).between(rows[0][0], last)))
