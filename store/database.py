"""The database engine and Alembic migrations, for the reservations and the call records alike.

Both databases run on SQLite by default; each has its own migrations folder and
is brought to its latest schema on every start.
"""

import os
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from loguru import logger
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url

LOCK_WAIT_SECS = 2.0
"""How long an SQLite transaction waits for another connection's write lock before it fails
("database is locked", retried by the gate). Every transaction takes the lock up front, so
this bounds how long one can wait. It must stay below each write tool's per-attempt timeout
(flows/booking_schemas.py derives those from it): an attempt then always ends with its own
thread, never by a timeout that leaves the thread waiting to commit after the bot has said
the booking failed. (A `timeout` in the URL's query replaces it: keep that below too.)

An SQLite file has one connection in the process (`create_engine_for`): a transaction first
waits for it (`POOL_WAIT_SECS`), then for another process's lock (the rest), so the two waits
together stay within `LOCK_WAIT_SECS`."""

POOL_WAIT_SECS = 0.75 * LOCK_WAIT_SECS
"""SQLite files: the longest wait for the process's one connection. The reservation store's
calls take turns for it before they start a transaction (store/reservations.py `_call`), so
this wait is only behind a transaction whose caller stopped waiting and that is finishing,
which it does within its own lock wait."""


def shown_url(url: str) -> str:
    """`url` as it may be printed or logged: without its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "(an unreadable database URL)"


@dataclass
class DatabaseFile:
    """The SQLite file a store opened, to notice it being deleted or replaced while running.

    SQLite keeps writing to a file deleted under it (its inode lives on while open), so
    every booking made after `rm data/reservations.db` would vanish at the next restart.
    The store is not reopened either: a new, empty file would hide every booking so far.
    """

    path: Path
    identity: tuple[int, int]
    """(device, inode) when the store opened it."""
    store: str
    reported: bool = False

    @classmethod
    def of(cls, url: str, store: str) -> "DatabaseFile | None":
        """The file behind `url` as it is now; None for a database that is not an SQLite file."""
        parsed = make_url(url)
        if parsed.get_backend_name() != "sqlite" or not parsed.database:
            return None
        path = Path(parsed.database).resolve()
        status = path.stat()
        return cls(path, (status.st_dev, status.st_ino), store)

    def check(self) -> str | None:
        """What happened to the file since it was opened (logged, once), or None."""
        try:
            status = os.stat(self.path)
            replaced = (status.st_dev, status.st_ino) != self.identity
            problem = "was replaced by another file" if replaced else None
        except FileNotFoundError:
            problem = "was deleted"
        except OSError as error:
            problem = f"cannot be read ({error.strerror})"
        if problem is None:
            return None
        problem = f"{self.path} {problem} while the bot was running"
        if not self.reported:
            self.reported = True
            logger.error(f"{self.store}: {problem}; nothing more is written to it. Restart the bot")
        return problem


def create_engine_for(url: str) -> Engine:
    """An engine; for SQLite, its folder created, WAL on, and writes serialised up front;
    for PostgreSQL, lock waits bounded by `LOCK_WAIT_SECS`."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        # Lock waits end like SQLite's (store/transactions.py); `options` in the URL replaces it.
        wait = {"options": f"-c lock_timeout={int(LOCK_WAIT_SECS * 1000)}"}
        return create_engine(
            url, pool_pre_ping=True, connect_args={} if "options" in parsed.query else wait
        )
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # One connection, never closed until the store is: every transaction takes the write
        # lock up front (BEGIN IMMEDIATE, below), so a second connection would only wait for
        # the lock. A connection closed while another on the same file holds a lock leaves its
        # descriptors open inside SQLite (closing them would drop the other's POSIX locks):
        # with overflow connections a burst of 20 calls left 5 such descriptors behind
        # (bench.load leaks). No transaction asks for a second session while it holds one.
        busy = {} if "timeout" in parsed.query else {"timeout": LOCK_WAIT_SECS - POOL_WAIT_SECS}
        engine = create_engine(
            url, connect_args=busy, pool_size=1, max_overflow=0, pool_timeout=POOL_WAIT_SECS
        )
    else:
        connect_args = {} if "timeout" in parsed.query else {"timeout": LOCK_WAIT_SECS}
        engine = create_engine(url, connect_args=connect_args)

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
        if connection.dialect.name == "postgresql":
            # Bot processes starting together migrate one after another (SQLite: BEGIN
            # IMMEDIATE); the next finds the schema at head. DDL may wait longer than a booking.
            connection.exec_driver_sql("SET LOCAL lock_timeout = '60s'")
            connection.execute(
                text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
                {"key": f"migrate:{migrations.parent.name}"},
            )
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
