"""A valid record in the one form the gateway keeps and sends: its canonical JSON.

The canonical JSON is the record as `PartnerRecord.model_dump_json(exclude_none=True)` writes it
(fields in the model's order, absent ones left out). It is made once per record, where the row is
validated: its SHA-256 is the record's content hash (to tell an update from an identical resend),
and the same text is the `record` of the `records.raw` event, so no record is encoded twice.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from lateral_shared.contracts.records import PartnerRecord


@dataclass(frozen=True, slots=True)
class Coverage:
    """Which strong identifiers a record carries (for the feed's health)."""

    has_person: bool = False
    has_nhs_number: bool = False
    has_full_dob: bool = False
    has_address: bool = False
    has_uprn: bool = False


_FLAGS = ("has_person", "has_nhs_number", "has_full_dob", "has_address", "has_uprn")


def coverage_bits(coverage: Coverage) -> int:
    """The coverage as a small number (one bit a flag), to carry between processes."""
    return sum(1 << n for n, flag in enumerate(_FLAGS) if getattr(coverage, flag))


def coverage_from_bits(bits: int) -> Coverage:
    return _BY_BITS[bits]


_BY_BITS = [Coverage(*(bool(bits >> n & 1) for n in range(len(_FLAGS)))) for bits in range(32)]


@dataclass(frozen=True, slots=True)
class EncodedRecord:
    """A valid record as canonical JSON, with its content hash and coverage."""

    json: str
    content_hash: str
    coverage: Coverage


def encoded(canonical_json: str, coverage: Coverage) -> EncodedRecord:
    """The record whose canonical JSON is `canonical_json`."""
    return EncodedRecord(canonical_json, fingerprint(canonical_json), coverage)


def encode_record(record: PartnerRecord) -> EncodedRecord:
    """A record validated by pydantic, encoded."""
    return encoded(record.model_dump_json(exclude_none=True), coverage_of(record))


def fingerprint(canonical_json: str) -> str:
    return hashlib.sha256(canonical_json.encode()).hexdigest()


def coverage_of(record: PartnerRecord) -> Coverage:
    person, address = record.person, record.address
    dob = person.date_of_birth if person is not None else None
    return Coverage(
        has_person=person is not None,
        has_nhs_number=bool(person is not None and person.nhs_number),
        has_full_dob=dob is not None and len(dob) == len("YYYY-MM-DD"),
        has_address=address is not None and bool(address.lines or address.postcode or address.uprn),
        has_uprn=bool(address is not None and address.uprn),
    )
