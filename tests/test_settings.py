"""Deployment settings: safe production defaults, loud failures, and the security headers.

Production settings are read in subprocesses with a clean environment, because the test
process itself runs with the development settings (medinfo/settings_test.py).
"""

import json
import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import RequestFactory

from medinfo.settings import client_ip_behind_proxy

# Settings that only inspect configuration never connect: any well-formed URL will do.
UNUSED_DATABASE_URL = "postgres://nobody@127.0.0.1:9/unused"
PRODUCTION_SETTINGS = [
    "DEBUG",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_SAMESITE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "X_FRAME_OPTIONS",
    "ALLOWED_HOSTS",
]


def secret_key() -> str:
    return secrets.token_urlsafe(40)[:50]


def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    """Run Python in the project with only the variables given (plus PATH and HOME)."""
    clean = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "MEDINFO_ENV_FILE": "",  # a developer's .env must not leak into production settings
        **env,
    }
    return subprocess.run(
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_settings(**env: str) -> dict:
    env = {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secret_key(),
        "DATABASE_URL": UNUSED_DATABASE_URL,
        **env,
    }
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        f"print(json.dumps({{n: getattr(settings, n) for n in {PRODUCTION_SETTINGS!r}}}))"
    )
    result = run(["-c", code], DJANGO_SETTINGS_MODULE="medinfo.settings", **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_check_deploy_is_clean_with_production_settings():
    env = {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secret_key(),
        "DJANGO_ALLOWED_HOSTS": "example.com",
    }
    if os.environ.get("DATABASE_URL", "").strip():
        env["DATABASE_URL"] = os.environ["DATABASE_URL"]  # else the embedded server, shared
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr


@pytest.mark.parametrize("debug", [None, "0", "false", "off", "nonsense"])
@pytest.mark.parametrize("key", [None, "", "   "])
def test_production_without_a_secret_key_fails_loudly(debug, key):
    env = {"DATABASE_URL": UNUSED_DATABASE_URL}
    if debug is not None:
        env["DJANGO_DEBUG"] = debug
    if key is not None:
        env["DJANGO_SECRET_KEY"] = key
    result = run(["manage.py", "check"], **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_settings_are_secure_by_default():
    values = production_settings(DJANGO_ALLOWED_HOSTS="example.com, www.example.com")
    assert values == {
        "DEBUG": False,
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_SAMESITE": "Lax",
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31_536_000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "X_FRAME_OPTIONS": "DENY",
        "ALLOWED_HOSTS": ["example.com", "www.example.com"],
    }


def test_production_allows_no_host_unless_told():
    assert production_settings()["ALLOWED_HOSTS"] == []


def test_an_empty_hsts_variable_keeps_the_default():
    assert production_settings(DJANGO_HSTS_SECONDS="")["SECURE_HSTS_SECONDS"] == 31_536_000


def test_an_empty_database_url_counts_as_unset():
    code = (
        "import json; from medinfo import settings; "
        "db = settings.DATABASES['default']; print(json.dumps([db['HOST'], db['NAME']]))"
    )
    unset = run(["-c", code], DJANGO_DEBUG="1")
    empty = run(["-c", code], DJANGO_DEBUG="1", DATABASE_URL="")
    blank = run(["-c", code], DJANGO_DEBUG="1", DATABASE_URL="  ")
    assert unset.returncode == empty.returncode == blank.returncode == 0, empty.stderr
    assert json.loads(empty.stdout) == json.loads(unset.stdout) == json.loads(blank.stdout)
    assert json.loads(unset.stdout)[1] == "medinfo"


def test_a_database_other_than_postgresql_is_refused():
    result = run(["-c", "import medinfo.settings"], DJANGO_DEBUG="1", DATABASE_URL="sqlite:///x.db")
    assert result.returncode != 0
    assert "PostgreSQL only" in result.stderr


@pytest.mark.django_db
def test_responses_carry_the_security_headers(client):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    policy = {
        name: values
        for name, *values in (
            part.split() for part in response.headers["Content-Security-Policy"].split(";")
        )
    }
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert "'unsafe-inline'" not in policy["script-src"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_login_throttling_behind_a_proxy_uses_the_address_the_proxy_saw():
    request = RequestFactory().post(
        "/admin/login/",
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7",
    )
    assert client_ip_behind_proxy(request) == "203.0.113.7"
    assert client_ip_behind_proxy(RequestFactory().get("/", REMOTE_ADDR="10.0.0.2")) == ("10.0.0.2")


def test_behind_a_proxy_https_and_client_addresses_come_from_its_headers():
    code = (
        "import django; from django.conf import settings; django.setup(); "
        "print(settings.SECURE_PROXY_SSL_HEADER, settings.AXES_CLIENT_IP_CALLABLE.__name__)"
    )
    env = {"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": secret_key()}
    result = run(
        ["-c", code],
        DJANGO_SETTINGS_MODULE="medinfo.settings",
        DATABASE_URL=UNUSED_DATABASE_URL,
        DJANGO_BEHIND_TLS_PROXY="1",
        **env,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
        "client_ip_behind_proxy",
    ]


PRINT_DEBUG = "from django.conf import settings; print(settings.DEBUG, settings.ALLOWED_HOSTS)"


def development_env_file(tmp_path) -> str:
    env_file = tmp_path / "left-behind.env"
    env_file.write_text("# development\nDJANGO_DEBUG=1\nDJANGO_ALLOWED_HOSTS=localhost\n")
    return str(env_file)


def test_manage_py_fills_unset_variables_from_a_development_env_file(tmp_path):
    result = run(
        ["manage.py", "shell", "-c", PRINT_DEBUG],
        MEDINFO_ENV_FILE=development_env_file(tmp_path),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=UNUSED_DATABASE_URL,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "True ['127.0.0.1']"  # the environment wins


def test_gunicorn_never_reads_a_development_env_left_in_a_deployed_tree(tmp_path):
    code = "import medinfo.wsgi; " + PRINT_DEBUG
    result = run(
        ["-c", code],
        MEDINFO_ENV_FILE=development_env_file(tmp_path),
        DJANGO_SECRET_KEY=secret_key(),
        DJANGO_ALLOWED_HOSTS="medinfo.example",
        DATABASE_URL=UNUSED_DATABASE_URL,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False ['medinfo.example']"


def test_manage_py_in_production_ignores_a_development_env(tmp_path):
    result = run(
        ["manage.py", "shell", "-c", PRINT_DEBUG],
        DJANGO_ENV="production",
        MEDINFO_ENV_FILE=development_env_file(tmp_path),
        DJANGO_SECRET_KEY=secret_key(),
        DJANGO_ALLOWED_HOSTS="medinfo.example",
        DATABASE_URL=UNUSED_DATABASE_URL,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "False ['medinfo.example']"


@pytest.mark.parametrize("hosts", ["medinfo.example", "localhost,www.medinfo.example", "*"])
def test_debug_with_a_public_host_name_refuses_to_start(tmp_path, hosts):
    """A deployed tree with the development .env, and no DJANGO_ENV: DEBUG never serves."""
    result = run(
        ["manage.py", "check"],
        MEDINFO_ENV_FILE=development_env_file(tmp_path),
        DJANGO_ALLOWED_HOSTS=hosts,
        DATABASE_URL=UNUSED_DATABASE_URL,
    )
    assert result.returncode != 0
    assert "DJANGO_DEBUG is on with public host names" in result.stderr


def test_the_client_address_is_as_many_entries_from_the_end_as_we_have_proxies():
    request = RequestFactory().post(
        "/admin/login/",
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.9, 203.0.113.7",
    )
    assert client_ip_behind_proxy(request, proxies=1) == "203.0.113.7"
    assert client_ip_behind_proxy(request, proxies=2) == "198.51.100.9"
    assert client_ip_behind_proxy(request, proxies=5) == "6.6.6.6"
