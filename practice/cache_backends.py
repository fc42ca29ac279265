"""Django's Redis cache backend, with one Redis client per connection pool, that
rides out a Redis outage.

One client: Django's backend builds a new `redis.Redis` for every cache call,
and building one fills a table of some 170 response callbacks: about a quarter
of a millisecond, several times per request. A client is only a front to its
connection pool and is safe to share between threads, so this backend keeps
one per pool instead.

An outage costs speed, never a request: while Redis cannot be reached, reads
miss, writes store nothing and `incr` says the key is missing (as Django does
for a key that is not there), so every caller's "not cached" path runs. After
a failure the backend does not try Redis again for `BREAKER_SECONDS` in this
process, so a Redis that hangs or refuses adds one connect timeout per second
to one request, not to every request. `is_available()` tells callers whose
answer differs between "missing" and "unreachable" (sessions, the page cache,
rate limits, /healthz). Everything else is Django's.
"""

import logging
import time

from django.core.cache.backends import redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# Seconds this process leaves Redis alone after a failure.
BREAKER_SECONDS = 1.0
# What an unreachable, restarting or overloaded Redis raises (a Redis that is
# still loading its data raises a ConnectionError too).
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


def _guarded(name, unavailable):
    """The backend's method `name`, answering `unavailable(*args, **kwargs)`
    instead of calling Redis while it is unreachable."""
    method = getattr(redis.RedisCache, name)

    def guarded(self, *args, **kwargs):
        if time.monotonic() < self._down_until:
            return unavailable(*args, **kwargs)
        try:
            return method(self, *args, **kwargs)
        except UNREACHABLE as exc:
            if time.monotonic() >= self._down_until:
                logger.warning("cache: redis unreachable (%s)", type(exc).__name__)
            self._down_until = time.monotonic() + BREAKER_SECONDS
            return unavailable(*args, **kwargs)

    guarded.__name__ = name
    guarded.__doc__ = method.__doc__
    return guarded


def _missing_key(key, *args, **kwargs):
    raise ValueError(f"Key '{key}' not found (the cache is unavailable).")


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
        self._down_until = 0.0

    def is_available(self) -> bool:
        """False for BREAKER_SECONDS after a call found Redis unreachable."""
        return time.monotonic() >= self._down_until

    get = _guarded("get", lambda key, default=None, version=None: default)
    get_many = _guarded("get_many", lambda *args, **kwargs: {})
    has_key = _guarded("has_key", lambda *args, **kwargs: False)
    add = _guarded("add", lambda *args, **kwargs: False)
    set = _guarded("set", lambda *args, **kwargs: None)
    set_many = _guarded("set_many", lambda *args, **kwargs: [])
    touch = _guarded("touch", lambda *args, **kwargs: False)
    delete = _guarded("delete", lambda *args, **kwargs: False)
    delete_many = _guarded("delete_many", lambda *args, **kwargs: None)
    incr = _guarded("incr", _missing_key)
    clear = _guarded("clear", lambda *args, **kwargs: False)


def cache_is_available(backend) -> bool:
    """Whether `backend` (from `caches[alias]`, not the `cache` proxy) can be
    reached now: only a RedisCache ever says no."""
    return not isinstance(backend, RedisCache) or backend.is_available()
