"""A private PostgreSQL primary with a real streaming replica, on 127.0.0.1, for tests and CI.

tests/test_replicas.py proves the read routing of medinfo/db_routing.py against real
servers, so it needs a primary and a hot standby that streams from it. This module makes
one pair under a folder of its own with the machine's PostgreSQL binaries
(/usr/lib/postgresql/<newest>/bin): `initdb` for the primary, `pg_basebackup -R` for the
replica (which writes standby.signal and primary_conninfo), each on a free port in
55432-55499, TCP on 127.0.0.1 only, trust authentication (replication included), and every
statement logged to the server's own log file: the tests read those logs to see which
server ran a request's queries. PostgreSQL refuses to run as root, so under root every
server command runs as the `postgres` system user.

`.ci/run` starts a pair before the suite and names its folder in MEDINFO_REPLICATION_DIR;
without it the tests start their own. From a shell:

    python -m medinfo.replication_pair start DIR   # prints the two URLs
    python -m medinfo.replication_pair stop DIR
"""

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import psycopg2

PORTS = range(55432, 55500)
READY_WITHIN = 60.0  # seconds for a server to accept connections or a replica to stream
SERVER_SETTINGS = """
# medinfo.replication_pair: a throwaway test server.
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
wal_level = replica
max_wal_senders = 4
hot_standby = on
hot_standby_feedback = on
fsync = off
log_statement = 'all'
log_line_prefix = '%m [%p] '
"""


def _binaries() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_basebackup"), key=_version)
    if not found:
        raise RuntimeError(
            "No PostgreSQL server binaries under /usr/lib/postgresql: "
            "apt-get install -y postgresql (the replica tests never skip)"
        )
    return found[-1].parent


def _version(path: Path) -> int:
    name = path.parent.parent.name
    return int(name) if name.isdigit() else 0


def _free_port(taken: set[int]) -> int:
    for port in PORTS:
        if port in taken:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"No free port in {PORTS.start}-{PORTS.stop - 1}")


@dataclass
class Server:
    """One PostgreSQL server of the pair: its data folder, port and log file."""

    name: str
    data: str
    port: int
    log: str

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def connect(self, database: str = "postgres"):
        connection = psycopg2.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname=database, connect_timeout=5
        )
        connection.autocommit = True
        return connection

    def query(self, sql: str, params=(), database: str = "postgres"):
        """The first column of the first row, or None for a statement that returns none."""
        connection = self.connect(database)
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchone()[0] if cursor.description else None
        finally:
            connection.close()

    def log_text(self) -> str:
        return Path(self.log).read_text(errors="replace")


class ReplicationPair:
    """The pair kept in `base`; pair.json there remembers ports and binaries between processes."""

    def __init__(self, base: Path):
        self.base = Path(base).resolve()
        self.state = self.base / "pair.json"
        saved = json.loads(self.state.read_text()) if self.state.exists() else None
        self.bin = Path(saved["bin"]) if saved else _binaries()
        if saved:
            self.primary = Server(**saved["primary"])
            self.replica = Server(**saved["replica"])
        else:
            primary_port = _free_port(set())
            replica_port = _free_port({primary_port})
            self.primary = self._server("primary", primary_port)
            self.replica = self._server("replica", replica_port)

    def _server(self, name: str, port: int) -> Server:
        return Server(name, str(self.base / name), port, str(self.base / f"{name}.log"))

    # --- Lifecycle ----------------------------------------------------------------------
    def start(self) -> "ReplicationPair":
        """initdb and start the primary, clone it with pg_basebackup -R, start the replica."""
        if self.state.exists():
            self.start_server(self.primary)
            self.start_server(self.replica)
        else:
            self.base.mkdir(parents=True, exist_ok=True)
            self._own(self.base)
            self._run("initdb", "-D", self.primary.data, "-U", "postgres", "--auth=trust")
            self._configure(self.primary)
            self.start_server(self.primary)
            self._run(
                "pg_basebackup", "-R", "-X", "stream", "-c", "fast", "-D", self.replica.data,
                "-h", "127.0.0.1", "-p", str(self.primary.port), "-U", "postgres",
            )  # fmt: skip
            self._configure(self.replica)
            self.start_server(self.replica)
            self.state.write_text(
                json.dumps(
                    {"bin": str(self.bin), "primary": asdict(self.primary),
                     "replica": asdict(self.replica)}
                )
            )  # fmt: skip
        self.wait_until_streaming()
        return self

    def stop(self) -> None:
        """Stop both servers (fast shutdown); the folder stays for the caller to delete."""
        for server in (self.replica, self.primary):
            self.stop_server(server)

    def start_server(self, server: Server) -> None:
        if not self.is_running(server):
            self._run("pg_ctl", "start", "-w", "-t", "60", "-D", server.data, "-l", server.log)

    def stop_server(self, server: Server) -> None:
        if self.is_running(server):
            self._run("pg_ctl", "stop", "-w", "-m", "fast", "-D", server.data)

    def is_running(self, server: Server) -> bool:
        status = subprocess.run(
            self._as_postgres(str(self.bin / "pg_ctl"), "status", "-D", server.data),
            capture_output=True,
        )
        return status.returncode == 0

    # --- Replication state --------------------------------------------------------------
    def wait_until_streaming(self) -> None:
        """Until the replica is in recovery and the primary sees it streaming."""
        deadline = time.monotonic() + READY_WITHIN
        while True:
            try:
                in_recovery = self.replica.query("SELECT pg_is_in_recovery()")
                streaming = self.primary.query(
                    "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'"
                )
                if in_recovery and streaming:
                    return
            except psycopg2.OperationalError:
                pass  # still starting
            if time.monotonic() > deadline:
                raise RuntimeError(f"The replica is not streaming; see {self.replica.log}")
            time.sleep(0.1)

    def wait_until_caught_up(self) -> None:
        """Until the replica has replayed everything the primary has written so far."""
        target = self.primary.query("SELECT pg_current_wal_lsn()::text")
        deadline = time.monotonic() + READY_WITHIN
        while not self.replica.query("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (target,)):
            if time.monotonic() > deadline:
                raise RuntimeError(f"The replica did not replay up to {target}")
            time.sleep(0.05)

    # --- Helpers ------------------------------------------------------------------------
    def _configure(self, server: Server) -> None:
        """Append our settings (later lines win), the port last: the replica copied the rest."""
        conf = Path(server.data) / "postgresql.conf"
        settings = SERVER_SETTINGS if server is self.primary else ""
        with conf.open("a") as file:
            file.write(f"{settings}\nport = {server.port}\n")

    def _own(self, path: Path) -> None:
        if os.geteuid() == 0:
            shutil.chown(path, "postgres", "postgres")

    def _as_postgres(self, *command: str) -> list[str]:
        return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else list(command)

    def _run(self, tool: str, *args: str) -> None:
        command = self._as_postgres(str(self.bin / tool), *args)
        # pg_ctl start leaves the server holding stdout: a pipe would never close.
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["start", "stop"])
    parser.add_argument("folder", type=Path)
    options = parser.parse_args(argv)
    pair = ReplicationPair(options.folder)
    if options.action == "start":
        pair.start()
        print(f"primary {pair.primary.url('postgres')} (log {pair.primary.log})")
        print(f"replica {pair.replica.url('postgres')} (log {pair.replica.log})")
    else:
        pair.stop()


if __name__ == "__main__":
    sys.exit(main())
