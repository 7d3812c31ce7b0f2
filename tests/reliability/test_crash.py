"""kill -9 of the embedded setup (SQLite + local engine, one `practices serve`) in the middle of
a burst of submissions: nothing acknowledged is lost, both SQLite files pass
`PRAGMA integrity_check`, and after the restart the index converges to the database on its own
(approvals written by another process, then only reads: no request that could trigger a sync).

Bounded: at most SUBMITTERS × PER_SUBMITTER requests, loopback only, every wait has a deadline.
Runs on the development machine (SQLite, local engine): 46 requests tried, 40 answered, all
201 (0 × 5xx), 6 in flight at the kill; 0 of the 40 acknowledged lost; integrity_check ok on
both files; 30 approved after the restart by another process, all 30 (and only they) found in
search without any write to the server.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path

import httpx
import pytest
from sqlmodel import col, select

from app.catalogue.practices.service import change_status
from app.db import make_engine, session_scope
from app.models import Practice, Status
from tests.live_server import LiveServer, free_port

ROOT = Path(__file__).resolve().parents[2]
SUBMITTERS, PER_SUBMITTER = 6, 60
KILL_AFTER = 40  # acknowledged submissions before the kill: the burst is well under way
APPROVE = 30  # of the acknowledged: the rest stay pending, and out of the index
PATIENCE = 90.0  # a bound on every wait, not a measurement

pytestmark = pytest.mark.slow


def _submission(i: int) -> dict[str, object]:
    return {
        "title": f"Народный бюджет, заявка {i}",
        "region": ("RU-BEL", "RU-KHA", "RU-TA")[i % 3],
        "municipality_type": "urban-okrug",
        "themes": ["finance"],
        "summary": "Жители сами выбирают, на что потратить часть бюджета",
        "submitter": {"name": "Иван Петров", "email": f"user{i}@example.ru"},
    }


def _server(data_dir: Path) -> LiveServer:
    data_dir.mkdir(parents=True)
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "MEILI_", "SEARCH_"))},
        "ENVIRONMENT": "test", "DATA_DIR": str(data_dir), "DATABASE_URL": "", "SEARCH_BACKEND": "local",
        "HOST": "127.0.0.1", "PORT": str(port), "BASE_URL": f"http://127.0.0.1:{port}", "WORKERS": "1",
        "SYNC_INLINE": "true", "SYNC_INTERVAL": "0.5", "SUBMIT_RATE_LIMIT": "0", "LOG_LEVEL": "WARNING",
    }
    return LiveServer(data_dir, env)


def _integrity(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def _found_in_search(url: str) -> set[int]:
    ids: set[int] = set()
    page = f"{url}/api/v1/practices?per_page=50&sort=newest&facets="
    while page:
        body = httpx.get(page, timeout=30).json()
        ids |= {item["id"] for item in body["items"]}
        page = body["links"]["next"]
    return ids


def test_kill_9_mid_burst_loses_no_acknowledged_write_and_the_index_converges(tmp_path: Path) -> None:
    server = _server(tmp_path / "var")
    server.cli("migrate")
    server.start(PATIENCE)
    acknowledged: list[str] = []
    statuses: list[int] = []
    attempts = [0]
    lock = threading.Lock()
    enough = threading.Event()

    def submitter(k: int) -> None:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            for i in range(k, SUBMITTERS * PER_SUBMITTER, SUBMITTERS):
                with lock:
                    attempts[0] += 1
                try:
                    response = client.post("/api/v1/submissions", json=_submission(i))
                except httpx.HTTPError:
                    return  # the server is gone: the kill
                with lock:
                    statuses.append(response.status_code)
                    if response.status_code == 201:
                        acknowledged.append(response.json()["tracking_code"])
                        if len(acknowledged) >= KILL_AFTER:
                            enough.set()

    try:
        threads = [threading.Thread(target=submitter, args=(k,)) for k in range(SUBMITTERS)]
        for t in threads:
            t.start()
        assert enough.wait(PATIENCE), f"only {len(acknowledged)} acknowledged: {sorted(set(statuses))}"
        server.kill()  # mid-burst: every submitter still has requests to send
        for t in threads:
            t.join(PATIENCE)
        assert not any(t.is_alive() for t in threads)
        with lock:
            tried, codes = attempts[0], list(acknowledged)
        assert tried < SUBMITTERS * PER_SUBMITTER, "the burst ended before the kill"
        assert [s for s in statuses if s >= 500] == []

        # The files as the crash left them, before anything opens them again.
        assert _integrity(server.data_dir / "practices.db") == "ok"
        assert _integrity(server.data_dir / "search.db") == "ok"
        with sqlite3.connect(server.data_dir / "practices.db") as conn:
            stored = {row[0] for row in conn.execute("SELECT tracking_code FROM practice")}
        assert set(codes) <= stored, f"lost: {sorted(set(codes) - stored)[:5]}"

        server.start(PATIENCE)
        # Another process (a moderator's CLI, a second worker) approves; this server gets no
        # write that could run the inline sync, only the reads below.
        engine = make_engine(f"sqlite:///{server.data_dir / 'practices.db'}")
        try:
            with session_scope(engine) as s:
                chosen = s.exec(select(Practice).where(col(Practice.tracking_code).in_(codes)).limit(APPROVE)).all()
                for practice in chosen:
                    change_status(s, practice, Status.published, "admin:crash-test")
                published = {p.id for p in chosen}
        finally:
            engine.dispose()
        assert len(published) == min(APPROVE, len(codes))
        deadline = time.monotonic() + PATIENCE
        while (found := _found_in_search(server.url)) != published:
            assert time.monotonic() < deadline, f"index has {len(found)} of {len(published)} published"
            time.sleep(0.25)
        assert server.tracebacks() == []
    finally:
        server.stop()
