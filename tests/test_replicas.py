"""Reads scale out on a real streaming replica (medinfo/db_routing.py), proved server by server.

A private primary and a hot standby cloned from it with `pg_basebackup -R`
(medinfo/replication_pair.py: the one `.ci/run` starts and names in MEDINFO_REPLICATION_DIR,
or one of this module's own) carry a migrated database with the demo content. gunicorn
serves it with DATABASE_URL on the primary and DATABASE_REPLICA_URLS on the replica, as a
production box would. Both servers log every statement, so a request whose SQL carries a
word of its own (a search, an admin search, a login name) shows in the log of the server
that ran it: that is the proof of where each kind of request read.

The rules themselves (which request is a reader's, the signed cookie) are checked in-process
at the end, without servers.
"""

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
import time_machine
from django.conf import settings
from django.db import router
from django.http import HttpResponse

from medinfo.db_routing import (
    PRIMARY_COOKIE,
    ReplicaRoutingMiddleware,
    is_reader_request,
    mark_primary,
    wrote_recently,
)
from medinfo.replication_pair import ReplicationPair

BASE_DIR = Path(__file__).resolve().parent.parent
DATABASE = "medinfo_replicas"
EDITOR, EDITOR_PASSWORD = "replica-editor", "replica-editor-password-1"
PRIMARY_AFTER_WRITE = 60  # long enough that no slow machine sees the window close mid-test
READY_WITHIN = 60.0
ROUTING_MIDDLEWARE = f"{ReplicaRoutingMiddleware.__module__}.{ReplicaRoutingMiddleware.__name__}"


@dataclass
class Answer:
    status: int
    body: str
    cookies: dict[str, str] = field(default_factory=dict)
    max_ages: dict[str, str] = field(default_factory=dict)


@dataclass
class Site:
    """gunicorn on the pair, and the two servers' logs to see who ran what."""

    pair: ReplicationPair
    port: int

    def request(self, method: str, path: str, cookies=None, form=None) -> Answer:
        headers = {"Host": "127.0.0.1"}
        if cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        body = urlencode(form) if form is not None else None
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            answer = Answer(response.status, response.read().decode(errors="replace"))
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    answer.cookies[name] = morsel.value
                    answer.max_ages[name] = morsel["max-age"]
            return answer
        finally:
            connection.close()

    def get(self, path: str, cookies=None) -> Answer:
        return self.request("GET", path, cookies)

    def ran_on(self, token: str) -> set[str]:
        """The servers whose statement log holds this request's word."""
        servers = (self.pair.primary, self.pair.replica)
        return {server.name for server in servers if token in server.log_text()}


def token() -> str:
    """A word no other request sends: it marks one request's SQL in the server logs."""
    return f"rq{uuid.uuid4().hex[:12]}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def pair():
    """The pair .ci/run started, or a pair of our own for this module."""
    shared = os.environ.get("MEDINFO_REPLICATION_DIR", "").strip()
    if shared:
        yield ReplicationPair(Path(shared)).start()  # start() only restarts what is down
        return
    folder = Path(tempfile.mkdtemp(prefix="medinfo-replication-"))
    replication = ReplicationPair(folder)
    try:
        yield replication.start()
    finally:
        replication.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def site(pair, tmp_path_factory):
    """A fresh database with the demo and an editor, served by gunicorn on both servers."""
    pair.primary.query(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    pair.primary.query(f"CREATE DATABASE {DATABASE}")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "MEDINFO_", "REDIS_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="medinfo.settings",
        DJANGO_DEBUG="1",  # development static files: no collectstatic needed
        MEDINFO_ENV_FILE="",
        DATABASE_URL=pair.primary.url(DATABASE),
        DATABASE_REPLICA_URLS=pair.replica.url(DATABASE),
        DATABASE_PRIMARY_AFTER_WRITE_SECONDS=str(PRIMARY_AFTER_WRITE),
        DJANGO_SUPERUSER_USERNAME=EDITOR,
        DJANGO_SUPERUSER_EMAIL="editor@example.com",
        DJANGO_SUPERUSER_PASSWORD=EDITOR_PASSWORD,
    )
    manage = [sys.executable, "manage.py"]
    for command in (["migrate", "--noinput"], ["seed_demo"], ["createsuperuser", "--noinput"]):
        subprocess.run([*manage, *command], cwd=BASE_DIR, env=env, check=True, capture_output=True)
    pair.wait_until_caught_up()

    port = free_port()
    log = (tmp_path_factory.mktemp("gunicorn") / "gunicorn.log").open("w")
    gunicorn = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "medinfo.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", "1", "--worker-class", "gthread", "--threads", "2", "--no-control-socket"],
        cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    site = Site(pair, port)
    try:
        wait_until_serving(site, gunicorn, log.name)
        yield site
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        try:
            gunicorn.wait(timeout=30)
        except subprocess.TimeoutExpired:
            gunicorn.kill()
            gunicorn.wait()
        log.close()


def wait_until_serving(site: Site, gunicorn: subprocess.Popen, log: str) -> None:
    deadline = time.monotonic() + READY_WITHIN
    while True:
        if gunicorn.poll() is not None:
            pytest.fail(f"gunicorn exited: {Path(log).read_text()}")
        try:
            if site.get("/healthz").status == 200:
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"gunicorn did not answer: {Path(log).read_text()}")
        time.sleep(0.1)


def log_in(site: Site, username: str, password: str) -> Answer:
    """The admin's login form, as a browser sends it (CSRF token included)."""
    form_page = site.get("/admin/login/?next=/admin/")
    csrf = form_page.cookies["csrftoken"]
    field = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form_page.body)
    form = {"csrfmiddlewaretoken": field.group(1), "username": username, "password": password}
    return site.request("POST", "/admin/login/?next=/admin/", {"csrftoken": csrf}, form)


@pytest.fixture(scope="module")
def editor_session(site) -> str:
    answer = log_in(site, EDITOR, EDITOR_PASSWORD)
    assert answer.status == 302, answer.body
    return answer.cookies["sessionid"]


# --- Which server each kind of request used ----------------------------------------------


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_a_reader_page_reads_from_the_replica(site, method):
    word = token()
    answer = site.request(method, f"/search/?q={word}")
    assert answer.status == 200
    assert site.ran_on(word) == {"replica"}
    assert PRIMARY_COOKIE not in answer.cookies  # a reader's page stays cacheable


def test_a_missing_page_is_answered_from_the_replica_too(site):
    word = token()
    assert site.get(f"/drugs/{word}/").status == 404
    assert site.ran_on(word) == {"replica"}


def test_the_demo_pages_read_from_the_replica_have_the_content(site):
    answer = site.get("/drugs/baclofen/")
    assert answer.status == 200
    assert "Baclofen" in answer.body


def test_the_admin_reads_from_the_primary(site, editor_session):
    word = token()
    answer = site.get(f"/admin/drugs/drug/?q={word}", {"sessionid": editor_session})
    assert answer.status == 200
    assert site.ran_on(word) == {"primary"}


def test_a_post_uses_the_primary_and_keeps_that_client_on_it_for_a_few_seconds(site):
    word = token()
    answer = log_in(site, word, "not-the-password")  # a failed login: a POST all the same
    assert answer.status == 200
    assert site.ran_on(word) == {"primary"}
    assert answer.max_ages[PRIMARY_COOKIE] == str(PRIMARY_AFTER_WRITE)

    after_write = token()
    cookie = {PRIMARY_COOKIE: answer.cookies[PRIMARY_COOKIE]}
    assert site.get(f"/search/?q={after_write}", cookie).status == 200
    assert site.ran_on(after_write) == {"primary"}

    forged = token()
    assert site.get(f"/search/?q={forged}", {PRIMARY_COOKIE: "1:forged:cookie"}).status == 200
    assert site.ran_on(forged) == {"replica"}


def test_an_editor_reads_own_writes_from_the_primary_after_logging_in(site):
    answer = log_in(site, EDITOR, EDITOR_PASSWORD)
    assert answer.status == 302
    word = token()
    assert site.get(f"/search/?q={word}", answer.cookies).status == 200
    assert site.ran_on(word) == {"primary"}


def test_with_the_replica_down_the_primary_serves_reader_pages_until_it_is_back(site):
    warm = token()  # the app holds a connection to the replica, which its stop will break
    assert site.get(f"/search/?q={warm}").status == 200
    assert site.ran_on(warm) == {"replica"}

    site.pair.stop_server(site.pair.replica)
    try:
        for _ in range(4):  # both gunicorn threads, each with its broken connection, then none
            word = token()
            answer = site.get(f"/search/?q={word}")
            assert answer.status == 200
            assert site.ran_on(word) == {"primary"}
        assert site.get("/drugs/baclofen/").status == 200
    finally:
        site.pair.start_server(site.pair.replica)
        site.pair.wait_until_streaming()

    # The app tries the replica again by itself after a pause; no restart, no request fails.
    deadline = time.monotonic() + READY_WITHIN
    while True:
        word = token()
        assert site.get(f"/search/?q={word}").status == 200
        if site.ran_on(word) == {"replica"}:
            break
        assert site.ran_on(word) == {"primary"}
        assert time.monotonic() < deadline, "reader pages never went back to the replica"
        time.sleep(0.2)


# --- The rules, in-process -----------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/drugs/baclofen/", "/search/?q=spasms", "/sitemap.xml"])
def test_a_public_get_or_head_is_a_reader_request(rf, path):
    assert is_reader_request(rf.get(path))
    assert is_reader_request(rf.head(path))


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/admin/"),
        ("get", "/admin/drugs/drug/"),
        ("get", "/markdownx/markdownify/"),
        ("get", "/preview/articles/1/"),
        ("post", "/search/"),
        ("put", "/drugs/baclofen/"),
        ("options", "/"),
    ],
)
def test_editor_urls_and_other_methods_are_not_reader_requests(rf, method, path):
    assert not is_reader_request(getattr(rf, method)(path))


def primary_cookie_value(settings) -> str:
    response = HttpResponse()
    mark_primary(response)
    cookie = response.cookies[PRIMARY_COOKIE]
    assert cookie["max-age"] == settings.DATABASE_PRIMARY_AFTER_WRITE_SECONDS
    assert cookie["httponly"]
    return cookie.value


def test_a_client_that_wrote_reads_from_the_primary_until_its_cookie_expires(rf, settings):
    settings.DATABASE_PRIMARY_AFTER_WRITE_SECONDS = 3
    with time_machine.travel("2026-01-05 10:00:00Z", tick=False) as traveller:
        request = rf.get("/drugs/baclofen/")
        request.COOKIES[PRIMARY_COOKIE] = primary_cookie_value(settings)
        assert wrote_recently(request) and not is_reader_request(request)
        traveller.shift(4)
        assert not wrote_recently(request) and is_reader_request(request)


def test_a_forged_primary_cookie_does_not_count(rf):
    request = rf.get("/drugs/baclofen/")
    request.COOKIES[PRIMARY_COOKIE] = "1:forged:signature"
    assert not wrote_recently(request)


def test_the_routing_middleware_runs_before_anything_that_reads_the_database():
    middleware = settings.MIDDLEWARE
    assert ROUTING_MIDDLEWARE in middleware
    position = middleware.index(ROUTING_MIDDLEWARE)
    for reader in (
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
    ):
        assert position < middleware.index(reader), reader


def test_the_router_is_on_and_replicas_never_migrate():
    assert settings.DATABASE_ROUTERS == ["medinfo.db_routing.ReplicaRouter"]
    assert router.allow_migrate("default", "drugs")
    assert not router.allow_migrate("replica_1", "drugs")
