"""`records.profile`: each person record's comparison forms, stored beside the record, so a
candidate is read from a short array instead of parsing its whole record (at region scale, most of
the matcher's time went on parsing candidates no cache still held).

Rows stored before this revision keep a NULL profile: their records are profiled when read, as
before, until they are next written.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("records", sa.Column("profile", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("records") as batch:
        batch.drop_column("profile")
