"""Incremental resolution: blocking keys, merges and splits, the review queue, steward decisions.

Records stored before this revision are filed under their blocking keys here, so records that
arrive later find them as candidates.

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


def _when(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.add_column("persons", sa.Column("merged_into", sa.String(36), nullable=True))
    op.create_index("ix_persons_merged_into", "persons", ["merged_into"])
    op.create_table(
        "blocking_keys",
        sa.Column("key", sa.String(300), nullable=False),
        sa.Column("record_key", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("key", "record_key", name="pk_blocking_keys"),
    )
    op.create_index("ix_blocking_keys_record_key", "blocking_keys", ["record_key"])
    _identity_changes()
    _review_items()
    op.create_table(
        "steward_decisions",
        sa.Column("record_key", sa.String(200), nullable=False),
        sa.Column("person_id", sa.String(36), nullable=False),
        sa.Column("decision", sa.String(10), nullable=False),
        sa.Column("review_id", sa.String(36), nullable=False),
        _when("decided_at"),
        sa.PrimaryKeyConstraint("record_key", "person_id", name="pk_steward_decisions"),
    )
    _file_stored_records()


def _file_stored_records() -> None:
    """File every live record stored before this revision under its blocking keys."""
    from lateral_matcher.domain.resolution import blocking_keys
    from lateral_shared.contracts.records import CleanRecord

    connection = op.get_bind()
    keys_table = sa.table("blocking_keys", sa.column("key"), sa.column("record_key"))
    stored = connection.execute(
        sa.text("SELECT record FROM records WHERE withdrawn_at IS NULL AND person_id IS NOT NULL")
    )
    rows: list[dict[str, str]] = []
    for (data,) in stored:
        record = CleanRecord.model_validate_json(data) if isinstance(data, str) else (
            CleanRecord.model_validate(data)
        )  # fmt: skip
        rows += [
            {"key": k, "record_key": record.record_key}
            for k in dict.fromkeys(blocking_keys(record))
        ]
        if len(rows) >= 5_000:
            connection.execute(keys_table.insert(), rows)
            rows = []
    if rows:
        connection.execute(keys_table.insert(), rows)


def _identity_changes() -> None:
    op.create_table(
        "identity_changes",
        sa.Column("change_id", sa.String(36), primary_key=True),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("person_id", sa.String(36), nullable=False),
        sa.Column("other_person_id", sa.String(36), nullable=False),
        sa.Column("record_keys", sa.JSON, nullable=False),
        sa.Column("cause_record_key", sa.String(200), nullable=True),
        sa.Column("reason", sa.String(2000), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        _when("occurred_at"),
    )
    op.create_index("ix_identity_changes_person_id", "identity_changes", ["person_id"])
    op.create_index("ix_identity_changes_other_person_id", "identity_changes", ["other_person_id"])
    op.create_index("ix_identity_changes_cause", "identity_changes", ["cause_record_key"])


def _review_items() -> None:
    op.create_table(
        "review_items",
        sa.Column("review_id", sa.String(36), primary_key=True),
        sa.Column("record_key", sa.String(200), nullable=False),
        sa.Column("person_id", sa.String(36), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("match_weight", sa.Float, nullable=True),
        sa.Column("probability", sa.Float, nullable=True),
        sa.Column("explanation", sa.JSON, nullable=True),
        sa.Column("reported_by", sa.String(200), nullable=True),
        sa.Column("report_reason", sa.String(2000), nullable=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("decided_by", sa.String(200), nullable=True),
        sa.Column("decision_reason", sa.String(2000), nullable=True),
        _when("decided_at", nullable=True),
        _when("created_at"),
    )
    op.create_index("ix_review_items_status", "review_items", ["status", "created_at"])
    op.create_index("ix_review_items_record_key", "review_items", ["record_key"])


def downgrade() -> None:
    for table in ("steward_decisions", "review_items", "identity_changes", "blocking_keys"):
        op.drop_table(table)
    with op.batch_alter_table("persons") as batch:
        batch.drop_index("ix_persons_merged_into")
        batch.drop_column("merged_into")
