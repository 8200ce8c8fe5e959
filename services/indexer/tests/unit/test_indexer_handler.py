"""The `records.linked` handler on the in-memory index."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from lateral_indexer.service_layer.indexing import PersonIndexer
from lateral_shared.contracts import RecordLinked
from lateral_shared.contracts.events import AddressSnapshot, PersonSnapshot
from lateral_shared.contracts.records import CleanRecord
from lateral_shared.index import PersonQuery
from lateral_shared.testing.fakes import InMemoryIndex

MakeRecord = Callable[..., CleanRecord]


def _linked(
    person_id: str, version: int, *records: CleanRecord, merged: tuple[str, ...] = ()
) -> RecordLinked:
    return RecordLinked(
        batch_id=uuid.uuid4(),
        change="created",
        record=records[-1],
        person=PersonSnapshot(person_id=person_id, version=version, records=list(records)),
        merged_person_ids=list(merged),
    )


async def test_a_linked_person_becomes_searchable(make_record: MakeRecord) -> None:
    index = InMemoryIndex()
    record = make_record(
        "1", person={"forename": "Amy", "surname": "Smith", "nhs_number": "9434765919"}
    )
    await PersonIndexer(index)([_linked("p-1", 1, record)])
    result = await index.search(PersonQuery(nhs_number="943 476 5919"))
    assert [hit.person.person_id for hit in result.hits] == ["p-1"]


async def test_a_stale_version_never_overwrites_a_newer_one(make_record: MakeRecord) -> None:
    index = InMemoryIndex()
    indexer = PersonIndexer(index)
    first, second = make_record("1"), make_record("2")
    await indexer([_linked("p-1", 2, first, second)])
    await indexer([_linked("p-1", 1, first)])  # a late redelivery of the older snapshot
    stored = await index.get_person("p-1")
    assert stored is not None and stored.version == 2
    assert len(stored.records) == 2


async def test_within_a_batch_the_highest_version_is_kept(make_record: MakeRecord) -> None:
    index = InMemoryIndex()
    first, second = make_record("1"), make_record("2")
    await PersonIndexer(index)([_linked("p-1", 3, first, second), _linked("p-1", 2, first)])
    stored = await index.get_person("p-1")
    assert stored is not None and (stored.version, len(stored.records)) == (3, 2)


async def test_merged_persons_are_removed_from_the_index(make_record: MakeRecord) -> None:
    index = InMemoryIndex()
    indexer = PersonIndexer(index)
    await indexer([_linked("p-old", 1, make_record("1")), _linked("p-keep", 1, make_record("2"))])
    both = (make_record("1"), make_record("2"))
    await indexer([_linked("p-keep", 2, *both, merged=("p-old",)), _linked("p-old", 1, both[0])])
    assert await index.get_person("p-old") is None
    kept = await index.get_person("p-keep")
    assert kept is not None and kept.version == 2


async def test_address_only_events_write_nothing(make_record: MakeRecord) -> None:
    index = InMemoryIndex()
    event = RecordLinked(
        batch_id=uuid.uuid4(),
        change="created",
        record=make_record("F1"),
        address=AddressSnapshot(address_key="100"),
    )
    await PersonIndexer(index)([event])
    assert index.docs == {}


async def test_a_person_whose_every_record_was_withdrawn_leaves_search(
    make_record: MakeRecord,
) -> None:
    index = InMemoryIndex()
    indexer = PersonIndexer(index)
    record = make_record("1", person={"forename": "Amy", "surname": "Smith"})
    await indexer([_linked("p-1", 1, record)])
    withdrawn = RecordLinked(
        batch_id=uuid.uuid4(),
        change="withdrawn",
        record=record,
        person=PersonSnapshot(person_id="p-1", version=2, records=[]),
    )
    await indexer([withdrawn])
    assert await index.get_person("p-1") is None
    assert (await index.search(PersonQuery(name="Amy Smith"))).total == 0
