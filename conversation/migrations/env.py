"""Alembic environment for the recorded calls; its own version table, so the calls and the
reservations can share a database without their migrations meeting."""

from alembic import context

from conversation.models import Base

VERSION_TABLE = "conversation_schema_version"

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    version_table=VERSION_TABLE,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
