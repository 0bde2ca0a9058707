"""Fault injection for the embedded PostgreSQL (medinfo/embedded_db.py).

Commands sharing the embedded server start together and are SIGKILLed at random moments;
so are the process that started the server and the server itself; the wheel's pid file is
emptied or filled with garbage between rounds. Whatever happened, the next plain
`manage.py check` must work, at most one postmaster may run on the data directory, and
every committed row must still be there.

MEDINFO_FAULT_ROUNDS sets the number of rounds (default 4: one of each fault, 25 to 50 s
on two cores); MEDINFO_FAULT_SEED replays a run. Every test has its own data directory
under tmp_path, never the repository's .data/, and stops every server it started.
"""

import json
import os
import random
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = int(os.environ.get("MEDINFO_FAULT_ROUNDS") or 4)
SEED = int(os.environ.get("MEDINFO_FAULT_SEED") or random.randrange(1_000_000))
FAULTS = ["kill_commands", "kill_starter", "damage_pid_file", "kill_postmaster"]
DAMAGED_PID_FILES = ["", "{not json", "[12, 3", "null", '{"pid": 1}']

SHELL = ("shell", "--no-imports", "-c")
SQL = "from django.db import connection\nc = connection.cursor()\n"
CREATE = SQL + (
    "c.execute('CREATE TABLE fault_probe (round int, slot int, PRIMARY KEY (round, slot))')\n"
    "c.execute('INSERT INTO fault_probe VALUES (0, 0)')"
)
READ = (
    "import json\n"
    + SQL
    + "c.execute('SELECT round, slot FROM fault_probe')\nprint(json.dumps(c.fetchall()))"
)
INSERT = SQL + "c.execute('INSERT INTO fault_probe VALUES ({}, {})')\nprint('written', flush=True)"
HOLD = INSERT + "\nimport time\ntime.sleep(60)"


def _env(data_dir: Path) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": "", "MEDINFO_EMBEDDED_DIR": str(data_dir)}
    env.update(DJANGO_DEBUG="1", DJANGO_SETTINGS_MODULE="medinfo.settings", MEDINFO_ENV_FILE="")
    env.pop("MEDINFO_DB_NAME", None)
    return env


def _start(data_dir: Path, *args: str) -> subprocess.Popen:
    command = [sys.executable, "manage.py", *args]
    return subprocess.Popen(
        command, cwd=ROOT, env=_env(data_dir), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def _manage(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "manage.py", *args]
    return subprocess.run(
        command, cwd=ROOT, env=_env(data_dir), capture_output=True, text=True, timeout=180
    )


def _shell(data_dir: Path, code: str) -> str:
    done = _manage(data_dir, *SHELL, code)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _rows(data_dir: Path) -> set[tuple[int, int]]:
    return {tuple(row) for row in json.loads(_shell(data_dir, READ).strip().splitlines()[-1])}


def _postmasters(data_dir: Path) -> list[psutil.Process]:
    """Servers on data_dir; a freshly forked backend wears its postmaster's command line."""
    found = {
        proc.pid: proc
        for proc in psutil.process_iter(["name", "cmdline", "status", "ppid"])
        if proc.info["name"] == "postgres"
        and proc.info["status"] != psutil.STATUS_ZOMBIE
        and (proc.info["cmdline"] or [])[1:3] == ["-D", str(data_dir)]
    }
    return [proc for proc in found.values() if proc.info["ppid"] not in found]


def _wait_for_line(proc: subprocess.Popen, timeout: float = 60) -> bytes:
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    assert ready, "the command printed nothing in time"
    return proc.stdout.readline()


def _stop_everything(data_dir: Path, commands: list[subprocess.Popen]) -> None:
    """Kill our commands, then stop the server by PID.

    The wheel runs PostgreSQL as its own system user and stops it with pg_ctl, which sends
    SIGINT (a fast shutdown); signalling the postmaster's PID does the same and needs no
    pg_ctl. A pg_ctl or initdb orphaned by a killed command is left to finish first.
    """
    for proc in commands:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        tools = [
            proc
            for proc in psutil.process_iter(["name", "cmdline", "status"])
            if proc.info["name"] in {"pg_ctl", "initdb"}
            and proc.info["status"] != psutil.STATUS_ZOMBIE
            and str(data_dir) in (proc.info["cmdline"] or [])
        ]
        servers = _postmasters(data_dir)
        if not tools and not servers:
            return
        for proc in servers:
            proc.send_signal(signal.SIGINT)
        psutil.wait_procs(tools + servers, timeout=5)
    for proc in _postmasters(data_dir):
        proc.kill()


@pytest.fixture
def data_dir(tmp_path):
    path = tmp_path / "pg"
    yield path
    _stop_everything(path, [])


@pytest.fixture
def commands(data_dir):
    """Every command a test starts in the background, killed at the end if still running."""
    started: list[subprocess.Popen] = []
    yield started
    _stop_everything(data_dir, started)


def _assert_sound(data_dir: Path, committed: set[tuple[int, int]], context: str) -> None:
    check = _manage(data_dir, "check")
    log = (data_dir / "log").read_text()[-3000:] if (data_dir / "log").exists() else ""
    assert check.returncode == 0, f"{context}: check failed\n{check.stderr[-3000:]}\n{log}"
    assert len(_postmasters(data_dir)) <= 1, f"{context}: two postmasters"
    missing = committed - _rows(data_dir)
    assert not missing, f"{context}: lost rows {sorted(missing)}"


def _dead_pids(count: int) -> list[int]:
    pids = []
    for _ in range(count):
        proc = subprocess.Popen(["true"])
        proc.wait()
        pids.append(proc.pid)
    return pids


def test_next_command_rebuilds_an_empty_or_garbage_pid_file(data_dir):
    _shell(data_dir, CREATE)
    pid_file = data_dir / ".handle_pids.json"
    for damage in [*DAMAGED_PID_FILES, json.dumps(_dead_pids(3))]:
        pid_file.write_text(damage)
        check = _manage(data_dir, "check")
        assert check.returncode == 0, f"pid file {damage!r}: {check.stderr[-3000:]}"
    assert _rows(data_dir) == {(0, 0)}
    assert _postmasters(data_dir) == [], "the last command left the server running"


def test_the_last_of_commands_exiting_together_stops_the_server(data_dir, commands):
    _shell(data_dir, CREATE)
    commands.extend(_start(data_dir, "check") for _ in range(4))
    assert [proc.wait(180) for proc in commands] == [0, 0, 0, 0]
    assert _postmasters(data_dir) == []


def test_a_stale_postmaster_pid_does_not_block_a_start(data_dir, commands):
    _shell(data_dir, CREATE)
    holder = _start(data_dir, *SHELL, HOLD.format(1, 1))
    commands.append(holder)
    assert _wait_for_line(holder) == b"written\n"
    record = (data_dir / "postmaster.pid").read_text().splitlines()
    (postmaster,) = _postmasters(data_dir)
    postmaster.kill()
    holder.kill()
    # Straight away: the killed postmaster may still be a zombie, its backends still exiting.
    _assert_sound(data_dir, {(0, 0), (1, 1)}, "postmaster SIGKILLed")

    # A stale file whose PID now belongs to an unrelated process (after a reboot, say).
    stranger = subprocess.Popen(["sleep", "60"])
    try:
        record[0] = str(stranger.pid)
        (data_dir / "postmaster.pid").write_text("\n".join(record) + "\n")
        socket_lock = Path(record[4]) / f".s.PGSQL.{record[3]}.lock"
        socket_lock.write_text(f"{stranger.pid}\n")
        _assert_sound(data_dir, {(0, 0), (1, 1)}, "postmaster.pid naming a live stranger")
    finally:
        stranger.kill()
        stranger.wait()


def _run_round(data_dir, rng, number, commands, committed) -> dict:
    """One round of concurrent commands and faults; returns what happened to each command."""
    fault = FAULTS[number - 1] if number <= len(FAULTS) else rng.choice(FAULTS)
    if fault == "damage_pid_file":
        damage = rng.choice([*DAMAGED_PID_FILES, json.dumps(_dead_pids(2))])
        (data_dir / ".handle_pids.json").write_text(damage)
    victims, events = [], []
    if fault == "kill_starter":
        starter = _start(data_dir, *SHELL, HOLD.format(number, 99))
        commands.append(starter)
        assert _wait_for_line(starter) == b"written\n", "the starter could not write"
        committed.add((number, 99))
        victims.append(starter)
        events.append((rng.uniform(0, 2), starter.kill))
    slots = []
    for slot in range(5):
        kind = rng.choice(["check", "insert", "read"])
        code = {"insert": INSERT.format(number, slot), "read": READ}.get(kind)
        proc = _start(data_dir, "check") if kind == "check" else _start(data_dir, *SHELL, code)
        commands.append(proc)
        slots.append((slot, kind, proc))
    for _slot, _kind, proc in rng.sample(slots, rng.randint(1, 3)):
        victims.append(proc)
        events.append((rng.uniform(0, 3), proc.kill))
    if fault == "kill_postmaster":
        events.append((rng.uniform(0.5, 3), lambda: [p.kill() for p in _postmasters(data_dir)]))

    began, most_postmasters = time.monotonic(), 0
    for moment, action in sorted(events, key=lambda event: event[0]):
        while time.monotonic() - began < moment:
            most_postmasters = max(most_postmasters, len(_postmasters(data_dir)))
            time.sleep(0.05)
        action()
    while any(proc.poll() is None for _slot, _kind, proc in slots):
        assert time.monotonic() - began < 180, "a command hung"
        most_postmasters = max(most_postmasters, len(_postmasters(data_dir)))
        time.sleep(0.05)

    outcome = {"fault": fault, "ok": 0, "killed": 0, "failed": []}
    for slot, kind, proc in slots:
        _out, err = proc.communicate()
        if proc in victims and proc.returncode == -signal.SIGKILL:
            outcome["killed"] += 1
        elif proc.returncode == 0:
            outcome["ok"] += 1
            if kind == "insert":
                committed.add((number, slot))
        else:
            outcome["failed"].append((kind, err.decode()[-1500:]))
    assert most_postmasters <= 1, f"round {number}: two postmasters at once"
    return outcome


def test_killed_and_concurrent_commands_never_break_the_embedded_database(data_dir, commands):
    rng = random.Random(SEED)
    _shell(data_dir, CREATE)
    committed = {(0, 0)}
    outcomes = []
    for number in range(1, ROUNDS + 1):
        started = time.monotonic()
        outcome = _run_round(data_dir, rng, number, commands, committed)
        context = f"seed {SEED}, round {number} ({outcome['fault']})"
        _assert_sound(data_dir, committed, context)
        outcome["seconds"] = round(time.monotonic() - started, 1)
        outcomes.append(outcome)
        failed = [kind for kind, _err in outcome["failed"]]
        print(f"seed {SEED} round {number}: {outcome | {'failed': failed}}", flush=True)
        # Another command's death must not fail a command, unless the server itself died.
        if outcome["fault"] != "kill_postmaster":
            assert not outcome["failed"], f"{context}: {outcome['failed']}"
