"""Person and address snapshots: everything downstream needs, read once per batch."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from lateral_matcher.adapters.reads import RecordReads
from lateral_matcher.domain.households import DEFAULT_WINDOW, household_members
from lateral_matcher.domain.residents import resident
from lateral_shared.contracts.events import AddressSnapshot, PersonSnapshot


async def read_snapshots(
    repo: RecordReads,
    person_ids: Sequence[str],
    address_keys: Sequence[str],
    *,
    window: timedelta = DEFAULT_WINDOW,
) -> tuple[dict[str, PersonSnapshot], dict[str, AddressSnapshot]]:
    """Snapshots of the given persons and addresses (with their households), as stored in the
    current transaction."""
    person_ids = list(dict.fromkeys(person_ids))
    address_keys = list(dict.fromkeys(address_keys))
    at_address = await repo.records_at_addresses(address_keys)
    households = {key: household_members(rows, window=window) for key, rows in at_address.items()}
    members = sorted({pid for household in households.values() for pid in household})
    records_by_person = await repo.records_of_persons(list(dict.fromkeys([*person_ids, *members])))
    versions = await repo.person_versions(person_ids)
    people = {
        pid: PersonSnapshot(person_id=pid, version=versions[pid], records=records_by_person[pid])
        for pid in person_ids
        if pid in versions
    }
    places = {
        key: AddressSnapshot(
            address_key=key,
            uprn=address.uprn,
            postcode=address.postcode,
            lines=address.lines,
            residents=[resident(pid, records_by_person[pid]) for pid in households[key]],
            record_keys=sorted(record.record_key for _, record in at_address[key]),
        )
        for key, address in (await repo.get_addresses(address_keys)).items()
    }
    return people, places
