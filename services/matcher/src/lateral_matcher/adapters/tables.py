"""The matcher's tables (SQLAlchemy Core), portable between SQLite and PostgreSQL.

- `persons`: one row per person; `version` increases with every change to the person.
- `records`: every cleansed record, its person (none for address-only records) and address;
  a record its partner withdrew keeps its row with `withdrawn_at` set (so a redelivered
  withdrawal can be published again) and is left out of every snapshot.
- `person_identifiers`: the look-up keys (NHS number; case-folded name + full date of birth) that
  find a person; the first person to claim a key keeps it.
- `addresses`: every address seen, keyed by the cleanser's address key (the UPRN when known).
- `links`: why each record is linked to its person (the rule's explanation).
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, Index, Integer, MetaData, String, Table

metadata = MetaData()

persons = Table(
    "persons",
    metadata,
    Column("person_id", String(36), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

records = Table(
    "records",
    metadata,
    Column("record_key", String(200), primary_key=True),
    Column("person_id", String(36), nullable=True),
    Column("address_key", String(200), nullable=True),
    Column("content_hash", String(128), nullable=False),
    Column("record", JSON, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("withdrawn_at", DateTime(timezone=True), nullable=True),
    Index("ix_records_person_id", "person_id"),
    Index("ix_records_address_key", "address_key"),
)

person_identifiers = Table(
    "person_identifiers",
    metadata,
    Column("kind", String(32), primary_key=True),
    Column("value", String(300), primary_key=True),
    Column("person_id", String(36), nullable=False),
    Index("ix_person_identifiers_person_id", "person_id"),
)

addresses = Table(
    "addresses",
    metadata,
    Column("address_key", String(200), primary_key=True),
    Column("uprn", String(12), nullable=True),
    Column("postcode", String(12), nullable=True),
    Column("lines", JSON, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_addresses_uprn", "uprn"),
)

links = Table(
    "links",
    metadata,
    Column("record_key", String(200), primary_key=True),
    Column("person_id", String(36), nullable=True),
    Column("explanation", JSON, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_links_person_id", "person_id"),
)
