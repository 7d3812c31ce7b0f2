"""Typed dependencies, so routes read as their signature."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.catalogue.reference import Reference
from app.db import commit
from app.links import public_base
from app.mail import outbox
from app.search.base import SearchIndex
from app.search.sync import drain_inline
from app.settings import Settings


# The dependencies that only read the app's state are `async def`: FastAPI runs a plain `def`
# dependency in a worker thread, a hop there and back on every request for nothing.
async def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_engine_dep(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


async def get_index(request: Request) -> SearchIndex:
    index: SearchIndex = request.app.state.index
    return index


def get_session(request: Request) -> Iterator[Session]:
    """One session per request, committed once at the end; the inline search sync follows, and
    queued mail is handed to the in-process sender."""
    state = request.app.state
    with Session(state.engine, expire_on_commit=False) as session:
        session.info[outbox.SITE_KEY] = outbox.Site.of(state.settings, public_base(request, state.settings))
        yield session
        after = None
        if state.settings.sync_inline:
            def after() -> None:
                drain_inline(state.engine, state.index)
        commit(session, after)
        if outbox.written(session) and state.sender is not None:
            state.sender.kick()


async def get_reference(request: Request) -> Reference:
    reference: Reference = request.app.state.reference.get()
    return reference


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
EngineDep = Annotated[Engine, Depends(get_engine_dep)]
# scope="function": the commit (and inline sync) happen before the response is sent.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
SearchDep = Annotated[SearchIndex, Depends(get_index)]
ReferenceDep = Annotated[Reference, Depends(get_reference)]
