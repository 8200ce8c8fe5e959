"""Bulk inserts and updates handed straight to SQLite's driver.

SQLAlchemy Core's executemany processes every parameter of every row in Python (several
microseconds a row), which for the matcher's handful of rows per record cost more than SQLite's
own work. On SQLite these helpers build the statement once and give the driver plain tuples,
converting values as Core would (dates with the dialect's own processor, lists and dicts as JSON
text); JSON columns whose values are already encoded text are stored as that text, as Core does
with a `Text` bind. Inserts put many rows in one statement (`_insert_rows`). Other databases go
through Core unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import date
from itertools import chain
from operator import itemgetter
from typing import Any

from sqlalchemy import JSON, Table
from sqlalchemy.ext.asyncio import AsyncConnection

Row = dict[str, Any]
# Bound parameters in one statement: within SQLite's default limit since 3.32 (32,766).
MAX_PARAMETERS = 32_766


def is_sqlite(conn: AsyncConnection) -> bool:
    return conn.dialect.name == "sqlite"


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class _Values:
    """Rows as SQLite's driver takes them: each column's values converted the way SQLAlchemy's
    type would (a date once however many rows carry it; lists and dicts as JSON text), and
    columns that need no conversion (strings, numbers) handed over as they are."""

    def __init__(self, conn: AsyncConnection, table: Table, names: Sequence[str]) -> None:
        self._names = list(names)
        self._get = itemgetter(*self._names)
        self._convert = [
            (i, converter)
            for i, name in enumerate(self._names)
            if (converter := _converter(conn, table.c[name].type)) is not None
        ]

    def row(self, row: Row) -> tuple[Any, ...]:
        values = self._get(row) if len(self._names) > 1 else (row[self._names[0]],)
        if not self._convert:
            return values
        converted = list(values)
        for i, convert in self._convert:
            converted[i] = convert(converted[i])
        return tuple(converted)


def _converter(conn: AsyncConnection, column_type: Any) -> Callable[[Any], Any] | None:
    if isinstance(column_type, JSON):
        return _json_text
    dialect = conn.dialect
    process = column_type.dialect_impl(dialect).bind_processor(dialect)
    if process is None:
        return None
    seen: dict[object, Any] = {}

    def convert(value: Any) -> Any:
        if not isinstance(value, date):
            return process(value)
        found = seen.get(value)
        if found is None:
            found = seen[value] = process(value)
        return found

    return convert


def _json_text(value: Any) -> Any:
    """Already-encoded JSON text is stored as it is (as Core does with a `Text` bind)."""
    return json.dumps(value) if isinstance(value, list | dict) else value


async def insert(conn: AsyncConnection, table: Table, rows: Sequence[Row]) -> None:
    """Insert `rows` (dicts with the same keys)."""
    if not rows:
        return
    if not is_sqlite(conn):
        await conn.execute(table.insert(), list(rows))
        return
    names = list(rows[0])
    values = _Values(conn, table, names)
    await _insert_rows(conn, table, names, [values.row(row) for row in rows])


async def insert_plain(
    conn: AsyncConnection, table: Table, names: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Insert `rows` given as tuples in the order of `names`, of values no type converts (strings,
    numbers): many small rows (blocking keys) cost no dict each."""
    if not rows:
        return
    if not is_sqlite(conn):
        await conn.execute(table.insert(), [dict(zip(names, row, strict=True)) for row in rows])
        return
    await _insert_rows(conn, table, names, rows)


async def _insert_rows(
    conn: AsyncConnection, table: Table, names: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """SQLite: many rows to one INSERT statement. The driver binds them at once and SQLite
    inserts them in one step, handing the GIL back once; executemany steps once per row, and
    each step takes the GIL back from whatever the event loop's thread is doing.

    Statements hold a power of two of rows, the largest first: the driver keeps every statement
    it prepared (128 of them) and a statement of 2,000 rows is big, so only a few sizes are made.
    """
    into = f"INSERT INTO {_quoted(table.name)} ({', '.join(_quoted(n) for n in names)}) VALUES "
    row = f"({', '.join('?' * len(names))})"
    most = 1 << (max(1, MAX_PARAMETERS // len(names)).bit_length() - 1)
    start = 0
    while start < len(rows):
        size = min(most, 1 << ((len(rows) - start).bit_length() - 1))
        values = tuple(chain.from_iterable(rows[start : start + size]))
        await conn.exec_driver_sql(into + ", ".join([row] * size), values)
        start += size


async def sqlite_update(conn: AsyncConnection, table: Table, key: str, rows: Sequence[Row]) -> None:
    """Set every other column of `rows` on the row with each one's `key` (SQLite only)."""
    if not rows:
        return
    names = [n for n in rows[0] if n != key]
    assignments = ", ".join(f"{_quoted(n)} = ?" for n in names)
    sql = f"UPDATE {_quoted(table.name)} SET {assignments} WHERE {_quoted(key)} = ?"
    values = _Values(conn, table, [*names, key])
    await conn.exec_driver_sql(sql, [values.row(row) for row in rows])


def sqlite_value(conn: AsyncConnection, table: Table, column: str, value: Any) -> Any:
    """One value of `table.column` as SQLite's driver takes it."""
    return _Values(conn, table, [column]).row({column: value})[0]
