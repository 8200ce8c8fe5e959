"""The `records.raw` events the gateway writes around each record's JSON are the events pydantic
would write: every consumer reads the same thing from them."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime

from lateral_ingest_gateway.adapters.raw_events import RawEvents
from lateral_ingest_gateway.domain.changes import Change, RowDecision
from lateral_ingest_gateway.domain.encoding import encode_record
from lateral_ingest_gateway.domain.model import Batch, BatchStatus, WayIn
from lateral_ingest_gateway.domain.validation import RowOutcome
from lateral_shared.contracts import RECORDS_RAW, AgencyKind, RecordReceived, record_key
from lateral_shared.contracts.records import PartnerRecord, PersonFields, RecordStatus
from lateral_shared.contracts.topics import decode_event

BATCH = Batch(uuid.uuid4(), 'trust-"ed"', "trust-ö", WayIn.UPLOAD, datetime.now(UTC),
              BatchStatus.PROCESSING)  # fmt: skip
RECORD = PartnerRecord(
    source_record_id="ED-1", agency_kind=AgencyKind.HEALTH, event_type="emergency_attendance",
    event_date=date(2026, 3, 2), status=RecordStatus.OPEN,
    person=PersonFields(forename='Zoë "Nell"', surname="O'Neill \\ 李", other_names=["Nell"]),
)  # fmt: skip


def decision(row: int, change: Change, action: str = "upsert") -> RowDecision:
    record = encode_record(RECORD) if action == "upsert" else None
    sid = f"ED-{row}" if action == "withdraw" else "ED-1"
    outcome = RowOutcome(row, sid, action, None, (), record)  # type: ignore[arg-type]
    return RowDecision(outcome, change)


def test_an_upsert_event_reads_as_the_event_pydantic_would_write() -> None:
    (message,) = RawEvents(BATCH).messages([decision(7, Change.UPDATED)])
    event = decode_event(RECORDS_RAW, message.value)
    assert isinstance(event, RecordReceived)
    expected = RecordReceived(
        event_id=event.event_id, occurred_at=event.occurred_at, batch_id=BATCH.batch_id,
        partner_id=BATCH.partner_id, feed_id=BATCH.feed_id, row_number=7, action="upsert",
        source_record_id="ED-1", record=RECORD,
    )  # fmt: skip
    assert event == expected
    assert json.loads(message.value) == json.loads(expected.model_dump_json(exclude_none=True))
    assert message.key == record_key(BATCH.feed_id, "ED-1")
    assert message.headers == {"event_type": "RecordReceived"}
    assert abs((event.occurred_at - datetime.now(UTC)).total_seconds()) < 60


def test_a_withdrawal_event_carries_no_record() -> None:
    (message,) = RawEvents(BATCH).messages([decision(3, Change.WITHDRAWN, "withdraw")])
    event = decode_event(RECORDS_RAW, message.value)
    assert isinstance(event, RecordReceived)
    assert (event.action, event.source_record_id, event.record) == ("withdraw", "ED-3", None)


def test_only_published_rows_make_events_each_with_its_own_random_id() -> None:
    decisions = [decision(n, Change.ACCEPTED) for n in range(2, 502)]
    decisions += [decision(600, Change.UNCHANGED), decision(601, Change.REJECTED)]
    messages = RawEvents(BATCH).messages(decisions)
    events = [decode_event(RECORDS_RAW, m.value) for m in messages]
    assert [e.row_number for e in events] == list(range(2, 502))  # type: ignore[attr-defined]
    ids = {e.event_id for e in events}
    assert len(ids) == 500
    assert all(i.version == 4 and i.variant == uuid.RFC_4122 for i in ids)
