"""The `records.linked` handler: upsert each changed person's document and each changed address's
document; delete the documents of persons merged away, of persons left with no records (every one
withdrawn by its partner), and of addresses left with no records.

Idempotent by construction: a document carries a version (the person's, or for an address the
time of the newest event about it) and the index ignores a lower version than the one it holds,
so a redelivered or replayed event never overwrites newer data.

Link explanations and address records accumulate: the stored document is read and the batch's
news merged in. Two indexer replicas writing the same address at the same moment could each
miss the other's record until the address changes again (the matcher keys events by person, so
one address's events may sit on different partitions).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from prometheus_client import Counter

from lateral_indexer.domain.addresses import build_address_document
from lateral_indexer.domain.documents import (
    build_person_document,
    merge_links,
    record_summary,
)
from lateral_shared.contracts import Event, RecordLinked
from lateral_shared.contracts.events import AddressSnapshot, LinkExplanation, PersonSnapshot
from lateral_shared.index import PersonDocument, SearchIndex, address_id

DOCUMENTS_WRITTEN = Counter(
    "lateral_indexer_documents_total",
    "Person and address documents written to or deleted from the search index, by operation.",
    ["operation"],
)


class PersonIndexer:
    """Batch handler for `records.linked` (give it to a `Subscription`)."""

    def __init__(self, index: SearchIndex) -> None:
        self._index = index

    async def __call__(self, events: Sequence[Event]) -> None:
        linked = [event for event in events if isinstance(event, RecordLinked)]
        written = await self._index_persons(linked)
        await self._index_addresses(linked, written)

    async def _index_persons(self, linked: Sequence[RecordLinked]) -> dict[str, PersonDocument]:
        """Write the batch's persons; the documents written, by person ID."""
        newest = newest_snapshots(linked)
        gone = {pid for event in linked for pid in event.merged_person_ids}
        gone |= {pid for pid, (snapshot, _) in newest.items() if not snapshot.records}
        kept = [pid for pid in newest if pid not in gone]
        stored = await self._index.get_persons(kept)
        explanations = batch_explanations(linked)
        documents = {
            pid: build_person_document(
                newest[pid][0],
                updated_at=newest[pid][1],
                links=merge_links(
                    stored[pid].links if pid in stored else [], explanations.get(pid, {})
                ),
            )
            for pid in kept
        }
        if documents:
            await self._index.upsert_persons(list(documents.values()))
            DOCUMENTS_WRITTEN.labels("upsert").inc(len(documents))
        if gone:
            # After the upserts: a person merged away must not come back from this batch.
            await self._index.delete_persons(sorted(gone))
            DOCUMENTS_WRITTEN.labels("delete").inc(len(gone))
        return documents

    async def _index_addresses(
        self, linked: Sequence[RecordLinked], written: dict[str, PersonDocument]
    ) -> None:
        newest = newest_addresses(linked)
        if not newest:
            return
        stored = await self._index.get_addresses(sorted(newest))
        previous = {key: stored[address_id(key)] for key in newest if address_id(key) in stored}
        # An address left with no records goes, unless a newer event already rewrote it.
        empty = sorted(
            key
            for key, (snapshot, occurred_at) in newest.items()
            if not snapshot.record_keys
            and (key not in previous or previous[key].version <= _version(occurred_at))
        )
        live = {key: held for key, held in newest.items() if held[0].record_keys}
        resident_ids = {r.person_id for snapshot, _ in live.values() for r in snapshot.residents}
        persons = {**await self._index.get_persons(sorted(resident_ids - set(written))), **written}
        seen = [record_summary(event.record) for event in linked]
        documents = [
            build_address_document(
                snapshot,
                version=_version(occurred_at),
                updated_at=occurred_at,
                previous=previous.get(key),
                persons={r.person_id: persons[r.person_id] for r in snapshot.residents
                         if r.person_id in persons},
                seen=seen,
            )
            for key, (snapshot, occurred_at) in live.items()
        ]  # fmt: skip
        if documents:
            await self._index.upsert_addresses(documents)
            DOCUMENTS_WRITTEN.labels("upsert_address").inc(len(documents))
        if empty:
            await self._index.delete_addresses(empty)
            DOCUMENTS_WRITTEN.labels("delete_address").inc(len(empty))


def newest_snapshots(linked: Sequence[RecordLinked]) -> dict[str, tuple[PersonSnapshot, datetime]]:
    """The highest-version snapshot of each person in the batch, with its event's time."""
    newest: dict[str, tuple[PersonSnapshot, datetime]] = {}
    for event in linked:
        person = event.person
        if person is None:
            continue
        held = newest.get(person.person_id)
        if held is None or person.version >= held[0].version:
            newest[person.person_id] = (person, event.occurred_at)
    return newest


def newest_addresses(
    linked: Sequence[RecordLinked],
) -> dict[str, tuple[AddressSnapshot, datetime]]:
    """The latest snapshot of each address in the batch, with its event's time."""
    newest: dict[str, tuple[AddressSnapshot, datetime]] = {}
    for event in linked:
        if event.address is None:
            continue
        held = newest.get(event.address.address_key)
        if held is None or event.occurred_at >= held[1]:
            newest[event.address.address_key] = (event.address, event.occurred_at)
    return newest


def batch_explanations(linked: Sequence[RecordLinked]) -> dict[str, dict[str, LinkExplanation]]:
    """Why each record of the batch sits with its person: person ID -> record key -> why."""
    found: dict[str, dict[str, LinkExplanation]] = {}
    for event in linked:
        if event.person is not None and event.link is not None and event.change != "withdrawn":
            found.setdefault(event.person.person_id, {})[event.record.record_key] = event.link
    return found


def _version(occurred_at: datetime) -> int:
    """An address document's version: its newest event's time in microseconds."""
    return int(occurred_at.timestamp() * 1_000_000)
