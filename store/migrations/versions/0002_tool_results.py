"""First results of side-effecting tool calls, so a replayed call is answered, not redone.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "tool_results",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("tool", sa.String(40), nullable=False),
        sa.Column("result", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False, server_default=sa.func.now()),
    )


def downgrade():
    op.drop_table("tool_results")
