"""A throwaway PostgreSQL server for tests: `PostgresServer.start()` / `.stop()`.

Uses Debian's server binaries (`/usr/lib/postgresql/<version>/bin`, or `LEADSCORE_PG_BIN`).
initdb refuses to run as root, so under root the cluster belongs to the `postgres` system
user and its commands run through `runuser`. Each pytest-xdist worker starts its own
server on a free port; the session fixture `postgres_url` (tests/conftest.py) manages it,
and the fixture `fresh_postgres_url` gives a test an empty schema of its own (`create_schema`;
`create_database` when a test needs a whole database).
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg

_PG_ROOT = Path("/usr/lib/postgresql")
_START_ATTEMPTS = 3


class PostgresUnavailable(RuntimeError):
    """The PostgreSQL server binaries are missing or the server would not start."""


def find_pg_bin() -> Path:
    """The directory holding initdb and pg_ctl (newest installed version)."""
    configured = os.environ.get("LEADSCORE_PG_BIN")
    candidates = (
        [Path(configured)]
        if configured
        else sorted(_PG_ROOT.glob("*/bin"), key=lambda p: _version_key(p.parent.name), reverse=True)
    )
    for bin_dir in candidates:
        if (bin_dir / "initdb").exists() and (bin_dir / "pg_ctl").exists():
            return bin_dir
    raise PostgresUnavailable(
        "PostgreSQL server binaries (initdb, pg_ctl) not found in "
        f"{configured or str(_PG_ROOT) + '/*/bin'}; install them "
        "(`apt-get install postgresql`) or set LEADSCORE_PG_BIN"
    )


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in name.split(".") if part.isdigit())


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PostgresServer:
    """One running cluster: trust authentication, loopback TCP and a private socket dir."""

    root: Path
    port: int
    bin_dir: Path
    run_as: str | None

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the server's `postgres` database (the admin connection)."""
        return self.database_url("postgres")

    def database_url(self, name: str) -> str:
        """SQLAlchemy URL of one database on this server."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    @classmethod
    def start(cls) -> PostgresServer:
        """initdb a fresh cluster in a temporary directory and start it."""
        bin_dir = find_pg_bin()
        run_as = "postgres" if os.geteuid() == 0 else None
        # Not under pytest's tmp dirs: those are 0700 root-owned, unreadable to `postgres`.
        root = Path(tempfile.mkdtemp(prefix="leadscore-pg-"))
        if run_as is not None:
            user = pwd.getpwnam(run_as)
            os.chown(root, user.pw_uid, user.pw_gid)
        server = cls(root=root, port=0, bin_dir=bin_dir, run_as=run_as)
        try:
            server._run(
                "initdb",
                "-D",
                str(root / "data"),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
                "--no-instructions",
            )
            server._start_on_free_port()
        except BaseException:
            shutil.rmtree(root, ignore_errors=True)
            raise
        return server

    def _start_on_free_port(self) -> None:
        # Another process may take the port between probing and binding it: try again.
        for _ in range(_START_ATTEMPTS):
            self.port = _free_port()
            options = (
                f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                "-c max_connections=200"
            )
            try:
                self._run(
                    "pg_ctl",
                    "-D",
                    str(self.root / "data"),
                    "-l",
                    str(self.root / "server.log"),
                    "-o",
                    options,
                    "-w",
                    "-t",
                    "60",
                    "start",
                )
                return
            except PostgresUnavailable:
                continue
        log = (self.root / "server.log").read_text(errors="replace")[-2000:]
        raise PostgresUnavailable(f"PostgreSQL would not start; server log ends:\n{log}")

    def stop(self) -> None:
        """Stop the server and delete its files."""
        try:
            self._run("pg_ctl", "-D", str(self.root / "data"), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def _run(self, tool: str, *args: str) -> None:
        cmd = [str(self.bin_dir / tool), *args]
        if self.run_as is not None:
            cmd = ["runuser", "-u", self.run_as, "--", *cmd]
        done = subprocess.run(cmd, capture_output=True, text=True, cwd=self.root, check=False)
        if done.returncode != 0:
            raise PostgresUnavailable(
                f"{tool} failed ({done.returncode}): {(done.stderr or done.stdout).strip()}"
            )


def create_database(server_url: str, name: str | None = None) -> str:
    """Create an empty database on the server of `server_url`; returns its SQLAlchemy URL.

    Creating a database takes most of a second; `create_schema` is the fast way to give one
    test an empty place of its own.
    """
    name = name or f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(_libpq_url(server_url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return server_url.rsplit("/", 1)[0] + f"/{name}"


def create_schema(database_url: str, name: str | None = None) -> str:
    """Create an empty schema; returns a URL whose connections see only it (search_path).

    To the application this is an empty database: unqualified names, `inspect()` and
    Alembic's version table all live in the schema.
    """
    name = name or f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(_libpq_url(database_url), autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{name}"')
    separator = "&" if "?" in database_url else "?"
    return f"{database_url}{separator}options=-csearch_path%3D{name}"


def drop_schema(schema_url: str) -> None:
    """Drop the schema made by `create_schema` for this URL, with everything in it."""
    base, _, query = schema_url.partition("?options=-csearch_path%3D")
    with psycopg.connect(_libpq_url(base), autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{query}" CASCADE')


def _libpq_url(sqlalchemy_url: str) -> str:
    return sqlalchemy_url.replace("postgresql+psycopg://", "postgresql://", 1)
