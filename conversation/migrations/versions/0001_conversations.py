"""Sessions, turns, tool calls and state snapshots.

Revision ID: c0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "c0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "conversation_sessions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("started_at", sa.DateTime, nullable=False, index=True),
        sa.Column("ended_at", sa.DateTime),
        sa.Column("end_reason", sa.String(40)),
        sa.Column("llm", sa.String(40), nullable=False),
    )
    op.create_table(
        "conversation_turns",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "session_id",
            sa.String(36),
            sa.ForeignKey("conversation_sessions.id"),
            nullable=False,
            index=True,
        ),
        sa.Column("turn", sa.Integer, nullable=False),
        sa.Column("caller_text", sa.Text, nullable=False),
        sa.Column("bot_text", sa.Text, nullable=False),
        sa.Column("caller_started_at", sa.DateTime),
        sa.Column("caller_ended_at", sa.DateTime),
        sa.Column("bot_started_at", sa.DateTime),
        sa.Column("bot_ended_at", sa.DateTime),
        sa.Column("interrupted", sa.Boolean, nullable=False),
        sa.Column("latency_ms", sa.Integer),
        sa.UniqueConstraint("session_id", "turn"),
    )
    op.create_table(
        "conversation_tool_calls",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "session_id",
            sa.String(36),
            sa.ForeignKey("conversation_sessions.id"),
            nullable=False,
            index=True,
        ),
        sa.Column("turn", sa.Integer, nullable=False),
        sa.Column("tool_call_id", sa.String(80), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("arguments", sa.Text, nullable=False),
        sa.Column("result", sa.Text),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("started_at", sa.DateTime),
        sa.Column("finished_at", sa.DateTime),
    )
    op.create_table(
        "conversation_state_snapshots",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "session_id",
            sa.String(36),
            sa.ForeignKey("conversation_sessions.id"),
            nullable=False,
            index=True,
        ),
        sa.Column("turn", sa.Integer, nullable=False),
        sa.Column("taken_at", sa.DateTime, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
    )


def downgrade():
    for table in (
        "conversation_state_snapshots",
        "conversation_tool_calls",
        "conversation_turns",
        "conversation_sessions",
    ):
        op.drop_table(table)
