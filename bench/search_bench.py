"""Search benchmark: both engines on the same synthetic data and the same query mix.

    .venv/bin/python bench/search_bench.py                 # 100,000 practices (default)
    .venv/bin/python bench/search_bench.py --count 20000   # quicker

Generates the practices into a temporary SQLite database (`practices generate`), then, for
each engine in its own process: full reindex (documents per second), a warm-up, and the
query mix (1–3 words, with and without filters, all facets): p50, p95 and worst latency;
peak memory (the bench process's peak RSS; for Meilisearch also the server's). Prints a
Markdown table; figures go into bench/README.md by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _common  # noqa: F401  (puts the repository root on sys.path)

from app.catalogue.practices.synthetic import SUBJECTS
from app.search.base import SearchQuery
from app.search.facets import NAMES

REGIONS = ["RU-BEL", "RU-KHA", "RU-MOW", "RU-SPE", "RU-TA", "RU-SAR", "RU-NVS", "RU-KEM"]
THEMES = ["youth", "finance", "urban-environment", "civic-participation", "digital", "rural"]


def query_mix(n: int, seed: int = 42) -> list[SearchQuery]:
    rng = random.Random(seed)
    words = sorted({w for s in SUBJECTS for w in s.split() if len(w) > 3})
    out = []
    for i in range(n):
        terms = rng.sample(words, rng.randint(1, 3))
        if i % 5 == 3:  # a typo in a long word
            w = max(terms, key=len)
            j = rng.randrange(1, len(w) - 1)
            terms[terms.index(w)] = w[:j] + w[j + 1] + w[j] + w[j + 2:]
        if i % 5 == 4:  # typing in progress
            terms[-1] = terms[-1][: max(3, len(terms[-1]) // 2)]
        kind = i % 4
        regions = tuple(rng.sample(REGIONS, rng.randint(1, 2))) if kind >= 2 else ()
        themes = (rng.choice(THEMES),) if kind == 3 else ()
        filters = {"region": regions, "theme": themes}
        out.append(SearchQuery(text=" ".join(terms), filters={k: v for k, v in filters.items() if v}, facets=NAMES))
    # The worst case for a word index: one word present in every document, with all facets.
    out += [SearchQuery(text="практика", facets=NAMES), SearchQuery(text="", facets=NAMES)]
    return out


def _settings(engine: str, data_dir: Path, meili_url: str, meili_key: str):  # type: ignore[no-untyped-def]
    from app.settings import Settings

    return Settings(_env_file=None, data_dir=data_dir, search_backend=engine,  # type: ignore[call-arg]
                    meili_url=meili_url, meili_api_key=meili_key, meili_index="bench")


def phase(args: argparse.Namespace) -> None:
    """One engine: reindex, then the query mix; prints one JSON line."""
    from app.db import get_engine
    from app.search import make_index
    from app.search.sync import reindex

    settings = _settings(args.engine, Path(args.data_dir), args.meili_url, args.meili_key)
    engine = get_engine(settings)
    index = make_index(settings)
    t0 = time.perf_counter()
    count = reindex(engine, index)
    reindex_s = time.perf_counter() - t0
    queries = query_mix(args.queries)
    for q in queries[:20]:
        index.search(q)
    times = []
    totals = 0
    for q in queries:
        t = time.perf_counter()
        result = index.search(q)
        times.append((time.perf_counter() - t) * 1000)
        totals += result.total
    times.sort()
    print(json.dumps({
        "engine": args.engine,
        "documents": count,
        "reindex_seconds": round(reindex_s, 2),
        "reindex_docs_per_s": round(count / reindex_s),
        "queries": len(times),
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[int(len(times) * 0.95) - 1], 2),
        "max_ms": round(times[-1], 2),
        "mean_hits": round(totals / len(times)),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }))


def _server_peak_mb(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
    except OSError:
        return None
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--engines", default="local,meilisearch")
    sub = parser.add_subparsers(dest="cmd")
    p = sub.add_parser("phase")
    p.add_argument("--engine", required=True)
    p.add_argument("--data-dir", required=True)
    p.add_argument("--meili-url", default="")
    p.add_argument("--meili-key", default="")
    p.add_argument("--queries", type=int, default=400)
    args = parser.parse_args()
    if args.cmd == "phase":
        phase(args)
        return

    from app.catalogue.practices.synthetic import generate
    from app.db import make_engine, session_scope
    from app.migrate import migrate

    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        data_dir = Path(tmp)
        engine = make_engine(f"sqlite:///{data_dir / 'practices.db'}")
        migrate(engine)
        t0 = time.perf_counter()
        with session_scope(engine) as session:
            generate(session, args.count)
        print(f"generated {args.count} practices in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        engine.dispose()
        results = []
        for name in args.engines.split(","):
            cmd = [sys.executable, __file__, "phase", "--engine", name, "--data-dir", str(data_dir),
                   "--queries", str(args.queries)]
            if name == "meilisearch":
                from tests.meili_server import running_server

                with running_server() as server:
                    out = subprocess.run([*cmd, "--meili-url", server.url, "--meili-key", server.master_key],
                                         capture_output=True, text=True, check=True, env=os.environ)
                    row = json.loads(out.stdout.strip().splitlines()[-1])
                    row["server_peak_rss_mb"] = _server_peak_mb(server.process.pid)  # type: ignore[union-attr]
            else:
                out = subprocess.run(cmd, capture_output=True, text=True, check=True, env=os.environ)
                row = json.loads(out.stdout.strip().splitlines()[-1])
            print(json.dumps(row, ensure_ascii=False), file=sys.stderr)
            results.append(row)
    keys = ["engine", "documents", "reindex_docs_per_s", "p50_ms", "p95_ms", "max_ms", "peak_rss_mb", "server_peak_rss_mb"]
    print("| " + " | ".join(keys) + " |")
    print("|" + "---|" * len(keys))
    for row in results:
        print("| " + " | ".join(str(row.get(k, "—")) for k in keys) + " |")


if __name__ == "__main__":
    main()
