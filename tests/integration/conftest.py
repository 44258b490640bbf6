"""Fixtures of the integration tests."""

import os

import pytest

REDIS_ENV = "CONSTOPS_TEST_REDIS_URL"
REQUIRE_REDIS_ENV = "CONSTOPS_REQUIRE_REDIS"


@pytest.fixture
def redis_url():
    """The URL of the local Redis, or skip (fail when ``CONSTOPS_REQUIRE_REDIS`` is set)."""
    import redis

    url = os.environ.get(REDIS_ENV)
    if not url:
        pytest.skip(f"{REDIS_ENV} is not set (`.ci/run` sets it)")
    try:
        redis.Redis.from_url(url, socket_timeout=5).ping()
    except redis.RedisError as exc:
        if os.environ.get(REQUIRE_REDIS_ENV):
            raise
        pytest.skip(f"Redis at {url} is not reachable: {exc}")
    return url
