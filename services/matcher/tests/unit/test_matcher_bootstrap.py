"""The matcher as wired by bootstrap: consumer loop, readiness and the published event."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

import httpx

from lateral_matcher.bootstrap import bootstrap
from lateral_matcher.config import MatcherSettings
from lateral_shared.bus import OutgoingMessage
from lateral_shared.contracts import (
    RECORDS_CLEAN,
    RECORDS_LINKED,
    RecordCleaned,
    dlq_topic,
    encode_event,
)
from lateral_shared.contracts.records import CleanRecord
from lateral_shared.runtime import create_app
from lateral_shared.testing.fakes import InMemoryBus


async def test_a_clean_record_on_the_bus_comes_out_linked(
    tmp_path: Path, make_record: Callable[..., CleanRecord]
) -> None:
    bus = InMemoryBus()
    settings = MatcherSettings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'm.db'}")
    service = await bootstrap(settings, bus=bus)
    try:
        record = make_record("1", person={"forename": "Amy", "surname": "Smith"})
        event = RecordCleaned(batch_id=uuid.uuid4(), record=record)
        await bus.publish(RECORDS_CLEAN, [OutgoingMessage(record.record_key, encode_event(event))])
        [consumer] = service.consumers()
        reader = bus.consumer("matcher", [RECORDS_CLEAN])
        await reader.start()
        await consumer.process(reader, await reader.fetch())
        [linked] = bus.topics[RECORDS_LINKED]
        assert bus.committed[("matcher", RECORDS_CLEAN)] == 1
        assert bus.topics.get(dlq_topic(RECORDS_CLEAN), []) == []  # nothing dead-lettered
        assert linked.key != record.record_key  # keyed by the person, not the record

        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=create_app([service])), base_url="http://t"
        ) as client:
            ready = await client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["checks"] == {"matcher.database": "ok", "matcher.bus": "ok"}
    finally:
        for hook in service.on_stop:
            await hook()


async def test_readiness_fails_when_the_bus_is_down(tmp_path: Path) -> None:
    bus = InMemoryBus()
    settings = MatcherSettings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'm.db'}")
    service = await bootstrap(settings, bus=bus)
    bus.fail_publish = True
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=create_app([service])), base_url="http://t"
        ) as client:
            ready = await client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["checks"]["matcher.bus"].startswith("unavailable")
    finally:
        for hook in service.on_stop:
            await hook()
