"""Writing documents into a local index file, and rebuilding one beside it then swapping."""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pyroaring import BitMap

from app.search.local import store, workers
from app.search.local.store import Prepared

BATCH = 1000


def apply_upserts(conn: sqlite3.Connection, prepared: list[Prepared], seq: int) -> int:
    """Write prepared documents, skipping any older than the stored version."""
    stored: dict[int, int] = {}
    for chunk in store.rows_in(p.doc.id for p in prepared):
        marks = ",".join("?" * len(chunk))
        stored.update(conn.execute(f"SELECT id, version FROM docs WHERE id IN ({marks})", chunk))
    accepted: dict[int, Prepared] = {}
    for p in prepared:
        if p.doc.id in stored and p.doc.version < stored[p.doc.id]:
            continue  # an older version must never overwrite a newer one
        stored[p.doc.id] = p.doc.version
        accepted[p.doc.id] = p
    if not accepted:
        return 0
    ids = [(i,) for i in accepted]
    conn.executemany("DELETE FROM fts WHERE rowid = ?", ids)
    conn.executemany("DELETE FROM gone WHERE id = ?", ids)
    _write(conn, list(accepted.values()))
    terms = set().union(*(a.terms for a in accepted.values()))
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


def _batches(documents: Iterable[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    it = iter(documents)
    while batch := list(itertools.islice(it, BATCH)):
        yield batch


def fill(
    conn: sqlite3.Connection, documents: Iterable[dict[str, Any]], progress: Any, seq: int, stage: Path | None = None
) -> int:
    """Insert every document (a later duplicate id replaces an earlier one).

    `conn` is in a transaction; or, with `stage` (a directory for stage files, given when
    `conn` is a new file nobody reads yet), in autocommit mode: then pages may be read and
    stemmed by worker processes (`local.workers`) and copied in one transaction each.
    """
    # Bulk load: no incremental merging of FTS segments while filling (a third of the insert
    # time), one full merge at the end (which also makes queries faster), then back to the
    # defaults (the settings are stored in the file) for the small writes of the sync.
    _fts_config(conn, automerge=0, crisismerge=64)
    pages = workers.parallel_pages(documents) if stage is not None else None
    if pages:
        written = 0
        for staged in workers.staged(documents, pages, seq, stage):  # type: ignore[arg-type]
            written += workers.copy_in(conn, staged, seq)
            if progress is not None:
                progress(written)
    else:
        if stage is not None:
            conn.execute("BEGIN")
        _insert(conn, documents, progress, seq)
        if stage is not None:
            conn.execute("COMMIT")
    conn.execute("INSERT INTO fts (fts) VALUES ('optimize')")
    _fts_config(conn, **FTS_DEFAULTS)
    return int(conn.execute("SELECT count(*) FROM docs").fetchone()[0])


def _insert(conn: sqlite3.Connection, documents: Iterable[dict[str, Any]], progress: Any, seq: int) -> None:
    terms: set[str] = set()
    seen = BitMap()
    written = 0
    for batch in _batches(documents):
        rows = {p.doc.id: p for p in (store.prepare(d, seq) for d in batch)}
        ids = BitMap(rows)
        if seen.intersection_cardinality(ids):
            conn.executemany("DELETE FROM fts WHERE rowid = ?", ((i,) for i in seen & ids))
        seen.update(ids)
        _write(conn, list(rows.values()))
        for p in rows.values():
            terms.update(p.terms)
        written += len(batch)
        if progress is not None:
            progress(written)
    conn.executemany("INSERT OR IGNORE INTO terms (term, seq) VALUES (?, ?)", ((t, seq) for t in terms))


def _write(conn: sqlite3.Connection, prepared: list[Prepared]) -> None:
    conn.executemany(store.DOC_SQL, [p.doc for p in prepared])
    conn.executemany(store.BODY_SQL, [(p.doc.id, p.body) for p in prepared])
    conn.executemany(store.FTS_SQL, [p.fts for p in prepared])


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
            with tempfile.TemporaryDirectory(prefix=".stage-", dir=path.parent) as stage:
                count = fill(new, documents, progress, 0, Path(stage))  # commits as it goes
            new.execute("BEGIN")
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
