"""Per-row batches: counts per outcome, row errors, quarantine, and each record's last version.

Only in-place ALTERs on `batches` (add column): rebuilding it on SQLite would trip foreign keys.
Batches from before this migration become "completed" (all their records were published) or
"failed" (left part-way).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

COUNTS = ("accepted", "updated", "unchanged", "withdrawn", "rejected")
COVERAGE = ("has_person", "has_nhs_number", "has_full_dob", "has_address", "has_uprn")
SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.add_column(
        "batches", sa.Column("way_in", sa.String(20), nullable=False, server_default="api")
    )
    for name in COUNTS:
        op.add_column("batches", sa.Column(name, sa.Integer, nullable=False, server_default="0"))
    op.add_column("batches", sa.Column("file_error", sa.String(1000), nullable=True))
    op.add_column("batches", sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True))
    batches = sa.table("batches", sa.column("status", sa.String), sa.column("accepted", sa.Integer),
                       sa.column("record_count", sa.Integer))  # fmt: skip
    op.execute(
        batches.update()
        .where(batches.c.status == "accepted")
        .values(status="completed", accepted=batches.c.record_count)
    )
    op.execute(batches.update().where(batches.c.status == "publishing").values(status="failed"))
    _create_row_tables()


def _create_row_tables() -> None:
    op.create_table(
        "batch_row_errors",
        sa.Column("error_id", SERIAL, primary_key=True, autoincrement=True),
        sa.Column("batch_id", sa.String(36), sa.ForeignKey("batches.batch_id"), nullable=False),
        sa.Column("row", sa.Integer, nullable=False),
        sa.Column("field", sa.String(100), nullable=False),
        sa.Column("problem", sa.String(500), nullable=False),
    )
    op.create_index("ix_batch_row_errors_batch_id_row", "batch_row_errors", ["batch_id", "row"])
    op.create_table(
        "quarantined_rows",
        sa.Column("quarantine_id", SERIAL, primary_key=True, autoincrement=True),
        sa.Column("feed_id", sa.String(64), sa.ForeignKey("feeds.feed_id"), nullable=False),
        sa.Column("batch_id", sa.String(36), sa.ForeignKey("batches.batch_id"), nullable=False),
        sa.Column("row", sa.Integer, nullable=False),
        sa.Column("source_record_id", sa.String(64), nullable=True),
        sa.Column("errors", sa.JSON, nullable=False),
        sa.Column("data", sa.JSON, nullable=True),
        sa.Column("quarantined_at", sa.DateTime(timezone=True), nullable=False),
    )
    for columns in (["feed_id", "source_record_id"], ["batch_id", "source_record_id"]):
        op.create_index(f"ix_quarantined_rows_{'_'.join(columns)}", "quarantined_rows", columns)
    op.create_table(
        "feed_records",
        sa.Column("feed_id", sa.String(64), sa.ForeignKey("feeds.feed_id"), primary_key=True),
        sa.Column("source_record_id", sa.String(64), primary_key=True),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("withdrawn", sa.Boolean, nullable=False),
        sa.Column("last_batch_id", sa.String(36), nullable=False),
        sa.Column("last_row", sa.Integer, nullable=False),
        *(sa.Column(name, sa.Boolean, nullable=False) for name in COVERAGE),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("feed_records")
    op.drop_table("quarantined_rows")
    op.drop_table("batch_row_errors")
    batches = sa.table("batches", sa.column("status", sa.String))
    op.execute(batches.update().where(batches.c.status == "completed").values(status="accepted"))
    for name in ("finished_at", "file_error", *reversed(COUNTS), "way_in"):
        op.execute(f"ALTER TABLE batches DROP COLUMN {name}")
