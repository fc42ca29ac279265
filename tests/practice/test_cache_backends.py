"""The Redis cache backend (practice/cache_backends.py): Django's, reusing one client."""

import os
import subprocess
import sys
import uuid

import pytest
import redis

from practice.cache_backends import RedisCache
from tests.practice.test_settings import REPO

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def redis_cache():
    backend = RedisCache(REDIS_URL, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.ConnectionError:
        if os.environ.get("CI"):
            raise
        pytest.skip("no Redis on 127.0.0.1:6379")
    yield backend
    backend.clear()


def test_a_redis_cache_url_selects_the_backend_that_reuses_its_client():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.CACHES['default']['BACKEND'])",
        ],
        cwd=REPO,
        env={**os.environ, "DJANGO_DEBUG": "1", "CACHE_URL": REDIS_URL},
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.stdout.strip() == "practice.cache_backends.RedisCache", result.stderr


def test_every_call_goes_through_one_client(redis_cache, monkeypatch):
    built = []
    original = redis_cache._cache._client
    monkeypatch.setattr(
        redis_cache._cache, "_client", lambda **kwargs: built.append(kwargs) or original(**kwargs)
    )
    redis_cache.set("answer", 42)
    assert redis_cache.get_many(["answer", "missing"]) == {"answer": 42}
    assert redis_cache.incr("answer") == 43
    assert len(built) == 1
