"""The SQLite file of the local engine: its schema, rows, connections, and the swap on rebuild.

What the file holds:
- `head`: one row: the file's epoch (new on every clear/rebuild), its sequence number (bumped by
  every write), the floor (the oldest sequence whose tombstones are kept) and `retired` (set when
  a rebuild swapped this file out);
- `docs` (filter, facet and sort values), `bodies` (the documents as JSON);
- `postings`: for each word key and tier (`app.search.analysis.TIERS`), the ids of the documents
  with that key there, as a serialized roaring bitmap; `terms`: every key with its document
  frequency (the vocabulary typos and prefixes are looked up in);
- `gone`: tombstones of deleted documents (other processes patch their state from them);
- `thesaurus`: the thesaurus rows the index was built with (`practices reindex` applies edits).
Every row carries the sequence number of the write that made it, so another process patches its
in-memory state with what changed since its own sequence.

The index lives at `path`, a symbolic link to a data file `path.name + "." + token` beside it.
A rebuild fills a new data file and atomically replaces the link (os.replace). The data file
itself is never renamed or overwritten while open: SQLite names its WAL and shared-memory
files after the database file, so renaming a new database over an open WAL database would
let the two share one WAL (a documented way to corrupt SQLite files). Where symbolic links
cannot be made, `path` is a plain database file and rebuild swaps content in one transaction.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import orjson

from app.search.analysis import TIERS, analyze
from app.search.facets import FACETS
from app.search.text import title_key

log = logging.getLogger(__name__)
SCHEMA_VERSION = 3

SCHEMA = """
CREATE TABLE IF NOT EXISTS head (
    one INTEGER PRIMARY KEY CHECK (one = 1),
    epoch TEXT NOT NULL,
    seq INTEGER NOT NULL,
    floor INTEGER NOT NULL,
    retired INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS docs (
    id INTEGER PRIMARY KEY,
    version INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    facets TEXT NOT NULL,
    published_at REAL NOT NULL,
    title_key TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS docs_seq ON docs (seq);
CREATE TABLE IF NOT EXISTS bodies (id INTEGER PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS postings (
    key TEXT NOT NULL,
    tier INTEGER NOT NULL,
    ids BLOB NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (key, tier)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS postings_seq ON postings (seq);
CREATE TABLE IF NOT EXISTS terms (key TEXT PRIMARY KEY, df INTEGER NOT NULL, seq INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS terms_seq ON terms (seq);
CREATE TABLE IF NOT EXISTS gone (id INTEGER PRIMARY KEY, version INTEGER, seq INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS gone_seq ON gone (seq);
CREATE TABLE IF NOT EXISTS thesaurus (line INTEGER PRIMARY KEY, kind TEXT NOT NULL, term TEXT NOT NULL,
                                      alternatives TEXT NOT NULL);
"""
TABLES = ("docs", "bodies", "postings", "terms", "gone")
FACET_SEP, VALUE_SEP = "\x1e", "\x1f"


class Head(NamedTuple):
    epoch: str
    seq: int
    floor: int
    retired: bool


class DocRow(NamedTuple):
    """A row of `docs`: what filters, facets and sorting need (the JSON body is apart)."""

    id: int
    version: int
    seq: int
    facets: str  # "name\x1fvalue" pairs of every facet value (app.search.facets), "\x1e"-joined
    published_at: float
    title_key: str


class MetaRow(NamedTuple):
    """What the in-memory state keeps of a document (`local.state`)."""

    id: int
    facets: str
    published_at: float
    title_key: str


class Prepared(NamedTuple):
    """One search document made ready for the file."""

    doc: DocRow
    body: bytes  # the document as JSON (UTF-8)
    tiers: tuple[frozenset[str], ...]  # its word keys, per tier


DOC_COLUMNS = ", ".join(DocRow._fields)
META_COLUMNS = ", ".join(MetaRow._fields)
DOC_SQL = f"INSERT OR REPLACE INTO docs ({DOC_COLUMNS}) VALUES ({', '.join('?' * len(DocRow._fields))})"
BODY_SQL = "INSERT OR REPLACE INTO bodies (id, doc) VALUES (?, ?)"
POSTING_SQL = "INSERT OR REPLACE INTO postings (key, tier, ids, seq) VALUES (?, ?, ?, ?)"


_FACET_KEYS = tuple((f.name + VALUE_SEP, f) for f in FACETS)


def facet_pairs(document: dict[str, Any]) -> str:
    return FACET_SEP.join(prefix + value for prefix, f in _FACET_KEYS for value in f.values(document))


def split_facets(encoded: str) -> Iterator[tuple[str, str]]:
    """The (facet name, value) pairs of a `facets` column."""
    if encoded:
        for pair in encoded.split(FACET_SEP):
            name, _, value = pair.partition(VALUE_SEP)
            yield name, value


def prepare(doc: dict[str, Any], seq: int) -> Prepared:
    """The rows of one search document."""
    row = DocRow(
        id=int(doc["id"]),
        version=int(doc.get("version") or 0),
        seq=seq,
        facets=facet_pairs(doc),
        published_at=float(doc.get("published_at") or 0.0),
        title_key=title_key(str(doc.get("title") or "")),
    )
    return Prepared(row, orjson.dumps(doc), analyze(doc))


def tier_count() -> int:
    return len(TIERS)


def connect(target: str) -> sqlite3.Connection:
    conn = sqlite3.connect(target, timeout=30.0, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout = 30000")
    mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    if mode != "wal":
        conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.execute("PRAGMA cache_size = -16000")
    return conn


def init_file(conn: sqlite3.Connection) -> None:
    """Create the schema if missing (idempotent) and the head row.

    A file of another schema version is emptied and made anew: the index is derived data, and
    the catch-up at start (`app.search.sync.catch_up`) rebuilds it from the database.
    """
    if conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version != SCHEMA_VERSION:
            if version:
                log.warning("local index %s has schema %s, not %s: emptied", _file_of(conn), version, SCHEMA_VERSION)
                for (name,) in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'fts_%' AND name NOT LIKE 'sqlite_%'"
                ).fetchall():
                    conn.execute(f'DROP TABLE IF EXISTS "{name}"')
            for statement in SCHEMA.split(";\n"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute("INSERT OR IGNORE INTO head VALUES (1, ?, 0, 0, 0)", (secrets.token_hex(8),))
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _file_of(conn: sqlite3.Connection) -> str:
    return str(conn.execute("PRAGMA database_list").fetchone()[2])


def read_head(conn: sqlite3.Connection) -> Head:
    epoch, seq, floor, retired = conn.execute("SELECT epoch, seq, floor, retired FROM head").fetchone()
    return Head(epoch, int(seq), int(floor), bool(retired))


def new_epoch(conn: sqlite3.Connection) -> None:
    conn.execute("UPDATE head SET epoch = ?", (secrets.token_hex(8),))


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


def chunks(ids: Iterable[Any], size: int = 500) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for i in ids:
        chunk.append(i)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
