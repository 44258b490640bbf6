"""The distributed deployment, outside containers: an api-server, a scheduler, a
dag-processor, a triggerer and two Celery workers as separate processes on 127.0.0.1
(scripts/cluster.py, the commands and environment of docker-compose.yml), Airflow's
metadata and the reporting tables in two databases of the local PostgreSQL, the
broker in the local Redis. One day runs through tle_ingest, gateway_passes and coverage
with coverage in 5 shards and passes in 3; the tables equal those of the same day on
``airflow standalone`` (LocalExecutor) with one shard each, and every process started
is gone afterwards."""

import json
import os
import subprocess
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager

import pytest
import sqlalchemy as sa

from constops.reporting import schema
from constops.reporting.store import connect
from tests.support.airflow_services import Standalone, airflow, airflow_env
from tests.support.data import REPO, SNAPSHOTS, sharded_settings
from tests.support.postgres import postgres_database
from tests.support.tables import table_rows

from cluster import Cluster, ClusterConfig, free_port, group_alive

REDIS_ENV = "CONSTOPS_TEST_REDIS_URL"
REQUIRE_REDIS_ENV = "CONSTOPS_REQUIRE_REDIS"
DAY = "2025-11-21"  # computed from the archived download of 2025-11-20 (TLE)
SNAPSHOT = SNAPSHOTS / "qianfan_2025-11-20.tle"
COMPARED = (schema.day_snapshots, schema.fleet_status, schema.coverage_daily, schema.coverage_cells,
            schema.coverage_timeseries, schema.gateway_passes, schema.gateway_daily)
NOT_UPDATED = b"GP data has not updated since your last successful download of GROUP=qianfan."
DAY_RUNS = (
    "SELECT dag_id, state FROM dag_run WHERE partition_key = :day "
    "AND dag_id IN ('coverage', 'gateway_passes')"
)
MAPPED = (
    "SELECT task_id, count(*) FROM task_instance ti JOIN dag_run r ON r.run_id = ti.run_id "
    "AND r.dag_id = ti.dag_id WHERE r.partition_key = :day AND ti.task_id IN ('count_coverage', 'find_passes') "
    "AND ti.state = 'success' GROUP BY task_id"
)


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


def import_snapshot(env: dict) -> None:
    """Import the bundled snapshot into an installation's archive and reporting database."""
    subprocess.run([sys.executable, str(REPO / "scripts" / "import_snapshots.py"), str(SNAPSHOT)],
                   env=env, check=True, capture_output=True)


def wait_for_day(wait_for, rows) -> None:
    """Wait until both downstream DAGs have ended for DAY; assert they succeeded."""
    def ended():
        found = rows(DAY_RUNS)
        return found if len(found) == 2 and all(state in ("success", "failed") for _, state in found) else None

    assert sorted(wait_for(f"the downstream runs of {DAY}", ended, timeout_s=300)) == [
        ("coverage", "success"), ("gateway_passes", "success")]


def pg_rows(url):
    """Return ``rows(query)``: the rows of a query on a PostgreSQL metadata database."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)

    def rows(query):
        try:
            with engine.connect() as conn:
                return [tuple(r) for r in conn.execute(sa.text(query), {"day": DAY})]
        except sa.exc.ProgrammingError:  # tables not created yet
            return []

    return rows


def run_local(root, celestrak, reporting_url) -> dict:
    """Run DAY on ``airflow standalone`` (LocalExecutor, default settings: one shard);
    return the compared tables."""
    env = airflow_env(root / "airflow", AIRFLOW_CONN_CELESTRAK=celestrak.connection_json,
                      AIRFLOW_CONN_REPORTING_DB=reporting_url, CONSTOPS_ARCHIVE_URL=str(root / "archive"),
                      CONSTOPS_WORK_URL=str(root / "work"))
    (root / "airflow").mkdir(parents=True)
    airflow(env, "db", "migrate")
    import_snapshot(env)
    services = Standalone(env)
    try:
        services.wait_for("the DAGs to be parsed", lambda: len(services.metadata(
            "SELECT dag_id FROM dag WHERE dag_id IN ('tle_ingest', 'coverage', 'gateway_passes')")) == 3)
        airflow(env, "dags", "trigger", "tle_ingest", "--conf", json.dumps({"day": DAY}))
        wait_for_day(services.wait_for, lambda q: services.metadata(q.replace(":day", "?"), (DAY,)))
        mapped = dict(services.metadata(MAPPED.replace(":day", "?"), (DAY,)))
    finally:
        services.stop()
    assert mapped == {"count_coverage": 1, "find_passes": 1}
    engine = connect(reporting_url)
    try:
        return table_rows(engine, COMPARED)
    finally:
        engine.dispose()


def test_two_celery_workers_with_shards_load_the_tables_of_the_local_run(tmp_path, celestrak, redis_url):
    celestrak.answer(403, NOT_UPDATED)  # each scheduler's own run for today is refused
    with ExitStack() as stack:
        metadata_url, reporting_url, local_reporting_url = (
            stack.enter_context(contextmanager(postgres_database)()) for _ in range(3))
        # The LocalExecutor run goes on beside the cluster (most of either is waiting).
        pool = stack.enter_context(ThreadPoolExecutor(max_workers=1))
        local_run = pool.submit(run_local, tmp_path / "local", celestrak, local_reporting_url)

        queue = f"constops-test-{uuid.uuid4().hex[:8]}"
        config = ClusterConfig(
            home=tmp_path / "cluster", metadata_url=metadata_url.replace("postgresql://", "postgresql+psycopg2://"),
            broker_url=redis_url, reporting_url=reporting_url, archive_url=str(tmp_path / "cluster-archive"),
            work_url=str(tmp_path / "cluster-work"), celestrak_connection=celestrak.connection_json,
            api_port=free_port(), queue=queue,
            settings_path=str(sharded_settings(tmp_path, coverage_shard=22, passes_shard=40)),
        )
        cluster = Cluster(config, extra_env={"AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
                                             "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "2"})
        stack.callback(_forget_queue, redis_url, queue)
        cluster.init()
        import_snapshot(cluster.env)
        started = []
        try:
            cluster.start(workers=2)
            started = [p.pid for p in cluster.processes.values()]
            rows = pg_rows(metadata_url)
            cluster.wait_for("the DAGs to be parsed", lambda: len(rows(
                "SELECT dag_id FROM dag WHERE dag_id IN ('tle_ingest', 'coverage', 'gateway_passes')")) == 3)
            cluster.run("dags", "trigger", "tle_ingest", "--conf", json.dumps({"day": DAY}))
            wait_for_day(cluster.wait_for, rows)
            mapped = dict(rows(MAPPED))
            executor = cluster.run("config", "get-value", "core", "executor").strip()
        finally:
            killed = cluster.stop()
        assert executor == "CeleryExecutor"
        assert mapped == {"count_coverage": 5, "find_passes": 3}
        # Both workers took tasks from the broker.
        received = {name: cluster.tail(name, 10**7).count("execute_workload[") for name in cluster.processes
                    if name.startswith("airflow-worker-")}
        assert len(received) == 2 and all(n > 0 for n in received.values()), received
        # Every process and its children are gone, without a KILL.
        assert killed == [] and not any(group_alive(pid) for pid in started)

        engine = connect(reporting_url)
        stack.callback(engine.dispose)
        distributed = table_rows(engine, COMPARED)
        local = local_run.result()
    assert distributed == local
    assert len(local["coverage_daily"]) == 12 and len(local["gateway_passes"]) > 500


def _forget_queue(redis_url: str, queue: str) -> None:
    """Remove the test's queue and its bindings from the shared Redis."""
    import redis

    client = redis.Redis.from_url(redis_url)
    client.delete(queue, f"_kombu.binding.{queue}", *client.keys(f"{queue}\x06*"))

