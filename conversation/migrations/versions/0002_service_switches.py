"""Service switches: a stage's failover to another service mid-call, and its recovery.

Revision ID: c0002
Revises: c0001
"""

import sqlalchemy as sa
from alembic import op

revision = "c0002"
down_revision = "c0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "conversation_service_switches",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "session_id",
            sa.String(36),
            sa.ForeignKey("conversation_sessions.id"),
            nullable=False,
            index=True,
        ),
        sa.Column("turn", sa.Integer, nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("stage", sa.String(10), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("from_service", sa.String(40), nullable=False),
        sa.Column("to_service", sa.String(40), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("duration_ms", sa.Integer, nullable=False),
    )


def downgrade():
    op.drop_table("conversation_service_switches")
