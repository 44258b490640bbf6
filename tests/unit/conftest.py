"""Fixtures of the library tests."""

import pytest

from constops.archive import RawArchive
from constops.reporting.store import connect


@pytest.fixture
def store(reporting_url, tmp_path):
    """An empty reporting database (SQLite, then PostgreSQL) and a raw archive in tmp_path."""
    engine = connect(reporting_url)
    yield engine, RawArchive(str(tmp_path / "archive"))
    engine.dispose()
