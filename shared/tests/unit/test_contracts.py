"""Event contracts: versioned decoding, and errors that name the field without echoing data."""

from __future__ import annotations

import json
import uuid

import pytest

from lateral_shared.contracts import (
    RECORDS_RAW,
    PartnerRecord,
    RecordReceived,
    UndecodableEvent,
    decode_event,
    encode_event,
)

RECORD = {
    "source_record_id": "CSC-1",
    "agency_kind": "childrens_social_care",
    "event_type": "child_in_need",
    "event_date": "2026-01-10",
    "status": "open",
    "person": {"forename": "Ellie", "surname": "Marsh", "date_of_birth": "2015-04"},
}


def _event() -> RecordReceived:
    return RecordReceived(
        batch_id=uuid.uuid4(),
        partner_id="p1",
        feed_id="f1",
        row_number=1,
        record=PartnerRecord.model_validate(RECORD),
    )


def test_an_event_round_trips_through_its_topic() -> None:
    event = _event()
    assert decode_event(RECORDS_RAW, encode_event(event)) == event


def test_an_unknown_schema_version_is_named_in_the_reason() -> None:
    payload = json.loads(encode_event(_event()))
    payload["schema_version"] = 99
    with pytest.raises(UndecodableEvent, match=r"unknown schema version 99 for records\.raw"):
        decode_event(RECORDS_RAW, json.dumps(payload).encode())


def test_an_invalid_event_names_the_field_but_not_its_value() -> None:
    payload = json.loads(encode_event(_event()))
    payload["record"]["person"]["date_of_birth"] = "Ellie's birthday"
    with pytest.raises(UndecodableEvent) as caught:
        decode_event(RECORDS_RAW, json.dumps(payload).encode())
    assert "record.person.date_of_birth" in str(caught.value)
    assert "Ellie" not in str(caught.value)


def test_garbage_is_undecodable_not_a_crash() -> None:
    with pytest.raises(UndecodableEvent, match=r"not a records\.raw event"):
        decode_event(RECORDS_RAW, b"\x00not json")


@pytest.mark.parametrize("dob", ["2015", "2015-04", "2015-04-02"])
def test_partial_dates_of_birth_are_accepted(dob: str) -> None:
    record = PartnerRecord.model_validate({**RECORD, "person": {"date_of_birth": dob}})
    assert record.person is not None and record.person.date_of_birth == dob


def test_unknown_fields_are_refused_so_typos_are_not_silently_dropped() -> None:
    with pytest.raises(ValueError, match="surnmae"):
        PartnerRecord.model_validate({**RECORD, "person": {"surnmae": "Marsh"}})
