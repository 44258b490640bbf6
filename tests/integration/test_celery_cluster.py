"""The distributed deployment, outside containers, and faults at scale: an api-server, a
scheduler, a dag-processor, a triggerer and two Celery workers as separate processes on
127.0.0.1 (scripts/cluster.py, the commands and environment of docker-compose.yml),
Airflow's metadata and the reporting tables in two databases of the local PostgreSQL,
the broker in the local Redis. A one-day backfill runs tle_ingest, gateway_passes and
coverage with coverage in 3 shards and passes in 2. Meanwhile the Celery worker
running a coverage shard is killed with SIGKILL (worker, supervisor and task process at
once), and later the scheduler is killed and started again. Both cost only time: the lost
shard is found without a heartbeat and retried, the day completes, and the tables equal
those of the same days computed undisturbed and unsharded by the library. Both workers
took tasks, and every process started is gone afterwards without a KILL.

What only this test proves: the deployment of docker-compose.yml works as processes
(CeleryExecutor, PostgreSQL metadata, Redis broker), and a worker or scheduler lost mid-day
costs only time. That sharded rows equal unsharded ones is proven faster through
``dag.test()`` (tests/dags/test_daily_pipeline.py), a killed database connection in
tests/integration/test_postgres_faults.py."""

import os
import time
import uuid
from contextlib import ExitStack, contextmanager
from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa

from constops import snapshots
from constops.archive import RawArchive
from constops.day import fleet_status as day_fleet
from constops.day import ingest
from constops.reporting import schema
from constops.reporting.store import connect
from constops.settings import load_settings
from tests.support.celery import forget_queue, import_snapshot
from tests.support.data import SNAPSHOTS, sharded_settings
from tests.support.days import compute_whole_day
from tests.support.postgres import postgres_database
from tests.support.tables import table_rows

from cluster import Cluster, ClusterConfig, free_port, session_alive

pytestmark = [pytest.mark.cluster, pytest.mark.postgres]

DAYS = [date(2025, 11, 20)]  # computed from the download of 11-19 (acquired 23:52); 11-20 gives the fleet history
FILES = [SNAPSHOTS / "qianfan_2025-11-19.tle", SNAPSHOTS / "qianfan_2025-11-20.tle"]
COMPARED = (schema.fleet_status, schema.coverage_daily, schema.coverage_cells, schema.coverage_timeseries,
            schema.gateway_passes, schema.gateway_daily)
NOT_UPDATED = b"GP data has not updated since your last successful download of GROUP=qianfan."
FAST_RECOVERY = {
    "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "2",
    "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
    # A task without a heartbeat for 20 s is failed and retried after 2 s (defaults: 300 s, 300 s).
    "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": "20",
    "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL": "5",
    "AIRFLOW__CORE__DEFAULT_TASK_RETRY_DELAY": "2",
    # The restarted scheduler adopts the tasks of the dead one within 10 s (defaults: 30 s, 300 s).
    "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_THRESHOLD": "10",
    "AIRFLOW__SCHEDULER__ORPHANED_TASKS_CHECK_INTERVAL": "10",
}


def reference_tables(url: str, tmp_path) -> dict:
    """Compute DAYS undisturbed with the library (no Airflow, one shard); return the tables."""
    engine, settings = connect(url), load_settings()
    archive = RawArchive(str(tmp_path / "reference-archive"))
    for path in FILES:
        snapshots.import_file(engine, archive, path, "qianfan")
    for day in DAYS:
        ingest.ingest_day(engine, archive, settings, "qianfan", day, datetime(2026, 1, 1, tzinfo=timezone.utc), None)
        day_fleet.compute_fleet_day(engine, settings, "qianfan", day)
        compute_whole_day("coverage", engine, settings, "qianfan", day)
        compute_whole_day("passes", engine, settings, "qianfan", day)
    try:
        return table_rows(engine, COMPARED)
    finally:
        engine.dispose()


def test_two_celery_workers_lose_a_worker_and_the_scheduler_and_load_the_undisturbed_tables(tmp_path, celestrak, redis_url):
    celestrak.answer(403, NOT_UPDATED)  # the scheduler's own run for today is refused
    keys = [d.isoformat() for d in DAYS]
    with ExitStack() as stack:
        metadata_url, reporting_url, reference_url = (
            stack.enter_context(contextmanager(postgres_database)()) for _ in range(3))
        queue = f"constops-test-{uuid.uuid4().hex[:8]}"
        config = ClusterConfig(
            home=tmp_path / "cluster", metadata_url=metadata_url.replace("postgresql://", "postgresql+psycopg2://"),
            broker_url=redis_url, reporting_url=reporting_url, archive_url=str(tmp_path / "archive"),
            work_url=str(tmp_path / "work"), celestrak_connection=celestrak.connection_json,
            api_port=free_port(), queue=queue,
            settings_path=str(sharded_settings(tmp_path, coverage_shard=36, passes_shard=54)),
        )
        cluster = Cluster(config, extra_env=FAST_RECOVERY)
        stack.callback(forget_queue, redis_url, queue)
        cluster.init()
        for path in FILES:
            import_snapshot(cluster.env, path)
        metadata = sa.create_engine(metadata_url, poolclass=sa.pool.NullPool)
        stack.callback(metadata.dispose)

        def rows(query):
            try:
                with metadata.connect() as conn:
                    return conn.execute(sa.text(query)).all()
            except sa.exc.ProgrammingError:  # tables not created yet
                return []

        try:
            cluster.start(workers=2)
            cluster.wait_for("the DAGs to be parsed", lambda: len(rows(
                "SELECT dag_id FROM dag WHERE dag_id IN ('tle_ingest', 'coverage', 'gateway_passes')")) == 3)
            cluster.run("backfill", "create", "--dag-id", "tle_ingest", "--from-date", keys[0], "--to-date", keys[-1])

            # A coverage shard running: kill the worker whose session holds its task process
            # (SIGKILL to every process of it). A shard that ended before the kill landed was missed: try the next.
            def running_shard():
                for ti in rows("SELECT id, pid FROM task_instance WHERE task_id = 'count_coverage' "
                               "AND state = 'running' AND pid IS NOT NULL"):
                    worker = next((name for name, p in cluster.processes.items()
                                   if name.startswith("airflow-worker-") and _in_session(ti.pid, p.pid)), None)
                    if worker:
                        return ti.id, worker
                return None

            for _ in range(5):
                shard, victim = cluster.wait_for("a running coverage shard", running_shard, timeout_s=240, every_s=0.1)
                cluster.kill_and_restart(victim)
                if rows(f"SELECT state FROM task_instance WHERE id = '{shard}'")[0].state != "success":
                    break
            else:
                raise AssertionError("every coverage shard ended before its worker was killed")
            # The scheduler dies while the day's other tasks go on, and comes back.
            time.sleep(3)
            cluster.kill_and_restart("airflow-scheduler")

            ended = cluster.wait_for("every downstream run to end", lambda: (lambda found: found if len(found) == 2 * len(DAYS) and all(
                r.state in ("success", "failed") for r in found) else None)(rows(
                    "SELECT dag_id, partition_key, state FROM dag_run WHERE dag_id IN ('coverage', 'gateway_passes')"
                    f" AND partition_key IN ({', '.join(repr(k) for k in keys)})")), timeout_s=420, every_s=3)
            retried = rows("SELECT task_id, map_index, try_number FROM task_instance WHERE try_number > 1")
            mapped = rows("SELECT r.partition_key, ti.task_id, count(*) FROM task_instance ti JOIN dag_run r "
                          "ON r.run_id = ti.run_id AND r.dag_id = ti.dag_id WHERE ti.state = 'success' "
                          "AND ti.task_id IN ('count_coverage', 'find_passes') GROUP BY r.partition_key, ti.task_id")
            executor = cluster.run("config", "get-value", "core", "executor").strip()
            started = [p.pid for p in cluster.processes.values()]
        finally:
            killed = cluster.stop()
        assert executor == "CeleryExecutor"
        assert sorted(tuple(r) for r in mapped) == [
            (key, task, n) for key in keys for task, n in (("count_coverage", 3), ("find_passes", 2))]
        # Both workers took tasks from the broker (each log holds its runs before and after a restart).
        received = {name: cluster.tail(name, 10**7).count("execute_workload[") for name in cluster.processes
                    if name.startswith("airflow-worker-")}
        assert len(received) == 2 and all(n > 0 for n in received.values()), received
        # Every process and its children are gone, without a KILL.
        assert killed == [] and not any(session_alive(pid) for pid in started)
        assert sorted((r.dag_id, r.partition_key, r.state) for r in ended) == [
            (dag_id, key, "success") for dag_id in ("coverage", "gateway_passes") for key in keys]
        assert any(r.task_id == "count_coverage" for r in retried), retried  # the killed shard ran again

        engine = connect(reporting_url)
        stack.callback(engine.dispose)
        reference = reference_tables(reference_url, tmp_path)
        assert table_rows(engine, COMPARED) == reference
        assert len(reference["coverage_daily"]) == len(DAYS) * 12 and len(reference["gateway_passes"]) > len(DAYS) * 500


def _in_session(pid: int, session: int) -> bool:
    """Return True when process ``pid`` is alive and in session ``session`` (a worker's pid)."""
    try:
        return os.getsid(pid) == session
    except ProcessLookupError:
        return False
