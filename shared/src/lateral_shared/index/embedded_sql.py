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
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import BaseModel

from . import normalise as n
from .documents import AddressDocument, PersonDocument
from .terms import address_keys, document_keys, name_year_keys

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
"""

# Fields are stored as small integers: the key table has one row per key per document.
FIELD_CODES = {field: code for code, field in enumerate(n.KEY_FIELDS)}


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


def upsert(conn: sqlite3.Connection, documents: Sequence[PersonDocument]) -> None:
    """Write person documents and their keys in one transaction, skipping any older than the
    stored one."""
    with conn:
        for doc in documents:
            keys = document_keys(doc)
            keys[n.NAME_YEAR] = name_year_keys(keys, doc.date_of_birth)
            if _store(conn, PERSONS, doc_id=doc.person_id, version=doc.version, doc=doc, keys=keys):
                _add_vocabulary(conn, keys[n.NAME])


def upsert_addresses(conn: sqlite3.Connection, documents: Sequence[AddressDocument]) -> None:
    """Write address documents and their keys in one transaction, skipping older versions."""
    with conn:
        for doc in documents:
            stored = _store(
                conn,
                ADDRESSES,
                doc_id=doc.address_id,
                version=doc.version,
                doc=doc,
                keys=address_keys(doc),
            )
            if stored:
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


def _add_vocabulary(conn: sqlite3.Connection, tokens: Sequence[str]) -> None:
    for token in tokens:
        cursor = conn.execute("INSERT OR IGNORE INTO name_vocabulary (token) VALUES (?)", (token,))
        if cursor.rowcount == 1:  # a token never seen before: index its deletions once
            conn.executemany(
                "INSERT OR IGNORE INTO name_deletions (deletion, token) VALUES (?, ?)",
                [(d, token) for d in n.deletions(token, n.deletion_depth(token))],
            )


def delete(conn: sqlite3.Connection, ids: Sequence[str], where: Collection = PERSONS) -> None:
    """Remove documents and their keys (the name vocabulary keeps their tokens: harmless)."""
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
