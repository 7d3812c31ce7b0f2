"""Our whole API on each engine side by side with raw Meilisearch: same data, same query mix.

    .venv/bin/python bench/api_bench.py                                  # 100,000 practices
    .venv/bin/python bench/api_bench.py --count 10000 --seconds 10 --json result.json
    .venv/bin/python bench/api_bench.py --jsonl data.jsonl --setups local,raw

1. Data: `practices generate N --no-reindex` into a temporary database, then
   `practices export --all` into a JSON Lines file that is kept (the path is printed; pass it
   as --jsonl to reuse it; a --jsonl file that does not exist yet is generated there).
2. Setups, one at a time, each in a fresh temporary directory and stopped before the next:
   - local: SQLite + local engine; `practices migrate`, `practices import FILE` (timed),
     `practices serve` with its defaults on a free loopback port;
   - meili: the same with SEARCH_BACKEND=meilisearch and a Meilisearch 1.21 test server;
   - raw: Meilisearch 1.21 alone (its own server), the same records with an integer id,
     timed from the first batch of documents until every indexing task succeeded.
3. The seeded query mix, the same for every setup: 1–3 words of the synthetic vocabulary,
   half with a region, a quarter with a theme, facets region, theme, municipality type and
   year, 20 hits. Serial latency (keep-alive, after a warm-up), throughput with
   `wrk -t2 -c8` cycling through the mix, then RSS and PSS of the server's process tree.
   For our API also the HTML page (/practices) serially. Every response is checked.
4. One Markdown table with ratios to raw Meilisearch; --json writes the same as JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
from _common import ROOT, Memory, cli, free_port, tree_memory, vocabulary, wait_http
from _http_load import WRK_INSTALL, Load, Serial, Target, have_wrk, load, serial

SETUPS = {"local": "our API, local engine", "meili": "our API, Meilisearch", "raw": "raw Meilisearch 1.21"}
API_FACETS = "region,theme,municipality_type,year"
RAW_FACETS = ["region", "themes", "municipality_type", "year_started"]
RAW_INDEX = "practices_raw"
RAW_SEARCHABLE = ["title", "summary", "problem", "solution", "outcome", "municipality"]
HITS = 20
WARMUP = 20
SEED = 17


@dataclass(frozen=True)
class Query:
    text: str
    region: str | None
    theme: str | None

    def _params(self) -> list[tuple[str, str]]:
        params = [("q", self.text)]
        params += [("region", self.region)] if self.region else []
        params += [("theme", self.theme)] if self.theme else []
        return params

    def api_path(self) -> str:
        return "/api/v1/practices?" + urlencode([*self._params(), ("facets", API_FACETS), ("per_page", str(HITS))])

    def page_path(self) -> str:
        return "/practices?" + urlencode(self._params())

    def raw_body(self) -> str:
        filters = [f'{key} = "{value}"' for key, value in (("region", self.region), ("themes", self.theme)) if value]
        body = {"q": self.text, "filter": " AND ".join(filters) or None, "facets": RAW_FACETS, "limit": HITS}
        return json.dumps(body, ensure_ascii=False)


def query_mix(n: int, regions: list[str], themes: list[str], seed: int = SEED) -> list[Query]:
    """`n` distinct queries, the same for a seed and the same data."""
    rng = random.Random(seed)
    words = vocabulary()
    out: dict[Query, None] = {}
    for _ in range(n * 100):
        if len(out) == n:
            break
        text = " ".join(rng.sample(words, rng.randint(1, 3)))
        region = rng.choice(regions) if rng.random() < 0.5 else None
        theme = rng.choice(themes) if rng.random() < 0.25 else None
        out[Query(text, region, theme)] = None
    return list(out)


@dataclass
class Row:
    setup: str
    system: str
    documents: int = 0
    import_seconds: float = 0.0
    import_docs_per_s: float = 0.0
    serial: Serial | None = None
    load: Load | None = None
    memory: Memory | None = None
    engine_memory: Memory | None = None  # the Meilisearch server behind our API
    page: Serial | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(x.errors for x in (self.serial, self.load, self.page) if x) + len(self.problems)


@dataclass(frozen=True)
class Running:
    base: str
    pid: int
    import_seconds: float
    engine_pid: int | None = None
    headers: dict[str, str] = field(default_factory=dict)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- data -----------------------------------------------------------------------------------

def service_env(data_dir: Path) -> dict[str, str]:
    """The environment a user's `practices` would see, minus every setting of ours: the
    service runs with its defaults except where a setup says otherwise."""
    from app.settings import Settings

    ours = {name.upper() for name in Settings.model_fields}
    env = {k: v for k, v in os.environ.items() if k not in ours}
    env.update(DATA_DIR=str(data_dir), DATABASE_URL="", HOST="127.0.0.1", PYTHONPATH=str(ROOT))
    return env


def prepare_data(count: int, jsonl: Path | None, tmp: Path) -> Path:
    if jsonl is not None and jsonl.exists():
        log(f"data: reusing {jsonl}")
        return jsonl
    if jsonl is None:
        fd, name = tempfile.mkstemp(prefix=f"api-bench-{count}-", suffix=".jsonl")
        os.close(fd)
        jsonl = Path(name)
    env = service_env(tmp / "generate")
    out = tmp / "generate.log"
    log(f"data: generating {count} practices")
    cli(env, "migrate", log=out, cwd=tmp)
    cli(env, "generate", str(count), "--no-reindex", log=out, cwd=tmp)
    cli(env, "export", "--all", str(jsonl.resolve()), log=out, cwd=tmp)
    log(f"data: {jsonl} (a later run can reuse it: --jsonl {jsonl})")
    return jsonl


def read_batches(path: Path, size: int = 10_000) -> Iterator[list[dict[str, Any]]]:
    """The file's records, numbered from 1 in `id`, a batch at a time (100,000 records as
    dicts would hold a gigabyte in this process while the servers are measured)."""
    batch: list[dict[str, Any]] = []
    n = 0
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                n += 1
                batch.append({**json.loads(line), "id": n})
                if len(batch) == size:
                    yield batch
                    batch = []
    if batch:
        yield batch


@dataclass(frozen=True)
class Data:
    path: Path
    documents: int
    regions: list[str]
    themes: list[str]


def describe(path: Path) -> Data:
    count, regions, themes = 0, set(), set()
    for batch in read_batches(path):
        count += len(batch)
        regions.update(r["region"] for r in batch)
        themes.update(t for r in batch for t in r.get("themes", []))
    return Data(path, count, sorted(regions), sorted(themes))


# --- setups ---------------------------------------------------------------------------------

def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM (uvicorn stops its workers), then SIGKILL to whatever is left of the process
    group this script started."""
    if process.poll() is None:
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=30)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def sliced(path: Path, slices: int, workdir: Path) -> list[Path]:
    """The data file cut into `slices` files of consecutive lines: imported one after another,
    they grow the index as a catalogue fed by imports does."""
    if slices <= 1:
        return [path]
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    size = -(-len(lines) // slices)
    parts = []
    for i in range(slices):
        part = workdir / f"slice-{i + 1}.jsonl"
        part.write_text("".join(lines[i * size:(i + 1) * size]), encoding="utf-8")
        parts.append(part)
    return parts


@contextlib.contextmanager
def api_server(engine: str, data: Path, workdir: Path, slices: int = 1) -> Iterator[Running]:
    """`practices migrate`, timed `practices import`s (one, or one per slice), then `practices
    serve` with its defaults."""
    with contextlib.ExitStack() as stack:
        env = service_env(workdir / "var")
        engine_pid = None
        if engine == "meilisearch":
            from tests.meili_server import running_server

            meili = stack.enter_context(running_server())
            env.update(SEARCH_BACKEND="meilisearch", MEILI_URL=meili.url, MEILI_API_KEY=meili.master_key)
            engine_pid = meili.process.pid if meili.process else None
        else:
            env["SEARCH_BACKEND"] = "local"
        out = workdir / "service.log"
        cli(env, "migrate", log=out, cwd=workdir)
        log(f"{engine}: importing {data.name}" + (f" in {slices} slices" if slices > 1 else ""))
        import_seconds = sum(cli(env, "import", str(part.resolve()), log=out, cwd=workdir, timeout=3600)
                             for part in sliced(data, slices, workdir))
        port = free_port()
        env["PORT"] = str(port)
        with out.open("ab") as sink:
            process = subprocess.Popen([sys.executable, "-m", "app.cli", "serve"], cwd=workdir, env=env,
                                       stdout=sink, stderr=subprocess.STDOUT, start_new_session=True)
        stack.callback(_stop, process)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_http(base + "/readyz", alive=process)
        except RuntimeError as exc:
            tail = out.read_text(encoding="utf-8", errors="replace")[-3000:]
            raise RuntimeError(f"{exc}; its log ends with:\n{tail}") from exc
        yield Running(base, process.pid, import_seconds, engine_pid)


def wait_task(client: Any, uid: int) -> None:
    task = client.wait_for_task(uid, timeout_in_ms=3_600_000, interval_in_ms=20)
    if task.status != "succeeded":
        raise RuntimeError(f"Meilisearch task {uid} {task.status}: {task.error}")


def load_raw(client: Any, data: Path) -> float:
    """Raw Meilisearch's index filled through `client`; the seconds from the first batch sent
    until the last indexing task succeeded."""
    wait_task(client, client.create_index(RAW_INDEX, {"primaryKey": "id"}).task_uid)
    index = client.index(RAW_INDEX)
    wait_task(client, index.update_settings({"searchableAttributes": RAW_SEARCHABLE,
                                             "filterableAttributes": RAW_FACETS}).task_uid)
    log("raw: adding documents")
    t0 = time.perf_counter()
    tasks = [index.add_documents(batch).task_uid for batch in read_batches(data)]
    for uid in tasks:
        wait_task(client, uid)
    return time.perf_counter() - t0


@contextlib.contextmanager
def raw_meili(data: Path) -> Iterator[Running]:
    """Meilisearch alone: settings first, then the documents in batches (all sent, then all
    awaited, so that Meilisearch may index them together), timed until the last task succeeded."""
    import meilisearch

    from tests.meili_server import running_server

    with running_server() as server:
        client = meilisearch.Client(server.url, server.master_key, timeout=300)
        import_seconds = load_raw(client, data)
        assert server.process is not None
        yield Running(server.url, server.process.pid, import_seconds,
                      headers={"Authorization": f"Bearer {server.master_key}"})


# --- measuring ------------------------------------------------------------------------------

def _count_check(row: Row, running: Running) -> None:
    """The system answers with every document: a half-imported index would flatter it."""
    if row.setup == "raw":
        stats = httpx.get(f"{running.base}/indexes/{RAW_INDEX}/stats", headers=running.headers, timeout=30).json()
        total = stats.get("numberOfDocuments")
    else:
        total = httpx.get(f"{running.base}/api/v1/practices?per_page=1", timeout=30).json().get("total")
    if total != row.documents:
        row.problems.append(f"{row.system}: {total} documents searchable, expected {row.documents}")


def measure(row: Row, running: Running, mix: list[Query], args: argparse.Namespace, workdir: Path) -> None:
    row.import_seconds = round(running.import_seconds, 1)
    row.import_docs_per_s = round(row.documents / running.import_seconds)
    _count_check(row, running)
    if row.setup == "raw":
        target = Target(running.base, '"hits":[', f"/indexes/{RAW_INDEX}/search", running.headers)
        requests = [q.raw_body() for q in mix]
    else:
        target = Target(running.base, '"items":[')
        requests = [q.api_path() for q in mix]
    log(f"{row.setup}: {args.serial} serial queries")
    row.serial = serial(target, requests[:args.serial], requests[-WARMUP:])
    if row.setup != "raw":
        pages = [q.page_path() for q in mix]
        row.page = serial(Target(running.base, 'id="search-form"'), pages[:args.serial], pages[-WARMUP:])
    log(f"{row.setup}: load for {args.seconds} s")
    row.load = load(target, requests[:args.mix], args.seconds, workdir, row.setup)
    row.memory = tree_memory(running.pid)
    if running.engine_pid:
        row.engine_memory = tree_memory(running.engine_pid)


def run_setup(name: str, data: Data, mix: list[Query], args: argparse.Namespace) -> Row:
    """One setup measured; a setup that fails is an error in its row, and the others still run."""
    row = Row(name, SETUPS[name], documents=data.documents)
    with tempfile.TemporaryDirectory(prefix=f"api-bench-{name}-") as tmp:
        workdir = Path(tmp)
        try:
            if name == "raw":
                context = raw_meili(data.path)
            else:
                context = api_server("local" if name == "local" else "meilisearch", data.path, workdir, args.slices)
            with context as running:
                measure(row, running, mix, args, workdir)
        except Exception as exc:  # reported in the row and on stderr, loudly
            row.problems.append(f"{row.system} failed: {type(exc).__name__}: {exc}")
            log(row.problems[-1])
    return row


# --- report ---------------------------------------------------------------------------------

def _ratio(value: float | None, base: float | None) -> str:
    return f"{value / base:.2f}" if value and base else "—"


def _cell(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if value >= 100 else f"{value:g}"


def table(rows: list[Row]) -> str:
    raw = next((r for r in rows if r.setup == "raw" and r.load), None)
    lines = ["| system | import docs/s | serial p50 ms | serial p95 ms | throughput req/s | p95 under load ms "
             "| RSS MB | PSS MB | throughput ÷ raw | p95 under load ÷ raw |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        s, ld, m = r.serial, r.load, r.memory
        lines.append(" | ".join([
            f"| {r.system}", f"{r.import_docs_per_s:,.0f} ({r.import_seconds:g} s)" if r.import_seconds else "—",
            _cell(s.p50_ms if s else None), _cell(s.p95_ms if s else None),
            _cell(ld.rps if ld else None), _cell(ld.p95_ms if ld else None),
            _cell(m.rss_mb if m else None), _cell(m.pss_mb if m else None),
            _ratio(ld.rps if ld else None, raw.load.rps if raw and raw.load else None),
            _ratio(ld.p95_ms if ld else None, raw.load.p95_ms if raw and raw.load else None) + " |",
        ]))
    pages = [r for r in rows if r.page and r.serial]
    if pages:
        lines += ["", "| system | page p50 ms | page p95 ms | page p95 ÷ API p95 |", "|---|---|---|---|"]
        for r in pages:
            assert r.page and r.serial
            lines.append(f"| {r.system} | {_cell(r.page.p50_ms)} | {_cell(r.page.p95_ms)} "
                         f"| {_ratio(r.page.p95_ms, r.serial.p95_ms)} |")
    return "\n".join(lines)


def notes(rows: list[Row], args: argparse.Namespace, data: Path) -> list[str]:
    tool = next((r.load.tool for r in rows if r.load), "wrk")
    out = [f"{rows[0].documents if rows else 0:,} practices from {data}; serial: {args.serial} distinct queries "
           f"after {WARMUP} warm-up ones; load: {args.mix} queries cycled for {args.seconds} s."]
    if args.slices > 1:
        out.append(f"Our setups imported the data in {args.slices} files one after another (import docs/s over "
                   "all of them).")
    if tool == "wrk":
        out.append("Load: wrk -t2 -c8; p95 under load is the 95th percentile of wrk's latency histogram.")
    else:
        out.append(f"Load: wrk is NOT installed ({WRK_INSTALL}); an asyncio httpx load with 8 connections "
                   "ran instead, in this process, on the same cores as the server.")
    out.append("Memory: RSS and PSS summed over the server's process tree after the load "
               "(uvicorn master and workers; the meilisearch process for raw).")
    for r in rows:
        if r.engine_memory:
            out.append(f"{r.system}: its Meilisearch server held RSS {r.engine_memory.rss_mb:,.0f} MB, "
                       f"PSS {r.engine_memory.pss_mb:,.0f} MB besides.")
    out.append("Raw Meilisearch: one search per query (its facet counts are not disjunctive), no highlighting.")
    errors = sum(r.errors for r in rows)
    out.append(f"**ERRORS: {errors}** — the figures are not valid (details on stderr)." if errors else
               "Errors: none (every response was 200 with a result body; every system held all documents).")
    return out


def as_json(rows: list[Row], args: argparse.Namespace, data: Path) -> dict[str, Any]:
    return {"documents": rows[0].documents if rows else 0, "data": str(data), "serial": args.serial,
            "mix": args.mix, "seconds": args.seconds, "seed": SEED,
            "rows": [{**asdict(r), "errors": r.errors} for r in rows]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=100_000, help="synthetic practices to generate")
    parser.add_argument("--serial", type=int, default=300, help="distinct queries sent one after another")
    parser.add_argument("--mix", type=int, default=3000, help="queries the load cycles through")
    parser.add_argument("--seconds", type=int, default=20, help="length of the load per setup")
    parser.add_argument("--setups", default="local,meili,raw", help="any of local, meili, raw")
    parser.add_argument("--jsonl", type=Path, help="data file to reuse (generated there if missing)")
    parser.add_argument("--json", type=Path, help="write the results here as JSON")
    parser.add_argument("--slices", type=int, default=1,
                        help="import the data in this many files one after another (an index grown by imports)")
    args = parser.parse_args()
    names = [n.strip() for n in args.setups.split(",") if n.strip()]
    if unknown := [n for n in names if n not in SETUPS]:
        parser.error(f"unknown setups {unknown}: choose from {', '.join(SETUPS)}")
    if not have_wrk():
        log(f"wrk is not installed: {WRK_INSTALL}\nfalling back to an asyncio httpx load with 8 connections")
    with tempfile.TemporaryDirectory(prefix="api-bench-data-") as tmp:
        data = describe(prepare_data(args.count, args.jsonl, Path(tmp)))
    mix = query_mix(max(args.serial, args.mix) + WARMUP, data.regions, data.themes)
    rows = [run_setup(name, data, mix, args) for name in names]
    print(table(rows))
    print()
    for line in notes(rows, args, data.path):
        print(f"- {line}")
    if args.json:
        args.json.write_text(json.dumps(as_json(rows, args, data.path), ensure_ascii=False, indent=2) + "\n",
                             encoding="utf-8")
    errors = sum(r.errors for r in rows)
    if errors:
        print(f"\n**{errors} ERRORS** — the figures above are not valid:", file=sys.stderr)
        for r in rows:
            for problem in r.problems:
                print(f"  {problem}", file=sys.stderr)
            for part, x in (("serial", r.serial), ("load", r.load), ("page", r.page)):
                if x and x.errors:
                    print(f"  {r.system}, {part}: {x.errors} bad responses", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
