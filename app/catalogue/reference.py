"""Reference data from `seed_data/` CSV files: regions, themes, municipality types, competitions
and their nominations; and the one provider of it to the application (`ReferenceProvider`)."""

from __future__ import annotations

import csv
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

from app.catalogue.practices.slugs import slugify
from app.models import Competition, MunicipalityType, Nomination, Region, Theme
from app.search.facets import BY_NAME, Facet
from app.settings import SEED_DIR

# (table, file, key) in the order foreign keys need.
TABLES: tuple[tuple[type[SQLModel], str, str], ...] = (
    (Region, "regions.csv", "code"),
    (Theme, "themes.csv", "slug"),
    (MunicipalityType, "municipality_types.csv", "slug"),
    (Competition, "competitions.csv", "slug"),
    (Nomination, "nominations.csv", "slug"),
)


def _rows(name: str, seed_dir: Path) -> list[dict[str, str | None]]:
    with (seed_dir / name).open(encoding="utf-8", newline="") as fh:
        return [{k: (v.strip() or None) if v else None for k, v in row.items()} for row in csv.DictReader(fh)]


def load_reference(session: Session, seed_dir: Path = SEED_DIR) -> dict[str, int]:
    """Insert or update every reference row; idempotent. Returns counts by table."""
    counts = {}
    for model, name, key in TABLES:
        rows = _rows(name, seed_dir)
        existing = {getattr(obj, key): obj for obj in session.exec(select(model))}
        for row in rows:
            fields = {_COLUMN.get(k, k): v for k, v in row.items() if _COLUMN.get(k, k) in model.model_fields}
            obj = existing.get(row[key])
            if obj is None:
                session.add(model(**fields))
            else:
                for k, v in fields.items():
                    setattr(obj, k, v)
        counts[str(model.__tablename__)] = len(rows)
    session.flush()
    return counts


_COLUMN = {"competition": "competition_slug"}  # CSV header -> column, where they differ


# The federal districts regions.csv names, and their slugs: what URLs (`?district=volga`), the
# API and the search index use, so a bookmark of a district keeps meaning every region in it.
DISTRICT_SLUGS: dict[str, str] = {
    "Центральный": "central",
    "Северо-Западный": "northwestern",
    "Южный": "southern",
    "Северо-Кавказский": "north-caucasian",
    "Приволжский": "volga",
    "Уральский": "ural",
    "Сибирский": "siberian",
    "Дальневосточный": "far-eastern",
}


def district_slug(name: str) -> str:
    """The slug of a federal district named as in regions.csv (a district added there later
    gets its transliterated name until it is given one here)."""
    return DISTRICT_SLUGS.get(name) or slugify(name, 64)


@dataclass(frozen=True)
class FederalDistrict:
    slug: str
    name: str  # «Приволжский ФО»: the facet's label, charts and lists
    full_name: str  # «Приволжский федеральный округ»: the API, headings
    regions: tuple[str, ...]  # region codes, by region name


T = TypeVar("T", bound=SQLModel)


def _copies(session: Session, model: type[T], order: Any) -> list[T]:
    """The table's rows as plain copies: the reference is shared across threads and sessions,
    so it holds no object a session owns."""
    return [model(**row.model_dump()) for row in session.exec(select(model).order_by(order))]


class Named(Protocol):
    name: str


@dataclass(frozen=True)
class AwardLabel:
    name: str


class AwardLabels(Mapping[str, AwardLabel]):
    """The award facet's values named: a competition («lmp»: its short name) or a competition in
    a year («lmp:2023»: «ЛМП 2023»). Iterates over the competitions (the names a query may use)."""

    def __init__(self, competitions: Mapping[str, Competition]) -> None:
        self._names = {slug: c.short_name or c.name for slug, c in competitions.items()}

    def __getitem__(self, value: str) -> AwardLabel:
        slug, _, year = value.partition(":")
        name = self._names[slug]
        return AwardLabel(f"{name} {year}" if year else name)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


class Reference:
    """The reference tables in memory: small, read on every page, changed only by `migrate`."""

    def __init__(self, session: Session) -> None:
        self.regions = {r.code: r for r in _copies(session, Region, Region.name)}
        self.themes = {t.slug: t for t in _copies(session, Theme, Theme.name)}
        self.municipality_types = {m.slug: m for m in _copies(session, MunicipalityType, MunicipalityType.name)}
        self.competitions = {c.slug: c for c in _copies(session, Competition, Competition.name)}
        self.nominations = {n.slug: n for n in _copies(session, Nomination, Nomination.name)}
        self.awards = AwardLabels(self.competitions)
        self._labels: dict[tuple[str, str], str] = {}  # label() on every facet value of every answer
        self._derived: dict[str, Any] = {}
        self.districts = {
            district_slug(name): FederalDistrict(
                district_slug(name), f"{name} ФО", f"{name} федеральный округ", tuple(r.code for r in members)
            )
            for name, members in self.federal_districts().items()
        }
        self._district_of = {code: self.districts.get(district_slug(r.federal_district)) for code, r in self.regions.items()}

    def errors(self, payload: dict[str, Any]) -> list[dict[str, str]]:
        """Unknown region, type or theme in a raw or validated practice, each naming its field.

        Works on the raw payload, so no unknown value ever reaches a query.
        """
        out = []
        region = payload.get("region")
        if isinstance(region, str) and region.strip() not in self.regions:
            out.append({"field": "region", "message": f"неизвестный регион «{region.strip()[:64]}»"})
        kind = payload.get("municipality_type")
        if isinstance(kind, str) and kind.strip() not in self.municipality_types:
            out.append(
                {"field": "municipality_type", "message": f"неизвестный тип муниципального образования «{kind.strip()[:64]}»"}
            )
        themes = payload.get("themes")
        if isinstance(themes, list):
            for i, slug in enumerate(themes):
                if isinstance(slug, str) and slug not in self.themes:
                    out.append({"field": f"themes.{i}", "message": f"неизвестная тема «{slug[:64]}»"})
        awards = payload.get("awards")
        if isinstance(awards, list):
            for i, award in enumerate(awards):
                if not isinstance(award, Mapping):
                    continue
                competition, nomination = award.get("competition"), award.get("nomination")
                if isinstance(competition, str) and competition not in self.competitions:
                    out.append({"field": f"awards.{i}.competition", "message": f"неизвестный конкурс «{competition[:64]}»"})
                if isinstance(nomination, str) and nomination not in self.nominations:
                    out.append({"field": f"awards.{i}.nomination", "message": f"неизвестная номинация «{nomination[:64]}»"})
        return out

    def table(self, facet: Facet) -> Mapping[str, Named] | None:
        """The table whose rows name `facet`'s values (None when its values name themselves)."""
        return getattr(self, facet.labels) if facet.labels else None

    def derived(self, key: str, make: Callable[[Reference], Any]) -> Any:
        """`make(self)`, computed once: whatever is built from the tables (they never change
        in place; a new migration gives a new Reference)."""
        if key not in self._derived:
            self._derived[key] = make(self)  # two threads may both make it: the same value
        return self._derived[key]

    def label(self, facet: str, value: str) -> str:
        """A facet value as people read it: a region's name for its code, and so on."""
        known = self._labels.get((facet, value))
        if known is None:
            known = self._labels[(facet, value)] = self._label(facet, value)
        return known

    def _label(self, facet: str, value: str) -> str:
        f = BY_NAME.get(facet)
        if f is None:
            return value
        table = self.table(f)
        if table is not None:
            row = table.get(value)
            return row.name if row is not None else value
        return f.value_labels.get(value, value)

    def district_of(self, region_code: str) -> FederalDistrict | None:
        return self._district_of.get(region_code)

    def federal_districts(self) -> dict[str, list[Region]]:
        """District name (as in regions.csv) -> its regions, by name; districts by name."""
        out: dict[str, list[Region]] = {}
        for region in self.regions.values():
            out.setdefault(region.federal_district, []).append(region)
        return dict(sorted(out.items()))


class ReferenceProvider:
    """The reference tables for one process: read once, read again after `invalidate()` (the
    in-process `migrate` and seed call it) or once `max_age` seconds have passed (another
    process may have migrated), so a request never reads them itself."""

    def __init__(self, engine: Engine, max_age: float = 60.0) -> None:
        self._engine = engine
        self._max_age = max_age
        self._value: Reference | None = None
        self._loaded = 0.0
        self._lock = threading.Lock()

    def get(self) -> Reference:
        value = self._value
        if value is not None and time.monotonic() - self._loaded < self._max_age:
            return value
        with self._lock:
            if self._value is None or time.monotonic() - self._loaded >= self._max_age:
                with Session(self._engine) as session:
                    self._value = Reference(session)
                self._loaded = time.monotonic()
            return self._value

    def invalidate(self) -> None:
        self._value = None
