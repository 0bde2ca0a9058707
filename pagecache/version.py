"""The content version every process agrees on, read at most once a second per process.

A page is cached under the version it was rendered at. The version is the content counter
(pagecache/triggers.py) plus the latest scheduled publish time that has passed, so a page
scheduled for 09:00 changes the version at 09:00 with nobody writing anything. Each process
keeps what it read for ``PAGE_CACHE_VERSION_SECONDS`` (1 s; 0 in tests), and never past
the next scheduled time: that is the longest any process serves a page that is out of date.
"""

import functools
import threading
import time
from dataclasses import dataclass
from datetime import datetime

from django.apps import apps
from django.conf import settings
from django.db import connections, router
from django.utils import timezone

from content.publishing import PublishedCopy
from pagecache.models import ContentVersion


@dataclass(frozen=True)
class Reading:
    token: str
    good_until: float  # time.monotonic() after which it must be read again
    next_due: datetime | None  # the next scheduled publish, which changes the token

    def still_good(self) -> bool:
        if time.monotonic() >= self.good_until:
            return False
        return self.next_due is None or timezone.now() < self.next_due


_lock = threading.Lock()
# One reading per database: a page must be rendered from the server whose version it is
# stored under, or a lagging replica could store an old page under a newer version.
_readings: dict[str, Reading] = {}


def published_tables() -> tuple[str, ...]:
    return tuple(
        sorted(
            model._meta.db_table
            for model in apps.get_models()
            if issubclass(model, PublishedCopy) and not model._meta.abstract
        )
    )


@functools.cache
def version_query(tables: tuple[str, ...]) -> str:
    """One round trip: the counter, the last publish time passed, the next one to come."""
    passed = ", ".join(
        f'(SELECT max(published_at) FROM "{t}" WHERE published_at <= %(now)s)' for t in tables
    )
    coming = ", ".join(
        f'(SELECT min(published_at) FROM "{t}" WHERE published_at > %(now)s)' for t in tables
    )
    return (
        f'SELECT (SELECT counter FROM "{ContentVersion._meta.db_table}" WHERE id = 1), '
        f"GREATEST({passed}), LEAST({coming})"
    )


def read_version(using: str) -> tuple[str, datetime | None]:
    """The version token now, and when the next scheduled publish changes it."""
    now = timezone.now()
    with connections[using].cursor() as cursor:
        cursor.execute(version_query(published_tables()), {"now": now})
        counter, passed, coming = cursor.fetchone()
    token = f"{counter or 0}.{passed.timestamp() if passed else 0:.6f}"
    return token, coming


def current_version() -> str:
    """The version token, re-read when the kept one is older than the setting allows."""
    using = router.db_for_read(ContentVersion)
    reading = _readings.get(using)
    if reading is not None and reading.still_good():
        return reading.token
    with _lock:
        token, next_due = read_version(using)
        keep = settings.PAGE_CACHE_VERSION_SECONDS
        _readings[using] = Reading(token, time.monotonic() + keep, next_due)
    return token


def forget() -> None:
    """Read the version afresh on next use (tests)."""
    _readings.clear()
