"""`make run` serves like production: the site's own error pages, whitenoise, DEBUG off.

The server is started exactly as `make run` starts it (python -m medinfo.serve: migrate,
seed_demo, collectstatic, then gunicorn with medinfo/gunicorn_conf.py) on a private embedded
PostgreSQL in a temporary folder, from a shell that has DJANGO_DEBUG=1 and a development
env file: neither may turn DEBUG on. Stopped by its PID at the end, the way Ctrl-C does.
"""

import http.client
import os
import re
import signal
import subprocess
import sys
from http.cookies import SimpleCookie

import pytest
from bs4 import BeautifulSoup
from django.conf import settings

from medinfo import gunicorn_conf, serve
from medinfo.loadtest import free_port, wait_until
from tests.test_settings import UNUSED_DATABASE_URL, production_settings, run


def get(port: int, path: str) -> tuple[int, dict[str, str], str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        headers = {name.lower(): value for name, value in response.getheaders()}
        return response.status, headers, response.read().decode()
    finally:
        connection.close()


def answers(port: int) -> bool:
    try:
        return get(port, "/robots.txt")[0] == 200
    except OSError:
        return False


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """`make run`'s server on a free port; yields (port, the folder holding its data)."""
    folder = tmp_path_factory.mktemp("make-run")
    env_file = folder / ".env"
    env_file.write_text("DJANGO_DEBUG=1\n")
    port = free_port()
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_DEBUG": "1",  # a developer's shell
        "MEDINFO_ENV_FILE": str(env_file),  # and a development .env in the tree
        "DATABASE_URL": "",
        "MEDINFO_EMBEDDED_DIR": str(folder / "postgres"),
        "MEDINFO_SECRET_KEY_FILE": str(folder / "secret_key"),
    }
    with open(folder / "serve.log", "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "medinfo.serve", "--port", str(port)],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, as `make run` has in a terminal
        )
    try:
        wait_until(lambda: answers(port), 240, process)
        yield port, folder
    finally:
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C sends to `make run`
        process.wait(30)
    assert not (folder / "postgres" / "postmaster.pid").exists(), "embedded server left running"


def test_a_missing_page_is_the_sites_own_404_with_footer_and_disclaimer(served):
    status, _, body = get(served[0], "/no-such-page/")
    assert status == 404
    soup = BeautifulSoup(body, "html.parser")
    assert soup.find("h1").get_text() == "Page not found"
    assert "does not provide medical advice" in soup.find("footer").find(class_="disclaimer").text
    assert "URLconf" not in body and "DEBUG" not in body  # not Django's debug page


def test_pages_and_their_stylesheet_are_served_by_gunicorn_and_whitenoise(served):
    port = served[0]
    status, headers, body = get(port, "/drugs/baclofen/")
    assert status == 200 and headers["server"].startswith("gunicorn")
    stylesheets = re.findall(r'href="(/static/css/[^"]+\.[0-9a-f]{12}\.css)"', body)
    assert stylesheets, "no hashed stylesheet: the manifest storage of production is missing"
    status, headers, _ = get(port, stylesheets[0])
    assert status == 200 and headers["content-type"].startswith("text/css")
    assert "immutable" in headers["cache-control"]  # whitenoise, for a hashed name


def test_the_admin_login_page_works_over_plain_http(served):
    status, headers, body = get(served[0], "/admin/login/")
    assert status == 200 and 'name="csrfmiddlewaretoken"' in body
    cookie = SimpleCookie(headers["set-cookie"])["csrftoken"]
    assert not cookie["secure"]  # a Secure cookie never comes back over http://127.0.0.1
    assert "strict-transport-security" not in headers


def test_the_secret_key_is_generated_once_and_readable_by_its_owner_only(served):
    key_file = served[1] / "secret_key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert serve.secret_key(key_file) == key_file.read_text().strip()
    assert len(key_file.read_text().strip()) >= 50


def test_a_secret_key_file_is_created_once_and_then_only_read(tmp_path):
    key_file = tmp_path / "data" / "secret_key"
    first = serve.secret_key(key_file)
    assert serve.secret_key(key_file) == first
    assert key_file.stat().st_mode & 0o777 == 0o600


def test_a_damaged_secret_key_file_stops_the_server_with_its_name(tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text("short\n")
    with pytest.raises(SystemExit, match=str(key_file)):
        serve.secret_key(key_file)


def test_the_production_environment_overrides_a_developers_debug(tmp_path):
    env = serve.production_env(
        8123,
        {"DJANGO_DEBUG": "1", "MEDINFO_SECRET_KEY_FILE": str(tmp_path / "k"), "X": "kept"},
    )
    assert env["DJANGO_DEBUG"] == "0" and env["DJANGO_ENV"] == "production"
    assert env["MEDINFO_BIND"] == "127.0.0.1:8123" and env["X"] == "kept"


def test_workers_follow_the_cores_and_stay_under_the_cap():
    cores = len(os.sched_getaffinity(0))
    assert gunicorn_conf.default_workers() == min(2 * cores + 1, gunicorn_conf.MAX_WORKERS)
    assert gunicorn_conf.control_socket_disable  # no shared ~/.gunicorn/gunicorn.ctl


def test_local_http_turns_off_only_the_https_settings():
    local = production_settings(DJANGO_LOCAL_HTTP="1", DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost")
    assert local["DEBUG"] is False
    assert not local["SESSION_COOKIE_SECURE"] and not local["CSRF_COOKIE_SECURE"]
    assert not local["SECURE_SSL_REDIRECT"] and local["SECURE_HSTS_SECONDS"] == 0
    assert local["SESSION_COOKIE_HTTPONLY"] and local["X_FRAME_OPTIONS"] == "DENY"


def test_local_http_with_a_public_host_name_refuses_to_start():
    result = run(
        ["-c", "import django; django.setup()"],
        DJANGO_SETTINGS_MODULE="medinfo.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="x" * 50,
        DJANGO_LOCAL_HTTP="1",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,medinfo.example",
        DATABASE_URL=UNUSED_DATABASE_URL,
    )
    assert result.returncode != 0
    assert "DJANGO_LOCAL_HTTP serves plain HTTP" in result.stderr
