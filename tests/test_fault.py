"""Fault test of the production shape: PostgreSQL + Meilisearch, two web workers, two sync
workers. Submissions (over HTTP), approvals and edits go in concurrently while Meilisearch is
killed and restarted; afterwards the index equals the published set exactly and no
submission is missing.

Runs in the PostgreSQL run of `make test` (TEST_DATABASE_URL set): it needs both servers.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, select

from app.catalogue.practices.service import change_status, update_practice
from app.catalogue.reference import Reference
from app.db import make_engine, session_scope
from app.migrate import migrate
from app.models import Practice, Status
from app.search.documents import iter_documents
from app.search.meili import MeiliIndex
from tests.conftest import TEST_DATABASE_URL, create_database, drop_database
from tests.factories import practice_to_in

ROOT = Path(__file__).resolve().parents[1]
SUBMISSIONS = 240
pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.meili]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(url)


def _submission(i: int) -> dict:
    return {
        "title": f"Заявка номер {i}: народный бюджет",
        "region": random.choice(["RU-BEL", "RU-KHA", "RU-TA"]),
        "municipality_type": "urban-okrug",
        "themes": ["finance"],
        "summary": "Жители выбирают проекты",
        "submitter": {"name": "Иван Петров", "email": f"user{i}@example.ru"},
    }


@pytest.fixture
def pg_url():  # type: ignore[no-untyped-def]
    if not TEST_DATABASE_URL.startswith("postgresql"):
        pytest.skip("fault test runs in the PostgreSQL run (set TEST_DATABASE_URL)")
    name = f"practices_fault_{uuid.uuid4().hex[:8]}"
    url = create_database(TEST_DATABASE_URL, name)
    yield url
    drop_database(TEST_DATABASE_URL, name)


def test_nothing_lost_when_meilisearch_dies_under_load(pg_url, meili_server_factory, tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(pg_url)
    migrate(engine)
    meili = meili_server_factory()
    index_name = f"fault_{uuid.uuid4().hex[:8]}"
    port = _free_port()
    env = {
        **os.environ,
        "ENVIRONMENT": "test",
        "DATABASE_URL": pg_url,
        "SEARCH_BACKEND": "meilisearch",
        "MEILI_URL": meili.url,
        "MEILI_API_KEY": meili.master_key,
        "MEILI_INDEX": index_name,
        "SYNC_INLINE": "false",
        "DATA_DIR": str(tmp_path / "var"),
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WORKERS": "2",
        "SUBMIT_RATE_LIMIT": "0",
        "LOG_LEVEL": "WARNING",
    }
    cli = [sys.executable, "-m", "app.cli"]
    logs = [tmp_path / name for name in ("web.log", "sync1.log", "sync2.log")]
    web = subprocess.Popen([*cli, "serve"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=logs[0].open("wb"))
    syncers = [
        subprocess.Popen([*cli, "sync", "--follow", "--interval", "0.2"], cwd=ROOT, env=env,
                         stdout=subprocess.DEVNULL, stderr=log.open("wb"))
        for log in logs[1:]
    ]
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_http(base + "/healthz")
        codes: list[str] = []
        errors: list[str] = []

        def submit(start: int) -> None:
            with httpx.Client(base_url=base, timeout=30) as client:
                for i in range(start, SUBMISSIONS, 4):
                    r = client.post("/api/v1/submissions", json=_submission(i))
                    if r.status_code == 201:
                        codes.append(r.json()["tracking_code"])
                    else:
                        errors.append(f"{r.status_code} {r.text[:200]}")

        def moderate() -> None:
            rng = random.Random(7)
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                with session_scope(engine) as s:
                    pending = s.exec(select(Practice).where(Practice.status == Status.pending).limit(5)).all()
                    published = s.exec(select(Practice).where(Practice.status == Status.published).limit(20)).all()
                    for p in pending:
                        change_status(s, p, Status.published, "admin:fault")
                    for p in rng.sample(published, min(3, len(published))):
                        if rng.random() < 0.2:
                            change_status(s, p, Status.archived, "admin:fault")
                        else:
                            data = practice_to_in(p).model_copy(update={"summary": f"Правка {rng.randint(0, 10**6)}"})
                            update_practice(s, Reference(s), p, data, "admin:fault")
                if len(codes) + len(errors) >= SUBMISSIONS and not pending:
                    return
                time.sleep(0.05)

        threads = [threading.Thread(target=submit, args=(k,)) for k in range(4)]
        threads.append(threading.Thread(target=moderate))
        for t in threads:
            t.start()
        # Kill Meilisearch mid-load, keep it down a while, then bring it back.
        time.sleep(2)
        meili.process.send_signal(signal.SIGKILL)  # type: ignore[union-attr]
        meili.process.wait()  # type: ignore[union-attr]
        time.sleep(3)
        meili.start()
        time.sleep(2)
        meili.kill()
        time.sleep(2)
        meili.start()
        for t in threads:
            t.join(timeout=180)
        assert not errors, errors[:3]
        assert len(codes) == SUBMISSIONS

        index = MeiliIndex(url=meili.url, api_key=meili.master_key, name=index_name)
        deadline = time.monotonic() + 120  # the sync workers back off up to a few seconds
        while True:
            with Session(engine) as s:
                published = {d["id"]: d for d in iter_documents(s)}
            if index.ids() == set(published) or time.monotonic() > deadline:
                break
            time.sleep(1)
        with Session(engine) as s:
            stored_codes = set(s.exec(select(Practice.tracking_code)).all())
        assert set(codes) <= stored_codes, "a submission is missing"
        tails = "\n".join(f"--- {log.name} (exit {p.poll()})\n" + log.read_text(errors="replace")[-3000:]
                          for log, p in zip(logs, [web, *syncers], strict=True))
        assert index.ids() == set(published), tails
        for pid, doc in published.items():
            stored = index.get(pid)
            assert stored is not None
            assert {k: stored.get(k) for k in doc} == doc, f"index content differs for {pid}"
    finally:
        for proc in [web, *syncers]:
            proc.terminate()
        for proc in [web, *syncers]:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        engine.dispose()
