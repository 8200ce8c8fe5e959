"""Person and address snapshots: everything downstream needs, read once per batch and encoded
once per batch (as JSON, ready to be spliced into the events: `encoding`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

from lateral_matcher.adapters.reads import FreshPerson, JsonRecord, RecordReads, StoredAddress
from lateral_matcher.domain.households import DEFAULT_WINDOW, household_members
from lateral_matcher.service_layer.encoding import (
    ResidentJson,
    address_json,
    person_json,
    resident_json,
)
from lateral_shared.contracts.records import CleanRecord


@dataclass(frozen=True, slots=True)
class Snapshots:
    """`PersonSnapshot` and `AddressSnapshot` JSON, by person ID and by address key."""

    persons: dict[str, str]
    addresses: dict[str, str]


@dataclass(frozen=True, slots=True)
class SnapshotRows:
    """What the snapshots are made of, as read from the store (`read_snapshot_rows`)."""

    person_ids: list[str]
    at_address: dict[str, list[tuple[str | None, CleanRecord]]]
    households: dict[str, list[str]]
    records_by_person: dict[str, list[JsonRecord]]
    versions: dict[str, int]
    addresses: dict[str, StoredAddress]


async def read_snapshot_rows(
    repo: RecordReads,
    person_ids: Sequence[str],
    address_keys: Sequence[str],
    *,
    window: timedelta = DEFAULT_WINDOW,
    fresh: Mapping[str, FreshPerson] | None = None,
    known_addresses: Mapping[str, StoredAddress] | None = None,
) -> SnapshotRows:
    """Everything `encode_snapshots` needs, read in the current transaction (which may end
    before they are encoded); `fresh` persons and `known_addresses` (as the batch left them)
    are not read again."""
    fresh = fresh or {}
    known_addresses = known_addresses or {}
    person_ids = list(dict.fromkeys(person_ids))
    address_keys = list(dict.fromkeys(address_keys))
    at_address = await repo.records_at_addresses(address_keys)
    households = {key: household_members(rows, window=window) for key, rows in at_address.items()}
    members = sorted({pid for household in households.values() for pid in household})
    wanted = [pid for pid in dict.fromkeys([*person_ids, *members]) if pid not in fresh]
    records_by_person = await repo.json_records_of_persons(wanted)
    versions = await repo.person_versions([pid for pid in person_ids if pid not in fresh])
    for pid, person in fresh.items():
        records_by_person[pid] = person.records
        versions[pid] = person.version
    addresses = {key: known_addresses[key] for key in address_keys if key in known_addresses}
    addresses |= await repo.get_addresses([k for k in address_keys if k not in known_addresses])
    return SnapshotRows(person_ids, at_address, households, records_by_person, versions, addresses)


def encode_snapshots(rows: SnapshotRows) -> Snapshots:
    """The snapshots' JSON (no I/O)."""
    records_by_person = rows.records_by_person
    people = {
        pid: person_json(pid, rows.versions[pid], [item.json for item in records_by_person[pid]])
        for pid in rows.person_ids
        if pid in rows.versions
    }
    residents: dict[str, ResidentJson] = {}

    def resident_of(pid: str) -> ResidentJson:
        found = residents.get(pid)
        if found is None:
            found = residents[pid] = resident_json(pid, [i.record for i in records_by_person[pid]])
        return found

    places = {
        key: address_json(
            address,
            [resident_of(pid) for pid in rows.households[key]],
            sorted(record.record_key for _, record in rows.at_address[key]),
        )
        for key, address in rows.addresses.items()
    }
    return Snapshots(people, places)
