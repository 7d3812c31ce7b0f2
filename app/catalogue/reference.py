"""Reference data (regions, themes, municipality types) from `seed_data/` CSV files."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from app.models import MunicipalityType, Region, Theme

SEED_DIR = Path(__file__).resolve().parents[2] / "seed_data"


def _rows(name: str, seed_dir: Path) -> list[dict[str, str]]:
    with (seed_dir / name).open(encoding="utf-8", newline="") as fh:
        return [{k: (v.strip() or None) if v else None for k, v in row.items()} for row in csv.DictReader(fh)]


def load_reference(session: Session, seed_dir: Path = SEED_DIR) -> dict[str, int]:
    """Insert or update every reference row; idempotent. Returns counts by table."""
    counts = {}
    for model, name, key in (
        (Region, "regions.csv", "code"),
        (Theme, "themes.csv", "slug"),
        (MunicipalityType, "municipality_types.csv", "slug"),
    ):
        rows = _rows(name, seed_dir)
        existing = {getattr(obj, key): obj for obj in session.exec(select(model))}
        for row in rows:
            fields = {k: v for k, v in row.items() if k in model.model_fields}
            obj = existing.get(row[key])
            if obj is None:
                session.add(model(**fields))
            else:
                for k, v in fields.items():
                    setattr(obj, k, v)
        counts[model.__tablename__] = len(rows)
    session.flush()
    return counts


class Reference:
    """The reference tables in memory: small, read on every page, changed only by `migrate`."""

    def __init__(self, session: Session) -> None:
        self.regions = {r.code: r for r in session.exec(select(Region).order_by(Region.name))}
        self.themes = {t.slug: t for t in session.exec(select(Theme).order_by(Theme.name))}
        self.municipality_types = {
            m.slug: m for m in session.exec(select(MunicipalityType).order_by(MunicipalityType.name))
        }

    @classmethod
    def of(cls, session: Session) -> Reference:
        """The tables as this unit of work sees them, read once per session (an import of
        thousands of lines checks every line against them)."""
        if "reference" not in session.info:
            session.info["reference"] = cls(session)
        return session.info["reference"]

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
        return out

    def label(self, facet: str, value: str) -> str:
        if facet == "region":
            r = self.regions.get(value)
            return r.name if r else value
        if facet == "theme":
            t = self.themes.get(value)
            return t.name if t else value
        if facet == "municipality_type":
            m = self.municipality_types.get(value)
            return m.name if m else value
        if facet == "has_figures":
            return "С цифрами результатов" if value == "true" else "Без цифр"
        return value

    def federal_districts(self) -> dict[str, list[Region]]:
        out: dict[str, list[Region]] = {}
        for region in self.regions.values():
            out.setdefault(region.federal_district, []).append(region)
        return dict(sorted(out.items()))
