"""`records.linked` events encoded straight to JSON, each snapshot once per batch.

Every event of a batch names its person and address as they are at the end of the batch, so a
person with k records in a batch would have its snapshot (all its records) encoded k times by
pydantic. Here each snapshot is encoded once, from the records' stored JSON, and spliced into the
events; the result is byte for byte what `encode_event(RecordLinked(...))` gives (a test holds
this), so consumers see the same `records.linked` v1 events.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pydantic import TypeAdapter
from pydantic_core import to_json

from lateral_matcher.adapters.reads import StoredAddress
from lateral_matcher.domain.residents import most_precise_date_of_birth, open_agency_kinds
from lateral_shared.bus.port import OutgoingMessage
from lateral_shared.contracts.events import RecordLinked
from lateral_shared.contracts.records import CleanRecord

HEADERS = {"event_type": RecordLinked.__name__}
SCHEMA_VERSION: int = RecordLinked.model_fields["schema_version"].default
ResidentJson = dict[str, str | list[str] | None]


# `RecordLinked.occurred_at` as pydantic encodes it (the envelope's other fields are an int,
# UUIDs and a plain word, which any encoder writes the same way).
_DATETIME: TypeAdapter[datetime] = TypeAdapter(datetime)


def occurred_json(occurred_at: datetime) -> str:
    """A time as it appears in an event's JSON (encode once, use for every event of a batch)."""
    return _DATETIME.dump_json(occurred_at).decode()


def json_text(value: str | list[str]) -> str:
    """A string or list of strings as pydantic writes it (its own encoder: compact, UTF-8 kept)."""
    return to_json(value).decode()


def address_json(
    address: StoredAddress, residents: list[ResidentJson], record_keys: list[str]
) -> str:
    """An `AddressSnapshot` as JSON: pydantic's encoder given plain values in the model's field
    order (building the models first cost several times as much)."""
    snapshot = {
        "address_key": address.address_key,
        "uprn": address.uprn,
        "postcode": address.postcode,
        "lines": address.lines,
        "residents": residents,
        "record_keys": record_keys,
    }
    return to_json(snapshot).decode()


def resident_json(person_id: str, records: Sequence[CleanRecord]) -> ResidentJson:
    """A `Resident` as `address_json` takes it (agency kinds as their values: the encoder takes
    strings at once, enum members the slow way)."""
    return {
        "person_id": person_id,
        "date_of_birth": most_precise_date_of_birth(records),
        "open_agency_kinds": [kind.value for kind in open_agency_kinds(records)],
    }


def person_json(person_id: str, version: int, record_texts: Sequence[str]) -> str:
    """A `PersonSnapshot` as JSON, from its records' JSON (oldest event first)."""
    records = ",".join(record_texts)
    return f'{{"person_id":{json_text(person_id)},"version":{version},"records":[{records}]}}'


def linked_message(
    key: str,
    *,
    event_id: str,
    occurred_at: str,
    batch_id: str,
    change: str,
    record: str,
    person: str | None,
    address: str | None,
    link: str | None,
    merged_person_ids: Sequence[str],
) -> OutgoingMessage:
    """One `RecordLinked` event from its parts, the big ones already JSON (`occurred_at` too:
    `occurred_json`), the IDs as text."""
    value = (
        f'{{"schema_version":{SCHEMA_VERSION},"event_id":"{event_id}",'
        f'"occurred_at":{occurred_at},"batch_id":"{batch_id}","change":{json_text(change)},'
        f'"record":{record},"person":{person or "null"},'
        f'"address":{address or "null"},"link":{link or "null"},'
        f'"merged_person_ids":{json_text(list(merged_person_ids)) if merged_person_ids else "[]"}}}'
    )
    return OutgoingMessage(key=key, value=value.encode(), headers=HEADERS)
