"""Django's Redis cache backend, with one Redis client per connection pool.

Django's backend builds a new `redis.Redis` for every cache call, and building
one fills a table of some 170 response callbacks: about a quarter of a
millisecond, several times per request. A client is only a front to its
connection pool and is safe to share between threads, so this backend keeps
one per pool instead. Everything else is Django's.
"""

from django.core.cache.backends import redis


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


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
