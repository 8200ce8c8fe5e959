"""The outbox: a steward's decision writes its `records.linked` events in its own transaction,
and they are published only after it commits (and again by the relay after a crash). And an index
for the list of decided review items, newest first.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("message_id", SERIAL, primary_key=True, autoincrement=True),
        sa.Column("topic", sa.String(200), nullable=False),
        sa.Column("key", sa.String(300), nullable=False),
        sa.Column("value", sa.LargeBinary, nullable=False),
        sa.Column("headers", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_review_items_decided_at", "review_items", ["decided_at"])


def downgrade() -> None:
    op.drop_index("ix_review_items_decided_at", table_name="review_items")
    op.drop_table("outbox")
