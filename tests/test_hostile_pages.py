"""Hostile inputs (../shared/HOSTILE-INPUTS.md) as readers would meet them on whole pages.

The sanitiser's own cases live in tests/articles/test_markup.py; here the question is what
the served page does: the disclaimer stays visible, public pages carry no per-request
nonce (so a shared cache can never hand one reader's nonce to another), security headers
are on every public page, production cookies are locked down, uploads are served as what
they are.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.contrib.auth.models import Permission

from articles.models import SiteSettings
from tests import factories
from tests.articles.test_editor_endpoints import image_bytes, upload

pytestmark = pytest.mark.django_db

HOSTILE_BODY = (
    "## Dose\n\n<style>.disclaimer{display:none}</style>\n\n"
    '<div id="disclaimer" style="position:fixed;top:0">Fake disclaimer</div>\n\n'
    "Take it with food."
)


@pytest.fixture
def hostile_article():
    SiteSettings.objects.update_or_create(
        pk=1, defaults={"disclaimer": "This site does not give medical advice."}
    )
    return factories.ArticleFactory(title="Dosage", slug="dosage", body=HOSTILE_BODY)


def public_urls(article) -> list[str]:
    return [
        "/",
        "/drugs/",
        article.drug.get_absolute_url(),
        article.get_absolute_url(),
        "/search/?q=dose",
        "/no-such-page/",
    ]


def test_style_tag_and_fake_disclaimer_id_in_a_body_leave_the_disclaimer_visible(
    client, hostile_article
):
    page = BeautifulSoup(client.get(hostile_article.get_absolute_url()).content, "html.parser")

    assert page.find("style") is None
    assert not page.select("main [style]")
    assert [e.get_text(" ", strip=True) for e in page.select("#disclaimer")] != []
    assert len(page.select("[id=disclaimer]")) <= 1
    assert "Fake disclaimer" not in " ".join(e.get_text() for e in page.select("#disclaimer"))
    footer = page.select_one("footer.site-footer").get_text(" ", strip=True)
    assert "does not give medical advice" in footer


def test_public_pages_carry_no_csp_nonce_so_a_shared_cache_never_shares_one(
    client, hostile_article
):
    for url in public_urls(hostile_article):
        first, second = client.get(url), client.get(url)
        policy = first.headers["Content-Security-Policy"]

        assert "nonce-" not in policy, url
        assert "nonce=" not in first.content.decode(), url
        if "public" in first.headers.get("Cache-Control", ""):
            assert first.headers["ETag"] == second.headers["ETag"], url
    article = client.get(hostile_article.get_absolute_url())
    assert "public" in article.headers["Cache-Control"]


def test_every_public_page_carries_the_security_headers(client, hostile_article):
    for url in public_urls(hostile_article):
        response = client.get(url)
        policy = {
            name: values
            for name, *values in (
                part.split() for part in response.headers["Content-Security-Policy"].split(";")
            )
        }
        assert response.headers["X-Content-Type-Options"] == "nosniff", url
        assert response.headers["X-Frame-Options"] == "DENY", url
        assert policy["frame-ancestors"] == ["'none'"], url
        assert policy["object-src"] == ["'none'"], url
        assert policy["base-uri"] == ["'none'"], url
        assert "'unsafe-inline'" not in policy.get("script-src", []), url


def in_production(code: str) -> str:
    """Run ``code`` under production settings in a process of its own; its last line."""
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "MEDINFO_ENV_FILE": "",
        "DJANGO_SETTINGS_MODULE": "medinfo.settings",
        "DJANGO_SECRET_KEY": "a-test-only-secret-key-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:9/unused",  # these pages need none
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()[-1]


def test_production_https_responses_send_hsts_and_locked_down_cookies():
    seen = json.loads(
        in_production(
            "import json, django; django.setup(); from django.test import Client; "
            "page = Client().get('/admin/login/', secure=True); "
            "cookies = {n: {k: str(v) for k, v in m.items() if v} "
            "for n, m in page.cookies.items()}; "
            "print(json.dumps({'hsts': page.headers.get('Strict-Transport-Security'), "
            "'cookies': cookies}))"
        )
    )

    assert re.fullmatch(r"max-age=31536000; includeSubDomains; preload", seen["hsts"])
    csrf = seen["cookies"]["csrftoken"]
    assert csrf["secure"] == "True" and csrf["samesite"] == "Lax"


def test_session_cookie_settings_are_secure_httponly_and_samesite_in_production():
    """The session cookie appears only after a login; its flags come from these settings."""
    flags = in_production(
        "import json, django; from django.conf import settings as s; django.setup(); "
        "print(json.dumps([s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
        "s.SESSION_COOKIE_SAMESITE]))"
    )
    assert json.loads(flags) == [True, True, "Lax"]


def test_png_header_followed_by_script_is_served_as_image_png_with_nosniff(client):
    editor = factories.UserFactory(is_staff=True, username="uploader")
    editor.user_permissions.add(Permission.objects.get(codename="change_article"))
    client.force_login(editor)
    response = upload(client, image_bytes() + b"<script>alert(1)</script>", name="x.html")
    assert response.status_code == 200, response.content
    url = re.search(r"\((/media/[^)]+)\)", json.loads(response.content)["image_code"]).group(1)
    stored = Path(settings.MEDIA_ROOT) / url.removeprefix(settings.MEDIA_URL)
    try:
        served = client.get(url)
        body = b"".join(served.streaming_content)

        assert served.status_code == 200
        assert served.headers["Content-Type"] == "image/png"
        assert served.headers["X-Content-Type-Options"] == "nosniff"
        assert stored.suffix == ".png" and b"<script>" not in body
    finally:
        stored.unlink(missing_ok=True)
