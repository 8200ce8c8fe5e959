"""The audit service's tables: the append-only log and the one-row chain head."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

# BIGINT on PostgreSQL; SQLite only treats INTEGER as a 64-bit rowid-backed key.
SeqType = BigInteger().with_variant(Integer(), "sqlite")

audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", SeqType, primary_key=True, autoincrement=False),
    Column("event_id", String(36), nullable=False, unique=True),
    Column("occurred_at", DateTime(timezone=True), nullable=False, index=True),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("service", Text, nullable=False),
    Column("actor", Text, nullable=False, index=True),
    Column("action", Text, nullable=False, index=True),
    Column("reason", Text, nullable=False),
    Column("payload", JSON, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("entry_hash", String(64), nullable=False),
)

# One row (id 1): the last entry's seq and hash. Appenders lock it, so the chain stays single.
audit_chain_head = Table(
    "audit_chain_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", SeqType, nullable=False),
    Column("entry_hash", String(64), nullable=False),
)
