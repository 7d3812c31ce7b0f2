"""Search quality on the relevance set, per engine: success@3, MRR@10 and queries that found
nothing, per kind of query (see tests/search/relevance_set.py), plus every miss.

    .venv/bin/python bench/relevance.py                      # both engines
    .venv/bin/python bench/relevance.py --engines local --misses

Meilisearch is the test binary (scripts/meili/), started on loopback and stopped at the end.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.search.base import SearchIndex  # noqa: E402
from app.settings import SEED_DIR  # noqa: E402
from tests.search.relevance import Report, evaluate, seed_documents  # noqa: E402


def _local(directory: Path) -> SearchIndex:
    from app.search.local import LocalIndex

    return LocalIndex(directory / "search.db", thesaurus=SEED_DIR / "thesaurus.csv")


def _measure(name: str, documents: list[dict[str, object]], directory: Path) -> Report:
    if name == "local":
        index = _local(directory)
        index.configure()
        index.upsert(documents)
        try:
            return evaluate(index)
        finally:
            index.close()
    from app.search.meili import MeiliIndex
    from tests.meili_server import running_server

    with running_server() as server:
        meili = MeiliIndex(url=server.url, api_key=server.master_key, name="relevance", thesaurus=SEED_DIR / "thesaurus.csv")
        meili.configure()
        meili.upsert(documents)
        try:
            return evaluate(meili)
        finally:
            meili.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engines", default="local,meilisearch")
    parser.add_argument("--misses", action="store_true", help="list every case not found in the top 3")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        documents = seed_documents(directory)
        for name in args.engines.split(","):
            report = _measure(name, documents, directory)
            print(f"\n## {name}: {len(documents)} seed practices\n\n{report.table()}")
            if args.misses:
                for o in report.misses:
                    shown = f" (searched «{o.shown_text}»)" if o.shown_text else ""
                    print(f"- [{o.case.kind}] «{o.case.query}»{shown}: rank {o.rank}, total {o.total}, top {o.found[:3]}")


if __name__ == "__main__":
    main()
