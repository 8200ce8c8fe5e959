"""`blocking_keys` as a SQLite `WITHOUT ROWID` table: the rows are kept in their primary key's
order (key, record key), so filing a record under its keys writes one B-tree fewer (no rowid table
beside the key index), and a key's records are read from one run of pages. PostgreSQL has no such
option (its tables are heaps): nothing changes there.

The upgrade copies the filed keys into the new table (SQLite cannot change a table's kind in
place).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_COLUMNS = "key VARCHAR(300) NOT NULL, record_key VARCHAR(200) NOT NULL"
_PRIMARY_KEY = "CONSTRAINT pk_blocking_keys PRIMARY KEY (key, record_key)"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild(" WITHOUT ROWID")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild("")


def _rebuild(kind: str) -> None:
    """Copy `blocking_keys` into a new table of the given kind, in primary key order."""
    op.execute(f"CREATE TABLE blocking_keys_copy ({_COLUMNS}, {_PRIMARY_KEY}){kind}")
    op.execute(
        "INSERT INTO blocking_keys_copy (key, record_key) "
        "SELECT key, record_key FROM blocking_keys ORDER BY key, record_key"
    )
    op.execute("DROP TABLE blocking_keys")  # its index goes with it
    op.execute("ALTER TABLE blocking_keys_copy RENAME TO blocking_keys")
    op.create_index("ix_blocking_keys_record_key", "blocking_keys", ["record_key"])
