"""The embedded index's SQLite schema and writes (blocking; `EmbeddedIndex` runs them in threads).
How a search is answered is in `embedded_match`.

Tables, for persons and the same again for addresses:
- `persons` / `addresses`: the document as JSON with its version (addresses by `address_id`,
  with the address key to order results by).
- `person_keys` / `address_keys` (field, key, id): one row per search key of a document (see
  `normalise`); the primary key makes every criterion an index range, never a scan of all rows.
- `name_vocabulary` and `name_deletions` (deletion, token): every distinct name token ever
  indexed, and the strings made by deleting up to `deletion_depth(token)` of its characters.
  A misspelt word finds its candidate tokens by looking up its own deletions (symmetric delete);
  the candidates are then verified with an edit distance. Built per distinct token, not per
  person, so it grows with the vocabulary (a few hundred thousand names nationally).
- `address_vocabulary` and `address_deletions`: the same for the address words of letters that
  tolerate mistakes (`normalise.is_misspellable_address_word`: streets, localities, towns), so a
  searched street word that no document holds as typed finds its close spellings.

The file's `user_version` says which keys it holds (`SCHEMA_VERSION`); `prepare` creates the
tables and brings a file written by older code up to date, adding the keys it lacks.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import BaseModel

from . import normalise as n
from .documents import AddressDocument, PersonDocument
from .terms import address_keys, document_keys, name_area_keys, name_year_keys

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS persons (
    person_id TEXT PRIMARY KEY, version INTEGER NOT NULL, document TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS person_keys (
    field INTEGER NOT NULL, key TEXT NOT NULL, person_id TEXT NOT NULL,
    PRIMARY KEY (field, key, person_id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS person_keys_by_person ON person_keys (person_id);
CREATE TABLE IF NOT EXISTS addresses (
    address_id TEXT PRIMARY KEY, version INTEGER NOT NULL, document TEXT NOT NULL,
    address_key TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS address_keys (
    field INTEGER NOT NULL, key TEXT NOT NULL, address_id TEXT NOT NULL,
    PRIMARY KEY (field, key, address_id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS address_keys_by_address ON address_keys (address_id);
CREATE TABLE IF NOT EXISTS name_vocabulary (token TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS name_deletions (
    deletion TEXT NOT NULL, token TEXT NOT NULL, PRIMARY KEY (deletion, token)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS address_vocabulary (token TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS address_deletions (
    deletion TEXT NOT NULL, token TEXT NOT NULL, PRIMARY KEY (deletion, token)) WITHOUT ROWID;
"""

# Fields are stored as small integers: the key table has one row per key per document.
FIELD_CODES = {field: code for code, field in enumerate(n.KEY_FIELDS)}

# What this version of the file holds: 1 added the name + outward code keys
# (`terms.name_area_keys`), 2 the address vocabulary. A file's own version is its
# `PRAGMA user_version` (0 before).
SCHEMA_VERSION = 2
_BACKFILL_BATCH = 5_000


@dataclass(frozen=True)
class Vocabulary:
    """Where the distinct words of one kind are kept, with their deletions (symmetric delete)."""

    words: str
    deletions: str


NAME_WORDS = Vocabulary("name_vocabulary", "name_deletions")
ADDRESS_WORDS = Vocabulary("address_vocabulary", "address_deletions")


@dataclass(frozen=True)
class Collection:
    """Where one kind of document lives: its table, its key table, its ID column, and the index
    of the key table by document."""

    table: str
    keys: str
    id: str
    keys_by_document: str


PERSONS = Collection("persons", "person_keys", "person_id", "person_keys_by_person")
ADDRESSES = Collection("addresses", "address_keys", "address_id", "address_keys_by_address")


def prepare(conn: sqlite3.Connection) -> None:
    """Create the tables if missing, and bring a file written by older code up to
    `SCHEMA_VERSION` (once; another process sharing the file waits for it)."""
    conn.executescript(SCHEMA)
    (version,) = conn.execute("PRAGMA user_version").fetchone()
    if version >= SCHEMA_VERSION:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        (version,) = conn.execute("PRAGMA user_version").fetchone()  # another may have done it
        if version < 1:
            _add_name_area_keys(conn)
        if version < 2:
            _add_address_vocabulary(conn)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    except BaseException:
        conn.rollback()
        raise
    conn.commit()


def _add_name_area_keys(conn: sqlite3.Connection) -> None:
    """Give every stored person the name + outward code keys of version 1 (the keys go into
    the key table in no order: a page cache of 256 MB meanwhile keeps that from reading and
    writing the same pages again and again)."""
    started = time.monotonic()
    code = FIELD_CODES[n.NAME_AREA]
    (cache_size,) = conn.execute("PRAGMA cache_size").fetchone()
    conn.execute("PRAGMA cache_size = -262144")
    try:
        done = _add_name_area_keys_from(conn, code)
    finally:
        conn.execute(f"PRAGMA cache_size = {int(cache_size)}")
    if done:
        log.info(
            "embedded index: name and area keys added",
            extra={"persons": done, "seconds": round(time.monotonic() - started)},
        )


def _add_name_area_keys_from(conn: sqlite3.Connection, code: int) -> int:
    """Add the keys person by person, a batch at a time; how many persons were read."""
    done, after = 0, ""
    while True:
        rows = conn.execute(
            "SELECT person_id, document FROM persons WHERE person_id > ? "
            "ORDER BY person_id LIMIT ?",
            (after, _BACKFILL_BATCH),
        ).fetchall()
        if not rows:
            break
        conn.executemany(
            "INSERT OR IGNORE INTO person_keys (field, key, person_id) VALUES (?, ?, ?)",
            [
                (code, key, pid)
                for pid, doc in rows
                for key in name_area_keys(document_keys(PersonDocument.model_validate_json(doc)))
            ],
        )
        done, after = done + len(rows), rows[-1][0]
    return done


def _add_address_vocabulary(conn: sqlite3.Connection) -> None:
    """Build the address vocabulary of version 2 from the address words already stored."""
    code = FIELD_CODES[n.ADDRESS]
    for where in (PERSONS, ADDRESSES):
        words = conn.execute(f"SELECT DISTINCT key FROM {where.keys} WHERE field = ?", (code,))
        _add_vocabulary(conn, ADDRESS_WORDS, _misspellable([word for (word,) in words]))


def _misspellable(address_words: Sequence[str]) -> list[str]:
    return [word for word in address_words if n.is_misspellable_address_word(word)]


def person_keys(doc: PersonDocument) -> dict[str, list[str]]:
    """Every key the embedded index stores for a person: the shared ones (`terms`) and its
    own pairs of a name with a birth year and with an outward code."""
    keys = document_keys(doc)
    keys[n.NAME_YEAR] = name_year_keys(keys, doc.date_of_birth)
    keys[n.NAME_AREA] = name_area_keys(keys)
    return keys


def upsert(conn: sqlite3.Connection, documents: Sequence[PersonDocument]) -> None:
    """Write person documents and their keys in one transaction, skipping any older than the
    stored one."""
    with conn:
        for doc in documents:
            keys = person_keys(doc)
            if _store(conn, PERSONS, doc_id=doc.person_id, version=doc.version, doc=doc, keys=keys):
                _add_vocabulary(conn, NAME_WORDS, keys[n.NAME])
                _add_vocabulary(conn, ADDRESS_WORDS, _misspellable(keys[n.ADDRESS]))


def upsert_addresses(conn: sqlite3.Connection, documents: Sequence[AddressDocument]) -> None:
    """Write address documents and their keys in one transaction, skipping older versions."""
    with conn:
        for doc in documents:
            keys = address_keys(doc)
            stored = _store(
                conn, ADDRESSES, doc_id=doc.address_id, version=doc.version, doc=doc, keys=keys
            )
            if stored:
                _add_vocabulary(conn, ADDRESS_WORDS, _misspellable(keys[n.ADDRESS]))
                conn.execute(
                    "UPDATE addresses SET address_key = ? WHERE address_id = ?",
                    (doc.address_key, doc.address_id),
                )


def _store(
    conn: sqlite3.Connection,
    where: Collection,
    *,
    doc_id: str,
    version: int,
    doc: BaseModel,
    keys: dict[str, list[str]],
) -> bool:
    """Store one document and replace its keys; False if the stored version is newer."""
    row = conn.execute(
        f"SELECT version FROM {where.table} WHERE {where.id} = ?", (doc_id,)
    ).fetchone()
    if row is not None and row[0] > version:
        return False
    conn.execute(
        f"INSERT INTO {where.table} ({where.id}, version, document) VALUES (?, ?, ?) "
        f"ON CONFLICT ({where.id}) DO UPDATE "
        "SET version = excluded.version, document = excluded.document",
        (doc_id, version, doc.model_dump_json()),
    )
    conn.execute(f"DELETE FROM {where.keys} WHERE {where.id} = ?", (doc_id,))
    conn.executemany(
        f"INSERT OR IGNORE INTO {where.keys} (field, key, {where.id}) VALUES (?, ?, ?)",
        [(FIELD_CODES[f], k, doc_id) for f, values in keys.items() for k in values],
    )
    return True


def _add_vocabulary(
    conn: sqlite3.Connection, vocabulary: Vocabulary, tokens: Sequence[str]
) -> None:
    for token in tokens:
        cursor = conn.execute(
            f"INSERT OR IGNORE INTO {vocabulary.words} (token) VALUES (?)", (token,)
        )
        if cursor.rowcount == 1:  # a token never seen before: index its deletions once
            conn.executemany(
                f"INSERT OR IGNORE INTO {vocabulary.deletions} (deletion, token) VALUES (?, ?)",
                [(d, token) for d in n.deletions(token, n.deletion_depth(token))],
            )


def delete(conn: sqlite3.Connection, ids: Sequence[str], where: Collection = PERSONS) -> None:
    """Remove documents and their keys (the vocabularies keep their words: harmless)."""
    with conn:
        rows = [(doc_id,) for doc_id in ids]
        conn.executemany(f"DELETE FROM {where.keys} WHERE {where.id} = ?", rows)
        conn.executemany(f"DELETE FROM {where.table} WHERE {where.id} = ?", rows)


def load(conn: sqlite3.Connection, person_ids: Sequence[str]) -> dict[str, PersonDocument]:
    """The stored person documents of `person_ids` that exist, by person_id."""
    return {
        pid: PersonDocument.model_validate_json(doc)
        for pid, doc in _load_json(conn, PERSONS, person_ids)
    }


def load_addresses(conn: sqlite3.Connection, ids: Sequence[str]) -> dict[str, AddressDocument]:
    """The stored address documents of `ids` that exist, by address ID."""
    return {
        key: AddressDocument.model_validate_json(doc)
        for key, doc in _load_json(conn, ADDRESSES, ids)
    }


def by_address_key(conn: sqlite3.Connection, ids: Sequence[str]) -> list[str]:
    """`ids` ordered by their addresses' keys (addresses deleted meanwhile left out)."""
    rows: list[tuple[str, str]] = []
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        rows += conn.execute(
            "SELECT address_key, address_id FROM addresses "
            f"WHERE address_id IN ({','.join('?' * len(chunk))})",
            chunk,
        ).fetchall()
    return [address_id for _, address_id in sorted(rows)]


def _load_json(
    conn: sqlite3.Connection, where: Collection, ids: Sequence[str]
) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        marks = ",".join("?" * len(chunk))
        rows += conn.execute(
            f"SELECT {where.id}, document FROM {where.table} WHERE {where.id} IN ({marks})", chunk
        ).fetchall()
    return rows
