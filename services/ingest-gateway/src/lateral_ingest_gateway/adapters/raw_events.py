"""The `records.raw` events of a batch, written around each record's canonical JSON.

`encode_event(RecordReceived(...))` would validate the record again and write it out again;
here the envelope is written as pydantic writes it and the record's JSON, made once where the
row was validated, goes inside as it is. Consumers read the same event (a test decodes both).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime

from pydantic import TypeAdapter

from lateral_ingest_gateway.domain.changes import RowDecision
from lateral_ingest_gateway.domain.model import Batch
from lateral_shared.bus import OutgoingMessage
from lateral_shared.contracts import RECORDS_RAW, RecordReceived, record_key

HEADERS = {"event_type": RecordReceived.__name__}
_TIMESTAMP = TypeAdapter(datetime)
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


class RawEvents:
    """Writes the `records.raw` messages of one batch."""

    topic = RECORDS_RAW

    def __init__(self, batch: Batch) -> None:
        self._feed_id = batch.feed_id
        self._envelope = (f',"batch_id":"{batch.batch_id}","partner_id":'
                          f'{_JSON.encode(batch.partner_id)},"feed_id":'
                          f'{_JSON.encode(batch.feed_id)},"row_number":')  # fmt: skip

    def messages(self, decisions: list[RowDecision]) -> list[OutgoingMessage]:
        """One message for each published row, keyed by its record."""
        published = [d for d in decisions if d.published and d.outcome.source_record_id]
        occurred_at = _TIMESTAMP.dump_json(datetime.now(UTC)).decode()
        return [
            OutgoingMessage(self._key(d), self._event(d, event_id, occurred_at), HEADERS)
            for d, event_id in zip(published, _event_ids(len(published)), strict=True)
        ]

    def _key(self, decision: RowDecision) -> str:
        return record_key(self._feed_id, decision.outcome.source_record_id or "")

    def _event(self, decision: RowDecision, event_id: str, occurred_at: str) -> bytes:
        outcome = decision.outcome
        record = "null" if outcome.encoded is None else outcome.encoded.json
        source_record_id = _JSON.encode(outcome.source_record_id)
        return (f'{{"schema_version":1,"event_id":"{event_id}","occurred_at":{occurred_at}'
                f'{self._envelope}{outcome.row},"action":"{outcome.action}",'
                f'"source_record_id":{source_record_id},"record":{record}}}').encode()  # fmt: skip


def _event_ids(count: int) -> Iterator[str]:
    """`count` random (version 4) UUIDs as text, from one read of the OS's randomness: `uuid4()`
    reads it once per UUID, a system call that costs more than writing the event; and the text
    is written here straight from the random bits (the version and variant bits set as
    `uuid.UUID(version=4)` sets them)."""
    digits = os.urandom(16 * count).hex()
    for n in range(0, 32 * count, 32):
        h = digits[n : n + 32]
        variant = _VARIANT[h[16]]
        yield f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{variant}{h[17:20]}-{h[20:]}"


# RFC 4122 variant: the top two bits of the 17th hex digit are 10.
_VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}
