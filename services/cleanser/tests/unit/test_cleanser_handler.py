"""The cleanser on the bus: `records.raw` in, `records.clean` out, keyed by the record key."""

import uuid
from datetime import date
from pathlib import Path

import pytest

from lateral_cleanser.adapters.gazetteer_csv import GazetteerFileError
from lateral_cleanser.bootstrap import bootstrap
from lateral_cleanser.config import CleanserSettings
from lateral_cleanser.service_layer.handlers import make_handler
from lateral_shared.bus import EventPublisher, OutgoingMessage
from lateral_shared.contracts import (
    RECORDS_CLEAN,
    RECORDS_RAW,
    PartnerRecord,
    RecordCleaned,
    RecordReceived,
    decode_event,
    dlq_topic,
    encode_event,
)
from lateral_shared.testing.fakes import InMemoryBus

BATCH = uuid.uuid4()


def received(source_id: str, nhs_number: str) -> RecordReceived:
    record = PartnerRecord.model_validate(
        {
            "source_record_id": source_id,
            "agency_kind": "health",
            "event_type": "emergency_attendance",
            "event_date": "2025-02-01",
            "status": "closed",
            "person": {"forename": "AMY", "surname": "JONES", "nhs_number": nhs_number},
        }
    )
    return RecordReceived(
        batch_id=BATCH, partner_id="trust", feed_id="trust-ed", row_number=1, record=record
    )


def cleaned(bus: InMemoryBus) -> list[tuple[str, RecordCleaned]]:
    out = []
    for message in bus.topics[RECORDS_CLEAN]:
        event = decode_event(RECORDS_CLEAN, message.value)
        assert isinstance(event, RecordCleaned)
        out.append((message.key, event))
    return out


async def test_handler_publishes_one_cleaned_event_per_raw_event() -> None:
    bus = InMemoryBus()
    handle = make_handler(EventPublisher(bus, service="cleanser"), today=lambda: date(2025, 6, 1))
    await handle([received("ED-1", "9434765919"), received("ED-2", "9876544321")])
    out = cleaned(bus)
    assert [key for key, _ in out] == ["trust-ed/ED-1", "trust-ed/ED-2"]
    first, second = out[0][1].record, out[1][1].record
    assert first.person is not None and first.person.nhs_number == "9434765919"
    assert first.person.forename == "Amy"
    assert second.person is not None and second.person.nhs_number is None
    assert "failed_check" in {f.code for f in second.quality_flags}
    assert {e.batch_id for _, e in out} == {BATCH}


async def test_a_redelivered_event_yields_the_same_cleaned_event() -> None:
    bus = InMemoryBus()
    handle = make_handler(EventPublisher(bus, service="cleanser"), today=lambda: date(2025, 6, 1))
    event = received("ED-1", "9434765919")
    await handle([event])
    await handle([event])
    (_, once), (_, twice) = cleaned(bus)
    assert once.event_id == twice.event_id
    assert once.record == twice.record


async def test_a_failed_publish_raises_so_the_offset_is_not_committed() -> None:
    bus = InMemoryBus()
    bus.fail_publish = True
    handle = make_handler(EventPublisher(bus, service="cleanser"))
    with pytest.raises(ConnectionError):
        await handle([received("ED-1", "9434765919")])


async def test_the_service_consumes_records_raw_and_commits() -> None:
    bus = InMemoryBus()
    service = await bootstrap(CleanserSettings(), bus=bus)
    assert [s.topic for s in service.subscriptions] == [RECORDS_RAW]
    assert RECORDS_CLEAN in bus.topics
    await bus.publish(RECORDS_RAW, [
        OutgoingMessage("trust-ed/ED-1", encode_event(received("ED-1", "9434765919"))),
        OutgoingMessage("x", b'{"schema_version": 7}'),
    ])  # fmt: skip
    (consumer,) = service.consumers()
    source = bus.consumer("cleanser", [RECORDS_RAW])
    await source.start()
    await consumer.process(source, await source.fetch())
    assert [key for key, _ in cleaned(bus)] == ["trust-ed/ED-1"]
    assert len(bus.topics[dlq_topic(RECORDS_RAW)]) == 1
    assert bus.committed[("cleanser", RECORDS_RAW)] == 2
    await service.readiness["bus"]()


async def test_a_withdrawal_is_passed_on_keyed_by_the_record_key() -> None:
    bus = InMemoryBus()
    handle = make_handler(EventPublisher(bus, service="cleanser"))
    withdrawal = RecordReceived(
        batch_id=BATCH, partner_id="trust", feed_id="trust-ed", row_number=2,
        action="withdraw", source_record_id="ED-9",
    )  # fmt: skip
    await handle([withdrawal, received("ED-1", "9434765919")])
    (key, out), (upsert_key, upsert) = cleaned(bus)
    assert (key, out.action, out.record_key, out.record) == (
        "trust-ed/ED-9", "withdraw", "trust-ed/ED-9", None,
    )  # fmt: skip
    assert out.batch_id == BATCH
    assert (upsert_key, upsert.action, upsert.record_key) == (
        "trust-ed/ED-1",
        "upsert",
        "trust-ed/ED-1",
    )


async def test_the_service_looks_up_uprns_in_the_configured_gazetteer(
    monkeypatch: pytest.MonkeyPatch, gazetteer_path: Path
) -> None:
    monkeypatch.setenv("LATERAL_GAZETTEER_PATH", str(gazetteer_path))
    bus = InMemoryBus()
    service = await bootstrap(CleanserSettings(), bus=bus)
    record = PartnerRecord.model_validate({
        "source_record_id": "F-1", "agency_kind": "fire", "event_type": "home_fire_safety_visit",
        "event_date": "2025-02-01", "status": "closed",
        "address": {"lines": ["12 High St"], "postcode": "NX1 1AB"},
    })  # fmt: skip
    event = RecordReceived(
        batch_id=BATCH, partner_id="fire", feed_id="fire-1", row_number=1, record=record
    )
    await bus.publish(RECORDS_RAW, [OutgoingMessage("fire-1/F-1", encode_event(event))])
    (consumer,) = service.consumers()
    source = bus.consumer("cleanser", [RECORDS_RAW])
    await source.start()
    await consumer.process(source, await source.fetch())
    ((_, out),) = cleaned(bus)
    assert out.record is not None and out.record.address is not None
    assert out.record.address.address_key == "uprn:900000000001"


async def test_a_broken_gazetteer_stops_the_service_from_starting(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "g.csv").write_text("uprn\n1\n")
    monkeypatch.setenv("LATERAL_GAZETTEER_PATH", str(tmp_path / "g.csv"))
    with pytest.raises(GazetteerFileError):
        await bootstrap(CleanserSettings(), bus=InMemoryBus())
