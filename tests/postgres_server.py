"""A throw-away PostgreSQL server for the test session, and a fresh database per test.

The server is Debian's (`apt-get install postgresql`), started from its binaries in
/usr/lib/postgresql/<version>/bin: `initdb` into a temporary folder, `pg_ctl start` on a
free port of 127.0.0.1, no system service. PostgreSQL refuses to run as root, so under
root (CI) it runs as the `postgres` user the package creates (or `nobody`). Each pytest
(xdist) worker process starts its own server, on its own port and folder.
"""

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest

BOTH_DATABASES = pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)
"""Runs a test whose store comes from the `database_url` fixture on SQLite and on PostgreSQL."""

SETTINGS = {
    # A test server: nothing has to survive a crash, so nothing is flushed to disk.
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "shared_buffers": "16MB",
    "max_connections": "100",
}


class PostgresMissing(Exception):
    """No PostgreSQL server binaries here, or the server could not start; says why."""


def binaries() -> Path:
    """The newest installed server's bin folder."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
        key=lambda path: int(Path(path).parts[-3]) if Path(path).parts[-3].isdigit() else 0,
    )
    if not found:
        raise PostgresMissing(
            "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/pg_ctl); "
            "`apt-get install postgresql` runs these tests"
        )
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _unprivileged_user() -> pwd.struct_passwd | None:
    """Who runs the server: None (this user) unless this is root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise PostgresMissing("running as root, with no `postgres` or `nobody` user to run PostgreSQL")


@dataclass
class PostgresServer:
    """One running server; `database()` makes a fresh, empty database on it."""

    bin: Path
    folder: Path
    port: int
    user: pwd.struct_passwd | None
    made: int = field(default=0)

    @classmethod
    def start(cls) -> "PostgresServer":
        bin, user = binaries(), _unprivileged_user()
        folder = Path(tempfile.mkdtemp(prefix="pytest-postgres-"))
        if user is not None:
            os.chown(folder, user.pw_uid, user.pw_gid)
        server = cls(bin, folder, 0, user)
        server._run("initdb", "-D", str(server.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
            "--locale=C", "--no-sync", "--no-instructions",
        )  # fmt: skip
        problem = None
        for _ in range(3):  # another process may take the free port first
            server.port = _free_port()
            options = " ".join(
                [f"-c {name}={value}" for name, value in SETTINGS.items()]
                + [f"-p {server.port}", "-c listen_addresses=127.0.0.1"]
                + [f"-c unix_socket_directories={server.folder}"]
            )
            try:
                server._run(
                    "pg_ctl", "start", "-w", "-D", str(server.data), "-l", str(server.log),
                    "-o", options,
                )  # fmt: skip
                return server
            except PostgresMissing as error:
                problem = error
        shutil.rmtree(folder, ignore_errors=True)
        raise problem or PostgresMissing("PostgreSQL did not start")

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def log(self) -> Path:
        return self.folder / "server.log"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def database(self) -> str:
        """A new, empty database (copied from template1, which is fast); its URL."""
        self.made += 1
        name = f"test_{os.getpid()}_{self.made}"
        self._admin(f'CREATE DATABASE "{name}" TEMPLATE template1')
        return self.url(name)

    def drop(self, url: str) -> None:
        """Drop a database `database()` made, closing whatever still connects to it."""
        name = url.rsplit("/", 1)[1]
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "stop", "-D", str(self.data), "-m", "immediate")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def _admin(self, statement: str) -> None:
        dsn = f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres"
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute(statement)

    def _run(self, program: str, *args: str) -> None:
        user = self.user
        result = subprocess.run(
            [str(self.bin / program), *args],
            capture_output=True,
            text=True,
            cwd=self.folder,
            user=user.pw_uid if user else None,
            group=user.pw_gid if user else None,
            extra_groups=[] if user else None,
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C"},
            timeout=60,
        )
        if result.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise PostgresMissing(
                f"{program} {' '.join(args[:2])} failed: {result.stderr.strip()} {log}".strip()
            )
