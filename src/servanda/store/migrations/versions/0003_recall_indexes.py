"""Index statements by the actor they were made on behalf of (recall by actor).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_statements_on_behalf_of", "statements", ["on_behalf_of"])


def downgrade() -> None:
    op.drop_index("ix_statements_on_behalf_of", table_name="statements")
