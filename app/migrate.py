"""Schema migrations (Alembic) and reference data, as one operator step."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

from app.catalogue.reference import load_reference
from app.db import session_scope

ROOT = Path(__file__).resolve().parents[1]


def alembic_config(url: str) -> Config:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.attributes["url"] = url
    return cfg


def migrate(engine: Engine) -> dict[str, int]:
    """Upgrade the schema to head, then load the reference tables (idempotent)."""
    with engine.connect() as connection:
        cfg = alembic_config(str(engine.url.render_as_string(hide_password=False)))
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")
    with session_scope(engine) as session:
        return load_reference(session)
