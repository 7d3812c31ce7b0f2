"""A rebuild's reading and analysis, in worker processes.

Reading documents and analysing their words is Python, bound to one core by the GIL. So for a
rebuild from a `PagedDocuments` source (what the reindex passes), WORKERS spawned processes each
read and analyse pages of it, write every page's document rows into a small SQLite file (a
"stage") that the rebuilding process copies in with INSERT … SELECT, and gather the postings of
all their pages; at the end each worker writes its postings (roaring bitmaps) into one last
stage, and the rebuilding process merges the workers' postings (one union per key and tier).
"""

from __future__ import annotations

import collections
import contextlib
import gc
import multiprocessing
import os
import sqlite3
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from pyroaring import BitMap

from app.search.base import PagedDocuments
from app.search.local import store

# Two keep the rebuilding process busy on two cores; more would only compete with it.
WORKERS = 2
PARALLEL_AFTER = 4  # pages; below that starting worker processes costs more than it saves
AHEAD = 2  # pages in flight per worker, so none waits while a stage is copied in

Slot = tuple[str, int]  # (word key, tier)


def parallel_pages(documents: Iterable[dict[str, Any]]) -> list[Any] | None:
    """The pages to hand out, or None where workers would not pay (or cannot read)."""
    if not isinstance(documents, PagedDocuments) or cpus() < 2:
        return None
    pages = documents.pages()
    return pages if pages is not None and len(pages) >= PARALLEL_AFTER else None


def cpus() -> int:
    """CPUs this process may run on."""
    if hasattr(os, "sched_getaffinity"):  # not on macOS
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def copy_in(conn: sqlite3.Connection, stage: Path) -> int:
    """Copy one stage's documents into the index `conn` (in autocommit mode) in one transaction;
    returns the documents copied. The stage file is removed."""
    conn.execute("ATTACH DATABASE ? AS stage", (str(stage),))
    try:
        conn.execute("BEGIN")
        try:
            columns = store.DOC_COLUMNS
            count = conn.execute(f"INSERT INTO docs ({columns}) SELECT {columns} FROM stage.docs").rowcount
            conn.execute("INSERT INTO bodies (id, doc) SELECT id, doc FROM stage.docs")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    finally:
        conn.execute("DETACH DATABASE stage")
        stage.unlink()
    return count


def merge_postings(stage: Path, postings: dict[Slot, BitMap]) -> None:
    """Add a worker's postings stage to `postings`; the stage file is removed."""
    conn = sqlite3.connect(str(stage))
    try:
        for key, tier, ids in conn.execute("SELECT key, tier, ids FROM postings"):
            part = BitMap.deserialize(ids)
            merged = postings.get((key, tier))
            if merged is None:
                postings[(key, tier)] = part
            else:
                merged |= part
    finally:
        conn.close()
        stage.unlink()


def staged(
    source: PagedDocuments, pages: list[Any], seq: int, directory: Path, postings: dict[Slot, BitMap]
) -> Iterator[Path]:
    """Stage files of `pages`, in page order, made by WORKERS processes; the caller copies
    each in (and so removes it) before asking for the next. When the last is copied, the
    workers' postings are merged into `postings`."""
    context = multiprocessing.get_context("spawn")  # no fork: the caller may hold threads and locks
    started: list[tuple[Connection, Any]] = []
    try:
        for _ in range(WORKERS):
            ours, theirs = context.Pipe()
            worker = context.Process(target=_work, args=(theirs,), name="local-index-stemming", daemon=True)
            worker.start()
            theirs.close()
            # The source once per worker, not with every page: unpickling it opens a database
            # engine, and one per page left a connection open per page (on PostgreSQL 100
            # pages of 1,000 practices ran the server out of connections).
            ours.send(source)
            started.append((ours, worker))
        # Page i goes to worker i mod WORKERS, and replies are taken in page order. Requests
        # and replies are tiny (the data goes through the stage files), so a send never blocks.
        waiting = collections.deque(enumerate(pages))
        sent: collections.deque[Connection] = collections.deque()

        def send_next() -> None:
            if waiting:
                i, page = waiting.popleft()
                ours = started[i % WORKERS][0]
                ours.send((page, seq, str(directory / f"page-{i}.db")))
                sent.append(ours)

        for _ in range(WORKERS * AHEAD):
            send_next()
        while sent:
            stage = _receive(sent.popleft())
            send_next()
            yield stage
        for i, (ours, _) in enumerate(started):
            ours.send(("postings", str(directory / f"postings-{i}.db")))
        for ours, _ in started:
            merge_postings(_receive(ours), postings)
    finally:
        for ours, _ in started:
            with contextlib.suppress(OSError):
                ours.send(None)
            ours.close()
        for _, worker in started:
            worker.join(timeout=10)
            if worker.is_alive():
                worker.terminate()
                worker.join()


def _receive(conn: Connection) -> Path:
    try:
        status, value = conn.recv()
    except EOFError:
        raise RuntimeError("a worker process of the local index's rebuild ended unexpectedly") from None
    if status != "ok":
        raise RuntimeError(f"reading or stemming failed in a worker process of the local index's rebuild: {value}")
    return Path(value)


def _work(conn: Connection) -> None:
    """A worker: the source in; then (page, seq, stage path) in, the page staged and its path
    out; then ("postings", path) in, its postings staged and the path out; until None."""
    gc.disable()  # it only makes short-lived pages: collections would be pure cost
    # Per tier, word key -> ids (no (key, tier) tuple per occurrence: a page has ~90 keys a document).
    postings: list[dict[str, array[int]]] = [defaultdict(lambda: array("I")) for _ in range(store.tier_count())]
    try:
        source = conn.recv()
        while (message := conn.recv()) is not None:
            try:
                if message[0] == "postings":
                    path = message[1]
                    _stage_postings(path, postings)
                else:
                    page, seq, path = message
                    _stage(path, source.read(page), seq, postings)
                reply = ("ok", path)
            except Exception as exc:  # reported to, and raised in, the rebuilding process
                reply = ("error", f"{type(exc).__name__}: {exc}")
            conn.send(reply)
    except (EOFError, OSError):  # the rebuild stopped early and hung up: nothing to report to
        pass
    finally:
        conn.close()


def _stage_file(path: str, schema: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("BEGIN")
    conn.execute(schema)
    return conn


def _stage(path: str, documents: list[dict[str, Any]], seq: int, postings: list[dict[str, array[int]]]) -> None:
    prepared = [store.prepare(d, seq) for d in documents]
    for p in prepared:
        doc_id = p.doc.id
        for tier_postings, keys in zip(postings, p.tiers, strict=True):
            for key in keys:
                tier_postings[key].append(doc_id)
    conn = _stage_file(path, f"CREATE TABLE docs ({store.DOC_COLUMNS}, doc)")
    try:
        marks = ", ".join("?" * (len(store.DocRow._fields) + 1))
        conn.executemany(f"INSERT INTO docs VALUES ({marks})", [(*p.doc, p.body) for p in prepared])
        conn.execute("COMMIT")
    finally:
        conn.close()


def _stage_postings(path: str, postings: list[dict[str, array[int]]]) -> None:
    conn = _stage_file(path, "CREATE TABLE postings (key, tier, ids)")
    try:
        conn.executemany("INSERT INTO postings VALUES (?, ?, ?)",
                         ((k, t, BitMap(ids).serialize()) for t, tier in enumerate(postings) for k, ids in tier.items()))
        conn.execute("COMMIT")
    finally:
        conn.close()
    for tier in postings:
        tier.clear()
