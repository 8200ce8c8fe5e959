"""The `records.linked` handler: upsert each changed person's document; delete the documents of
persons merged away, and of persons left with no records (every one withdrawn by its partner).

Idempotent by construction: a document carries its person's version and the index ignores a lower
version than the one it holds, so a redelivered or replayed event never overwrites newer data.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from prometheus_client import Counter

from lateral_indexer.domain.documents import build_person_document
from lateral_shared.contracts import Event, RecordLinked
from lateral_shared.contracts.events import PersonSnapshot
from lateral_shared.index import SearchIndex

DOCUMENTS_WRITTEN = Counter(
    "lateral_indexer_documents_total",
    "Person documents written to or deleted from the search index, by operation.",
    ["operation"],
)


class PersonIndexer:
    """Batch handler for `records.linked` (give it to a `Subscription`)."""

    def __init__(self, index: SearchIndex) -> None:
        self._index = index

    async def __call__(self, events: Sequence[Event]) -> None:
        linked = [event for event in events if isinstance(event, RecordLinked)]
        newest = newest_snapshots(linked)
        gone = {pid for event in linked for pid in event.merged_person_ids}
        gone |= {pid for pid, (snapshot, _) in newest.items() if not snapshot.records}
        documents = [
            build_person_document(snapshot, updated_at=occurred_at)
            for snapshot, occurred_at in newest.values()
            if snapshot.person_id not in gone
        ]
        if documents:
            await self._index.upsert_persons(documents)
            DOCUMENTS_WRITTEN.labels("upsert").inc(len(documents))
        if gone:
            # After the upserts: a person merged away must not come back from this batch.
            await self._index.delete_persons(sorted(gone))
            DOCUMENTS_WRITTEN.labels("delete").inc(len(gone))


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
