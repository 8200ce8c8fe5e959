"""Person and address snapshots: everything downstream needs, read once per batch."""

from __future__ import annotations

from collections.abc import Sequence

from lateral_matcher.adapters.repository import MatcherRepository
from lateral_matcher.domain.residents import resident
from lateral_shared.contracts.events import AddressSnapshot, PersonSnapshot


async def read_snapshots(
    repo: MatcherRepository, person_ids: Sequence[str], address_keys: Sequence[str]
) -> tuple[dict[str, PersonSnapshot], dict[str, AddressSnapshot]]:
    """Snapshots of the given persons and addresses, as stored in the current transaction."""
    person_ids = list(dict.fromkeys(person_ids))
    address_keys = list(dict.fromkeys(address_keys))
    at_address = await repo.records_at_addresses(address_keys)
    residents = {pid for rows in at_address.values() for _, pid in rows if pid is not None}
    wanted = list(dict.fromkeys([*person_ids, *sorted(residents)]))
    records_by_person = await repo.records_of_persons(wanted)
    versions = await repo.person_versions(person_ids)
    people = {
        pid: PersonSnapshot(person_id=pid, version=versions[pid], records=records_by_person[pid])
        for pid in person_ids
    }
    places = {
        key: AddressSnapshot(
            address_key=key,
            uprn=address.uprn,
            postcode=address.postcode,
            lines=address.lines,
            residents=[
                resident(pid, records_by_person[pid])
                for pid in sorted({pid for _, pid in at_address[key] if pid is not None})
            ],
            record_keys=[record_key for record_key, _ in at_address[key]],
        )
        for key, address in (await repo.get_addresses(address_keys)).items()
    }
    return people, places
