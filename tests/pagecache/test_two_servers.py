"""Two production servers, one database: a publish reaches both within the promised second.

Each server is gunicorn with production settings and two workers, on a port of its own;
with ``REDIS_URL`` they share one Redis (a private redis-server), without it each worker
keeps its own pages in memory. Either way the content version in the database tells them
all when a page is out of date. Both runs of CI repeat this on the embedded PostgreSQL and
on the machine's server.
"""

import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from articles import workflow
from medinfo.loadtest import free_port
from tests import factories

BASE_DIR = Path(settings.BASE_DIR)
DELAY = 1.0  # MEDINFO_PAGE_CACHE_DELAY of the servers: the promise under test
ARTICLE = "/drugs/baclofen/baclofen-uses/"


def fetch(port: int, path: str) -> tuple[int, str, dict]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


def wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"gave up waiting for {what}")


def live_database_url() -> str:
    """The test database as a URL, on a TCP server or the embedded one's socket folder."""
    db = connection.settings_dict
    user, name = quote(db["USER"]), quote(db["NAME"])
    if socket_folder := db.get("OPTIONS", {}).get("host"):
        return f"postgres://{user}@/{name}?host={quote(socket_folder)}"
    return f"postgres://{user}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def start_redis(stack: ExitStack) -> str:
    if not shutil.which("redis-server"):
        pytest.fail("redis-server is missing: apt-get install -y redis-server (never skipped)")
    port = free_port()
    process = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
    )
    stack.callback(stop, process)
    wait_for(lambda: _answers(port), 10, "redis-server")
    return f"redis://127.0.0.1:{port}/0"


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def start_gunicorn(stack: ExitStack, redis_url: str) -> int:
    port = free_port()
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "MEDINFO_", "DATABASE_", "REDIS_"))
    }
    env = inherited | {
        "DJANGO_SETTINGS_MODULE": "medinfo.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": f"test-only-{secrets.token_urlsafe(32)}",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": live_database_url(),
        "REDIS_URL": redis_url,
        "MEDINFO_PAGE_CACHE_DELAY": str(DELAY),
    }
    log = stack.enter_context(tempfile.TemporaryFile())
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "medinfo.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "--graceful-timeout", "2", "--no-control-socket"],
        cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    stack.callback(stop, process)
    try:
        wait_for(lambda: _served(port), 30, "gunicorn")
    except AssertionError:
        log.seek(0)
        raise AssertionError(log.read().decode()[-3000:]) from None
    return port


def _served(port: int) -> bool:
    try:
        return fetch(port, "/robots.txt")[0] == 200
    except OSError:
        return False


def stop(process: subprocess.Popen):
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture
def published_article(transactional_db):
    drug = factories.DrugFactory(slug="baclofen", name="Baclofen")
    return factories.ArticleFactory(
        drug=drug, slug="baclofen-uses", title="What Is Baclofen Used For?"
    )


def titles_everywhere(ports: list[int], rounds: int = 4) -> set[str]:
    """The article's title as every worker of every server answers it (several rounds)."""
    seen = set()
    for _ in range(rounds):
        for port in ports:
            status, body, _ = fetch(port, ARTICLE)
            assert status == 200, (port, status)
            seen.add(body.split("<h1", 1)[1].split(">", 1)[1].split("<", 1)[0].strip())
    return seen


@pytest.mark.parametrize("shared_redis", [True, False], ids=["shared-redis", "per-process"])
def test_a_publish_reaches_every_server_within_the_delay(published_article, shared_redis):
    with ExitStack() as stack:
        redis_url = start_redis(stack) if shared_redis else ""
        ports = [start_gunicorn(stack, redis_url), start_gunicorn(stack, redis_url)]

        assert titles_everywhere(ports) == {"What Is Baclofen Used For?"}
        second = fetch(ports[1], ARTICLE)[2]
        assert second.get("X-Page-Cache") == "cache"  # warm: the change must beat a cache

        published_article.title = "Baclofen: What It Treats"
        published_article.save()
        workflow.record_review(published_article, reviewer_name="Ann Lee, MD")
        workflow.publish(published_article)  # committed: the servers see it
        published = time.monotonic()
        # Within the delay a worker may still show the page it had; after it, none may.
        time.sleep(max(0.0, published + DELAY - time.monotonic()))
        assert titles_everywhere(ports, rounds=8) == {"Baclofen: What It Treats"}


def test_with_the_shared_redis_down_pages_are_still_served(published_article):
    with ExitStack() as stack:
        redis_stack = stack.enter_context(ExitStack())
        port = start_gunicorn(stack, start_redis(redis_stack))
        assert fetch(port, ARTICLE)[0] == 200
        redis_stack.close()  # redis-server stopped
        for _ in range(6):
            status, body, headers = fetch(port, ARTICLE)
            assert status == 200 and "What Is Baclofen Used For?" in body
            assert headers.get("X-Page-Cache") is None  # rendered: nothing to read from
