"""The ingest-gateway's tables: partners, feeds, batches, row errors, quarantine and the
records' last versions (portable to SQLite and PostgreSQL)."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

partners = sa.Table(
    "partners",
    metadata,
    sa.Column("partner_id", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    # The OAuth2 client: its ID, the scrypt hash of its secret (never the secret), its scopes
    # (space-separated). Migration 0002 renamed token_hash and added the rest; on SQLite those
    # columns stay nullable in the file (SQLite cannot add NOT NULL columns to existing rows).
    sa.Column("client_id", sa.String(200), nullable=False),
    sa.Column("secret_hash", sa.String(255), nullable=False, unique=True),
    sa.Column("scopes", sa.String(200), nullable=False),
    sa.Column("disabled", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("secret_rotated_at", sa.DateTime(timezone=True), nullable=True),
    sa.Index("ux_partners_client_id", "client_id", unique=True),
)

feeds = sa.Table(
    "feeds",
    metadata,
    sa.Column("feed_id", sa.String(64), primary_key=True),
    sa.Column("partner_id", sa.String(64), sa.ForeignKey("partners.partner_id"), nullable=False),
    sa.Column("agency_kind", sa.String(40), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

batches = sa.Table(
    "batches",
    metadata,
    sa.Column("batch_id", sa.String(36), primary_key=True),
    sa.Column("feed_id", sa.String(64), sa.ForeignKey("feeds.feed_id"), nullable=False),
    sa.Column("partner_id", sa.String(64), sa.ForeignKey("partners.partner_id"), nullable=False),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("record_count", sa.Integer, nullable=False),  # rows received
    sa.Column("status", sa.String(20), nullable=False),
    # Migration 0003: how the batch came, what became of its rows, a file-level problem.
    sa.Column("way_in", sa.String(20), nullable=False, server_default="api"),
    *(
        sa.Column(name, sa.Integer, nullable=False, server_default="0")
        for name in ("accepted", "updated", "unchanged", "withdrawn", "rejected")
    ),
    sa.Column("file_error", sa.String(1000), nullable=True),
    sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    # Migration 0004: when a processing batch last recorded a chunk (None: none yet).
    sa.Column("progress_at", sa.DateTime(timezone=True), nullable=True),
    sa.Index("ix_batches_feed_id_received_at", "feed_id", "received_at"),
)

_SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # SQLite autoincrements INTEGER

# One problem with one row of a batch: where and what, never the value.
batch_row_errors = sa.Table(
    "batch_row_errors",
    metadata,
    sa.Column("error_id", _SERIAL, primary_key=True, autoincrement=True),
    sa.Column("batch_id", sa.String(36), sa.ForeignKey("batches.batch_id"), nullable=False),
    sa.Column("row", sa.Integer, nullable=False),
    sa.Column("field", sa.String(100), nullable=False),
    sa.Column("problem", sa.String(500), nullable=False),
    sa.Index("ix_batch_row_errors_batch_id_row", "batch_id", "row"),
)

# A rejected row, kept for its partner to correct and send again. `data` is the partner's row as
# sent (personal data: shown only to that partner, never logged).
quarantined_rows = sa.Table(
    "quarantined_rows",
    metadata,
    sa.Column("quarantine_id", _SERIAL, primary_key=True, autoincrement=True),
    sa.Column("feed_id", sa.String(64), sa.ForeignKey("feeds.feed_id"), nullable=False),
    sa.Column("batch_id", sa.String(36), sa.ForeignKey("batches.batch_id"), nullable=False),
    sa.Column("row", sa.Integer, nullable=False),
    sa.Column("source_record_id", sa.String(64), nullable=True),
    sa.Column("errors", sa.JSON, nullable=False),
    sa.Column("data", sa.JSON, nullable=True),
    sa.Column("quarantined_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_quarantined_rows_feed_id_source_record_id", "feed_id", "source_record_id"),
    sa.Index("ix_quarantined_rows_batch_id_source_record_id", "batch_id", "source_record_id"),
)

# The last version of each record a feed sent: its content hash (to tell an update from a
# resend), whether it was withdrawn, and which identifiers it carries (for the feed's health).
feed_records = sa.Table(
    "feed_records",
    metadata,
    sa.Column("feed_id", sa.String(64), sa.ForeignKey("feeds.feed_id"), primary_key=True),
    sa.Column("source_record_id", sa.String(64), primary_key=True),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("withdrawn", sa.Boolean, nullable=False),
    sa.Column("last_batch_id", sa.String(36), nullable=False),
    sa.Column("last_row", sa.Integer, nullable=False),
    *(
        sa.Column(name, sa.Boolean, nullable=False)
        for name in ("has_person", "has_nhs_number", "has_full_dob", "has_address", "has_uprn")
    ),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)
