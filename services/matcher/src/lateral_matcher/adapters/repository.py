"""Reads and writes of the matcher's tables, in bulk, inside one transaction the caller owns.

A batch costs a handful of statements, not a handful per record: the look-ups are loaded with
`IN (...)` queries (chunked) and the changes written with executemany. Portable SQLAlchemy Core
only (no dialect-specific upserts), so SQLite and PostgreSQL behave the same; insert-or-update is
decided from what was loaded at the start of the batch, which is safe because concurrent matchers
lock the batch's blocking keys first (`locks`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import JSON, Table, Text, bindparam, cast, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from lateral_matcher.adapters import bulk, identity, reviews
from lateral_matcher.adapters.candidates import load_candidates
from lateral_matcher.adapters.chunks import chunked
from lateral_matcher.adapters.reads import (
    FreshPerson,
    JsonRecord,
    RecordReads,
    StoredAddress,
    by_event_date,
    remember_parsed,
)
from lateral_matcher.adapters.tables import (
    addresses,
    blocking_keys,
    identity_changes,
    links,
    person_identifiers,
    persons,
    records,
    review_items,
    steward_decisions,
)
from lateral_matcher.domain.batch import BatchChanges, KnownState, StoredRecord
from lateral_matcher.domain.profile import cached_profile, profile_json, remember_stored
from lateral_matcher.domain.resolution import CandidateRecord, StewardDecisions
from lateral_shared.contracts.events import LinkExplanation
from lateral_shared.contracts.records import CleanAddress, CleanRecord

T = TypeVar("T")


class MatcherRepository(RecordReads):
    def __init__(self, connection: AsyncConnection) -> None:
        super().__init__(connection)
        # The records this repository wrote, with their JSON, by record key (the events reuse it).
        self.written: dict[str, JsonRecord] = {}
        # Persons the batch written created, with every record they have: (version, records).
        self.fresh: dict[str, FreshPerson] = {}
        # The addresses the batch wrote or read to write, as they now are (the snapshots' too).
        self.addresses: dict[str, StoredAddress] = {}
        self._explained: dict[int, tuple[LinkExplanation, str]] = {}

    def explanation_json(self, explanation: LinkExplanation) -> str:
        """The explanation's JSON, encoded once however many records share it."""
        found = self._explained.get(id(explanation))
        if found is None:
            found = self._explained[id(explanation)] = (explanation, explanation.model_dump_json())
        return found[1]

    async def load_known(
        self, record_keys: Sequence[str], keys: Sequence[str], new_person_ids: Sequence[str]
    ) -> KnownState:
        """What the store holds about a batch's records, its candidates and their persons."""
        stored = await self._stored_records(record_keys)
        candidates, filed = await load_candidates(self._conn, keys, self.parse_record)
        decisions = await reviews.load_decisions(self._conn, record_keys)
        candidates.update(await self._decided_candidates(decisions, candidates))
        person_ids = {c.person_id for c in candidates.values()}
        person_ids |= {s.person_id for s in stored.values() if s.person_id is not None}
        live, redirects = await identity.load_persons(self._conn, [*person_ids, *new_person_ids])
        return KnownState(
            records=stored,
            links=await self._stored_links(record_keys),
            candidates=candidates,
            filed=filed,
            persons=live,
            redirects=redirects,
            decisions=decisions,
        )

    async def _decided_candidates(
        self, decisions: StewardDecisions, known: dict[str, CandidateRecord]
    ) -> dict[str, CandidateRecord]:
        """The records of the persons a data steward said a batch's record is ("same") and no
        key brought in: a record whose only key in common with its person was on a record since
        split out of it still meets the person (on a replay, say). Review queue, gap 1."""
        named = sorted({p for _, p in decisions.same} - {c.person_id for c in known.values()})
        if not named:
            return {}
        found = await self.records_of_persons(named)
        return {r.record_key: CandidateRecord(p, r) for p, rs in found.items() for r in rs}

    async def _stored_records(self, record_keys: Sequence[str]) -> dict[str, StoredRecord]:
        c = records.c
        found: dict[str, StoredRecord] = {}
        for chunk in chunked(record_keys):
            stmt = select(
                c.record_key, c.person_id, c.address_key, c.content_hash, c.withdrawn_at
            ).where(c.record_key.in_(chunk))
            for row in await self._conn.execute(stmt):
                found[row.record_key] = StoredRecord(
                    row.person_id, row.address_key, row.content_hash, row.withdrawn_at is not None
                )
        return found

    async def _stored_links(self, record_keys: Sequence[str]) -> dict[str, LinkExplanation]:
        found: dict[str, LinkExplanation] = {}
        for chunk in chunked(record_keys):
            stmt = select(links.c.record_key, cast(links.c.explanation, Text)).where(
                links.c.record_key.in_(chunk)
            )
            for key, text in await self._conn.execute(stmt):
                found[key] = LinkExplanation.model_validate_json(text)
        return found

    async def write(
        self, changes: BatchChanges, known: KnownState, *, now: datetime
    ) -> dict[str, str]:
        """Write a batch's changes; rows known at the start of the batch are updated.

        Returns the persons another matcher merged away while this batch ran (absorbed ->
        survivor): the batch's records linked to them have been moved to the survivor.
        """
        await self._write_persons(changes, now=now)
        # The rows of each table are made while the previous table's are written (on SQLite,
        # in the driver's thread: the second core).
        filing = self._file_keys(changes.keys, refiled=set(known.records))
        record_rows = await _alongside(filing, lambda: self._record_rows(changes, now))
        storing = self._upsert(records, "record_key", record_rows, set(known.records), "record")
        link_rows = await _alongside(storing, lambda: self._link_rows(changes, now))
        await self._upsert(links, "record_key", link_rows, set(known.links), "explanation")
        await self._write_addresses(changes.addresses, now=now)
        if changes.withdrawn:
            await self._conn.execute(
                update(records)
                .where(records.c.record_key.in_(sorted(changes.withdrawn)))
                .values(withdrawn_at=now, updated_at=now)
            )
        await identity.apply_merges(self._conn, changes.merges, now=now)
        await reviews.raise_items(self._conn, changes.reviews, changes.redirects.current, now=now)
        late = await self._follow_late_merges(record_rows, now=now)
        self._note_fresh(changes, record_rows, late)
        return late

    def _record_rows(self, changes: BatchChanges, now: datetime) -> list[dict[str, Any]]:
        """The batch's `records` rows, each record encoded once (`written` lends the JSON on)."""
        current = changes.redirects.current
        rows = []
        for key, write in changes.records.items():
            text = write.record.model_dump_json()
            remember_parsed(text, write.record)  # read back for snapshots: no re-parse
            self.written[key] = JsonRecord(write.record, text)
            profile = cached_profile(write.record)  # made when the record was resolved
            profile_text = None
            if profile is not None:
                profile_text = profile_json(profile)
                remember_stored(profile_text, profile)  # a later batch's candidate: not decoded
            rows.append(
                {"record_key": key, "person_id": current(write.person_id),
                 "address_key": write.address_key, "content_hash": write.record.content_hash,
                 "record": text, "profile": profile_text, "updated_at": now, "withdrawn_at": None}
            )  # fmt: skip
        return rows

    def _link_rows(self, changes: BatchChanges, now: datetime) -> list[dict[str, Any]]:
        current = changes.redirects.current
        return [
            {"record_key": key, "person_id": current(write.person_id),
             "explanation": self.explanation_json(write.explanation), "updated_at": now}
            for key, write in changes.records.items()
        ]  # fmt: skip

    def _note_fresh(
        self, changes: BatchChanges, record_rows: list[dict[str, Any]], late: dict[str, str]
    ) -> None:
        """Note the persons this batch created that no merge touched: all their records are
        among those just written, so their snapshots need no reading back."""
        merged = {p for m in changes.merges for p in (m.survivor, m.absorbed)}
        merged |= {p for pair in late.items() for p in pair}
        held: dict[str, list[JsonRecord]] = {
            pid: [] for pid in changes.new_persons if pid not in merged
        }
        for row in record_rows:
            found = held.get(row["person_id"])
            if found is not None and row["record_key"] not in changes.withdrawn:
                found.append(self.written[row["record_key"]])
        self.fresh = {
            pid: FreshPerson(changes.new_persons[pid], sorted(items, key=by_event_date))
            for pid, items in held.items()
        }

    async def _follow_late_merges(
        self, record_rows: list[dict[str, Any]], *, now: datetime
    ) -> dict[str, str]:
        linked: dict[str, list[str]] = {}
        for row in record_rows:
            if row["person_id"] is not None:
                linked.setdefault(row["person_id"], []).append(row["record_key"])
        late = await identity.late_redirects(self._conn, sorted(linked))
        for absorbed, survivor in late.items():
            moved = await identity.move_records(
                self._conn, absorbed, survivor, now=now, only=linked[absorbed]
            )
            await self.bump_persons({survivor: len(moved)}, now=now)
        return late

    async def _file_keys(self, keys: dict[str, list[str]], *, refiled: set[str]) -> None:
        """File each written record under its blocking keys (replacing an update's old keys)."""
        again = sorted(key for key in keys if key in refiled)
        for chunk in chunked(again):
            await self._conn.execute(
                delete(blocking_keys).where(blocking_keys.c.record_key.in_(chunk))
            )
        rows = sorted(  # in the table's key order: ~12% less time inserting, at region scale
            (key, record_key)
            for record_key, record_keys in keys.items()
            for key in dict.fromkeys(record_keys)
        )
        await bulk.insert_plain(self._conn, blocking_keys, ("key", "record_key"), rows)

    async def _write_persons(self, changes: BatchChanges, *, now: datetime) -> None:
        await self._insert(
            persons,
            [
                {"person_id": pid, "version": version, "created_at": now, "updated_at": now,
                 "merged_into": None}
                for pid, version in changes.new_persons.items()
            ],
        )  # fmt: skip
        await self.bump_persons(dict(changes.bumped_persons), now=now)

    async def bump_persons(self, changes: dict[str, int], *, now: datetime) -> None:
        """Add `changes[person]` to each person's version."""
        if not changes:
            return
        if bulk.is_sqlite(self._conn):
            stamp = bulk.sqlite_value(self._conn, persons, "updated_at", now)
            await self._conn.exec_driver_sql(
                "UPDATE persons SET version = version + ?, updated_at = ? WHERE person_id = ?",
                [(n, stamp, p) for p, n in sorted(changes.items())],
            )
            return
        stmt = (
            update(persons)
            .where(persons.c.person_id == bindparam("pid"))
            .values(version=persons.c.version + bindparam("changes"), updated_at=now)
        )
        params = [{"pid": p, "changes": n} for p, n in sorted(changes.items())]
        await self._conn.execute(stmt, params)

    async def _write_addresses(self, latest: dict[str, CleanAddress], *, now: datetime) -> None:
        """Insert new addresses; refresh known ones with what the newest record says (a known
        address the newest record says nothing new about is left as it is: no write)."""
        existing = await self.get_addresses(list(latest))
        rows = []
        for key, address in latest.items():
            old = existing.get(key)
            uprn = address.uprn or (old.uprn if old else None)
            postcode = address.postcode or (old.postcode if old else None)
            lines = list(address.lines) or (old.lines if old else [])
            if old and (old.uprn, old.postcode, old.lines) == (uprn, postcode, lines):
                self.addresses[key] = old
                continue
            self.addresses[key] = StoredAddress(key, uprn, postcode, lines)
            rows.append(
                {"address_key": key, "uprn": uprn, "postcode": postcode, "lines": lines,
                 "updated_at": now}
            )  # fmt: skip
        await self._upsert(addresses, "address_key", rows, set(existing))

    async def _upsert(
        self,
        table: Table,
        key: str,
        rows: list[dict[str, Any]],
        existing: set[str],
        json_text: str | None = None,
    ) -> None:
        """Insert new rows, update existing ones. `json_text` names a JSON column whose values
        are given already encoded (pydantic's encoder is several times faster than json.dumps).
        """
        if not rows:
            return
        new: list[dict[str, Any]] = []
        old: list[dict[str, Any]] = []
        sqlite = bulk.is_sqlite(self._conn)
        for row in rows:
            # Core's bound names must differ from the column names SQLAlchemy binds itself.
            bound = row if sqlite else {f"v_{name}": value for name, value in row.items()}
            (old if row[key] in existing else new).append(bound)
        if sqlite:  # SQLite keeps JSON as text: no cast needed
            await bulk.insert(self._conn, table, new)
            await bulk.sqlite_update(self._conn, table, key, old)
            return
        columns: dict[str, Any] = {n: bindparam(f"v_{n}") for n in rows[0]}
        if json_text is not None:
            columns[json_text] = cast(bindparam(f"v_{json_text}", type_=Text()), JSON)
        if new:
            await self._conn.execute(table.insert().values(**columns), new)
        if old:
            del columns[key]
            stmt = update(table).where(table.c[key] == bindparam(f"v_{key}")).values(**columns)
            await self._conn.execute(stmt, old)

    async def _insert(self, table: Table, rows: list[dict[str, Any]]) -> None:
        await bulk.insert(self._conn, table, rows)

    async def stored_records(self, record_keys: Sequence[str]) -> dict[str, CleanRecord]:
        """The records as stored (withdrawn ones too), by record key."""
        found = await self.stored_json_records(record_keys)
        return {key: item.record for key, item in found.items()}

    async def stored_json_records(self, record_keys: Sequence[str]) -> dict[str, JsonRecord]:
        """The records as stored (withdrawn ones too) with their JSON, by record key."""
        found: dict[str, JsonRecord] = {}
        for chunk in chunked(record_keys):
            stmt = select(records.c.record_key, cast(records.c.record, Text)).where(
                records.c.record_key.in_(chunk)
            )
            for key, text in await self._conn.execute(stmt):
                found[key] = JsonRecord(self.parse_record(key, text), text)
        return found

    async def count(self, table: str) -> int:
        """Rows in one of the matcher's tables (for operations and tests)."""
        tables = (persons, records, person_identifiers, addresses, links, blocking_keys,
                  identity_changes, review_items, steward_decisions)  # fmt: skip
        chosen = {t.name: t for t in tables}
        stmt = select(func.count()).select_from(chosen[table])
        return int((await self._conn.execute(stmt)).scalar_one())

    async def clear_links(self) -> None:
        """Forget everything derived from the topic, keeping the stewards' decisions and the
        review queue, so reprocessing `records.clean` from the start rebuilds the clusters."""
        for table in (blocking_keys, links, records, persons, addresses, identity_changes):
            await self._conn.execute(delete(table))


async def _alongside(statements: Awaitable[None], work: Callable[[], T]) -> T:
    """`work()` (no I/O) done while `statements` run. On SQLite a multi-row insert is one call
    into the driver's thread, which releases the GIL; only the first statement overlaps (the
    next waits for the event loop)."""
    running = asyncio.ensure_future(statements)
    await asyncio.sleep(0)  # the first statement is handed to the driver on the first step
    try:
        return work()
    finally:
        await running
