"""The indexer as wired by bootstrap: a linked event on the bus ends up in the index."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import httpx

from lateral_indexer.bootstrap import bootstrap
from lateral_indexer.config import IndexerSettings
from lateral_shared.bus import OutgoingMessage
from lateral_shared.contracts import RECORDS_LINKED, RecordLinked, encode_event
from lateral_shared.contracts.events import PersonSnapshot
from lateral_shared.contracts.records import CleanRecord
from lateral_shared.runtime import create_app
from lateral_shared.testing.fakes import InMemoryBus, InMemoryIndex


async def test_a_linked_event_on_the_bus_is_indexed(
    make_record: Callable[..., CleanRecord],
) -> None:
    bus, index = InMemoryBus(), InMemoryIndex()
    service = await bootstrap(IndexerSettings(), bus=bus, index=index)
    record = make_record("1")
    event = RecordLinked(
        batch_id=uuid.uuid4(),
        change="created",
        record=record,
        person=PersonSnapshot(person_id="p-1", version=1, records=[record]),
    )
    await bus.publish(RECORDS_LINKED, [OutgoingMessage("p-1", encode_event(event))])
    [consumer] = service.consumers()
    reader = bus.consumer("indexer", [RECORDS_LINKED])
    await reader.start()
    await consumer.process(reader, await reader.fetch())
    stored = await index.get_person("p-1")
    assert stored is not None and stored.records[0].record_key == record.record_key
    assert bus.committed[("indexer", RECORDS_LINKED)] == 1
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app([service])), base_url="http://t"
    ) as client:
        ready = await client.get("/readyz")
    assert ready.json()["checks"] == {"indexer.index": "ok", "indexer.bus": "ok"}
