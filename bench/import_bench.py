"""`practices import` of one JSON Lines file, end to end, on SQLite and on PostgreSQL.

    .venv/bin/python bench/import_bench.py                          # 100,000 practices, both databases
    .venv/bin/python bench/import_bench.py --jsonl DATA.jsonl --databases postgresql --repeat 3
    .venv/bin/python bench/import_bench.py --search meilisearch     # the index in a Meilisearch test server

1. Data: as `api_bench.py` makes it (`practices generate N --no-reindex` into a temporary
   database, `practices export --all`), kept and its path printed; `--jsonl FILE` reuses it.
2. Each run from scratch, in a temporary directory: on PostgreSQL a database of its own on the
   server of `--postgres-url` (loopback only), created before and dropped after; `practices
   migrate`, then `practices import FILE` timed from process start to exit (the search index
   built as the import builds it: the local engine by default). Then the database must hold N
   practices and the index N documents, or the run counts an error.
3. One Markdown table: wall time and practices/s, the CPU time of the import process and its
   children (the index's worker processes), and the CPU time of every PostgreSQL process on
   the machine meanwhile (others' queries included, if any), with the load average before
   and after (the machine may be shared).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import statistics
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from _common import cli
from api_bench import log, prepare_data, service_env

DATABASES = ("sqlite", "postgresql")
DEFAULT_POSTGRES = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass
class Run:
    database: str
    search: str
    practices: int = 0
    seconds: float = 0.0
    per_second: float = 0.0
    import_cpu: float = 0.0  # the import process and the children it waited for
    postgres_cpu: float | None = None  # every PostgreSQL process on this machine meanwhile
    load_before: float = 0.0
    load_after: float = 0.0
    problems: list[str] = field(default_factory=list)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def postgres_cpu() -> float | None:
    """CPU seconds of the PostgreSQL processes here, ended backends included (a server's ended
    backends are counted in its postmaster's children's time); None if none is visible."""
    tick = os.sysconf("SC_CLK_TCK")
    total, seen = 0, False
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            stat = Path(entry.path, "stat").read_text()
            name, rest = stat[stat.index("(") + 1:stat.rindex(")")], stat[stat.rindex(")") + 2:].split()
            if name == "postgres":
                seen = True
                total += sum(int(x) for x in rest[11:15])  # utime, stime, cutime, cstime
    return total / tick if seen else None


@contextlib.contextmanager
def own_database(server_url: str, name: str) -> Iterator[str]:
    """A new database `name` on the server, dropped afterwards; yields its URL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def check_counts(run: Run, env: dict[str, str], expected: int) -> None:
    """The database and the index hold every practice: a half-done import would flatter it."""
    from sqlalchemy import func
    from sqlmodel import Session, select

    from app.db import get_engine
    from app.models import Practice
    from app.search import make_index
    from app.settings import Settings

    settings = Settings(_env_file=None, data_dir=Path(env["DATA_DIR"]),  # type: ignore[call-arg]
                        database_url=env["DATABASE_URL"], search_backend=env["SEARCH_BACKEND"],
                        meili_url=env.get("MEILI_URL", "http://127.0.0.1:7700"),
                        meili_api_key=env.get("MEILI_API_KEY", ""), meili_index=env.get("MEILI_INDEX", "practices"))
    engine = get_engine(settings)
    try:
        with Session(engine) as session:
            stored = session.exec(select(func.count()).select_from(Practice)).one()
    finally:
        engine.dispose()
    index = make_index(settings)
    try:
        indexed = index.count()
    finally:
        index.close()
    if (stored, indexed) != (expected, expected):
        run.problems.append(f"{run.database}: {stored} practices stored, {indexed} indexed, expected {expected}")


def import_once(database: str, data: Path, expected: int, args: argparse.Namespace, number: int,
                meili: dict[str, str]) -> Run:
    run = Run(database, args.search, practices=expected)
    with tempfile.TemporaryDirectory(prefix=f"import-bench-{database}-") as tmp, contextlib.ExitStack() as stack:
        workdir = Path(tmp)
        env = service_env(workdir / "var")
        env.update(SEARCH_BACKEND=args.search, **meili)
        if meili:
            env["MEILI_INDEX"] = f"import_bench_{os.getpid()}_{number}"
        try:
            if database == "postgresql":
                env["DATABASE_URL"] = stack.enter_context(
                    own_database(args.postgres_url, f"import_bench_{os.getpid()}_{number}"))
            out = workdir / "service.log"
            cli(env, "migrate", log=out, cwd=workdir, timeout=600)
            log(f"{database}: importing {data.name} (run {number})")
            run.load_before = os.getloadavg()[0]
            cpu, pg = _children_cpu(), postgres_cpu()
            run.seconds = round(cli(env, "import", str(data.resolve()), log=out, cwd=workdir, timeout=args.timeout), 1)
            run.import_cpu = round(_children_cpu() - cpu, 1)
            after = postgres_cpu()
            run.postgres_cpu = round(after - pg, 1) if database == "postgresql" and pg is not None and after else None
            run.load_after = os.getloadavg()[0]
            run.per_second = round(expected / run.seconds)
            check_counts(run, env, expected)
        except Exception as exc:  # reported in the row and on stderr; the other runs go on
            run.problems.append(f"{database} failed: {type(exc).__name__}: {exc}")
            log(run.problems[-1])
    return run


def count_lines(path: Path) -> int:
    with path.open(encoding="utf-8") as f:
        return sum(1 for line in f if line.strip())


def table(runs: list[Run]) -> str:
    lines = ["| database | search | practices | import s | practices/s | import CPU s | PostgreSQL CPU s "
             "| load avg before → after |", "|---|---|---|---|---|---|---|---|"]
    for r in runs:
        pg = "—" if r.postgres_cpu is None else f"{r.postgres_cpu:g}"
        lines.append(f"| {r.database} | {r.search} | {r.practices:,} | {r.seconds:g} | {r.per_second:,.0f} "
                     f"| {r.import_cpu:g} | {pg} | {r.load_before:.1f} → {r.load_after:.1f} |")
    return "\n".join(lines)


def summary(runs: list[Run]) -> list[str]:
    out = []
    for database in dict.fromkeys(r.database for r in runs):
        good = [r.per_second for r in runs if r.database == database and not r.problems]
        if len(good) > 1:
            out.append(f"{database}: median {statistics.median(good):,.0f} practices/s, best {max(good):,.0f} "
                       f"over {len(good)} runs")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=100_000, help="synthetic practices to generate")
    parser.add_argument("--jsonl", type=Path, help="data file to reuse (generated there if missing)")
    parser.add_argument("--databases", default=",".join(DATABASES), help="any of sqlite, postgresql")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES,
                        help="a PostgreSQL server on loopback; each run creates and drops a database of its own there")
    parser.add_argument("--search", choices=("local", "meilisearch"), default="local",
                        help="the search engine the import builds the index in")
    parser.add_argument("--repeat", type=int, default=1, help="runs per database")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds an import may take")
    parser.add_argument("--json", type=Path, help="write the results here as JSON")
    args = parser.parse_args()
    databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    if unknown := [d for d in databases if d not in DATABASES]:
        parser.error(f"unknown databases {unknown}: choose from {', '.join(DATABASES)}")
    if "postgresql" in databases:
        from sqlalchemy.engine import make_url

        host = make_url(args.postgres_url).host
        if host not in (None, *LOOPBACK) and not host.startswith("127."):
            parser.error(f"--postgres-url must be on this machine (loopback), not {host}")
    with tempfile.TemporaryDirectory(prefix="import-bench-data-") as tmp:
        data = prepare_data(args.count, args.jsonl, Path(tmp))
    expected = count_lines(data)
    runs: list[Run] = []
    with contextlib.ExitStack() as stack:
        meili: dict[str, str] = {}
        if args.search == "meilisearch":
            from tests.meili_server import running_server

            server = stack.enter_context(running_server())
            meili = {"MEILI_URL": server.url, "MEILI_API_KEY": server.master_key}
        for number in range(1, args.repeat + 1):
            for database in databases:
                runs.append(import_once(database, data, expected, args, number, meili))
    print(table(runs))
    print()
    for line in [*summary(runs), f"Data: {data} ({expected:,} practices); CPUs here: {os.cpu_count()}."]:
        print(f"- {line}")
    if args.json:
        args.json.write_text(json.dumps({"data": str(data), "runs": [asdict(r) for r in runs]}, ensure_ascii=False,
                                        indent=2) + "\n", encoding="utf-8")
    problems = [p for r in runs for p in r.problems]
    for problem in problems:
        print(f"ERROR: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
