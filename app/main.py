"""The application factory."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlmodel import Session

from app.catalogue.reference import Reference
from app.db import get_engine
from app.observability import configure_logging
from app.search import make_index
from app.settings import Settings, get_settings

log = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).parent / "web" / "static"


class ReferenceCache:
    """Reference tables read once per process; `migrate` is the only writer."""

    def __init__(self, engine) -> None:  # type: ignore[no-untyped-def]
        self._engine = engine
        self._value: Reference | None = None
        self._lock = threading.Lock()

    def __call__(self) -> Reference:
        if self._value is None:
            with self._lock, Session(self._engine) as session:
                self._value = Reference(session)
        return self._value


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    if settings.environment != "test":
        configure_logging(settings.log_level)
    app = FastAPI(
        title="Каталог лучших муниципальных практик",
        version="1.0.0",
        description="Поиск, публикация и открытые данные муниципальных практик.",
        debug=settings.debug,
        # Swagger UI and ReDoc load scripts from a CDN; /docs is rendered by app/api/v1_docs.py.
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = get_engine(settings)
    app.state.index = make_index(settings)
    app.state.reference = ReferenceCache(app.state.engine)

    from app import errors, observability, security
    from app.api import feeds, health, submissions, v1
    from app.api import http as open_data
    from app.web import admin, routes, submit

    errors.install(app)
    security.install(app)
    open_data.install(app)  # CORS, no-store on errors, 400 for bad parameters (issue 6)
    observability.install(app)  # outermost: sees every request, including refused ones
    for module in (health, v1, submissions, feeds, routes, submit, admin):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
