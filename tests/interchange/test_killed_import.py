"""An import killed halfway (SIGKILL, no chance to clean up) leaves the database as it was."""

import json
import os
import signal
import subprocess
import sys
import time
from urllib.parse import quote

from django.conf import settings
from django.db import connection

from interchange.demo import seed_demo

TABLES = [
    "drugs_condition", "drugs_drug", "drugs_brandname", "drugs_formulation", "drugs_indication",
    "articles_article", "articles_internallink", "articles_sitepage", "articles_sitesettings",
]  # fmt: skip


def large_document(drugs: int, articles: int) -> dict:
    body = (
        "## What to know\n\n" + "Take it with water and tell your doctor about side effects. " * 20
    )
    return {
        "format": "medinfo-content",
        "version": 1,
        "conditions": [{"slug": "killed-condition", "name": "Killed condition"}],
        "drugs": [
            {
                "slug": f"killdrug-{n}",
                "name": f"Killdrug {n}",
                "brand_names": [f"Killbrand {n}®"],
                "formulations": [{"name": "Tablet", "route": "oral", "strengths": ["5 mg"]}],
                "indications": [{"condition": "killed-condition", "formulations": ["Tablet"]}],
            }
            for n in range(drugs)
        ],
        "articles": [
            {
                "slug": f"killed-article-{n}",
                "title": f"Killed Article {n}",
                "drug": f"killdrug-{n % drugs}",
                "body": body + f"\n\nSee [the next](article:killed-article-{n + 1}).\n",
                "status": "published",
                "published_at": "2026-01-01T09:00:00Z",
                "reviewed_by": "Jane Doe, MD",
                "reviewed_on": "2025-12-30",
            }
            for n in range(articles)
        ],
    }


def snapshot() -> dict[str, tuple[int, str]]:
    """Row count and a checksum of every row's text, per table."""
    result = {}
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "
                f"FROM {table} t"
            )
            result[table] = cursor.fetchone()
    return result


def database_url_of_the_test_database() -> str:
    """The test database as a DATABASE_URL, for a subprocess (a real server or embedded)."""
    db = settings.DATABASES["default"]
    auth = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = quote(db["HOST"] or "", safe="")
    port = f":{db['PORT']}" if db.get("PORT") else ""
    url = f"postgres://{auth}@{host}{port}/{db['NAME']}"
    socket_dir = db.get("OPTIONS", {}).get("host")  # the embedded server's unix socket
    return f"{url}?host={quote(socket_dir, safe='/')}" if socket_dir and not host else url


def other_writing_backends() -> int:
    """Backends of this database, other than ours, inside a transaction that has written."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL"
        )
        return cursor.fetchone()[0]


def wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_import_killed_while_writing_leaves_the_database_exactly_as_before(
    transactional_db, tmp_path
):
    assert seed_demo().ok
    before = snapshot()
    path = tmp_path / "large.json"
    path.write_text(json.dumps(large_document(drugs=300, articles=3000)), encoding="utf-8")
    env = {
        **os.environ,
        "DATABASE_URL": database_url_of_the_test_database(),
        "DJANGO_DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "medinfo.settings",
    }
    process = subprocess.Popen(
        [sys.executable, "manage.py", "import_content", str(path)],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        writing = wait_for(lambda: other_writing_backends() > 0 or process.poll() is not None, 120)
        assert writing and process.poll() is None, process.communicate()
        time.sleep(0.5)  # well into the writing
        assert process.poll() is None, "the import finished before it could be killed"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == -signal.SIGKILL
    # The server rolls back the dead client's transaction when it sees the socket close.
    assert wait_for(lambda: other_writing_backends() == 0, 30)

    assert snapshot() == before
