"""Mixed-load test against a server this script starts on loopback, on both setups.

    .venv/bin/python bench/load_test.py                      # both setups, 30 s each
    .venv/bin/python bench/load_test.py --setup embedded --seconds 20 --concurrency 16

Setups:
- embedded: SQLite + local search, one uvicorn worker, inline sync (what `make run` serves);
- production: PostgreSQL + Meilisearch, two uvicorn workers and a sync worker
  (needs PostgreSQL at TEST_POSTGRES_URL and the Meilisearch test binary).

Each setup is filled with `--practices` synthetic practices, then `--concurrency` clients
send a mix for `--seconds` (bounded by time and by `--max-requests`): 70 % search page
(random words and filters), 20 % card page, 10 % submission through the API. Reports
requests per second and p50/p95 latency per kind, and any errors. Traffic goes to
127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import httpx
from _common import ROOT, cli, free_port, wait_http

WORDS = ["благоустройство", "бюджет", "старост", "молодежь", "ТОС", "цифровая", "отходов", "дорог",
         "волонтерский", "библиотека", "елка", "туризм", "энергосбережение", "фестиваль", "платформа"]
REGIONS = ["RU-BEL", "RU-KHA", "RU-TA", "RU-MOW", "RU-SAR", "RU-NVS"]
THEMES = ["youth", "finance", "urban-environment", "civic-participation", "digital"]


@contextlib.contextmanager
def setup(name: str, practices: int, workdir: Path) -> Iterator[str]:
    """Start the setup; yields the base URL."""
    port = free_port()
    env = {**os.environ, "DATA_DIR": str(workdir / "var"), "HOST": "127.0.0.1", "PORT": str(port),
           "SUBMIT_RATE_LIMIT": "0", "LOG_LEVEL": "WARNING", "ENVIRONMENT": "development"}
    procs: list[subprocess.Popen[bytes]] = []
    stack = contextlib.ExitStack()
    try:
        if name == "production":
            from tests.conftest import POSTGRES_URL, create_database, drop_database
            from tests.meili_server import running_server

            server_url = os.environ.get("TEST_POSTGRES_URL", POSTGRES_URL)
            db = f"practices_load_{uuid.uuid4().hex[:8]}"
            env["DATABASE_URL"] = create_database(server_url, db)
            stack.callback(drop_database, server_url, db)
            meili = stack.enter_context(running_server())
            env.update(SEARCH_BACKEND="meilisearch", MEILI_URL=meili.url, MEILI_API_KEY=meili.master_key,
                       SYNC_INLINE="false", WORKERS="2")
        cli(env, "migrate")
        cli(env, "generate", str(practices))
        procs.append(subprocess.Popen([sys.executable, "-m", "app.cli", "serve"], cwd=ROOT, env=env,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        if name == "production":
            procs.append(subprocess.Popen([sys.executable, "-m", "app.cli", "sync", "--follow"], cwd=ROOT,
                                          env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        base = f"http://127.0.0.1:{port}"
        wait_http(base + "/healthz", timeout=60, alive=procs[0])
        yield base
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            with contextlib.suppress(subprocess.TimeoutExpired):
                p.wait(timeout=15)
        stack.close()


def _search_url(rng: random.Random) -> str:
    params = [("q", " ".join(rng.sample(WORDS, rng.randint(1, 2))))]
    if rng.random() < 0.5:
        params.append(("region", rng.choice(REGIONS)))
    if rng.random() < 0.3:
        params.append(("theme", rng.choice(THEMES)))
    return "/practices?" + urlencode(params)


async def run_load(base: str, seconds: float, concurrency: int, max_requests: int, practices: int) -> dict:
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    sent = 0
    stop_at = time.monotonic() + seconds

    async def client(worker: int) -> None:
        nonlocal sent
        rng = random.Random(worker)
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            while time.monotonic() < stop_at and sent < max_requests:
                sent += 1
                roll = rng.random()
                t = time.perf_counter()
                if roll < 0.7:
                    kind, r = "search", await http.get(_search_url(rng))
                elif roll < 0.9:
                    kind, r = "card", await http.get(f"/practices/synthetic-{rng.randint(1, practices)}")
                else:
                    kind = "submit"
                    r = await http.post("/api/v1/submissions", json={
                        "title": f"Нагрузочная заявка {uuid.uuid4().hex[:6]}", "region": rng.choice(REGIONS),
                        "municipality_type": "urban-okrug", "themes": [rng.choice(THEMES)],
                        "submitter": {"name": "Нагрузка", "email": "load@example.ru"}})
                latencies[kind].append((time.perf_counter() - t) * 1000)
                if r.status_code >= 400:
                    errors[f"{kind} {r.status_code}"] += 1

    start = time.monotonic()
    await asyncio.gather(*(client(i) for i in range(concurrency)))
    elapsed = time.monotonic() - start
    rows = {}
    for kind, values in sorted(latencies.items()):
        values.sort()
        rows[kind] = {"requests": len(values), "rps": round(len(values) / elapsed, 1),
                      "p50_ms": round(statistics.median(values), 1),
                      "p95_ms": round(values[max(0, int(len(values) * 0.95) - 1)], 1)}
    total = sum(len(v) for v in latencies.values())
    return {"elapsed_s": round(elapsed, 1), "total_rps": round(total / elapsed, 1), "kinds": rows, "errors": dict(errors)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--setup", choices=["embedded", "production", "both"], default="both")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--max-requests", type=int, default=200_000)
    parser.add_argument("--practices", type=int, default=10_000)
    args = parser.parse_args()
    setups = ["embedded", "production"] if args.setup == "both" else [args.setup]
    print("| setup | kind | requests | req/s | p50 ms | p95 ms |")
    print("|---|---|---|---|---|---|")
    for name in setups:
        with tempfile.TemporaryDirectory(prefix=f"load-{name}-") as tmp, setup(name, args.practices, Path(tmp)) as base:
            result = asyncio.run(run_load(base, args.seconds, args.concurrency, args.max_requests, args.practices))
        for kind, row in result["kinds"].items():
            print(f"| {name} | {kind} | {row['requests']} | {row['rps']} | {row['p50_ms']} | {row['p95_ms']} |")
        print(f"| {name} | all | | {result['total_rps']} | | |")
        if result["errors"]:
            print(f"errors in {name}: {result['errors']}", file=sys.stderr)


if __name__ == "__main__":
    main()
