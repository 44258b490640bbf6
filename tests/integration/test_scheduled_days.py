"""A real Airflow scheduler (``airflow standalone``: api-server, scheduler, dag-processor,
triggerer) in a temporary AIRFLOW_HOME: two archived days computed as one backfill with two
runs at once while an operator triggers a third day by hand give the result tables the
library computes for the same three days without Airflow; each downstream DAG runs once per
day partition, for its own day; a reprocessing backfill replaces those days' rows in one piece.

What only this test proves: how Airflow's scheduler turns partitioned asset events into
downstream runs (several days' events at once, as a backfill makes them, beside a run
triggered with the ``day`` parameter, still give one run per day, each for its own day) and
what ``airflow backfill create`` with ``--reprocess-behavior`` does to the tables. The rows
themselves, reruns, faults and sharding are proven faster through ``dag.test()``
(tests/dags), so three days suffice: two runs at once, and a day (11-21) served by the
previous day's download. One installation: the reference tables come from the library,
whose tasks the DAGs call (tests/support/days.py), not from a second scheduler."""

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from constops.archive import RawArchive
from constops.reporting import schema
from constops.reporting.store import connect
from constops.snapshots import import_file
from tests.support.data import SNAPSHOTS
from tests.support.days import compute_day
from tests.support.tables import table_rows

from standalone import airflow, start_installation

DAYS = [date(2025, 11, 19) + timedelta(days=i) for i in range(3)]
KEYS = [d.isoformat() for d in DAYS]
BACKFILLED, TRIGGERED = KEYS[:2], KEYS[2]
FILES = sorted(SNAPSHOTS.glob("qianfan_*.tle"))
# Acquired at their newest epochs; 11-21, with no download of its own, uses the 11-20 one.
EXPECTED_FILE = dict(zip(DAYS, ["19", "20", "20"]))
COMPARED = (schema.day_snapshots, schema.fleet_status, schema.coverage_daily, schema.coverage_cells,
            schema.coverage_timeseries, schema.gateway_passes, schema.gateway_daily)
NOT_UPDATED = b"GP data has not updated since your last successful download of GROUP=qianfan."


def downstream_runs(services, keys):
    """Return (dag_id, partition_key, state) of the downstream runs of ``keys`` once all have ended."""
    marks = ",".join("?" * len(keys))
    rows = services.metadata(
        f"SELECT dag_id, partition_key, state FROM dag_run WHERE dag_id IN ('coverage', 'gateway_passes') "
        f"AND partition_key IN ({marks})", keys)
    done = [r for r in rows if r[2] in ("success", "failed")]
    return rows if len(done) == len(rows) >= 2 * len(keys) else None


def snapshot_table(engine) -> dict[str, list[tuple]]:
    """Return every compared table's rows, volatile columns left out, sorted."""
    return table_rows(engine, COMPARED)


@pytest.fixture
def installations(tmp_path, celestrak):
    celestrak.answer(403, NOT_UPDATED)  # the scheduler's own run for today is refused
    started = []

    def start(name):
        services, env, url = start_installation(tmp_path / name, celestrak.connection_json, FILES)
        started.append((services, env, connect(url)))
        return started[-1]

    yield start, celestrak
    for services, _, engine in started:
        services.stop()
        engine.dispose()


def reference_tables(root) -> dict[str, list[tuple]]:
    """Compute DAYS with the library alone (the same imports, one shard); return the tables."""
    engine = connect(f"sqlite:///{root / 'reference.db'}")
    archive = RawArchive(str(root / "reference-archive"))
    try:
        for path in FILES:
            import_file(engine, archive, path, "qianfan")
        for day in DAYS:
            compute_day(engine, archive, day)
        return snapshot_table(engine)
    finally:
        engine.dispose()


def test_a_backfill_beside_a_triggered_day_gives_the_librarys_tables(installations, tmp_path):
    start, celestrak = installations
    services, env, backfill_engine = start("backfill")
    airflow(env, "backfill", "create", "--dag-id", "tle_ingest", "--from-date", BACKFILLED[0],
            "--to-date", BACKFILLED[-1], "--max-active-runs", "2")
    airflow(env, "dags", "trigger", "tle_ingest", "--conf", json.dumps({"day": TRIGGERED}))
    reference = reference_tables(tmp_path)  # meanwhile: most of the installation's time is waiting
    runs = services.wait_for("the downstream runs", lambda: downstream_runs(services, KEYS), timeout_s=420)
    # Once per day partition, each for its own day, however Airflow batched the events.
    for dag_id in ("coverage", "gateway_passes"):
        assert sorted(key for d, key, state in runs if d == dag_id and state == "success") == KEYS
    assert snapshot_table(backfill_engine) == reference
    assert len(reference["coverage_daily"]) == len(DAYS) * 12
    with backfill_engine.connect() as conn:
        assigned = {r.day: r.snapshot_id for r in conn.execute(select(schema.day_snapshots))}
        sources = {r.snapshot_id: r.source for r in conn.execute(select(schema.gp_snapshots))}
    assert {d: sources[assigned[d]].rsplit("_", 1)[1][8:10] for d in DAYS} == EXPECTED_FILE
    # Past days never call CelesTrak: the only requests are the scheduler's own runs for
    # today, at most one each of tle_ingest ("daily") and tle_refresh ("refresh"; none when
    # the daily request came first, or a run starts before the api-server listens).
    with backfill_engine.connect() as conn:
        causes = sorted(conn.execute(select(schema.celestrak_requests.c.cause)).scalars())
    assert len(celestrak.requests) <= len(causes) and set(causes) <= {"daily", "refresh"}
    assert len(causes) == len(set(causes)), causes

    # Reprocessing completed days replaces their rows, all from one new run per day.
    airflow(env, "backfill", "create", "--dag-id", "tle_ingest", "--from-date", KEYS[0], "--to-date", KEYS[1],
            "--reprocess-behavior", "completed")
    services.wait_for("the reprocessed runs", lambda: (lambda rows: rows if rows and all(
        n == 2 for _, n in rows) else None)(services.metadata(
            "SELECT partition_key, count(*) FROM dag_run WHERE dag_id = 'coverage' AND state = 'success' "
            "AND partition_key IN (?, ?) GROUP BY partition_key", KEYS[:2])))
    services.wait_for("no run left", lambda: not services.metadata(
        "SELECT 1 FROM dag_run WHERE state NOT IN ('success', 'failed')"))
    assert snapshot_table(backfill_engine) == reference
    with backfill_engine.connect() as conn:
        stamps = conn.execute(select(schema.coverage_daily.c.day, schema.coverage_daily.c.computed_at).distinct()).all()
    per_day = {}
    for day, stamp in stamps:
        per_day.setdefault(day, set()).add(stamp)
    assert all(len(s) == 1 for s in per_day.values())  # a day's rows never mix two runs
