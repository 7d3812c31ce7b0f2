"""`practices serve` with several worker processes (the default is one per CPU): each worker
keeps its own copy of the search state, and every one of them sees a change another process
wrote, with no restart."""

from __future__ import annotations

import json
import os
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.browser.conftest import LiveServer, free_port
from tests.catalogue.test_io import record


def workers(pid: int) -> list[int]:
    """The worker processes uvicorn spawned under `pid` (not multiprocessing's helpers)."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and b"spawn_main" in (entry / "cmdline").read_bytes():
                out.append(int(entry.name))
    return out


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


@pytest.mark.skipif(os.environ.get("TEST_SEARCH_BACKEND") == "meilisearch",
                    reason="the local engine's per-process state is what is checked here")
def test_every_worker_finds_what_another_process_wrote(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "MEILI_", "SEARCH_", "WORKERS"))}
    env |= {"ENVIRONMENT": "test", "DATA_DIR": str(tmp_path / "var"), "DATABASE_URL": "", "HOST": "127.0.0.1",
            "PORT": str(free_port()), "WORKERS": "2", "LOG_LEVEL": "WARNING", "SYNC_INLINE": "true",
            "SEARCH_BACKEND": "local"}
    server = LiveServer(tmp_path, env)
    server.cli("migrate")
    first = tmp_path / "first.jsonl"
    first.write_text(json.dumps(record(title="Школа старост", slug="shkola-starost")) + "\n", encoding="utf-8")
    server.cli("import", str(first))
    server.start()
    try:
        assert server.process is not None and len(workers(server.process.pid)) == 2
        search = server.url + "/api/v1/practices?" + urllib.parse.urlencode({"q": "палисадники"})
        # Every worker answers (and caches) the search before the change...
        assert all(get_json(search)["total"] == 0 for _ in range(20))
        second = tmp_path / "second.jsonl"
        second.write_text(json.dumps(record(title="Конкурс палисадников", slug="konkurs")) + "\n", encoding="utf-8")
        server.cli("import", str(second))  # another process writes the database and the index
        # ...and after it, whichever worker answers finds the new practice.
        answers = [get_json(search) for _ in range(20)]
        assert all(a["total"] == 1 and a["items"][0]["slug"] == "konkurs" for a in answers)
        with urllib.request.urlopen(server.url + "/practices?q=" + urllib.parse.quote("палисадники"), timeout=30) as page:
            assert "/practices/konkurs" in page.read().decode()
    finally:
        server.stop()
