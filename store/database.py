"""The database engine and Alembic migrations, for the reservations and the call records alike.

Both databases run on SQLite by default; each has its own migrations folder and
is brought to its latest schema on every start.
"""

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

LOCK_WAIT_SECS = 2.0
"""How long an SQLite transaction waits for another connection's write lock before it fails
("database is locked", retried by the gate). Every transaction takes the lock up front, so
this bounds how long one can wait. It must stay below each write tool's per-attempt timeout
(flows/booking_schemas.py derives those from it): an attempt then always ends with its own
thread, never by a timeout that leaves the thread waiting to commit after the bot has said
the booking failed. (A `timeout` in the URL's query replaces it: keep that below too.)"""


def shown_url(url: str) -> str:
    """`url` as it may be printed or logged: without its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "(an unreadable database URL)"


def create_engine_for(url: str) -> Engine:
    """An engine; for SQLite, its folder created, WAL on, and writes serialised up front."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url, connect_args={} if "timeout" in parsed.query else {"timeout": LOCK_WAIT_SECS}
    )

    @event.listens_for(engine, "connect")
    def on_connect(connection, _):
        connection.isolation_level = None  # let SQLAlchemy's BEGIN below be the only one
        cursor = connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def migrate(engine: Engine, migrations: Path, revision: str = "head") -> None:
    """Upgrade to `revision` with the Alembic scripts in `migrations`; an up-to-date database
    is left as it is."""
    config = Config()
    config.set_main_option("script_location", str(migrations))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
