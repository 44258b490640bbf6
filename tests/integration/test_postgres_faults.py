"""A connection lost in the middle of a load, on real PostgreSQL: the backend is terminated
from another session in the middle of the day's load (its coverage_daily rows already
copied, its coverage_cells about to be replaced). Nothing of the new
load is visible, the previous copy of the day stays whole, and the retry (the same call,
as Airflow's task retry makes it) loads a day equal to an undisturbed run."""

from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from constops import snapshots
from constops.archive import RawArchive
from constops.day import fleet_status as day_fleet
from constops.day import ingest
from constops.reporting import schema
from constops.reporting.store import connect
from constops.settings import load_settings
from tests.support.data import SNAPSHOTS
from tests.support.days import compute_whole_day
from tests.support.postgres import postgres_database
from tests.support.tables import table_rows

pytestmark = pytest.mark.postgres

DAY = date(2025, 11, 20)
TABLES = (schema.coverage_daily, schema.coverage_cells, schema.coverage_timeseries)


@pytest.fixture
def two_databases():
    gen_a, gen_b = postgres_database(), postgres_database()
    urls = next(gen_a), next(gen_b)
    yield urls
    for gen in (gen_a, gen_b):
        next(gen, None)


def prepare(url, tmp_path):
    engine = connect(url)
    settings = load_settings()
    archive = RawArchive(str(tmp_path / url.rsplit("/", 1)[1]))
    snapshots.import_file(engine, archive, SNAPSHOTS / "qianfan_2025-11-20.tle", "qianfan")
    ingest.ingest_day(engine, archive, settings, "qianfan", DAY, datetime(2026, 1, 1, tzinfo=timezone.utc), None)
    day_fleet.compute_fleet_day(engine, settings, "qianfan", DAY)
    return engine, settings


def rows(engine):
    return table_rows(engine, TABLES)


def test_a_killed_connection_leaves_no_partial_day_and_the_retry_completes_it(two_databases, tmp_path):
    url, reference_url = two_databases
    engine, settings = prepare(url, tmp_path)
    compute_whole_day("coverage", engine, settings, "qianfan", DAY)
    with engine.begin() as conn:  # mark the previous copy, to see that it survives whole
        conn.execute(sa.update(schema.coverage_daily).values(step_s=-1.0))
    previous = rows(engine)

    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    killed = []

    @event.listens_for(engine, "before_cursor_execute")
    def kill_during_cells_insert(conn, cursor, statement, parameters, context, executemany):
        # Rows are sent by COPY, which passes no SQLAlchemy event: kill at the delete before it.
        if not killed and statement.startswith("DELETE FROM coverage_cells"):
            pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
            with admin.connect() as other:
                other.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            killed.append(pid)

    with pytest.raises(sa.exc.OperationalError):
        compute_whole_day("coverage", engine, settings, "qianfan", DAY)
    assert killed
    assert rows(engine) == previous  # the old day, whole; nothing of the interrupted load

    event.remove(engine, "before_cursor_execute", kill_during_cells_insert)
    compute_whole_day("coverage", engine, settings, "qianfan", DAY)  # the retry, same process and pool
    reference_engine, _ = prepare(reference_url, tmp_path)
    compute_whole_day("coverage", reference_engine, settings, "qianfan", DAY)
    assert rows(engine) == rows(reference_engine)
    for e in (engine, reference_engine, admin):
        e.dispose()
