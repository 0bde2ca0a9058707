"""Reader pages read from streaming replicas; everything else stays on the primary.

A request counts as a reader request when it is a GET or HEAD outside the editors' URLs
(admin, markdownx endpoints, previews) from a client that has not written in the last
few seconds. ReplicaRoutingMiddleware decides that once per request and keeps it in a
context variable, which is per thread (and per task), so concurrent requests never see
each other's choice. ReplicaRouter then sends a reader request's reads to one replica,
chosen once for the request so a page reads one consistent server, and every other read,
every write, management commands and anything outside a request to "default".

Read your own writes: a replica replays the primary's changes a little later (well
under a second when healthy). So any request that writes, or uses an unsafe method,
answers with a short-lived signed cookie, and that client's reads go to the primary
until it expires (DATABASE_PRIMARY_AFTER_WRITE_SECONDS). Readers never write, so their
pages never carry it, and a CDN may keep them.

A replica that does not answer is left alone by every thread of the process, like
medinfo/cache.py does for Redis: the request that found it down, and the ones after it,
read from the primary instead, and the first request after the pause tries it again (one
request, while the others keep to the primary), which is how a replica comes back by
itself. The pause starts at RETRY_AFTER seconds and doubles up to MAX_PAUSE while the
replica stays down: a stopped server refuses at once, but one that hangs holds the probing
request for the whole connect timeout (2 s), and that should happen rarely. The check
costs nothing extra while the replica is up: it is the health check Django runs on a
persistent connection at its first query of a request anyway, and a fresh connection has
just proved itself.
"""

import logging
import random
import time
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

logger = logging.getLogger(__name__)

RETRY_AFTER = 2.0  # seconds without trying a replica after it first failed to answer
MAX_PAUSE = 30.0  # the longest pause, reached by doubling while it stays down
PRIMARY_COOKIE = "medinfo_primary_until"
PRIMARY_PATHS = ("/admin/", "/markdownx/", "/preview/")  # editors' URLs, always the primary
READER_METHODS = frozenset({"GET", "HEAD"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_SALT = "medinfo.db_routing.primary-until"

# The replicas of this process that failed to answer: when to try again, and the pause.
_retry_at: dict[str, float] = {}
_pause: dict[str, float] = {}


@dataclass
class RequestRouting:
    """One request's routing: reader or not, the replica it reads, whether it wrote."""

    reader: bool
    alias: str | None = None
    wrote: bool = False


_current: ContextVar[RequestRouting | None] = ContextVar("medinfo_request_routing", default=None)


def replica_aliases() -> list[str]:
    return list(getattr(settings, "DATABASE_REPLICAS", []))


def primary_window() -> int:
    return int(getattr(settings, "DATABASE_PRIMARY_AFTER_WRITE_SECONDS", 5))


def is_reader_request(request) -> bool:
    """A GET or HEAD of a public page by a client that has not just written."""
    if request.method not in READER_METHODS or request.path_info.startswith(PRIMARY_PATHS):
        return False
    return not wrote_recently(request)


def wrote_recently(request) -> bool:
    """Whether the client holds a valid, unexpired primary cookie (forgeries don't count)."""
    if PRIMARY_COOKIE not in request.COOKIES:
        return False
    try:
        request.get_signed_cookie(PRIMARY_COOKIE, salt=_SALT, max_age=primary_window())
    except signing.BadSignature:  # tampered with, or older than the window
        return False
    return True


def mark_primary(response) -> None:
    """Send this client's reads to the primary for the next few seconds."""
    window = primary_window()
    response.set_signed_cookie(
        PRIMARY_COOKIE,
        "1",
        salt=_SALT,
        max_age=window,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


class ReplicaRoutingMiddleware:
    """Marks reader requests for the router; sets the primary cookie after a write."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        routing = RequestRouting(reader=bool(replica_aliases()) and is_reader_request(request))
        token = _current.set(routing)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        if replica_aliases() and (routing.wrote or request.method not in SAFE_METHODS):
            mark_primary(response)
        return response


class ReplicaRouter:
    """Reads of reader requests to a replica that answers; all else to "default"."""

    def db_for_read(self, model, **hints):
        routing = _current.get()
        if routing is None or not routing.reader:
            return DEFAULT_DB_ALIAS
        if routing.alias is None:
            routing.alias = choose_replica()
        return routing.alias

    def db_for_write(self, model, **hints):
        routing = _current.get()
        if routing is not None:
            routing.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # Every alias holds the same data: an object read from a replica may be linked to one
        # read from the primary.
        ours = {DEFAULT_DB_ALIAS, *replica_aliases()}
        return True if {obj1._state.db, obj2._state.db} <= ours else None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS  # replicas are read-only copies of the primary


def choose_replica() -> str:
    """A replica that answers, at random among them; the primary when none does."""
    candidates = replica_aliases()
    random.shuffle(candidates)
    for alias in candidates:
        if answers(alias):
            return alias
    return DEFAULT_DB_ALIAS


def answers(alias: str) -> bool:
    """Whether this thread's connection to the replica works (connecting if needed)."""
    retry_at = _retry_at.get(alias)
    if retry_at is not None:
        if retry_at > time.monotonic():
            return False
        # This thread tries it again; the others keep to the primary until it knows.
        _retry_at[alias] = time.monotonic() + _pause.get(alias, RETRY_AFTER)
    connection = connections[alias]
    try:
        connection.close_if_health_check_failed()  # a server restarted under a kept connection
        connection.ensure_connection()
    except DatabaseError as error:
        if retry_at is None:
            logger.warning("Replica %s is unavailable; reading from the primary: %s", alias, error)
            _pause[alias] = RETRY_AFTER
        else:
            _pause[alias] = min(_pause.get(alias, RETRY_AFTER) * 2, MAX_PAUSE)
        _retry_at[alias] = time.monotonic() + _pause[alias]
        return False
    if retry_at is not None and _retry_at.pop(alias, None):
        _pause.pop(alias, None)
        logger.warning("Replica %s answers again", alias)
    return True
