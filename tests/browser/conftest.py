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
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
PRACTICES = Path(sys.executable).with_name("practices")
START_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    def __init__(self, data_dir: Path, env: dict[str, str]) -> None:
        self.data_dir = data_dir
        self.env = env
        self.port = int(env["PORT"])
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.log = data_dir / "server.log"

    def cli(self, *args: str) -> None:
        result = subprocess.run([str(PRACTICES), *args], env=self.env, cwd=self.data_dir, capture_output=True,
                                text=True, timeout=300)
        if result.returncode != 0:
            raise RuntimeError(f"practices {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")

    def start(self) -> None:
        with self.log.open("wb") as log:
            self.process = subprocess.Popen([str(PRACTICES), "serve"], env=self.env, cwd=self.data_dir,
                                            stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}:\n{self.log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"server did not start in {START_TIMEOUT}s:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


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
