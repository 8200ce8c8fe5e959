"""Drop `ix_links_person_id`: no query reads links by person (links are read and moved by record
key), so the index only cost a random page write for every record stored.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_links_person_id", table_name="links")


def downgrade() -> None:
    op.create_index("ix_links_person_id", "links", ["person_id"])
