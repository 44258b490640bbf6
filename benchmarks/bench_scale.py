"""Scale-out: one large day on the distributed deployment with 1, then 2 Celery workers.

    python benchmarks/bench_scale.py [--satellites 15000] [--workers 1,2]     # make bench-scale

Needs the local PostgreSQL and Redis (``--postgres-url``, ``--redis-url``). For each
worker count, a fresh installation (scripts/cluster.py: api-server, scheduler,
dag-processor, triggerer and N Celery workers, each running one task at a time on one
thread) imports the same synthetic Walker shell (15,000 satellites: 100 planes of 150
at 1068 km, 89 deg) as an archived snapshot, and runs the day 2026-11-01 through
tle_ingest, gateway_passes and coverage with the default settings (0.5 deg cells, 30 s
steps, 3 masks; shards planned by the cost model for the workers' slots). Reported:

  day_s        from the trigger of tle_ingest to the end of the last downstream run
  coverage_s   the coverage run, start to end;  passes_s: the gateway_passes run
  task_s       the sum of every task's run time (the work, wherever it ran)
  speedup      day_s of the first worker count / day_s of this one (same run, same machine)
  tasks        per task: instances, total and longest run time (the breakdown table)
  wall_per_engine_parallel  day_s / (the engine's one-thread seconds of coverage and
               passes / the workers' slots): the ratio of issue 28's table
  shards÷engine  core-seconds of the coverage (passes) shards of the day / the same
               satellites computed by the library in one process on one thread, no Airflow

The shards of a run fill the workers' slots (``[pipeline] slots`` = workers). The tables
of every worker count are checked equal to the first's. Writes
benchmarks/scale_results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

from cluster import Cluster, ClusterConfig, free_port, temporary_database  # noqa: E402

DAY = "2026-11-01"
RESULTS = Path(__file__).with_name("scale_results.json")
DOWNSTREAM = ("coverage", "gateway_passes")


def walker_payload(n_sats: int, directory: Path) -> Path:
    """Write the Walker shell of ``n_sats`` satellites as an OMM JSON file; return its path."""
    from constops.walker import walker_delta

    planes = {15000: 100, 1296: 36, 324: 18}.get(n_sats) or max(1, round(n_sats ** 0.5))
    epoch = datetime.fromisoformat(DAY).replace(tzinfo=timezone.utc)
    sats = walker_delta(n_sats - n_sats % planes, planes, 1, 1068.0, 89.0, epoch, first_norad_cat_id=100_000)
    path = directory / f"walker_{len(sats)}.json"
    path.write_text(json.dumps([s.omm_fields() for s in sats]))
    return path


def run_day(workers: int, payload: Path, args, root: Path) -> tuple[dict, dict]:
    """Run DAY on a fresh installation with ``workers`` workers; return (timings, tables)."""
    import subprocess

    import sqlalchemy as sa

    from constops.reporting import schema
    from constops.reporting.store import connect

    with ExitStack() as stack:
        metadata_url, reporting_url = (stack.enter_context(temporary_database(args.postgres_url, "constops_bench"))
                                       for _ in range(2))
        config = ClusterConfig(
            home=root / f"workers-{workers}", metadata_url=metadata_url.replace("postgresql://", "postgresql+psycopg2://"),
            broker_url=args.redis_url, reporting_url=reporting_url, archive_url=str(root / f"archive-{workers}"),
            work_url=str(root / f"work-{workers}"), api_port=free_port(), queue=f"constops-bench-{uuid.uuid4().hex[:8]}",
            # CelesTrak is never asked for a past day; the scheduler's own run for today finds nothing listening.
            celestrak_connection=json.dumps({"conn_type": "http", "host": "127.0.0.1", "port": free_port(), "schema": "http"}),
        )
        cluster = Cluster(config, extra_env={"AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "2"})
        cluster.init()
        subprocess.run([sys.executable, str(Path(__file__).resolve().parents[1] / "scripts" / "import_snapshots.py"),
                        str(payload)], env=cluster.env, check=True, capture_output=True)
        metadata = sa.create_engine(metadata_url, poolclass=sa.pool.NullPool)
        stack.callback(metadata.dispose)

        def rows(query):
            with metadata.connect() as conn:
                return conn.execute(sa.text(query), {"day": DAY}).all()

        try:
            cluster.start(workers)
            cluster.wait_for("the DAGs", lambda: len(rows(
                "SELECT 1 FROM dag WHERE dag_id IN ('tle_ingest', 'coverage', 'gateway_passes')")) == 3)
            cluster.run("dags", "trigger", "tle_ingest", "--conf", json.dumps({"day": DAY}))
            ended = cluster.wait_for("the day's runs", lambda: (lambda found: found if len(found) == 2 and all(
                r.state in ("success", "failed") for r in found) else None)(rows(
                    "SELECT dag_id, state, start_date, end_date FROM dag_run WHERE partition_key = :day")),
                timeout_s=3600, every_s=5)
            if any(r.state != "success" for r in ended):
                raise RuntimeError(f"runs failed: {ended}\n" + "\n".join(map(cluster.tail, cluster.processes)))
            ingest = rows("SELECT start_date FROM dag_run WHERE dag_id = 'tle_ingest' AND run_type = 'manual'")[0]
            tasks = rows("SELECT ti.task_id, ti.start_date, ti.end_date, ti.map_index FROM task_instance ti JOIN dag_run r ON "
                         "r.dag_id = ti.dag_id AND r.run_id = ti.run_id WHERE r.partition_key = :day "
                         "OR (r.dag_id = 'tle_ingest' AND r.run_type = 'manual')")
        finally:
            cluster.stop()
        by_dag = {r.dag_id: (r.end_date - r.start_date).total_seconds() for r in ended}
        timings = {
            "workers": workers,
            "day_s": round((max(r.end_date for r in ended) - ingest.start_date).total_seconds(), 1),
            "coverage_s": round(by_dag["coverage"], 1),
            "passes_s": round(by_dag["gateway_passes"], 1),
            "task_s": round(sum((t.end_date - t.start_date).total_seconds() for t in tasks if t.end_date), 1),
            "tasks": task_breakdown(tasks),
        }
        engine = connect(reporting_url)
        stack.callback(engine.dispose)
        with engine.connect() as conn:  # closed before the database is dropped
            tables = {t.name: sorted(tuple(r) for r in conn.execute(
                sa.select(*[c for c in t.c if c.name != "computed_at"])))
                for t in (schema.coverage_daily, schema.gateway_daily)}
    return timings, tables


def engine_seconds(payload: Path, root: Path) -> dict[str, float]:
    """Return the one-thread seconds the library takes, without Airflow, for the work of the
    day's shards: coverage counts and passes of every satellite of ``payload`` (SQLite)."""
    os.environ["CONSTOPS__COVERAGE__THREADS"] = "1"
    from constops.archive import RawArchive
    from constops.day.assignment import assign_day
    from constops.day.fleet_status import compute_fleet_day
    from constops.day.gateway_passes import passes_block
    from constops.day.region_coverage import count_coverage_block
    from constops.reporting.store import connect
    from constops.settings import load_settings
    from constops.snapshots import import_file

    settings = load_settings()
    engine = connect(f"sqlite:///{root / 'engine.db'}")
    snapshot = import_file(engine, RawArchive(str(root / "engine-archive")), str(payload), "qianfan")
    day = datetime.fromisoformat(DAY).date()
    assign_day(engine, "qianfan", day, snapshot.snapshot_id, "archive")
    compute_fleet_day(engine, settings, "qianfan", day, snapshot.snapshot_id)
    timings = {}
    for name, compute in (("coverage", count_coverage_block), ("passes", passes_block)):
        t0 = time.process_time()
        compute(engine, settings, "qianfan", day, snapshot.snapshot_id)
        timings[name] = round(time.process_time() - t0, 1)
    engine.dispose()
    return timings


def print_breakdown(results: list[dict], engine: dict[str, float]) -> None:
    """Print the breakdown table of the README: per task, instances and seconds per worker count."""
    names = sorted({name for r in results for name in r["tasks"]}, key=lambda n: -results[0]["tasks"].get(
        n, {"total_s": 0})["total_s"])
    print("\n| task | " + " | ".join(f"{r['workers']} worker(s): n, total s, longest s" for r in results) + " |")
    print("|---|" + "---|" * len(results))
    for name in names:
        cells = [(lambda t: f"{t['instances']}, {t['total_s']}, {t['max_s']}" if t else "-")(r["tasks"].get(name))
                 for r in results]
        print(f"| {name} | " + " | ".join(cells) + " |")
    for r in results:
        shards = {task: r["tasks"].get(task, {}).get("total_s", 0.0) for task in ("count_coverage", "find_passes")}
        r["shards_per_engine"] = {"coverage": round(shards["count_coverage"] / engine["coverage"], 2),
                                  "passes": round(shards["find_passes"] / engine["passes"], 2)}
        # The issue-28 ratio: the day's wall time against the engine's work spread over the slots.
        r["wall_per_engine_parallel"] = round(r["day_s"] / (sum(engine.values()) / r["workers"]), 2)
        print(f"{r['workers']} worker(s): day {r['day_s']} s, wall / (engine one-thread s / {r['workers']} slots) = "
              f"{r['wall_per_engine_parallel']}")
        print(f"{r['workers']} worker(s): day {r['day_s']} s; shards / engine core-seconds: coverage "
              f"{shards['count_coverage']} / {engine['coverage']} = {r['shards_per_engine']['coverage']}, passes "
              f"{shards['find_passes']} / {engine['passes']} = {r['shards_per_engine']['passes']}")


def task_breakdown(tasks) -> dict[str, dict]:
    """Return, per task id, how many instances ran and their total and longest run time (s)."""
    breakdown: dict[str, dict] = {}
    for t in tasks:
        if t.end_date is None:
            continue
        seconds = (t.end_date - t.start_date).total_seconds()
        entry = breakdown.setdefault(t.task_id, {"instances": 0, "total_s": 0.0, "max_s": 0.0})
        entry["instances"] += 1
        entry["total_s"] = round(entry["total_s"] + seconds, 1)
        entry["max_s"] = round(max(entry["max_s"], seconds), 1)
    return breakdown


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--satellites", type=int, default=15000)
    parser.add_argument("--workers", default="1,2", help="worker counts, the first is the baseline")
    parser.add_argument("--postgres-url", default=os.environ.get(
        "CONSTOPS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--redis-url", default=os.environ.get("CONSTOPS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0"))
    args = parser.parse_args(argv)
    counts = [int(w) for w in args.workers.split(",")]
    # A TERM (or Ctrl-C) unwinds normally, so that every installation is stopped and dropped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with tempfile.TemporaryDirectory(prefix="constops-bench-scale-") as tmp:
        root = Path(tmp)
        payload = walker_payload(args.satellites, root)
        results, reference = [], None
        for workers in counts:
            t0 = time.perf_counter()
            timings, tables = run_day(workers, payload, args, root)
            timings["installation_s"] = round(time.perf_counter() - t0 - timings["day_s"], 1)
            if reference is None:
                reference = tables
            elif tables != reference:
                raise SystemExit(f"{workers} workers loaded other rows than {counts[0]}")
            timings["speedup"] = round(results[0]["day_s"] / timings["day_s"], 2) if results else 1.0
            results.append(timings)
            print(json.dumps(timings), flush=True)
        engine = engine_seconds(payload, root)
    print_breakdown(results, engine)
    print(f"\n{args.satellites} satellites, {DAY}: " + ", ".join(
        f"{r['workers']} worker(s) {r['day_s']:.0f} s (x{r['speedup']:.2f})" for r in results))
    RESULTS.write_text(json.dumps({
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "satellites": args.satellites, "day": DAY, "engine_one_thread_s": engine, "runs": results,
    }, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
