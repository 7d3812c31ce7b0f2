"""Shared fixtures. One variable switches the whole suite to PostgreSQL:

    TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test   (the server to use)
    TEST_SEARCH_BACKEND=meilisearch   (run against a Meilisearch the tests start)

Each test gets a fresh database: on SQLite a copy of a migrated template file, on PostgreSQL
a per-worker database migrated once and truncated between tests.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

from app.catalogue.practices.schemas import PracticeIn
from app.catalogue.practices.service import create_practice
from app.catalogue.reference import Reference
from app.db import make_engine
from app.migrate import migrate
from app.settings import Settings

pytest_plugins = ["tests.meili_server", "tests.moderation"]

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
TEST_SEARCH_BACKEND = os.environ.get("TEST_SEARCH_BACKEND", "local")
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
# Tables holding reference data: kept between tests (loaded by migrate).
REFERENCE_TABLES = {"region", "theme", "municipality_type", "competition", "nomination", "alembic_version"}


def postgres_available(url: str = POSTGRES_URL) -> str | None:
    """None if PostgreSQL answers at `url`, else the reason it does not."""
    try:
        engine = create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:
        return f"PostgreSQL not reachable at {url}: {type(exc).__name__}"


def create_database(server_url: str, name: str) -> str:
    """A fresh empty database on the server; returns its URL."""
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_database(server_url: str, name: str) -> None:
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def database_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database with reference data: a SQLite file path or a PostgreSQL URL."""
    if TEST_DATABASE_URL.startswith("postgresql"):
        reason = postgres_available(TEST_DATABASE_URL)
        if reason:
            pytest.fail(f"TEST_DATABASE_URL is set but {reason}")
        name = f"practices_test_{_worker()}_{os.getpid()}"
        url = create_database(TEST_DATABASE_URL, name)
        engine = make_engine(url)
        migrate(engine)
        engine.dispose()
        yield url
        drop_database(TEST_DATABASE_URL, name)
    else:
        path = tmp_path_factory.mktemp("template") / "practices.db"
        engine = make_engine(f"sqlite:///{path}")
        migrate(engine)
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()
        yield str(path)


def _truncate(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        names = [
            r[0]
            for r in conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
            if r[0] not in REFERENCE_TABLES
        ]
        if names:
            conn.execute(text("TRUNCATE " + ", ".join(f'"{n}"' for n in names) + " RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def search_backend(request: pytest.FixtureRequest) -> dict[str, Any]:  # noqa: D103
    """Settings for the search engine under test; Meilisearch gets a fresh index per test."""
    if TEST_SEARCH_BACKEND != "meilisearch":
        return {"search_backend": "local"}
    server = request.getfixturevalue("meili_server")
    name = f"practices_{uuid.uuid4().hex[:12]}"
    request.addfinalizer(lambda: server.delete_indexes(name))
    return {
        "search_backend": "meilisearch",
        "meili_url": server.url,
        "meili_api_key": server.master_key,
        "meili_index": name,
    }


@pytest.fixture
def settings(tmp_path: Path, database_template: str, search_backend: dict[str, Any]) -> Settings:
    data_dir = tmp_path / "var"
    data_dir.mkdir()
    if database_template.startswith("postgresql"):
        _truncate(database_template)
        database_url = database_template
    else:
        shutil.copy(database_template, data_dir / "practices.db")
        database_url = ""
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        environment="test",
        data_dir=data_dir,
        database_url=database_url,
        # Links are absolute only from BASE_URL (never from the request's Host): the test
        # client's address, as a site configured for it would have.
        base_url="http://testserver",
        # The catch-up timer stays out of the way of tests that drain the outbox by hand
        # (tests/test_catch_up.py sets its own interval).
        sync_interval=3600,
        submit_rate_limit=1000,
        **search_backend,
    )


@pytest.fixture
def engine(settings: Settings) -> Engine:
    from app.db import get_engine

    return get_engine(settings)


@pytest.fixture
def app(settings: Settings):  # type: ignore[no-untyped-def]
    from app.main import create_app

    application = create_app(settings)
    yield application
    application.state.index.close()


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app, base_url="http://testserver") as c:
        yield c


@pytest.fixture
def index(app):  # type: ignore[no-untyped-def]
    return app.state.index


@pytest.fixture
def same_site() -> dict[str, str]:
    """Headers a browser sends with a form posted from our own pages."""
    return {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as s:
        yield s


_counter = iter(range(1, 10**9))


def practice_data(**overrides: Any) -> PracticeIn:
    """A valid practice card; override any field."""
    n = next(_counter)
    data: dict[str, Any] = {
        "title": f"Практика номер {n}",
        "summary": "Краткое описание практики",
        "region": "RU-BEL",
        "municipality": "Белгородский район",
        "municipality_type": "municipal-district",
        "themes": ["youth"],
        "status": "published",
    }
    data.update(overrides)
    return PracticeIn.model_validate(data)


@pytest.fixture
def make_practice(app):  # type: ignore[no-untyped-def]
    """Create a practice through the catalogue service (outbox and inline sync included)."""
    from app.db import session_scope
    from app.search.sync import drain_inline

    state = app.state

    def factory(**overrides: Any):  # type: ignore[no-untyped-def]
        with session_scope(state.engine, lambda: drain_inline(state.engine, state.index)) as s:
            practice = create_practice(s, Reference(s), practice_data(**overrides), actor="test")
            s.flush()
            s.refresh(practice)
            _ = practice.themes, practice.region, practice.municipality_type
        return practice

    return factory
