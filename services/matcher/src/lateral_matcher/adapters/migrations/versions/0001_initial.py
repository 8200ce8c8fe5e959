"""The matcher's first tables: persons, records, person identifiers, addresses and links.

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


def _timestamp(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "persons",
        sa.Column("person_id", sa.String(36), primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        _timestamp("created_at"),
        _timestamp("updated_at"),
    )
    op.create_table(
        "records",
        sa.Column("record_key", sa.String(200), primary_key=True),
        sa.Column("person_id", sa.String(36), nullable=True),
        sa.Column("address_key", sa.String(200), nullable=True),
        sa.Column("content_hash", sa.String(128), nullable=False),
        sa.Column("record", sa.JSON, nullable=False),
        _timestamp("updated_at"),
    )
    op.create_index("ix_records_person_id", "records", ["person_id"])
    op.create_index("ix_records_address_key", "records", ["address_key"])
    op.create_table(
        "person_identifiers",
        sa.Column("kind", sa.String(32), primary_key=True),
        sa.Column("value", sa.String(300), primary_key=True),
        sa.Column("person_id", sa.String(36), nullable=False),
    )
    op.create_index("ix_person_identifiers_person_id", "person_identifiers", ["person_id"])
    op.create_table(
        "addresses",
        sa.Column("address_key", sa.String(200), primary_key=True),
        sa.Column("uprn", sa.String(12), nullable=True),
        sa.Column("postcode", sa.String(12), nullable=True),
        sa.Column("lines", sa.JSON, nullable=False),
        _timestamp("updated_at"),
    )
    op.create_index("ix_addresses_uprn", "addresses", ["uprn"])
    op.create_table(
        "links",
        sa.Column("record_key", sa.String(200), primary_key=True),
        sa.Column("person_id", sa.String(36), nullable=True),
        sa.Column("explanation", sa.JSON, nullable=False),
        _timestamp("updated_at"),
    )
    op.create_index("ix_links_person_id", "links", ["person_id"])


def downgrade() -> None:
    for table in ("links", "addresses", "person_identifiers", "records", "persons"):
        op.drop_table(table)
