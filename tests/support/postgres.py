"""Fresh PostgreSQL databases for tests: made per test, dropped afterwards, or a skip."""

from __future__ import annotations

import os

import pytest

POSTGRES_ENV = "CONSTOPS_TEST_POSTGRES_URL"


REQUIRE_POSTGRES_ENV = "CONSTOPS_REQUIRE_POSTGRES"

#: The reporting databases a library test runs against (fixture params); the PostgreSQL
#: one is marked ``postgres``, so that ``make test-fast`` leaves it out.
DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def postgres_database():
    """Yield the URL of a fresh PostgreSQL database, dropped afterwards, or skip."""
    import sqlalchemy as sa

    from cluster import temporary_database

    admin_url = os.environ.get(POSTGRES_ENV)
    if not admin_url:
        pytest.skip(f"{POSTGRES_ENV} is not set (`.ci/run` sets it)")
    database = temporary_database(admin_url, "constops_test")
    try:
        url = database.__enter__()
    except sa.exc.OperationalError as exc:
        if os.environ.get(REQUIRE_POSTGRES_ENV):
            raise
        pytest.skip(f"PostgreSQL at {admin_url} is not reachable: {exc.orig}")
    try:
        yield url
    finally:
        database.__exit__(None, None, None)
