"""The ingest-gateway's first tables: partners, feeds and batches.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "partners",
        sa.Column("partner_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("disabled", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "feeds",
        sa.Column("feed_id", sa.String(64), primary_key=True),
        sa.Column(
            "partner_id", sa.String(64), sa.ForeignKey("partners.partner_id"), nullable=False
        ),
        sa.Column("agency_kind", sa.String(40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "batches",
        sa.Column("batch_id", sa.String(36), primary_key=True),
        sa.Column("feed_id", sa.String(64), sa.ForeignKey("feeds.feed_id"), nullable=False),
        sa.Column(
            "partner_id", sa.String(64), sa.ForeignKey("partners.partner_id"), nullable=False
        ),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("record_count", sa.Integer, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
    )
    op.create_index("ix_batches_feed_id_received_at", "batches", ["feed_id", "received_at"])


def downgrade() -> None:
    op.drop_index("ix_batches_feed_id_received_at", table_name="batches")
    op.drop_table("batches")
    op.drop_table("feeds")
    op.drop_table("partners")
