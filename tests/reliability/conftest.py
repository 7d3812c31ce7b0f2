"""A real server for the reliability suite: uvicorn in a thread of the test process, on a free
loopback port, so requests really run at the same time and every log line (uvicorn's own
«Exception in ASGI application» included) reaches `caplog`.

`burst` fires requests together (a barrier releases them at once) and returns the responses;
`assert_no_traceback` fails on any log record that carries an exception.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import uvicorn

ORIGIN = {"Sec-Fetch-Site": "same-origin"}


@dataclass
class Live:
    url: str
    app: Any

    def client(self, **kwargs: Any) -> httpx.Client:
        headers = {"Origin": self.url, **ORIGIN, **kwargs.pop("headers", {})}
        return httpx.Client(base_url=self.url, headers=headers, timeout=120, follow_redirects=False, **kwargs)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def live(app) -> Iterator[Live]:  # type: ignore[no-untyped-def]
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="info", lifespan="on",
                            limit_concurrency=200, timeout_keep_alive=30)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    yield Live(f"http://127.0.0.1:{port}", app)
    server.should_exit = True
    thread.join(timeout=30)
    # A burst opens up to the pool's whole size: hand the connections back now, not at the next
    # garbage collection (PostgreSQL's connection slots are shared with every other test run).
    app.state.engine.dispose()


def burst(calls: list[Callable[[], httpx.Response]]) -> list[httpx.Response]:
    """Run every call at the same moment, each in its own thread; the responses in call order."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], httpx.Response]) -> httpx.Response:
        barrier.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def statuses(responses: list[httpx.Response]) -> dict[int, int]:
    """How many responses had each status code."""
    counts: dict[int, int] = {}
    for r in responses:
        counts[r.status_code] = counts.get(r.status_code, 0) + 1
    return dict(sorted(counts.items()))


def assert_no_traceback(caplog: pytest.LogCaptureFixture) -> None:
    """No log record of the run carries an exception (uvicorn logs an unhandled one with it)."""
    failures = [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert not failures, "\n".join(f"{r.name}: {r.getMessage()}" for r in failures[:5])


@pytest.fixture
def server_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """The server's log at INFO and above (see `assert_no_traceback`)."""
    caplog.set_level(logging.INFO)
    return caplog
