"""Partners become OAuth2 clients: client ID, hashed client secret, scopes, secret rotation.

The bearer-token hash column becomes the secret hash. An existing partner keeps its row and feeds,
gets its partner ID as client ID and every scope, but its old token hash is not a secret hash:
it must be given a new secret (`partners rotate-secret ID`) before it can get access tokens.

Only in-place ALTERs (rename, add column, index): rebuilding `partners` on SQLite would trip the
foreign keys of `feeds` and `batches`. So on SQLite the new columns stay nullable in the file.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ALL_SCOPES = "records:write batches:read"  # the scopes every partner had before this migration


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.execute("ALTER TABLE partners RENAME COLUMN token_hash TO secret_hash")
    if postgres:
        op.alter_column("partners", "secret_hash", type_=sa.String(255))
    op.add_column("partners", sa.Column("client_id", sa.String(200), nullable=True))
    op.add_column("partners", sa.Column("scopes", sa.String(200), nullable=True))
    op.add_column(
        "partners", sa.Column("secret_rotated_at", sa.DateTime(timezone=True), nullable=True)
    )
    partners = sa.table(
        "partners",
        sa.column("partner_id", sa.String),
        sa.column("client_id", sa.String),
        sa.column("scopes", sa.String),
    )
    op.execute(partners.update().values(client_id=partners.c.partner_id, scopes=ALL_SCOPES))
    if postgres:
        op.alter_column("partners", "client_id", nullable=False)
        op.alter_column("partners", "scopes", nullable=False)
    op.create_index("ux_partners_client_id", "partners", ["client_id"], unique=True)


def downgrade() -> None:
    # The secrets cannot become tokens again: after a downgrade every partner needs a new token.
    op.drop_index("ux_partners_client_id", table_name="partners")
    for column in ("secret_rotated_at", "scopes", "client_id"):
        op.execute(f"ALTER TABLE partners DROP COLUMN {column}")
    op.execute("ALTER TABLE partners RENAME COLUMN secret_hash TO token_hash")
