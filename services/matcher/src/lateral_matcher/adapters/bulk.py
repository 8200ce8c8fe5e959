"""Bulk inserts and updates handed straight to SQLite's driver.

SQLAlchemy Core's executemany processes every parameter of every row in Python (several
microseconds a row), which for the matcher's handful of rows per record cost more than SQLite's
own work. On SQLite these helpers build the statement once and give the driver plain tuples,
converting values as Core would (dates with the dialect's own processor, lists and dicts as JSON
text); JSON columns whose values are already encoded text are stored as that text, as Core does
with a `Text` bind. Other databases go through Core unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncConnection

Row = dict[str, Any]


def is_sqlite(conn: AsyncConnection) -> bool:
    return conn.dialect.name == "sqlite"


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class _Values:
    """Python values as SQLite's driver takes them, the way SQLAlchemy's types would convert
    them (a date is converted once however many rows carry it)."""

    def __init__(self, conn: AsyncConnection, table: Table, names: Sequence[str]) -> None:
        dialect = conn.dialect
        self._dates: dict[str, Callable[[Any], Any] | None] = {
            name: table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
        }
        self._seen: dict[tuple[str, object], Any] = {}

    def __call__(self, name: str, value: Any) -> Any:
        if isinstance(value, date):
            key = (name, value)
            found = self._seen.get(key)
            if found is None:
                process = self._dates[name]
                found = self._seen[key] = process(value) if process else value
            return found
        if isinstance(value, list | dict):
            return json.dumps(value)
        return value


async def insert(conn: AsyncConnection, table: Table, rows: Sequence[Row]) -> None:
    """Insert `rows` (dicts with the same keys)."""
    if not rows:
        return
    if not is_sqlite(conn):
        await conn.execute(table.insert(), list(rows))
        return
    names = list(rows[0])
    columns = ", ".join(_quoted(n) for n in names)
    sql = f"INSERT INTO {_quoted(table.name)} ({columns}) VALUES ({', '.join('?' * len(names))})"
    value = _Values(conn, table, names)
    await conn.exec_driver_sql(sql, [tuple(value(n, row[n]) for n in names) for row in rows])


async def sqlite_update(conn: AsyncConnection, table: Table, key: str, rows: Sequence[Row]) -> None:
    """Set every other column of `rows` on the row with each one's `key` (SQLite only)."""
    if not rows:
        return
    names = [n for n in rows[0] if n != key]
    assignments = ", ".join(f"{_quoted(n)} = ?" for n in names)
    sql = f"UPDATE {_quoted(table.name)} SET {assignments} WHERE {_quoted(key)} = ?"
    value = _Values(conn, table, [*names, key])
    params = [tuple(value(n, row[n]) for n in [*names, key]) for row in rows]
    await conn.exec_driver_sql(sql, params)


def sqlite_value(conn: AsyncConnection, table: Table, column: str, value: Any) -> Any:
    """One value of `table.column` as SQLite's driver takes it."""
    return _Values(conn, table, [column])(column, value)
