"""The matcher as wired by bootstrap: consumer loop, readiness and the published event."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from lateral_matcher.adapters import reviews
from lateral_matcher.bootstrap import bootstrap
from lateral_matcher.config import MatcherSettings
from lateral_matcher.entrypoints.main import main
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
        [consumer] = [c for c in service.consumers() if c.subscription.topic == RECORDS_CLEAN]
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


async def test_clear_links_forgets_persons_but_keeps_stewards_decisions(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    open_matcher: Callable[..., Any],
    make_record: Callable[..., CleanRecord],
) -> None:
    matcher = await open_matcher("m.db")
    monkeypatch.setenv("LATERAL_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'm.db'}")
    await matcher.send(make_record("1", person={"forename": "Amy", "surname": "Smith"}))
    async with matcher.engine.begin() as conn:
        now = datetime.now(UTC)
        rid = await reviews.raise_report(conn, record_key="csc-leeds/1", person_id="p-1",
                                         reported_by="sw", reason="r", now=now)  # fmt: skip
        item = await reviews.get_item(conn, rid)
        assert item is not None
        await reviews.record_decision(conn, item, decision="not_same", decided_by="st",
                                      reason="r", now=now)  # fmt: skip
    with pytest.raises(SystemExit):
        main(["clear-links"])  # refuses without --yes
    await asyncio.to_thread(main, ["clear-links", "--yes"])  # the command runs its own loop
    assert await matcher.count("persons") == 0
    assert await matcher.count("records") == 0
    assert await matcher.count("steward_decisions") == 1
