"""The matcher's tables (SQLAlchemy Core), portable between SQLite and PostgreSQL.

- `persons`: one row per person; `version` increases with every change to the person.
- `records`: every cleansed record, its person (none for address-only records) and address;
  a record its partner withdrew keeps its row with `withdrawn_at` set (so a redelivered
  withdrawal can be published again) and is left out of every snapshot.
- `person_identifiers`: rules-v1's look-up keys; no longer written (replaced by `blocking_keys`).
- `addresses`: every address seen, keyed by the cleanser's address key (the UPRN when known).
- `links`: why each record is linked to its person (the rule's explanation).
- `blocking_keys`: the keys each record is filed under; a new record's candidates are the stored
  records sharing one of its keys.
- `identity_changes`: every merge and split of persons, with its reason, who and when.
- `review_items`: doubtful links for a data steward (raised by the matcher or reported by a
  practitioner), and what the steward decided.
- `steward_decisions`: the decisions themselves, kept when the links are rebuilt from the topic.
- `outbox`: events a steward's decision committed but the bus has not yet acknowledged; written
  in the decision's transaction and deleted once published (`adapters.outbox`).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

metadata = MetaData()

persons = Table(
    "persons",
    metadata,
    Column("person_id", String(36), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # Set when the person was merged into another: "where is this person now" (the survivor).
    Column("merged_into", String(36), nullable=True),
    Index("ix_persons_merged_into", "merged_into"),
)

records = Table(
    "records",
    metadata,
    Column("record_key", String(200), primary_key=True),
    Column("person_id", String(36), nullable=True),
    Column("address_key", String(200), nullable=True),
    Column("content_hash", String(128), nullable=False),
    Column("record", JSON, nullable=False),
    # The person's comparison forms (`domain.profile.profile_json`): a candidate is read from
    # this, not parsed from `record`. NULL for an address-only record, and for rows stored before
    # the column was added (their records are profiled when read).
    Column("profile", Text, nullable=True),
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
    # No index on person_id: links are only read and moved by record key (migration 0004).
)

blocking_keys = Table(
    "blocking_keys",
    metadata,
    Column("key", String(300), nullable=False),
    Column("record_key", String(200), nullable=False),
    PrimaryKeyConstraint("key", "record_key", name="pk_blocking_keys"),
    Index("ix_blocking_keys_record_key", "record_key"),
    sqlite_with_rowid=False,  # kept in key order: one B-tree fewer per row (migration 0006)
)

identity_changes = Table(
    "identity_changes",
    metadata,
    Column("change_id", String(36), primary_key=True),
    Column("kind", String(10), nullable=False),  # "merge" or "split"
    Column("person_id", String(36), nullable=False),  # merge: the survivor; split: the origin
    Column("other_person_id", String(36), nullable=False),  # merge: absorbed; split: the new one
    Column("record_keys", JSON, nullable=False),  # the records that moved
    Column("cause_record_key", String(200), nullable=True),
    Column("reason", String(2000), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Index("ix_identity_changes_person_id", "person_id"),
    Index("ix_identity_changes_other_person_id", "other_person_id"),
    Index("ix_identity_changes_cause", "cause_record_key"),
)

review_items = Table(
    "review_items",
    metadata,
    Column("review_id", String(36), primary_key=True),
    Column("record_key", String(200), nullable=False),
    Column("person_id", String(36), nullable=False),
    Column("source", String(20), nullable=False),  # "matcher" or "practitioner"
    Column("match_weight", Float, nullable=True),
    Column("probability", Float, nullable=True),
    Column("explanation", JSON, nullable=True),
    Column("reported_by", String(200), nullable=True),
    Column("report_reason", String(2000), nullable=True),
    Column("status", String(10), nullable=False),  # "open", "same" or "not_same"
    Column("decided_by", String(200), nullable=True),
    Column("decision_reason", String(2000), nullable=True),
    Column("decided_at", DateTime(timezone=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_review_items_status", "status", "created_at"),
    Index("ix_review_items_record_key", "record_key"),
    Index("ix_review_items_decided_at", "decided_at"),  # the decided list, newest first
)

steward_decisions = Table(
    "steward_decisions",
    metadata,
    Column("record_key", String(200), nullable=False),
    Column("person_id", String(36), nullable=False),
    Column("decision", String(10), nullable=False),  # "same" or "not_same"
    Column("review_id", String(36), nullable=False),
    Column("decided_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("record_key", "person_id", name="pk_steward_decisions"),
)

# SQLite autoincrements only an INTEGER primary key.
_SERIAL = BigInteger().with_variant(Integer(), "sqlite")

outbox = Table(
    "outbox",
    metadata,
    Column("message_id", _SERIAL, primary_key=True, autoincrement=True),  # publish order
    Column("topic", String(200), nullable=False),
    Column("key", String(300), nullable=False),
    Column("value", LargeBinary, nullable=False),  # the encoded event, published as it is
    Column("headers", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
