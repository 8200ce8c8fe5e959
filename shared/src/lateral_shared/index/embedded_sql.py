"""The embedded index's SQLite schema and statements (blocking; `EmbeddedIndex` runs them in
threads).

Tables:
- `persons`: the document as JSON with its version.
- `person_keys` (field, key, person_id): one row per search key of a person (see `normalise`);
  its primary key makes every criterion an index range, never a scan of all persons.
- `name_vocabulary` and `name_deletions` (deletion, token): every distinct name token ever
  indexed, and the strings made by deleting up to `deletion_depth(token)` of its characters.
  A misspelt word finds its candidate tokens by looking up its own deletions (symmetric delete);
  the candidates are then verified with an edit distance. Built per distinct token, not per
  person, so it grows with the vocabulary (a few hundred thousand names nationally).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from . import normalise as n
from .documents import PersonDocument
from .terms import EXACT_SCORE, FUZZY_SCORE, NameWord, QueryKeys, document_keys

SCHEMA = """
CREATE TABLE IF NOT EXISTS persons (
    person_id TEXT PRIMARY KEY, version INTEGER NOT NULL, document TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS person_keys (
    field INTEGER NOT NULL, key TEXT NOT NULL, person_id TEXT NOT NULL,
    PRIMARY KEY (field, key, person_id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS person_keys_by_person ON person_keys (person_id);
CREATE TABLE IF NOT EXISTS name_vocabulary (token TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS name_deletions (
    deletion TEXT NOT NULL, token TEXT NOT NULL, PRIMARY KEY (deletion, token)) WITHOUT ROWID;
"""

# Fields are stored as small integers: the key table has one row per key per person.
FIELD_CODES = {field: code for code, field in enumerate(n.KEY_FIELDS)}


def upsert(conn: sqlite3.Connection, documents: Sequence[PersonDocument]) -> None:
    """Write documents and their keys in one transaction, skipping any older than the stored."""
    with conn:
        for doc in documents:
            row = conn.execute(
                "SELECT version FROM persons WHERE person_id = ?", (doc.person_id,)
            ).fetchone()
            if row is not None and row[0] > doc.version:
                continue
            conn.execute(
                "INSERT INTO persons (person_id, version, document) VALUES (?, ?, ?) "
                "ON CONFLICT (person_id) DO UPDATE "
                "SET version = excluded.version, document = excluded.document",
                (doc.person_id, doc.version, doc.model_dump_json()),
            )
            _replace_keys(conn, doc)


def _replace_keys(conn: sqlite3.Connection, doc: PersonDocument) -> None:
    conn.execute("DELETE FROM person_keys WHERE person_id = ?", (doc.person_id,))
    keys = document_keys(doc)
    conn.executemany(
        "INSERT OR IGNORE INTO person_keys (field, key, person_id) VALUES (?, ?, ?)",
        [(FIELD_CODES[f], k, doc.person_id) for f, values in keys.items() for k in values],
    )
    for token in keys[n.NAME]:
        cursor = conn.execute("INSERT OR IGNORE INTO name_vocabulary (token) VALUES (?)", (token,))
        if cursor.rowcount == 1:  # a token never seen before: index its deletions once
            conn.executemany(
                "INSERT OR IGNORE INTO name_deletions (deletion, token) VALUES (?, ?)",
                [(d, token) for d in n.deletions(token, n.deletion_depth(token))],
            )


def delete(conn: sqlite3.Connection, person_ids: Sequence[str]) -> None:
    """Remove persons and their keys (the name vocabulary keeps their tokens: harmless)."""
    with conn:
        rows = [(pid,) for pid in person_ids]
        conn.executemany("DELETE FROM person_keys WHERE person_id = ?", rows)
        conn.executemany("DELETE FROM persons WHERE person_id = ?", rows)


def load(conn: sqlite3.Connection, person_ids: Sequence[str]) -> dict[str, PersonDocument]:
    """The stored documents of `person_ids` that exist, by person_id."""
    marks = ",".join("?" * len(person_ids))
    rows = conn.execute(
        f"SELECT person_id, document FROM persons WHERE person_id IN ({marks})", list(person_ids)
    ).fetchall()
    return {pid: PersonDocument.model_validate_json(doc) for pid, doc in rows}


def matches(conn: sqlite3.Connection, keys: QueryKeys) -> list[tuple[str, float]]:
    """Every (person_id, score) matching all of `keys`, best first, ties by person_id."""
    statement = match_statement(conn, keys)
    if statement is None:
        return []
    return [(pid, float(score)) for pid, score in conn.execute(*statement)]


def match_statement(conn: sqlite3.Connection, keys: QueryKeys) -> tuple[str, list[object]] | None:
    """The SELECT for `matches` with its parameters, or None when nothing can match.

    Each criterion contributes the rows of the persons it matches (a name word: the persons
    holding one of its candidate tokens, with the token's score; a filter: the persons holding
    one of its keys); a person matches when every criterion contributed. Grouping the rows
    rather than joining the sets keeps the cost proportional to the rows read, whatever order
    the planner would have picked."""
    if keys.unmatchable:
        return None
    ctes: list[str] = []
    parts: list[str] = []
    params: list[object] = []  # in the order of the placeholders: CTEs, then filters, then HAVING
    for i, word in enumerate(keys.words):
        candidates = _candidate_tokens(conn, word)
        if not candidates:
            return None
        ctes.append(f"c{i} (token, s) AS (VALUES {','.join('(?, ?)' for _ in candidates)})")
        params += [p for pair in candidates for p in pair]
        parts.append(
            f"SELECT k.person_id, {i} AS criterion, c{i}.s AS s FROM c{i} CROSS JOIN person_keys k "
            f"ON k.field = {FIELD_CODES[n.NAME]} AND k.key = c{i}.token"
        )
    for j, (field, values) in enumerate(keys.filters, start=len(keys.words)):
        parts.append(
            f"SELECT person_id, {j} AS criterion, 0.0 AS s FROM person_keys "
            f"WHERE field = {FIELD_CODES[field]} AND key IN ({','.join('?' * len(values))})"
        )
        params += values
    params.append(len(parts))
    sql = (
        f"{'WITH ' + ', '.join(ctes) if ctes else ''} "
        "SELECT person_id, SUM(best) AS score FROM ("
        "SELECT person_id, criterion, MAX(s) AS best "
        f"FROM ({' UNION ALL '.join(parts)}) GROUP BY person_id, criterion"
        ") GROUP BY person_id HAVING COUNT(*) = ? ORDER BY score DESC, person_id"
    )
    return sql, params


def _candidate_tokens(conn: sqlite3.Connection, word: NameWord) -> list[tuple[str, float]]:
    """Indexed tokens within `word.edits` of the word, each with its score."""
    if word.edits == 0:
        return [(word.word, EXACT_SCORE)]
    lookups = sorted(n.deletions(word.word, word.edits))
    marks = ",".join("?" * len(lookups))
    rows = conn.execute(
        f"SELECT DISTINCT token FROM name_deletions WHERE deletion IN ({marks})", lookups
    ).fetchall()
    return [
        (token, EXACT_SCORE if token == word.word else FUZZY_SCORE)
        for (token,) in rows
        if n.within_edits(word.word, token, word.edits)
    ]
