"""Django's Redis cache, made optional: while Redis is down or slow, the cache acts empty.

Reads miss and writes are dropped, each within the socket timeouts set in settings, so
a reader's page never fails or waits long on Redis. After a failure every thread of the
process leaves that Redis alone for RETRY_AFTER seconds (Django gives each thread a cache
object of its own, but an outage belongs to the server), so a Redis that hangs costs a
slow call now and then rather than one per request; the first call after that tries
Redis again, which is how the cache comes back by itself. Only a lost connection or a
timeout is forgiven: any other Redis error is a bug and still raises.
"""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

RETRY_AFTER = 2.0  # seconds without trying Redis after it failed
REDIS_DOWN_ERRORS = (RedisConnectionError, RedisTimeoutError)
_FAILED = object()

# The Redis servers of this process that failed, each with the time to try it again.
_retry_at: dict[str, float] = {}


class OptionalRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._location = ",".join(self._servers)

    def _attempt(self, fallback, operation, *args):
        retry_at = _retry_at.get(self._location)
        if retry_at and retry_at > time.monotonic():
            return fallback
        try:
            result = operation(*args)
        except REDIS_DOWN_ERRORS as error:
            if not retry_at:
                logger.warning("Redis is unavailable; the cache acts empty: %s", error)
            _retry_at[self._location] = time.monotonic() + RETRY_AFTER
            return fallback
        if retry_at and _retry_at.pop(self._location, None):
            logger.warning("Redis answers again; the cache is back")
        return result

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt(False, super().add, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._attempt(default, super().get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._attempt(None, super().set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt(False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._attempt(False, super().delete, key, version)

    def get_many(self, keys, version=None):
        return self._attempt({}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._attempt(False, super().has_key, key, version)

    def incr(self, key, delta=1, version=None):
        # An empty cache has no counter to increment: callers already handle that case.
        result = self._attempt(_FAILED, super().incr, key, delta, version)
        if result is _FAILED:
            raise ValueError(f"Key '{key}' not found (Redis is unavailable).")
        return result

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt(list(data), super().set_many, data, timeout, version)

    def delete_many(self, keys, version=None):
        self._attempt(None, super().delete_many, keys, version)

    def clear(self):
        return self._attempt(False, super().clear)
