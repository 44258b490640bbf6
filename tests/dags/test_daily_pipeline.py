"""The whole daily chain as real Airflow runs (``dag.test()``), fed by a real HTTP server
on 127.0.0.1 that serves CelesTrak's real 2025-11-20 Qianfan payload (OMM JSON)."""

import os
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from constops.reporting import schema
from constops.reporting.store import count_rows
from constops.settings import load_settings
from tests.support.data import sharded_settings, snapshot_bytes
from tests.support.tables import table_rows
from tests.unit.test_passes import ONE_SECOND, compare_passes, skyfield_passes

from pipeline_day import CHAIN, run_dag

DAY = date(2025, 11, 20)
MIDNIGHT = datetime(2025, 11, 20, tzinfo=timezone.utc)
RESULT_TABLES = (schema.gateway_passes, schema.gateway_daily, schema.coverage_daily, schema.coverage_cells,
                 schema.coverage_timeseries, schema.fleet_status,
                 schema.element_sets, schema.satellites, schema.gp_snapshots, schema.day_snapshots)


def run(dagbag, dag_id, day):
    """Return the DagRun of ``dag_id`` for ``day`` (the ``day`` parameter set), run with dag.test()."""
    return run_dag(dagbag, dag_id, day)


def run_chain(dagbag, day):
    """Return the states of the chain's runs for ``day``, as ``make pipeline`` runs them."""
    return [run(dagbag, dag_id, day).state for dag_id in CHAIN]


def table_counts(engine):
    return {table.name: count_rows(engine, table) for table in RESULT_TABLES}


def test_daily_chain_loads_coverage_and_passes_of_the_day(pipeline):
    dagbag, celestrak, engine = pipeline
    assert run_chain(dagbag, DAY) == ["success"] * 3

    # One request, for the configured group in OMM JSON, with a descriptive User-Agent.
    assert len(celestrak.requests) == 1
    assert celestrak.requests[0]["query"] == {"GROUP": "qianfan", "FORMAT": "json"}
    assert celestrak.requests[0]["user_agent"].startswith("constops/")

    with engine.connect() as conn:
        snap = conn.execute(select(schema.gp_snapshots)).one()
        akkol = conn.execute(select(schema.gateway_daily)).one()
        all_coverage = conn.execute(select(schema.coverage_daily)).all()
        fleet = conn.execute(select(schema.fleet_status)).all()
        passes = conn.execute(select(schema.gateway_passes)).all()
    assert (snap.status, snap.http_status, snap.object_count, snap.format) == ("loaded", 200, 108, "json")
    assert count_rows(engine, schema.satellites) == 108

    # Expected from the 2025-11-19 elements (docs/engine.md, "Accuracy"): at Akkol at least one satellite above 10 deg about 96% of the day.
    assert 93.0 < akkol.percent_time_visible < 98.0
    figures = {(r.satellite_set, r.service, r.min_elevation_deg): r.percent_time_covered for r in all_coverage}
    assert len(figures) == len(all_coverage) == 2 * 2 * 3
    assert figures["all", "direct", 10.0] > figures["all", "direct", 25.0] > figures["all", "direct", 40.0]
    for (_, _, mask), percent in figures.items():
        assert percent <= figures["all", "direct", mask]  # fewer satellites or a relay condition: never more
    assert len(fleet) == 108 and sum(r.status == "operational" for r in fleet) >= 60
    assert count_rows(engine, schema.coverage_timeseries) == 12 * 2880
    assert all(r.snapshot_id == snap.snapshot_id and r.day == DAY for r in passes)

    # The loaded passes are Skyfield's passes for the same payload, within 1 s.
    station = load_settings().station("akkol")
    theirs = skyfield_passes(snapshot_bytes("qianfan_2025-11-20.json"), station, 10.0, MIDNIGHT,
                             datetime(2025, 11, 21, tzinfo=timezone.utc))
    from types import SimpleNamespace

    ours = [SimpleNamespace(norad_cat_id=p.norad_cat_id, max_elevation_deg=p.max_elevation_deg,
                            **{k: getattr(p, k).replace(tzinfo=timezone.utc) for k in ("aos", "tca", "los")})
            for p in passes]
    mismatched, worst_s, _ = compare_passes(ours, theirs)
    assert not mismatched and worst_s < ONE_SECOND


def test_rerunning_a_day_changes_no_row_count(pipeline):
    dagbag, celestrak, engine = pipeline
    assert run_chain(dagbag, DAY) == ["success"] * 3
    before = table_counts(engine)
    assert run_chain(dagbag, DAY) == ["success"] * 3
    assert table_counts(engine) == before
    assert before["coverage_daily"] == 12 and before["gp_snapshots"] == 1


def test_the_chains_runs_are_the_partitions_runs_so_a_scheduler_does_not_compute_the_day_again(pipeline):
    """``make pipeline`` runs the chain with dag.test(); the ingest's asset event leaves the
    scheduler a pending partition run of each downstream DAG. The downstream runs of the
    chain must take those (else a scheduler started later computes the day again), and
    show when they really started (dag.test() stores the day's 00:00). The days of the
    horizon that the day's answer revised (2025-11-21 and 22) stay pending: a scheduler
    computes them."""
    from airflow.models.asset import AssetDagRunQueue, AssetPartitionDagRun
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session

    dagbag, _, _ = pipeline
    began = datetime.now(timezone.utc)
    runs = {dag_id: run(dagbag, dag_id, DAY) for dag_id in CHAIN}
    assert [r.state for r in runs.values()] == ["success"] * 3
    with create_session() as session:
        pending = session.scalars(select(AssetPartitionDagRun).where(
            AssetPartitionDagRun.created_dag_run_id.is_(None))).all()
        assert sorted((p.target_dag_id, p.partition_key) for p in pending) == [
            (dag_id, day) for dag_id in ("coverage", "gateway_passes") for day in ("2025-11-21", "2025-11-22")]
        assert session.scalars(select(AssetDagRunQueue)).all() == []
        for dag_id, dag_run in runs.items():
            stored = session.scalar(select(DagRun).where(DagRun.dag_id == dag_id, DagRun.run_id == dag_run.run_id))
            assert stored.start_date >= began, (dag_id, stored.start_date)
            if dag_id != "tle_ingest":
                assert stored.partition_key == DAY.isoformat()
                assert len(stored.consumed_asset_events) >= 1
                claimed = session.scalars(select(AssetPartitionDagRun).where(
                    AssetPartitionDagRun.created_dag_run_id == stored.id)).all()
                assert len(claimed) >= 1


NOT_UPDATED = (b"GP data has not updated since your last successful download of GROUP=qianfan "
               b"at 2025-11-21 00:01:12 UTC. Data is updated once every 2 hours.")


@pytest.mark.parametrize("status, body, says", [
    (200, b"No GP data found", "No GP data found"),
    (200, b"<!DOCTYPE html><html><body><h1>Maintenance</h1></body></html>", "HTML page"),
    (200, snapshot_bytes("qianfan_2025-11-20.json")[:20000], "invalid or truncated JSON"),
])
def test_a_bad_answer_fails_the_ingest_keeps_the_payload_and_leaves_earlier_days(pipeline, monkeypatch, status, body, says):
    dagbag, celestrak, engine = pipeline
    assert run_chain(dagbag, DAY) == ["success"] * 3
    before = table_counts(engine)

    monkeypatch.setenv("CONSTOPS_CLOCK_UTC", "2025-11-21T00:05:00Z")
    celestrak.answer(status, body)
    assert run(dagbag, "tle_ingest", date(2025, 11, 21)).state == "failed"
    assert len(celestrak.requests) == 2  # one per run, no retry

    with engine.connect() as conn:
        rejected = conn.execute(select(schema.gp_snapshots).where(schema.gp_snapshots.c.status == "rejected")).one()
    assert says in rejected.error and rejected.http_status == status
    from constops.archive import RawArchive

    assert RawArchive("/").get(rejected.archive_uri) == body
    after = table_counts(engine)
    assert after == {**before, "gp_snapshots": before["gp_snapshots"] + 1}

    # The operator's one-line alert names the task, the day and what came back.
    (alert,) = Path(os.environ["CONSTOPS_ALERTS_FILE"]).read_text().splitlines()
    assert "FAILED tle_ingest.ingest day=2025-11-21 try=1" in alert and says in alert


def test_not_updated_is_no_failure_while_the_elements_are_fresh_and_fails_once_they_are_not(pipeline, monkeypatch):
    """CelesTrak's notice after the 2025-11-20 answer: the 11-21 run is green, its day kept as
    the 11-20 answer planned it (revision 1); on 11-25 the same notice fails the run with
    CelesTrak's words, for the newest elements are 4.7 days old."""
    dagbag, celestrak, engine = pipeline
    assert run_chain(dagbag, DAY) == ["success"] * 3
    monkeypatch.setenv("CONSTOPS_CLOCK_UTC", "2025-11-21T00:05:00Z")
    celestrak.answer(403, NOT_UPDATED)
    assert run(dagbag, "tle_ingest", date(2025, 11, 21)).state == "success"
    with engine.connect() as conn:
        kept = conn.execute(select(schema.day_revisions).where(schema.day_revisions.c.day == date(2025, 11, 21))).one()
        rejected = conn.execute(select(schema.gp_snapshots).where(schema.gp_snapshots.c.status == "rejected")).one()
    assert (kept.revision, kept.snapshot_id) == (1, 1) and rejected.http_status == 403  # the notice archived
    assert len(celestrak.requests) == 2

    monkeypatch.setenv("CONSTOPS_CLOCK_UTC", "2025-11-25T00:05:00Z")
    assert run(dagbag, "tle_ingest", date(2025, 11, 25)).state == "failed"
    (alert,) = Path(os.environ["CONSTOPS_ALERTS_FILE"]).read_text().splitlines()
    assert "FAILED tle_ingest.ingest day=2025-11-25" in alert and "HTTP 403 'GP data has not updated" in alert


def mapped_instances(dag_id: str) -> dict[str, int]:
    """Return, per task of ``dag_id``'s latest run, how many mapped instances it had (1: unmapped)."""
    import sqlite3

    with sqlite3.connect(Path(os.environ["AIRFLOW_HOME"]) / "airflow.db") as conn:
        rows = conn.execute(
            "SELECT task_id, COUNT(*) FROM task_instance WHERE run_id = "
            "(SELECT run_id FROM dag_run WHERE dag_id = ? ORDER BY id DESC LIMIT 1) AND dag_id = ? GROUP BY task_id",
            (dag_id, dag_id)).fetchall()
    return dict(rows)


def test_sharded_runs_load_exactly_the_rows_of_one_shard(pipeline, tmp_path, monkeypatch):
    """Coverage counted in 5 shards and passes found in 3 load the same rows, to the last
    bit, as one shard each (the default for Qianfan's 108 satellites); the work area is
    left empty."""
    dagbag, _, engine = pipeline
    assert run_chain(dagbag, DAY) == ["success"] * 3
    assert mapped_instances("coverage")["count_coverage"] == 1
    compared = (schema.coverage_daily, schema.coverage_cells, schema.coverage_timeseries,
                schema.gateway_passes, schema.gateway_daily)
    unsplit = table_rows(engine, compared)

    monkeypatch.setenv("CONSTOPS_SETTINGS", str(sharded_settings(tmp_path, coverage_shard=22, passes_shard=40)))
    monkeypatch.setenv("CONSTOPS_WORK_URL", str(tmp_path / "work"))
    assert [run(dagbag, dag_id, DAY).state for dag_id in ("gateway_passes", "coverage")] == ["success"] * 2
    assert mapped_instances("coverage")["count_coverage"] == 5
    assert mapped_instances("gateway_passes")["find_passes"] == 3
    assert table_rows(engine, compared) == unsplit
    # The shards' partial results are gone; the day's merged passes stay for its next revision.
    left = [p.relative_to(tmp_path / "work").parts[:3] for p in (tmp_path / "work").rglob("*.npz")]
    assert left == [("passes", "qianfan", "2025-11-20")]
