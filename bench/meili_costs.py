"""Where a Meilisearch-setup request's time goes: Meilisearch's own CPU per request for raw
Meilisearch's bodies and for ours, with our synonyms setting, with a map of the same size whose
keys no query holds, and with none; and our process's CPU per search.

    .venv/bin/python bench/meili_costs.py --jsonl data.jsonl            # 600 queries, 3 rounds
    .venv/bin/python bench/meili_costs.py --jsonl data.jsonl --queries 300 --rounds 2

One Meilisearch 1.21 test server holds both indexes: raw Meilisearch's (the records as
`api_bench.py` sends them, its settings) and ours (`practices import` with
SEARCH_BACKEND=meilisearch). The query mix is `api_bench.py`'s. Our bodies are what
`MeiliIndex.search` sends for each query (captured, then replayed): the main search alone, and
all it sends, as one multi-search (the main search plus a counting search per selected facet
group; when nothing matched, also the rarest-word retry's searches). Each
set is sent serially over one kept-alive connection, uncompressed, the sets taking turns in
each round (the synonyms variants one after another: each is a settings task);
Meilisearch's CPU is read from /proc before and after (Linux only). Our process's CPU is
`MeiliIndex.search` end to end (encoding, the HTTP round trip's client side, decoding,
highlighting), Meilisearch's time excluded.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import requests
from _common import cli
from api_bench import (
    RAW_INDEX,
    Data,
    Query,
    describe,
    load_raw,
    prepare_data,
    query_mix,
    service_env,
    wait_task,
)

from app.search.base import SearchQuery
from app.search.meili.index import MeiliIndex
from app.search.query import plan as make_plan
from app.settings import SEED_DIR

OURS = "practices"
OUR_SETTING = "our synonyms setting"
RAW_COLUMN = "raw Meilisearch's request"
FACETS = ("region", "theme", "municipality_type", "year")


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Bodies:
    """What each query of the mix sends: raw Meilisearch's search, our main search, our whole
    multi-search; and whether our query plan found a thesaurus phrase in it."""

    raw: list[list[dict[str, Any]]] = field(default_factory=list)
    main: list[list[dict[str, Any]]] = field(default_factory=list)
    whole: list[list[dict[str, Any]]] = field(default_factory=list)
    phrase: list[bool] = field(default_factory=list)

    def whole_where(self, phrase: bool) -> list[list[dict[str, Any]]]:
        return [w for w, p in zip(self.whole, self.phrase, strict=True) if p == phrase]


def load(client: Any, server: Any, data: Data, tmp: Path) -> None:
    """Raw Meilisearch's index as api_bench fills it, then ours through `practices import`."""
    load_raw(client, data.path)
    env = service_env(tmp / "var")
    env.update(SEARCH_BACKEND="meilisearch", MEILI_URL=server.url, MEILI_API_KEY=server.master_key, MEILI_INDEX=OURS)
    cli(env, "migrate", cwd=tmp)
    cli(env, "import", str(data.path.resolve()), cwd=tmp)


def searches(mix: list[Query]) -> list[SearchQuery]:
    out = []
    for q in mix:
        filters = {k: (v,) for k, v in (("region", q.region), ("theme", q.theme)) if v}
        out.append(SearchQuery(text=q.text, filters=filters, facets=FACETS, per_page=20))
    return out


def bodies(index: MeiliIndex, mix: list[Query]) -> Bodies:
    """Our bodies as `MeiliIndex.search` sends them (captured), and raw Meilisearch's."""
    out = Bodies()
    sent: list[list[dict[str, Any]]] = []
    send = index._multi_search

    def capture(queries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        sent.append(queries)
        return send(queries)

    index._multi_search = capture  # type: ignore[method-assign]
    try:
        for search in searches(mix):
            sent.clear()
            index.search(search)
            out.main.append([sent[0][0]])
            out.whole.append([body for queries in sent for body in queries])
    finally:
        index._multi_search = send  # type: ignore[method-assign]
    for q in mix:
        body: dict[str, Any] = orjson.loads(q.raw_body())
        if body["filter"] is None:
            del body["filter"]
        out.raw.append([{**body, "indexUid": RAW_INDEX}])
    out.phrase = [bool(make_plan(q.text, index.thesaurus).alternatives) for q in mix]
    return out


def measure(client: Any, server: Any, index: MeiliIndex, mix: list[Query], sent: Bodies,
            rounds: int) -> tuple[dict[str, dict[str, list[float]]], list[float]]:
    """Meilisearch's CPU per request for each set of bodies under each synonyms variant, and
    our process's CPU per search (with our setting)."""
    assert server.process is not None
    pid = server.process.pid
    session = requests.Session()
    headers = {"Authorization": f"Bearer {server.master_key}", "Content-Type": "application/json",
               "Accept-Encoding": "identity"}

    def meili_ms(requests_: list[list[dict[str, Any]]]) -> float:
        before = process_cpu(pid)
        for queries in requests_:
            answer = session.post(server.url + "/multi-search", data=orjson.dumps({"queries": queries}),
                                  headers=headers, timeout=60)
            answer.raise_for_status()
        return (process_cpu(pid) - before) / len(requests_) * 1000

    ours = searches(mix)

    def ours_ms() -> float:
        before = time.process_time()
        for search in ours:
            index.search(search)
        return (time.process_time() - before) / len(ours) * 1000

    columns: dict[str, Callable[[], float]] = {
        RAW_COLUMN: lambda: meili_ms(sent.raw),
        "our main search": lambda: meili_ms(sent.main),
        "our multi-search": lambda: meili_ms(sent.whole),
        "our multi-search, query with a thesaurus phrase": lambda: meili_ms(sent.whole_where(True)),
        "our multi-search, query without one": lambda: meili_ms(sent.whole_where(False)),
    }
    synonyms = client.index(OURS).get_synonyms()
    variants = {
        OUR_SETTING: synonyms,
        # Same size, keys no query holds: what the map costs by being there.
        "a map of the same size that no query reaches": {"ъzz" + k: v for k, v in synonyms.items()},
        "no synonyms": {},
    }
    results: dict[str, dict[str, list[float]]] = {}
    ours_cpu: list[float] = []
    try:
        for name, value in variants.items():
            wait_task(client, client.index(OURS).update_synonyms(value).task_uid)
            print(f"measuring with {name}", file=sys.stderr)
            row = results.setdefault(name, {})
            for _ in range(rounds):
                for column, run in columns.items():
                    row.setdefault(column, []).append(run())
                if name == OUR_SETTING:
                    ours_cpu.append(ours_ms())
    finally:
        wait_task(client, client.index(OURS).update_synonyms(synonyms).task_uid)
    return results, ours_cpu


def median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jsonl", type=Path, required=True, help="data file (generated there if missing)")
    parser.add_argument("--count", type=int, default=100_000, help="practices to generate if --jsonl is missing")
    parser.add_argument("--queries", type=int, default=600, help="queries of the mix sent per set and round")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    import meilisearch

    from tests.meili_server import running_server

    with tempfile.TemporaryDirectory(prefix="meili-costs-") as tmp:
        data = describe(prepare_data(args.count, args.jsonl, Path(tmp)))
        mix = query_mix(args.queries, data.regions, data.themes)
        with running_server() as server:
            client = meilisearch.Client(server.url, server.master_key, timeout=600)
            load(client, server, data, Path(tmp))
            index = MeiliIndex(server.url, server.master_key, OURS, thesaurus=SEED_DIR / "thesaurus.csv")
            sent = bodies(index, mix)
            results, ours = measure(client, server, index, mix, sent, args.rounds)

    columns = list(next(iter(results.values())))
    print(f"Meilisearch's CPU per request, ms (median of {args.rounds} rounds; "
          f"{data.documents:,} practices, {len(mix)} queries, {sum(sent.phrase)} with a thesaurus phrase; "
          f"{sum(map(len, sent.whole)) / len(sent.whole):.2f} searches per multi-search)\n")
    print("| synonyms | " + " | ".join(columns) + " |")
    print("|---|" + "---|" * len(columns))
    for name, row in results.items():
        print(f"| {name} | " + " | ".join(f"{median(row[c]):.2f}" for c in columns) + " |")
    print(f"\nOur process's CPU per MeiliIndex.search (Meilisearch's excluded): {median(ours):.2f} ms")


if __name__ == "__main__":
    main()
