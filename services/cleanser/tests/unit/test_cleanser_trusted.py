"""Cleansed records are built without re-validation (`domain.trusted`); a consumer must not be able
to tell: each one equals, serialises and decodes exactly like the same record validated."""

import csv
import io
from datetime import date

import pytest

from lateral_cleanser.domain import Gazetteer, cleanse_record, entry_from_row
from lateral_cleanser.domain.trusted import trusted
from lateral_shared.contracts import RECORDS_CLEAN, RecordCleaned, decode_event, encode_event
from lateral_shared.contracts.records import AddressParts, CleanRecord, PartnerRecord
from lateral_synthetic import GAZETTEER_COLUMNS, generate_region

TODAY = date(2025, 6, 1)
# What the generator never makes: a record with neither person nor address, and one with no lines.
BARE = {"source_record_id": "F-1", "agency_kind": "fire", "event_type": "incident",
        "event_date": "2025-01-10", "status": "closed", "category": "kitchen_fire"}  # fmt: skip
POSTCODE_ONLY = {**BARE, "source_record_id": "F-2", "address": {"postcode": "zz99 3vz"}}


def _demo_region() -> tuple[Gazetteer, list[tuple[str, str, PartnerRecord]]]:
    """The demo-sized synthetic region: its gazetteer (through the CSV layout) and its records,
    with every kind of person, address, error and agency the generator makes."""
    rows: list[dict[str, str]] = []
    records = []
    for district in generate_region(size="demo", seed=11, today=TODAY).districts():
        text = io.StringIO()
        csv.writer(text).writerows(p.row() for p in district.properties)
        rows += csv.DictReader(io.StringIO(text.getvalue()), fieldnames=GAZETTEER_COLUMNS)
        for synthetic in district.records:
            feed = synthetic.feed
            records.append((feed.partner_id, feed.feed_id, synthetic.partner_record()))
    records += [("fire", "fire-1", PartnerRecord.model_validate(r)) for r in (BARE, POSTCODE_ONLY)]
    return Gazetteer(entry_from_row(row) for row in rows), records


@pytest.fixture(scope="module")
def cleansed() -> list[CleanRecord]:
    gazetteer, records = _demo_region()
    return [
        cleanse_record(record, partner_id=partner, feed_id=feed, today=TODAY, gazetteer=g)
        for partner, feed, record in records
        for g in (gazetteer, None)
    ]


def test_the_demo_region_covers_what_the_models_hold(cleansed: list[CleanRecord]) -> None:
    # Without this, the round trips below could pass on records that are mostly empty.
    assert len(cleansed) > 5_000
    assert any(r.person is None for r in cleansed) and any(r.address is None for r in cleansed)
    addresses = [r.address for r in cleansed if r.address is not None]
    assert {a.uprn_method for a in addresses} >= {"exact", "fuzzy", "partner", None}
    assert any(a.parts is not None and a.parts.sao for a in addresses)
    assert any(a.parts is None for a in addresses) and any(a.no_fixed_abode for a in addresses)
    assert any(r.person is not None and r.person.aliases for r in cleansed)
    assert any(r.lead_professional is not None for r in cleansed)


def test_every_record_equals_the_same_record_validated(cleansed: list[CleanRecord]) -> None:
    for record in cleansed:
        validated = CleanRecord.model_validate(record.model_dump())
        assert record == validated
        assert record.model_dump_json() == validated.model_dump_json()
        assert record.model_fields_set == validated.model_fields_set


def test_a_consumer_decodes_the_same_records_from_the_events(cleansed: list[CleanRecord]) -> None:
    for number, record in enumerate(cleansed):
        event = RecordCleaned(
            batch_id="00000000-0000-4000-8000-000000000001", record_key=record.record_key,
            record=record, event_id=f"00000000-0000-4000-8000-{number:012d}",
        )  # fmt: skip
        decoded = decode_event(RECORDS_CLEAN, encode_event(event))
        assert isinstance(decoded, RecordCleaned)
        assert decoded == event and decoded.record == CleanRecord.model_validate_json(
            record.model_dump_json()
        )


def test_trusted_refuses_a_missing_field_or_another_order() -> None:
    fields = {"sao": "3", "pao_number": "12", "pao_suffix": None, "building_name": None,
              "street": "HIGH STREET", "locality": None, "town": "ASHBURY"}  # fmt: skip
    assert trusted(AddressParts, fields) == AddressParts(**fields)
    with pytest.raises(TypeError, match="AddressParts needs all of its fields"):
        trusted(AddressParts, {k: v for k, v in fields.items() if k != "town"})
    with pytest.raises(TypeError, match="in its own order"):
        trusted(AddressParts, dict(reversed(fields.items())))
