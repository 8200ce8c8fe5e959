"""Cleanse each `RecordReceived` and publish a `RecordCleaned` keyed by the record key.

Stateless and idempotent: the same raw event always yields the same cleaned record, and the
cleaned event's ID is derived from the raw event's ID, so a redelivery publishes an event that
downstream consumers recognise as the one they have already seen.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime

from lateral_cleanser.domain import Gazetteer, cleanse_record
from lateral_shared.bus import BatchHandler, EventPublisher
from lateral_shared.contracts import RECORDS_CLEAN, Event, RecordCleaned, RecordReceived
from lateral_shared.contracts.records import record_key

_EVENT_ID_NAMESPACE = uuid.UUID("6f1c1f43-5a0e-4b8e-9b8f-2f4c9d1a7c21")


def utc_today() -> date:
    """Today in UTC: the bound for dates of birth in the future."""
    return datetime.now(UTC).date()


def cleaned_event(
    event: RecordReceived, *, today: date, gazetteer: Gazetteer | None = None
) -> RecordCleaned:
    """The `records.clean` event for one raw record; a withdrawal is passed on by its key."""
    event_id = uuid.uuid5(_EVENT_ID_NAMESPACE, str(event.event_id))
    if event.record is None:  # a withdrawal: nothing to cleanse
        return RecordCleaned(
            event_id=event_id,
            batch_id=event.batch_id,
            action="withdraw",
            record_key=record_key(event.feed_id, event.source_record_id),
        )
    record = cleanse_record(
        event.record,
        partner_id=event.partner_id,
        feed_id=event.feed_id,
        today=today,
        gazetteer=gazetteer,
    )
    return RecordCleaned(
        event_id=event_id, batch_id=event.batch_id, record_key=record.record_key, record=record
    )


def make_handler(
    publisher: EventPublisher,
    *,
    gazetteer: Gazetteer | None = None,
    today: Callable[[], date] = utc_today,
) -> BatchHandler:
    """The batch handler for `records.raw`: cleanse every event, publish them all, return."""

    async def handle(events: Sequence[Event]) -> None:
        day = today()
        out: list[tuple[str, Event]] = []
        for event in events:
            if not isinstance(event, RecordReceived):
                raise TypeError(f"records.raw carries RecordReceived, not {type(event).__name__}")
            cleaned = cleaned_event(event, today=day, gazetteer=gazetteer)
            out.append((cleaned.record_key, cleaned))
        await publisher.publish(RECORDS_CLEAN, out)

    return handle
