"""The SQLite file of the local engine: schema, connections, rows, and the swap on rebuild.

The index lives at `path`, a symbolic link to a data file `path.name + "." + token` beside it.
A rebuild fills a new data file and atomically replaces the link (os.replace). The data file
itself is never renamed or overwritten while open: SQLite names its WAL and shared-memory
files after the database file, so renaming a new database over an open WAL database would
let the two share one WAL (a documented way to corrupt SQLite files). Where symbolic links
cannot be made, `path` is a plain database file and rebuild swaps content in one transaction.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from app.search.base import SEARCHABLE_FIELDS
from app.search.text import stem, title_key, tokens

SCHEMA_VERSION = 1
# bm25 weights, one per SEARCHABLE_FIELDS entry, most important first.
WEIGHTS: tuple[float, ...] = (10.0, 5.0, 3.0, 2.0, 1.5, 1.2, 1.2)
assert len(WEIGHTS) == len(SEARCHABLE_FIELDS)
BM25 = "bm25(fts, " + ", ".join(str(w) for w in WEIGHTS) + ")"

_FTS_COLUMNS = ", ".join(SEARCHABLE_FIELDS)
SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS docs (
    id INTEGER PRIMARY KEY,
    version INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    region TEXT NOT NULL,
    municipality_type TEXT NOT NULL,
    themes TEXT NOT NULL,
    year INTEGER,
    has_figures INTEGER NOT NULL,
    published_at REAL NOT NULL,
    title_key TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS bodies (id INTEGER PRIMARY KEY, doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS docs_seq ON docs (seq);
CREATE TABLE IF NOT EXISTS gone (id INTEGER PRIMARY KEY, version INTEGER, seq INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS gone_seq ON gone (seq);
CREATE TABLE IF NOT EXISTS terms (term TEXT PRIMARY KEY, seq INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS terms_seq ON terms (seq);
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5 (
    {_FTS_COLUMNS},
    tokenize = 'unicode61 remove_diacritics 0',
    prefix = '2 3',
    detail = full
);
"""
META_COLUMNS = "id, region, municipality_type, themes, year, has_figures, published_at, title_key"
DOC_SQL = (
    "INSERT OR REPLACE INTO docs (id, version, seq, region, municipality_type, themes, year,"
    " has_figures, published_at, title_key) VALUES (?,?,?,?,?,?,?,?,?,?)"
)
BODY_SQL = "INSERT OR REPLACE INTO bodies (id, doc) VALUES (?, ?)"
TABLES = ("docs", "bodies", "gone", "terms", "fts")
FTS_SQL = f"INSERT INTO fts (rowid, {_FTS_COLUMNS}) VALUES ({', '.join('?' * (1 + len(SEARCHABLE_FIELDS)))})"


class _StemMemo(dict[str, str]):
    def __missing__(self, word: str) -> str:
        if len(self) > 500_000:
            self.clear()
        value = self[word] = stem(word)
        return value


_stems = _StemMemo()


def prepare(doc: dict[str, Any], seq: int) -> tuple[tuple[Any, ...], tuple[Any, ...], set[str]]:
    """(docs row + JSON body, fts row, terms) for one search document."""
    doc_id = int(doc["id"])
    fts: list[Any] = [doc_id]
    terms: set[str] = set()
    for f in SEARCHABLE_FIELDS:
        words = list(map(_stems.__getitem__, tokens(str(doc.get(f) or ""))))
        terms.update(words)
        fts.append(" ".join(words))
    year = doc.get("year_started")
    row = (
        doc_id,
        int(doc.get("version") or 0),
        seq,
        str(doc.get("region") or ""),
        str(doc.get("municipality_type") or ""),
        "\x1f".join(str(t) for t in doc.get("themes") or ()),
        None if year is None else int(year),
        1 if doc.get("has_figures") else 0,
        float(doc.get("published_at") or 0.0),
        title_key(str(doc.get("title") or "")),
        json.dumps(doc, ensure_ascii=False, separators=(",", ":")),
    )
    return row, tuple(fts), terms


def meta_of(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """The in-memory meta row (`local_state.MetaRow`) of a prepared docs row."""
    return (row[0], row[3], row[4], row[5], row[6], row[7], row[8], row[9])


def connect(target: str) -> sqlite3.Connection:
    conn = sqlite3.connect(target, timeout=30.0, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout = 30000")
    mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    if mode != "wal":
        conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.execute("PRAGMA cache_size = -32000")
    # Map the whole file (up to SQLite's 2 GB cap): pages come from the OS page cache with no
    # read() per page; 256 MB (a 100,000-practice index is 410 MB) cost 5 ms at p95.
    conn.execute("PRAGMA mmap_size = 2147418112")
    return conn


def init_file(conn: sqlite3.Connection) -> None:
    """Create the schema if missing (idempotent) and the meta rows."""
    if conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        if conn.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
            for statement in SCHEMA.split(";\n"):
                if statement.strip():
                    conn.execute(statement)
            conn.executemany(
                "INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)",
                [("epoch", secrets.token_hex(8)), ("seq", "0"), ("floor", "0"), ("retired", "0")],
            )
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def read_meta(conn: sqlite3.Connection) -> dict[str, str]:
    return dict(conn.execute("SELECT key, value FROM meta").fetchall())


def new_data_name(path: Path) -> Path:
    return path.with_name(f"{path.name}.{secrets.token_hex(6)}")


def data_files(path: Path) -> list[Path]:
    """Data files of this index beside `path` (not WAL/SHM side files, not the lock)."""
    prefix = path.name + "."
    out = []
    for p in path.parent.iterdir():
        name = p.name
        if not name.startswith(prefix) or name.endswith(("-wal", "-shm", "-journal", ".lock")):
            continue
        if p.is_symlink():
            continue
        out.append(p)
    return out


def remove_data_file(p: Path) -> None:
    for side in (p, Path(str(p) + "-wal"), Path(str(p) + "-shm"), Path(str(p) + "-journal")):
        with contextlib.suppress(FileNotFoundError):
            side.unlink()


def resolve(path: Path) -> str:
    """The data file `path` stands for now, creating an empty index the first time."""
    while True:
        if path.is_symlink():
            return os.path.realpath(path)
        if path.exists():
            return str(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        data = new_data_name(path)
        conn = connect(str(data))
        try:
            init_file(conn)
        finally:
            conn.close()
        try:
            os.symlink(data.name, path)
        except FileExistsError:  # another process made it first: use theirs
            remove_data_file(data)
        except OSError:  # no symbolic links here: a plain database file at `path`
            remove_data_file(data)
            conn = connect(str(path))
            try:
                init_file(conn)
            finally:
                conn.close()
            return str(path)


def rows_in(ids: Iterable[int], size: int = 500) -> Iterable[list[int]]:
    chunk: list[int] = []
    for i in ids:
        chunk.append(int(i))
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
