"""Reads for the snapshots the matcher publishes: persons, their records, addresses.

Stored records are read as JSON text and parsed by pydantic in one step; a parsed record is kept in
a bounded in-process cache by record key with the text it was parsed from, and used only while the
stored text is that text (`domain.kept`), so it can never be stale (a person's records read batch
after batch are parsed once). Snapshot reads hand back the text with the record: the events carry
it as it is, so a record is never encoded again to be published.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Text, cast, select
from sqlalchemy.ext.asyncio import AsyncConnection

from lateral_matcher.adapters.chunks import chunked
from lateral_matcher.adapters.tables import addresses, persons, records
from lateral_matcher.domain.kept import KeptByText
from lateral_shared.contracts.records import CleanRecord

CACHE_SIZE = 200_000
_parsed: KeptByText[CleanRecord] = KeptByText(CACHE_SIZE)  # by record key: the text last parsed


@dataclass(frozen=True, slots=True)
class StoredAddress:
    address_key: str
    uprn: str | None
    postcode: str | None
    lines: list[str]


@dataclass(frozen=True, slots=True)
class JsonRecord:
    """A record with the JSON text it is stored as (pydantic's encoding of it)."""

    record: CleanRecord
    json: str


@dataclass(frozen=True, slots=True)
class FreshPerson:
    """A person as a batch left it: its version, and its live records, oldest event first."""

    version: int
    records: list[JsonRecord]


def remember_parsed(text: str, record: CleanRecord) -> None:
    """Note that `text` is `record` (as just written), so reading it back costs no parsing."""
    # Kept under the record's own key string (shared), not the row's copy of it.
    _parsed.keep(record.record_key, text, record)


def _parse(record_key: str, text: str) -> CleanRecord:
    record = _parsed.get(record_key, text)
    if record is None:
        record = CleanRecord.model_validate_json(text)
        _parsed.keep(record.record_key, text, record)
    return record


def by_event_date(item: JsonRecord) -> tuple[object, str]:
    return item.record.event_date, item.record.record_key


class RecordReads:
    def __init__(self, connection: AsyncConnection) -> None:
        self._conn = connection

    @property
    def connection(self) -> AsyncConnection:
        return self._conn

    @staticmethod
    def parse_record(record_key: str, text: str) -> CleanRecord:
        """The record stored under `record_key` as `text`."""
        return _parse(record_key, text)

    async def get_addresses(self, address_keys: Sequence[str]) -> dict[str, StoredAddress]:
        found: dict[str, StoredAddress] = {}
        for chunk in chunked(address_keys):
            stmt = select(addresses).where(addresses.c.address_key.in_(chunk))
            for row in await self._conn.execute(stmt):
                found[row.address_key] = StoredAddress(
                    row.address_key, row.uprn, row.postcode, list(row.lines)
                )
        return found

    async def person_versions(self, person_ids: Sequence[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for chunk in chunked(person_ids):
            stmt = select(persons.c.person_id, persons.c.version).where(
                persons.c.person_id.in_(chunk)
            )
            found.update(
                {row.person_id: int(row.version) for row in await self._conn.execute(stmt)}
            )
        return found

    async def records_of_persons(self, person_ids: Sequence[str]) -> dict[str, list[CleanRecord]]:
        """Every live record of each person, oldest event first."""
        found = await self.json_records_of_persons(person_ids)
        return {pid: [item.record for item in items] for pid, items in found.items()}

    async def json_records_of_persons(
        self, person_ids: Sequence[str]
    ) -> dict[str, list[JsonRecord]]:
        """Every live record of each person with its stored JSON, oldest event first."""
        found: dict[str, list[JsonRecord]] = {pid: [] for pid in person_ids}
        c = records.c
        for chunk in chunked(person_ids):
            stmt = select(c.person_id, c.record_key, cast(c.record, Text)).where(
                c.person_id.in_(chunk), c.withdrawn_at.is_(None)
            )
            for person_id, record_key, text in await self._conn.execute(stmt):
                found[person_id].append(JsonRecord(_parse(record_key, text), text))
        for person_records in found.values():
            person_records.sort(key=by_event_date)
        return found

    async def records_at_addresses(
        self, address_keys: Sequence[str]
    ) -> dict[str, list[tuple[str | None, CleanRecord]]]:
        """(person ID, record) of every live record at each address, by record key."""
        found: dict[str, list[tuple[str | None, CleanRecord]]] = {k: [] for k in address_keys}
        c = records.c
        for chunk in chunked(address_keys):
            stmt = (
                select(c.address_key, c.person_id, c.record_key, cast(c.record, Text))
                .where(c.address_key.in_(chunk), c.withdrawn_at.is_(None))
                .order_by(c.record_key)
            )  # fmt: skip
            for address_key, person_id, record_key, text in await self._conn.execute(stmt):
                found[address_key].append((person_id, _parse(record_key, text)))
        return found
