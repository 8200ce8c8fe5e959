"""The ingest-gateway's tables: partners, feeds and batches (portable to SQLite and PostgreSQL)."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

partners = sa.Table(
    "partners",
    metadata,
    sa.Column("partner_id", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("disabled", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
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
    sa.Column("record_count", sa.Integer, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Index("ix_batches_feed_id_received_at", "feed_id", "received_at"),
)
