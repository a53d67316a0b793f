"""A private PostgreSQL server for tests that stop, restart or break the server.

Never the shared server on 5432: a restart there would break every other test and every other
helper on the machine. ``PrivatePostgres`` runs ``initdb`` into a fresh temporary folder, starts
the server on a free port of its own (TCP on 127.0.0.1, its socket inside that folder), hands out
its URL, and can ``stop()`` and ``start()`` it in the middle of a test. ``close()`` stops it and
removes the folder; the context manager and the ``private_postgres`` fixture always call it.

initdb refuses to run as root. As root the server runs as the ``postgres`` system user (through
``runuser``) in a folder that user owns; as any other user it runs as that user. The server's
superuser is named after the test process's user, so ``postgresql://<user>@127.0.0.1:<port>/postgres``
works with trust authentication, which is limited to the local machine by listening on 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg

BIN_DIR = Path(os.environ.get("ORION_PG_BIN", "/usr/lib/postgresql/15/bin"))
SERVER_USER = "postgres"  # the system user that runs the server when the tests run as root


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class PrivatePostgres:
    """One throw-away PostgreSQL server: ``start()``, ``stop()``, ``url()``, ``close()``."""

    def __init__(self, *, bin_dir: Path = BIN_DIR) -> None:
        self.bin_dir = bin_dir
        self.as_root = os.geteuid() == 0
        self.login = getpass.getuser()
        self.port = _free_port()
        # Not under pytest's tmp_path: its parents are 0700 root folders the postgres user cannot enter.
        self.folder = Path(tempfile.mkdtemp(prefix="orion-pg-"))
        self.data_dir = self.folder / "data"
        self.log_file = self.folder / "server.log"
        self.running = False
        if self.as_root:
            record = pwd.getpwnam(SERVER_USER)
            os.chown(self.folder, record.pw_uid, record.pw_gid)
        self._initdb()

    # --- commands ----------------------------------------------------------------------------

    def _run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if self.as_root:
            command = ["runuser", "-u", SERVER_USER, "--", *command]
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)

    def _check(self, result: subprocess.CompletedProcess[str], what: str) -> None:
        if result.returncode != 0:
            log = self.log_file.read_text(errors="replace")[-2000:] if self.log_file.exists() else ""
            raise RuntimeError(f"{what} failed ({result.returncode}): {result.stdout}{result.stderr}{log}")

    def _initdb(self) -> None:
        result = self._run(
            "initdb", "-D", str(self.data_dir), "-U", self.login, "-A", "trust", "-E", "UTF8",
            "--locale=C", "--no-sync",
        )
        self._check(result, "initdb")
        # Small and fast: a test server, not a production one. fsync stays on: a kill test
        # relies on what a committed transaction promises.
        settings = (
            "listen_addresses = '127.0.0.1'\n"
            f"port = {self.port}\n"
            f"unix_socket_directories = '{self.folder}'\n"
            "max_connections = 60\n"
            "shared_buffers = 32MB\n"
            "synchronous_commit = off\n"
            "full_page_writes = off\n"
            "log_min_messages = warning\n"
        )
        with (self.data_dir / "postgresql.conf").open("a") as conf:
            conf.write(settings)

    def start(self) -> None:
        """Starts the server and waits until it accepts connections."""
        result = self._run(
            "pg_ctl", "-D", str(self.data_dir), "-l", str(self.log_file), "-w", "-t", "60", "start", timeout=90
        )
        self._check(result, "pg_ctl start")
        self.running = True

    def stop(self, mode: str = "fast") -> None:
        """Stops the server. ``fast`` disconnects clients and rolls their transactions back;
        ``immediate`` is a crash (recovery at the next start)."""
        result = self._run("pg_ctl", "-D", str(self.data_dir), "-m", mode, "-w", "-t", "60", "stop", timeout=90)
        self._check(result, "pg_ctl stop")
        self.running = False

    def restart(self, mode: str = "fast") -> float:
        """Stops and starts the server; answers the seconds it was down."""
        began = time.monotonic()
        self.stop(mode)
        self.start()
        return time.monotonic() - began

    def close(self) -> None:
        """Stops the server if it runs and removes its folder. Safe to call twice."""
        if self.running:
            with contextlib.suppress(Exception):
                self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)

    # --- addresses -----------------------------------------------------------------------------

    def url(self, database: str = "postgres", driver: str = "postgresql") -> str:
        """The server's URL (``driver="postgresql+psycopg"`` for SQLAlchemy)."""
        return f"{driver}://{self.login}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """Creates a database (byte-order collation, as the shared test server's) and answers its URL."""
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0 LC_COLLATE \'C\'')
        return self.url(name, driver="postgresql+psycopg")

    def answers(self) -> bool:
        """True when a fresh connection can run a query now."""
        try:
            with psycopg.connect(self.url(), connect_timeout=3) as conn:
                return conn.execute("SELECT 1").fetchone() == (1,)
        except psycopg.OperationalError:
            return False


@contextlib.contextmanager
def private_postgres_server() -> Iterator[PrivatePostgres]:
    """A started private server, torn down (stopped, folder removed) whatever happens."""
    server = PrivatePostgres()
    try:
        server.start()
        yield server
    finally:
        server.close()
