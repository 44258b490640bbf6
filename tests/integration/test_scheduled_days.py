"""A real Airflow scheduler: a 3-day backfill of ``tle_ingest`` makes ``coverage`` and
``gateway_passes`` run once per day, each for its own day, from the archive alone."""

from datetime import date

import pytest
from sqlalchemy import select

from constops.reporting import schema
from constops.reporting.store import connect
from tests.conftest import SNAPSHOTS
from tests.integration.airflow_services import Standalone, airflow, airflow_env

PIPELINE = ("tle_ingest", "coverage", "gateway_passes")
DAYS = [date(2025, 11, 15), date(2025, 11, 16), date(2025, 11, 17)]
# Acquired at their newest epochs: 11-15 file 2025-11-14 20:02, 11-16 file 2025-11-16 12:38,
# 11-17 file 2025-11-16 19:50. So 2025-11-16 00:00 still sees the 11-15 download.
EXPECTED_FILE = {DAYS[0]: "qianfan_2025-11-15.tle", DAYS[1]: "qianfan_2025-11-15.tle", DAYS[2]: "qianfan_2025-11-17.tle"}


@pytest.fixture
def scheduler(tmp_path, celestrak):
    home = tmp_path / "airflow"
    home.mkdir()
    env = airflow_env(
        home,
        AIRFLOW_CONN_CELESTRAK=celestrak.connection_json,
        AIRFLOW_CONN_REPORTING_DB=f'{{"conn_type": "sqlite", "host": "{tmp_path / "reporting.db"}"}}',
        CONSTOPS_ARCHIVE_URL=str(tmp_path / "archive"),
    )
    airflow(env, "db", "migrate")
    import subprocess
    import sys

    from tests.conftest import REPO

    subprocess.run(
        [sys.executable, str(REPO / "scripts" / "import_snapshots.py"),
         *(str(SNAPSHOTS / f"qianfan_2025-11-{d}.tle") for d in (15, 16, 17))],
        env=env, check=True, capture_output=True,
    )
    services = Standalone(env)
    try:
        yield services, env, connect(f"sqlite:///{tmp_path / 'reporting.db'}"), celestrak
    finally:
        services.stop()


def test_backfill_runs_each_downstream_dag_once_per_day_for_its_own_day(scheduler):
    services, env, engine, celestrak = scheduler
    services.wait_for("the DAGs to be parsed", lambda: len(services.metadata(
        "SELECT dag_id FROM dag WHERE dag_id IN (?, ?, ?) AND is_paused = 0", PIPELINE)) == 3)

    airflow(env, "backfill", "create", "--dag-id", "tle_ingest",
            "--from-date", DAYS[0].isoformat(), "--to-date", DAYS[-1].isoformat(), "--max-active-runs", "3")

    backfilled = [d.isoformat() for d in DAYS]

    def downstream_done():
        rows = services.metadata(
            "SELECT dag_id, partition_key, state FROM dag_run WHERE dag_id IN ('coverage', 'gateway_passes')")
        finished = [r for r in rows if r[1] in backfilled and r[2] in ("success", "failed")]
        unfinished = [r for r in rows if r[2] not in ("success", "failed")]
        return rows if len(finished) == 2 * len(DAYS) and not unfinished else None

    runs = services.wait_for("6 downstream runs", downstream_done)
    # With catchup off, the scheduler also runs today's partition at start (a live fetch).
    today = [r for r in runs if r[1] not in backfilled]
    runs = [r for r in runs if r[1] in backfilled]
    assert all(state == "success" for _, _, state in runs), runs
    for dag_id in ("coverage", "gateway_passes"):
        assert sorted(key for d, key, _ in runs if d == dag_id) == backfilled

    with engine.connect() as conn:
        assigned = {r.day: r.snapshot_id for r in conn.execute(select(schema.day_snapshots))}
        sources = {r.snapshot_id: r.source for r in conn.execute(select(schema.gp_snapshots))}
        coverage = conn.execute(select(schema.coverage_daily)).all()
        gateway = conn.execute(select(schema.gateway_daily)).all()
    assigned = {d: s for d, s in assigned.items() if d in DAYS}
    assert sorted(assigned) == DAYS
    assert {d: sources[s].rsplit("/", 1)[1] for d, s in assigned.items()} == EXPECTED_FILE
    coverage = [r for r in coverage if r.day in DAYS and r.satellite_set == "all" and r.service == "direct"]
    gateway = [r for r in gateway if r.day in DAYS]
    assert sorted((r.day, r.min_elevation_deg) for r in coverage) == [(d, m) for d in DAYS for m in (10.0, 25.0, 40.0)]
    assert all(r.snapshot_id == assigned[r.day] for r in coverage + gateway)
    assert sorted(r.day for r in gateway) == DAYS
    # Past days never call CelesTrak; only today's scheduled run did, once.
    assert len(celestrak.requests) == len({key for _, key, _ in today})
