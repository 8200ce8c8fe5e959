"""Reads and writes of the matcher's tables, in bulk, inside one transaction the caller owns.

A batch costs a handful of statements, not a handful per record: the look-ups are loaded with
`IN (...)` queries and the changes written with executemany. Portable SQLAlchemy Core only (no
dialect-specific upserts), so SQLite and PostgreSQL behave the same; insert-or-update is decided
from what was loaded at the start of the batch (one matcher at a time, see `service_layer`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from lateral_matcher.adapters.tables import addresses, links, person_identifiers, persons, records
from lateral_matcher.domain.batch import BatchChanges, IdentifierKey, KnownState, StoredRecord
from lateral_matcher.domain.linking import IdentifierKind
from lateral_shared.contracts.events import LinkExplanation
from lateral_shared.contracts.records import CleanAddress, CleanRecord


@dataclass(frozen=True, slots=True)
class StoredAddress:
    address_key: str
    uprn: str | None
    postcode: str | None
    lines: list[str]


class MatcherRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._conn = connection

    async def load_known(
        self,
        record_keys: Sequence[str],
        identifiers: Sequence[IdentifierKey],
        person_ids: Sequence[str],
    ) -> KnownState:
        """What the store holds about a batch's record keys, look-up keys and person IDs."""
        return KnownState(
            records=await self._stored_records(record_keys),
            links=await self._stored_links(record_keys),
            identifiers=await self._find_identifiers(identifiers),
            persons=await self._existing_persons(person_ids),
        )

    async def _stored_records(self, record_keys: Sequence[str]) -> dict[str, StoredRecord]:
        if not record_keys:
            return {}
        c = records.c
        stmt = select(
            c.record_key, c.person_id, c.address_key, c.content_hash, c.withdrawn_at
        ).where(c.record_key.in_(record_keys))
        return {
            row.record_key: StoredRecord(
                row.person_id, row.address_key, row.content_hash, row.withdrawn_at is not None
            )
            for row in await self._conn.execute(stmt)
        }

    async def _stored_links(self, record_keys: Sequence[str]) -> dict[str, LinkExplanation]:
        if not record_keys:
            return {}
        stmt = select(links.c.record_key, links.c.explanation).where(
            links.c.record_key.in_(record_keys)
        )
        return {
            row.record_key: LinkExplanation.model_validate(row.explanation)
            for row in await self._conn.execute(stmt)
        }

    async def _existing_persons(self, person_ids: Sequence[str]) -> set[str]:
        if not person_ids:
            return set()
        stmt = select(persons.c.person_id).where(persons.c.person_id.in_(person_ids))
        return set((await self._conn.execute(stmt)).scalars())

    async def _find_identifiers(self, wanted: Sequence[IdentifierKey]) -> dict[IdentifierKey, str]:
        found: dict[IdentifierKey, str] = {}
        for kind in IdentifierKind:
            values = [value for k, value in wanted if k is kind]
            if not values:
                continue
            table = person_identifiers.c
            stmt = select(table.value, table.person_id).where(
                table.kind == kind.value, table.value.in_(values)
            )
            for row in await self._conn.execute(stmt):
                found[(kind, row.value)] = row.person_id
        return found

    async def write(self, changes: BatchChanges, known: KnownState, *, now: datetime) -> None:
        """Write a batch's changes; rows known at the start of the batch are updated."""
        await self._write_persons(changes, now=now)
        await self._insert(
            person_identifiers,
            [
                {"kind": kind.value, "value": value, "person_id": person_id}
                for (kind, value), person_id in changes.identifiers.items()
            ],
        )
        record_rows, link_rows = [], []
        for key, write in changes.records.items():
            record_rows.append(
                {
                    "record_key": key,
                    "person_id": write.person_id,
                    "address_key": write.address_key,
                    "content_hash": write.record.content_hash,
                    "record": write.record.model_dump(mode="json"),
                    "updated_at": now,
                    "withdrawn_at": None,
                }
            )
            link_rows.append(
                {
                    "record_key": key,
                    "person_id": write.person_id,
                    "explanation": write.explanation.model_dump(mode="json"),
                    "updated_at": now,
                }
            )
        await self._upsert(records, "record_key", record_rows, set(known.records))
        await self._upsert(links, "record_key", link_rows, set(known.links))
        await self._write_addresses(changes.addresses, now=now)
        if changes.withdrawn:
            await self._conn.execute(
                update(records)
                .where(records.c.record_key.in_(sorted(changes.withdrawn)))
                .values(withdrawn_at=now, updated_at=now)
            )

    async def _write_persons(self, changes: BatchChanges, *, now: datetime) -> None:
        await self._insert(
            persons,
            [
                {"person_id": pid, "version": version, "created_at": now, "updated_at": now}
                for pid, version in changes.new_persons.items()
            ],
        )
        if changes.bumped_persons:
            stmt = (
                update(persons)
                .where(persons.c.person_id == bindparam("pid"))
                .values(version=persons.c.version + bindparam("changes"), updated_at=now)
            )
            params = [{"pid": p, "changes": n} for p, n in changes.bumped_persons.items()]
            await self._conn.execute(stmt, params)

    async def _write_addresses(self, latest: dict[str, CleanAddress], *, now: datetime) -> None:
        """Insert new addresses; refresh known ones with what the newest record says."""
        existing = await self.get_addresses(list(latest))
        rows = []
        for key, address in latest.items():
            old = existing.get(key)
            rows.append(
                {
                    "address_key": key,
                    "uprn": address.uprn or (old.uprn if old else None),
                    "postcode": address.postcode or (old.postcode if old else None),
                    "lines": list(address.lines) or (old.lines if old else []),
                    "updated_at": now,
                }
            )
        await self._upsert(addresses, "address_key", rows, set(existing))

    async def _upsert(
        self, table: Table, key: str, rows: list[dict[str, Any]], existing: set[str]
    ) -> None:
        await self._insert(table, [row for row in rows if row[key] not in existing])
        # Bound names must differ from the column names SQLAlchemy binds itself.
        updates = [
            {f"v_{name}": value for name, value in row.items()}
            for row in rows
            if row[key] in existing
        ]
        if updates:
            columns: dict[str, Any] = {n: bindparam(f"v_{n}") for n in rows[0] if n != key}
            stmt = update(table).where(table.c[key] == bindparam(f"v_{key}")).values(**columns)
            await self._conn.execute(stmt, updates)

    async def _insert(self, table: Table, rows: list[dict[str, Any]]) -> None:
        if rows:
            await self._conn.execute(table.insert(), rows)

    async def get_addresses(self, address_keys: Sequence[str]) -> dict[str, StoredAddress]:
        if not address_keys:
            return {}
        stmt = select(addresses).where(addresses.c.address_key.in_(address_keys))
        return {
            row.address_key: StoredAddress(row.address_key, row.uprn, row.postcode, list(row.lines))
            for row in await self._conn.execute(stmt)
        }

    async def person_versions(self, person_ids: Sequence[str]) -> dict[str, int]:
        if not person_ids:
            return {}
        stmt = select(persons.c.person_id, persons.c.version).where(
            persons.c.person_id.in_(person_ids)
        )
        return {row.person_id: int(row.version) for row in await self._conn.execute(stmt)}

    async def records_of_persons(self, person_ids: Sequence[str]) -> dict[str, list[CleanRecord]]:
        """Every record of each person, oldest event first."""
        found: dict[str, list[CleanRecord]] = {pid: [] for pid in person_ids}
        if person_ids:
            stmt = select(records.c.person_id, records.c.record).where(
                records.c.person_id.in_(person_ids), records.c.withdrawn_at.is_(None)
            )
            for row in await self._conn.execute(stmt):
                found[row.person_id].append(CleanRecord.model_validate(row.record))
        for person_records in found.values():
            person_records.sort(key=lambda r: (r.event_date, r.record_key))
        return found

    async def records_at_addresses(
        self, address_keys: Sequence[str]
    ) -> dict[str, list[tuple[str, str | None]]]:
        """(record_key, person_id) of every record at each address, by record key."""
        found: dict[str, list[tuple[str, str | None]]] = {key: [] for key in address_keys}
        if address_keys:
            stmt = (
                select(records.c.address_key, records.c.record_key, records.c.person_id)
                .where(records.c.address_key.in_(address_keys), records.c.withdrawn_at.is_(None))
                .order_by(records.c.record_key)
            )
            for row in await self._conn.execute(stmt):
                found[row.address_key].append((row.record_key, row.person_id))
        return found

    async def stored_records(self, record_keys: Sequence[str]) -> dict[str, CleanRecord]:
        """The records as stored (withdrawn ones too), by record key."""
        if not record_keys:
            return {}
        stmt = select(records.c.record_key, records.c.record).where(
            records.c.record_key.in_(record_keys)
        )
        return {
            row.record_key: CleanRecord.model_validate(row.record)
            for row in await self._conn.execute(stmt)
        }

    async def count(self, table: str) -> int:
        """Rows in one of the matcher's tables (for operations and tests)."""
        chosen = {t.name: t for t in (persons, records, person_identifiers, addresses, links)}
        stmt = select(func.count()).select_from(chosen[table])
        return int((await self._conn.execute(stmt)).scalar_one())
