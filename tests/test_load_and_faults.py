"""Under load and through outages: the production server keeps answering, and comes back.

The tests marked `load` share one short run of medinfo/loadtest.py (about 40 s): gunicorn
with production settings under wrk at 64 connections, PostgreSQL stopped and started
mid-load, Redis killed and started mid-load (`make load` is the full 60 s version). The
others check the optional Redis cache on its own, against a port where nothing listens.
"""

import json
import time

import pytest
from bs4 import BeautifulSoup
from django.core.cache import caches
from django.test import override_settings

from medinfo import loadtest
from medinfo.cache import OptionalRedisCache
from medinfo.load_report import ANSWER_WITHIN, PAGES


@pytest.fixture(scope="module")
def report():
    return loadtest.run(loadtest.SHORT)


@pytest.mark.load
def test_64_connections_get_every_reader_page_without_errors_or_5xx(report):
    steady = report.steady
    assert steady.requests > 0
    assert steady.errors == 0, steady
    assert set(steady.statuses) <= {200, 404}, steady  # the 404 is the missing page's
    assert steady.server_errors == 0


@pytest.mark.load
def test_with_postgresql_stopped_every_page_is_the_503_page_with_footer_and_disclaimer(report):
    pages = [a for a in report.postgres_outage() if a.path != "/healthz"]
    assert {a.path for a in pages} == set(PAGES) - {"/healthz", "/robots.txt"}
    for answer in pages:
        assert answer.status == 503, answer.path
        soup = BeautifulSoup(answer.body, "html.parser")
        assert soup.find("h1").get_text() == "Temporarily unavailable"
        disclaimer = soup.find("footer").find(class_="disclaimer")
        assert "does not provide medical advice" in disclaimer.get_text()
        assert disclaimer.find("a", string="Terms of Use")["href"] == "/terms/"
        assert "Traceback" not in soup.get_text() and "OperationalError" not in soup.get_text()


@pytest.mark.load
def test_with_postgresql_stopped_healthz_answers_503(report):
    checks = [a for a in report.postgres_outage() if a.path == "/healthz"]
    assert checks
    assert all(a.status == 503 and json.loads(a.body)["database"] == "down" for a in checks)


@pytest.mark.load
def test_with_postgresql_stopped_every_request_is_answered_in_seconds_and_none_is_a_500(report):
    load = report.postgres.load
    assert load.errors == 0, load  # wrk's timeouts included
    assert load.server_errors == load.statuses[503] > 0, load
    assert report.postgres.slowest < ANSWER_WITHIN


@pytest.mark.load
def test_pages_come_back_within_5_s_of_postgresql_without_restarting_gunicorn(report):
    first_200, all_200 = report.postgres_recovery()
    assert first_200 is not None
    assert all_200 < 5
    assert not report.workers_replaced


@pytest.mark.load
def test_with_redis_killed_every_page_still_answers_as_usual(report):
    load = report.redis.load
    assert load.errors == 0, load
    assert load.server_errors == 0, load
    assert load.cache_down > 0  # /healthz under the same load saw Redis down
    assert all(answer.as_usual for answer in report.redis.answers)
    assert report.redis.slowest < ANSWER_WITHIN


@pytest.mark.load
def test_the_cache_is_used_again_when_redis_returns(report):
    assert report.redis.load.cache_down > 0
    cache_back, _ = report.redis_recovery()
    assert cache_back is not None and cache_back < 5


@pytest.mark.load
def test_the_short_run_meets_every_target(report):
    assert report.problems() == []


def redis_nowhere():
    """The optional Redis cache pointed at a port where nothing listens."""
    location = f"redis://127.0.0.1:{loadtest.free_port()}/0"
    options = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
    return {"BACKEND": "medinfo.cache.OptionalRedisCache", "LOCATION": location, "OPTIONS": options}


def test_optional_redis_cache_acts_empty_and_quick_while_redis_is_down():
    with override_settings(CACHES={"default": redis_nowhere()}):
        cache = caches.create_connection("default")
        assert isinstance(cache, OptionalRedisCache)
        started = time.monotonic()
        cache.set("drug", "baclofen")
        assert cache.get("drug", "missing") == "missing"
        assert cache.get_or_set("drug", "computed") == "computed"
        assert cache.add("drug", "baclofen") is False
        assert cache.get_many(["drug"]) == {}
        assert cache.set_many({"drug": "baclofen"}) == ["drug"]
        with pytest.raises(ValueError):
            cache.incr("visits")
        assert time.monotonic() - started < 1


def test_healthz_stays_200_and_reports_the_cache_down_while_redis_is_down(db, client):
    with override_settings(CACHES={"default": redis_nowhere(), "pages": redis_nowhere()}):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "down"}
