"""The analysts' read-only role on real PostgreSQL: it reads the result tables and the
trend view, and can neither write nor read the archive bookkeeping."""

import shutil
import subprocess
import uuid

import pytest
import sqlalchemy as sa

from constops.reporting.access import ANALYST_READABLE, grant_analyst_role
from constops.reporting.store import connect
from tests.support.data import REPO
from tests.support.postgres import postgres_database

pytestmark = pytest.mark.postgres


@pytest.fixture
def postgres_url():
    yield from postgres_database()


def _as_role(engine, role, sql):
    with engine.connect() as conn:
        conn.execute(sa.text(f'SET ROLE "{role}"'))
        try:
            return conn.execute(sa.text(sql)).all()
        finally:
            conn.rollback()


@pytest.mark.parametrize("how", ["python", "psql"])
def test_analyst_role_reads_results_only(postgres_url, how):
    engine = connect(postgres_url)
    role = f"analyst_{uuid.uuid4().hex[:8]}"
    try:
        if how == "python":
            grant_analyst_role(engine, role)
        else:
            if not shutil.which("psql"):
                pytest.skip("psql is not installed")
            subprocess.run(["psql", postgres_url.replace("+psycopg", "").replace("+psycopg2", ""), "-v", f"role={role}",
                            "-v", "ON_ERROR_STOP=1", "-q", "-f", str(REPO / "include/constops/reporting/analyst_role.sql")],
                           check=True, capture_output=True)
        from constops.reporting.schema import HISTORY

        assert set(t.name for t in HISTORY.values()) <= set(ANALYST_READABLE)  # every revision they may read
        for name in ANALYST_READABLE:
            assert _as_role(engine, role, f"SELECT count(*) FROM {name}") == [(0,)]
        for forbidden in ("SELECT * FROM gp_snapshots", "SELECT * FROM day_snapshots",
                          "DELETE FROM coverage_daily", "INSERT INTO satellites (norad_cat_id) VALUES (1)",
                          "UPDATE fleet_status SET status = 'operational'", "DROP TABLE gateway_passes"):
            with pytest.raises(sa.exc.ProgrammingError, match="permission denied|must be owner"):
                _as_role(engine, role, forbidden)
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP OWNED BY "{role}"'))
            conn.execute(sa.text(f'DROP ROLE IF EXISTS "{role}"'))
        engine.dispose()
