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
import logging
import os
import secrets
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NamedTuple

from app.search.base import SEARCHABLE_FIELDS
from app.search.facets import FACETS, all_values
from app.search.text import stem, title_key, tokens

log = logging.getLogger(__name__)
SCHEMA_VERSION = 2
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
    facets TEXT NOT NULL,
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
FACET_SEP, VALUE_SEP = "\x1e", "\x1f"


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
    body: str  # the document as JSON
    fts: tuple[Any, ...]  # rowid, then each of SEARCHABLE_FIELDS as stems
    terms: set[str]


DOC_COLUMNS = ", ".join(DocRow._fields)
META_COLUMNS = ", ".join(MetaRow._fields)
DOC_SQL = f"INSERT OR REPLACE INTO docs ({DOC_COLUMNS}) VALUES ({', '.join('?' * len(DocRow._fields))})"
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


def facet_pairs(document: dict[str, Any]) -> str:
    return FACET_SEP.join(f"{name}{VALUE_SEP}{value}" for name, value in all_values(FACETS, document))


def split_facets(encoded: str) -> list[tuple[str, str]]:
    """The (facet name, value) pairs of a `facets` column."""
    if not encoded:
        return []
    return [tuple(pair.split(VALUE_SEP, 1)) for pair in encoded.split(FACET_SEP)]  # type: ignore[misc]  # two parts each


def prepare(doc: dict[str, Any], seq: int) -> Prepared:
    """The rows of one search document."""
    doc_id = int(doc["id"])
    fts: list[Any] = [doc_id]
    terms: set[str] = set()
    for f in SEARCHABLE_FIELDS:
        words = list(map(_stems.__getitem__, tokens(str(doc.get(f) or ""))))
        terms.update(words)
        fts.append(" ".join(words))
    row = DocRow(
        id=doc_id,
        version=int(doc.get("version") or 0),
        seq=seq,
        facets=facet_pairs(doc),
        published_at=float(doc.get("published_at") or 0.0),
        title_key=title_key(str(doc.get("title") or "")),
    )
    return Prepared(row, json.dumps(doc, ensure_ascii=False, separators=(",", ":")), tuple(fts), terms)


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
    """Create the schema if missing (idempotent) and the meta rows.

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
            conn.executemany(
                "INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)",
                [("epoch", secrets.token_hex(8)), ("seq", "0"), ("floor", "0"), ("retired", "0")],
            )
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _file_of(conn: sqlite3.Connection) -> str:
    return str(conn.execute("PRAGMA database_list").fetchone()[2])


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
