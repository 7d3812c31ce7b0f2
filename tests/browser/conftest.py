"""Shared helpers for browser tests: a real server in a subprocess and headless Chromium.

- ``live_server_factory(records, env)``: migrates a fresh DATA_DIR, imports `records` (JSON
  Lines dicts) through the `practices` CLI, starts `practices serve` on a free loopback port
  (with `env` added to its environment, e.g. SMTP_URL) and returns a ``LiveServer``
  (``.url``); stopped after the module.
- ``browser`` (session): headless Chromium at /usr/bin/chromium (skipped, with the reason,
  when it is absent). ``ARTIFACTS``: where screenshots go (gitignored).

Follows TEST_SEARCH_BACKEND like the rest of the suite (meilisearch: the shared test server).
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.live_server import LiveServer, free_port

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
def _search_env(request: pytest.FixtureRequest) -> dict[str, str]:
    if os.environ.get("TEST_SEARCH_BACKEND", "local") != "meilisearch":
        return {"SEARCH_BACKEND": "local"}
    server = request.getfixturevalue("meili_server")
    return {"SEARCH_BACKEND": "meilisearch", "MEILI_URL": server.url, "MEILI_API_KEY": server.master_key,
            "MEILI_INDEX": f"browser_{uuid.uuid4().hex[:12]}"}


@pytest.fixture(scope="module")
def live_server_factory(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[..., LiveServer]]:
    servers: list[LiveServer] = []

    def start(records: list[dict[str, Any]], extra_env: dict[str, str] | None = None) -> LiveServer:
        data_dir = tmp_path_factory.mktemp("live")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "MEILI_", "SEARCH_"))}
        port = free_port()
        env |= {"ENVIRONMENT": "test", "DATA_DIR": str(data_dir / "var"), "DATABASE_URL": "", "HOST": "127.0.0.1",
                "PORT": str(port), "BASE_URL": f"http://127.0.0.1:{port}", "WORKERS": "1", "LOG_LEVEL": "WARNING",
                "SYNC_INLINE": "true"}
        env |= _search_env(request) | (extra_env or {})
        server = LiveServer(data_dir, env)
        server.cli("migrate")
        if records:
            corpus = data_dir / "corpus.jsonl"
            corpus.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
            server.cli("import", str(corpus))
        server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent: install it with `apt-get install -y chromium` to run browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
