"""Writing documents into a local index file, and rebuilding one beside it then swapping."""

from __future__ import annotations

import collections
import contextlib
import gc
import itertools
import json
import multiprocessing
import os
import sqlite3
from collections.abc import Iterable, Iterator
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from pyroaring import BitMap

from app.search import local_store as store

BATCH = 1000
# Stemming processes: two keep this process (reading and inserting) busy; more would only
# compete with it for the CPU.
WORKERS = 2
PARALLEL_AFTER = 4  # batches; below that a worker process costs more than it saves


def apply_upserts(conn: sqlite3.Connection, prepared: list[Any], seq: int) -> int:
    """Write prepared documents, skipping any older than the stored version."""
    stored: dict[int, int] = {}
    for chunk in store.rows_in(p[0][0] for p in prepared):
        marks = ",".join("?" * len(chunk))
        stored.update(conn.execute(f"SELECT id, version FROM docs WHERE id IN ({marks})", chunk))
    accepted: dict[int, Any] = {}
    for row, fts, terms in prepared:
        doc_id, version = row[0], row[1]
        if doc_id in stored and version < stored[doc_id]:
            continue  # an older version must never overwrite a newer one
        stored[doc_id] = version
        accepted[doc_id] = (row, fts, terms)
    if not accepted:
        return 0
    ids = [(i,) for i in accepted]
    conn.executemany("DELETE FROM fts WHERE rowid = ?", ids)
    conn.executemany("DELETE FROM gone WHERE id = ?", ids)
    conn.executemany(store.DOC_SQL, [a[0][:10] for a in accepted.values()])
    conn.executemany(store.BODY_SQL, [(a[0][0], a[0][10]) for a in accepted.values()])
    conn.executemany(store.FTS_SQL, [a[1] for a in accepted.values()])
    terms = set().union(*(a[2] for a in accepted.values()))
    conn.executemany("INSERT OR IGNORE INTO terms (term, seq) VALUES (?, ?)", ((t, seq) for t in terms))
    return len(accepted)


def apply_deletes(conn: sqlite3.Connection, ids: list[int], seq: int, versions: dict[int, Any]) -> None:
    for chunk in store.rows_in(ids):
        marks = ",".join("?" * len(chunk))
        stored = dict(conn.execute(f"SELECT id, version FROM docs WHERE id IN ({marks})", chunk))
        conn.execute(f"DELETE FROM docs WHERE id IN ({marks})", chunk)
        conn.execute(f"DELETE FROM bodies WHERE id IN ({marks})", chunk)
        conn.execute(f"DELETE FROM fts WHERE rowid IN ({marks})", chunk)
        conn.executemany(
            "INSERT OR REPLACE INTO gone (id, version, seq) VALUES (?, ?, ?)",
            [(i, stored.get(i, versions.get(i)), seq) for i in chunk],
        )


def _prepare_batch(batch: list[dict[str, Any]], seq: int) -> tuple[list[Any], set[str]]:
    """Stemmed rows of a batch and the union of their terms (in a worker process, or here)."""
    prepared = [store.prepare(d, seq) for d in batch]
    return [(row, fts) for row, fts, _terms in prepared], set().union(*(p[2] for p in prepared))


def _batches(documents: Iterable[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    it = iter(documents)
    while batch := list(itertools.islice(it, BATCH)):
        yield batch


def _worker(conn: Connection) -> None:
    """The stemming process: batches in, prepared batches out, until None."""
    gc.disable()  # it only makes short-lived batches: collections would be pure cost
    try:
        while (message := conn.recv()) is not None:
            try:
                reply: tuple[str, Any] = ("ok", _prepare_batch(*message))
            except Exception as exc:  # reported to, and raised in, the rebuilding process
                reply = ("error", f"{type(exc).__name__}: {exc}")
            conn.send(reply)
    except (EOFError, OSError):  # the rebuild stopped early and hung up: nothing to report to
        pass
    finally:
        conn.close()


def _receive(conn: Connection) -> tuple[list[Any], set[str]]:
    try:
        status, value = conn.recv()
    except EOFError:
        raise RuntimeError("the local index's stemming process ended unexpectedly") from None
    if status != "ok":
        raise RuntimeError(f"stemming failed in the local index's worker process: {value}")
    return value  # type: ignore[no-any-return]


def _prepared(documents: Iterable[dict[str, Any]], seq: int) -> Iterator[tuple[list[Any], set[str]]]:
    """Prepared batches, in order.

    From PARALLEL_AFTER batches on, with two or more CPUs, stemming (Python, bound to one
    core by the GIL) runs in WORKERS processes, batches handed out in turn, while this one
    reads the next batch and inserts finished ones into SQLite. Everything on this side stays
    in one thread on purpose: a second thread here would trade the GIL with SQLite, which
    releases it on every row (a writer thread made the whole rebuild slower, not faster).
    """
    batches = _batches(documents)
    head = list(itertools.islice(batches, PARALLEL_AFTER))
    if len(head) < PARALLEL_AFTER or len(os.sched_getaffinity(0)) < 2:
        for batch in itertools.chain(head, batches):
            yield _prepare_batch(batch, seq)
        return
    context = multiprocessing.get_context("spawn")  # no fork: the caller may hold threads and locks
    started: list[tuple[Connection, Any]] = []
    try:
        for _ in range(WORKERS):
            ours, theirs = context.Pipe()
            worker = context.Process(target=_worker, args=(theirs,), name="local-index-stemming", daemon=True)
            worker.start()
            theirs.close()
            started.append((ours, worker))
        rest = itertools.chain(head, batches)
        busy: collections.deque[Connection] = collections.deque()
        for ours, _ in started:
            if (batch := next(rest, None)) is not None:
                ours.send((batch, seq))
                busy.append(ours)
        following = next(rest, None)  # read while the workers stem
        while busy:
            ours = busy.popleft()
            done = _receive(ours)
            if following is not None:
                ours.send((following, seq))
                busy.append(ours)
            yield done  # inserted by the caller while the workers stem
            following = next(rest, None)
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


def fill(conn: sqlite3.Connection, documents: Iterable[dict[str, Any]], progress: Any, seq: int) -> int:
    """Insert every document (a later duplicate id replaces an earlier one)."""
    terms: set[str] = set()
    seen = BitMap()
    written = 0
    # Bulk load: no incremental merging of FTS segments while filling (a third of the insert
    # time), one full merge at the end (which also makes queries faster), then back to the
    # defaults (the settings are stored in the file) for the small writes of the sync.
    _fts_config(conn, automerge=0, crisismerge=64)
    for prepared, batch_terms in _prepared(documents, seq):
        rows = {p[0][0]: p for p in prepared}
        ids = BitMap(rows)
        if seen.intersection_cardinality(ids):
            conn.executemany("DELETE FROM fts WHERE rowid = ?", ((i,) for i in seen & ids))
        seen.update(ids)
        conn.executemany(store.DOC_SQL, [p[0][:10] for p in rows.values()])
        conn.executemany(store.BODY_SQL, [(p[0][0], p[0][10]) for p in rows.values()])
        conn.executemany(store.FTS_SQL, [p[1] for p in rows.values()])
        terms |= batch_terms
        written += len(prepared)
        if progress is not None:
            progress(written)
    conn.executemany("INSERT OR IGNORE INTO terms (term, seq) VALUES (?, ?)", ((t, seq) for t in terms))
    conn.execute("INSERT INTO fts (fts) VALUES ('optimize')")
    _fts_config(conn, **FTS_DEFAULTS)
    return int(conn.execute("SELECT count(*) FROM docs").fetchone()[0])


FTS_DEFAULTS = {"automerge": 4, "crisismerge": 16}  # SQLite's own defaults


def _fts_config(conn: sqlite3.Connection, **values: int) -> None:
    for name, value in values.items():
        conn.execute("INSERT INTO fts (fts, rank) VALUES (?, ?)", (name, value))


def rebuild_swap(path: Path, documents: Iterable[dict[str, Any]], progress: Any) -> int:
    old_target = store.resolve(path)
    old = store.connect(old_target)
    try:
        start_seq = int(store.read_meta(old)["seq"])
        new_path = store.new_data_name(path)
        new = sqlite3.connect(str(new_path), isolation_level=None, check_same_thread=False)
        try:
            new.execute("PRAGMA journal_mode = OFF")
            new.execute("PRAGMA synchronous = OFF")
            new.execute("PRAGMA cache_size = -64000")
            store.init_file(new)
            new.execute("BEGIN")
            count = fill(new, documents, progress, 0)
            # Writes that reached the old file meanwhile (outbox sync) are carried over;
            # the version check keeps whichever copy is newer.
            old.execute("BEGIN IMMEDIATE")
            try:
                carry_over(old, new, start_seq)
                new.execute("COMMIT")
                new.execute("PRAGMA journal_mode = WAL")
                count = int(new.execute("SELECT count(*) FROM docs").fetchone()[0])
                new.close()
                fd = os.open(new_path, os.O_RDONLY)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
                link = path.with_name(path.name + ".link-" + new_path.name)
                with contextlib.suppress(FileNotFoundError):
                    link.unlink()
                os.symlink(new_path.name, link)
                os.replace(link, path)
                old.execute("UPDATE meta SET value = '1' WHERE key = 'retired'")
                old.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    old.execute("ROLLBACK")
                raise
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                new.close()
            store.remove_data_file(new_path)
            raise
    finally:
        old.close()
    # Keep the file just replaced (readers may still hold it); drop older leftovers.
    keep = {Path(old_target).name, new_path.name}
    for p in store.data_files(path):
        if p.name not in keep:
            store.remove_data_file(p)
    return count


def carry_over(old: sqlite3.Connection, new: sqlite3.Connection, start_seq: int) -> None:
    changed = [
        json.loads(d)
        for (d,) in old.execute(
            "SELECT b.doc FROM docs AS d JOIN bodies AS b ON b.id = d.id WHERE d.seq > ?", (start_seq,)
        )
    ]
    if changed:
        apply_upserts(new, [store.prepare(d, 0) for d in changed], 0)
    gone = old.execute("SELECT id, version FROM gone WHERE seq > ?", (start_seq,)).fetchall()
    if gone:
        versions = dict(new.execute("SELECT id, version FROM docs").fetchall()) if len(gone) > 500 else {}
        drop = []
        for doc_id, version in gone:
            have = versions.get(doc_id)
            if have is None:
                row = new.execute("SELECT version FROM docs WHERE id = ?", (doc_id,)).fetchone()
                have = row[0] if row else None
            if have is not None and (version is None or have <= version):
                drop.append(doc_id)
        if drop:
            apply_deletes(new, drop, 0, {})
