"""Rebuilding a local index: a new data file filled beside the current one, then swapped in.

Searches keep reading the old file until the swap (an atomic replace of the symbolic link);
the old file is then marked retired, so every process's next read or write follows the link.
Writes that reached the old file while the new one was filled are not copied over: the
reindex (`app.search.sync.reindex`) replays the outbox rows written since it started.
Where symbolic links cannot be made, the content is replaced in one transaction instead.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from app.search.local import store, writes
from app.search.thesaurus import Row

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]  # the lock is then only within this process

WriteTransaction = Callable[[], AbstractContextManager[tuple[sqlite3.Connection, int]]]


def store_thesaurus(conn: sqlite3.Connection, rows: Iterable[Row]) -> None:
    conn.execute("DELETE FROM thesaurus")
    conn.executemany("INSERT INTO thesaurus (line, kind, term, alternatives) VALUES (?, ?, ?, ?)",
                     ((i, *row) for i, row in enumerate(rows, start=1)))


def rebuild(
    path: Path,
    documents: Iterable[dict[str, Any]],
    progress: Any,
    thesaurus: list[Row] | None,
    write: WriteTransaction,
) -> int:
    """Fill a new index from `documents` and swap it in; returns the documents it holds."""
    store.resolve(path)
    lock_path = path.with_name(path.name + ".lock")
    with open(lock_path, "a+b") as lock:
        if fcntl is not None:
            fcntl.flock(lock, fcntl.LOCK_EX)  # one rebuild at a time, across processes
        if not path.is_symlink():
            return _in_place(documents, progress, thesaurus, write)
        return _swap(path, documents, progress, thesaurus)


def _in_place(documents: Iterable[dict[str, Any]], progress: Any, thesaurus: list[Row] | None,
              write: WriteTransaction) -> int:
    """Without symbolic links: replace the content in one transaction (readers see either)."""
    with write() as (conn, seq):
        old = [tuple(r) for r in conn.execute("SELECT kind, term, alternatives FROM thesaurus ORDER BY line")]
        for table in store.TABLES:
            conn.execute(f"DELETE FROM {table}")
        store_thesaurus(conn, thesaurus if thesaurus is not None else old)
        store.new_epoch(conn)
        return writes.fill(conn, documents, progress, seq)


def _swap(path: Path, documents: Iterable[dict[str, Any]], progress: Any, thesaurus: list[Row] | None) -> int:
    old_target = store.resolve(path)
    old = store.connect(old_target)
    try:
        rows = thesaurus
        if rows is None:
            rows = [tuple(r) for r in old.execute("SELECT kind, term, alternatives FROM thesaurus ORDER BY line")]
        new_path = store.new_data_name(path)
        new = sqlite3.connect(str(new_path), isolation_level=None, check_same_thread=False)
        try:
            new.execute("PRAGMA journal_mode = OFF")
            new.execute("PRAGMA synchronous = OFF")
            new.execute("PRAGMA cache_size = -64000")
            store.init_file(new)
            new.execute("BEGIN")
            store_thesaurus(new, rows)
            new.execute("COMMIT")
            with tempfile.TemporaryDirectory(prefix=".stage-", dir=path.parent) as stage:
                count = writes.fill(new, documents, progress, 0, Path(stage))  # commits as it goes
            new.execute("PRAGMA journal_mode = WAL")
            new.close()
            fd = os.open(new_path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            old.execute("BEGIN IMMEDIATE")
            try:
                link = path.with_name(path.name + ".link-" + new_path.name)
                with contextlib.suppress(FileNotFoundError):
                    link.unlink()
                os.symlink(new_path.name, link)
                os.replace(link, path)
                old.execute("UPDATE head SET retired = 1")
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
