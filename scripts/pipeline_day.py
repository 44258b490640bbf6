"""Run the whole chain for one UTC day as real Airflow runs, then print a summary.

    python scripts/pipeline_day.py 2025-11-20 [--max-snapshot-age-days 50]

Runs ``tle_ingest``, ``gateway_passes`` and ``coverage`` with ``dag.test()`` in this
process (Airflow's metadata DB under AIRFLOW_HOME records the runs and the asset
events; the downstream runs are recorded as the runs of the day's partition, so that a
scheduler started later does not compute the day again), then reads the day's rows from
the reporting database. Exits 1, saying why,
when the day cannot be computed (malformed, before ``[pipeline] first_day``, more than a
day ahead, no fresh snapshot) or when any run did not compute it: a run counts only when
every one of its tasks succeeded and the day's results are in the database.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, time, timezone

from airflow.dag_processing.dagbag import DagBag
from airflow.utils.state import DagRunState

CHAIN = ("tle_ingest", "gateway_passes", "coverage")


def load_dags() -> DagBag:
    """Return the DagBag of the configured DAGs folder; SystemExit on import errors."""
    from airflow.configuration import conf

    bag = DagBag(dag_folder=conf.get("core", "dags_folder"))
    if bag.import_errors:
        raise SystemExit(f"DAG import errors: {bag.import_errors}")
    return bag


def run_dag(bag: DagBag, dag_id: str, day, conf: dict | None = None):
    """Run DAG ``dag_id`` for ``day`` with ``dag.test()`` (the ``day`` parameter set, plus
    ``conf``), record it as the run of the day's partition (:func:`record_as_partition_run`)
    and return its DagRun."""
    logical_date = datetime.combine(day, time(0), tzinfo=timezone.utc)
    run = bag.get_dag(dag_id).test(logical_date=logical_date, run_conf={"day": day.isoformat(), **(conf or {})})
    record_as_partition_run(run, day)
    return run


#: The DAGs that ``tle_ingest``'s day partition of ``gp_elements`` starts.
DOWNSTREAM = ("gateway_passes", "coverage")


def record_as_partition_run(run, day) -> None:
    """Record a ``dag.test()`` run in Airflow's metadata as what it was.

    * Its start: the first task's start (``dag.test()`` stores the logical date, the day's
      00:00, as the run's start date).
    * For ``coverage`` and ``gateway_passes``: the run of the day's partition. The ingest
      run before it published that partition of ``gp_elements``, which left the scheduler
      a pending partition run of each downstream DAG (``asset_partition_dag_run``); the
      first scheduler to start would create those runs and compute the day a second time.
      The run takes the partition key and the asset events, and the pending entry is marked
      as created by it, as the scheduler does for the runs it creates.
    """
    from airflow.models.asset import AssetEvent, AssetPartitionDagRun, PartitionedAssetKeyLog
    from airflow.models.dagrun import DagRun
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session
    from sqlalchemy import func, select

    with create_session() as session:
        dag_run = session.scalar(select(DagRun).where(DagRun.dag_id == run.dag_id, DagRun.run_id == run.run_id))
        started = session.scalar(select(func.min(TaskInstance.start_date)).where(
            TaskInstance.dag_id == run.dag_id, TaskInstance.run_id == run.run_id))
        if started is not None:
            dag_run.start_date = started
        if run.dag_id not in DOWNSTREAM:
            return
        dag_run.partition_key = day.isoformat()
        pending = session.scalars(select(AssetPartitionDagRun).where(
            AssetPartitionDagRun.target_dag_id == run.dag_id, AssetPartitionDagRun.partition_key == day.isoformat(),
            AssetPartitionDagRun.created_dag_run_id.is_(None))).all()
        for entry in pending:
            events = session.scalars(select(AssetEvent).join(
                PartitionedAssetKeyLog, PartitionedAssetKeyLog.asset_event_id == AssetEvent.id).where(
                PartitionedAssetKeyLog.asset_partition_dag_run_id == entry.id)).all()
            dag_run.consumed_asset_events.extend(e for e in events if e not in dag_run.consumed_asset_events)
            entry.created_dag_run_id = dag_run.id


def run_chain(bag: DagBag, day, max_age_days: float | None = None) -> list[str]:
    """Run the chain for ``day`` with dag.test(); return what failed (with the failed task's
    error, as the alert says it), one line per run. A run counts only when every one of its
    tasks succeeded or was skipped (a day computed whole in ``compute_day`` skips the sharded
    tasks). The chain goes on after a ``tle_ingest`` that published the day for
    some constellations only (its ``ingest`` task succeeded): the others are computed."""
    failures = []
    for dag_id in CHAIN:
        conf = {"max_snapshot_age_days": max_age_days} if dag_id == "tle_ingest" and max_age_days is not None else {}
        run = run_dag(bag, dag_id, day, conf)
        states = {ti.task_id: ti.state for ti in run.get_task_instances()}
        not_done = {task_id: state for task_id, state in states.items() if state not in ("success", "skipped")}
        if run.state != DagRunState.SUCCESS or not_done:
            failures.append(f"{dag_id} for {day} ended {run.state} (tasks not successful: {not_done})"
                            f"{_last_alert(day, dag_id)}")
            if dag_id == "tle_ingest" and states.get("ingest") != "success":
                break  # nothing was published for the day
    return failures


def _last_alert(day, dag_id: str) -> str:
    """Return the newest line of the alerts file of ``dag_id`` and the day, as ": <line>", or ""
    when there is none."""
    from constops_airflow.alerts import alerts_path

    path = alerts_path()
    lines = [line for line in (path.read_text().splitlines() if path.exists() else []) if f"day={day}" in line]
    failed = [line for line in lines if f" FAILED {dag_id}." in line]
    return f":\n{failed[-1]}" if failed else ""


def main(argv: list[str] | None = None) -> int:
    from constops.api import DayOutOfRangeError, check_day, load_settings, utc_now

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("day", help="UTC day, YYYY-MM-DD")
    parser.add_argument("--max-snapshot-age-days", type=float, default=None,
                        help="accept a snapshot up to this many days from the day's start (recorded as an override)")
    args = parser.parse_args(argv)
    try:
        day = check_day(args.day, load_settings().first_day, utc_now(), load_settings().horizon_days)
    except DayOutOfRangeError as exc:
        print(f"cannot compute {args.day!r}: {exc}", file=sys.stderr)
        return 1
    failures = run_chain(load_dags(), day, args.max_snapshot_age_days)
    for failure in failures:
        print(failure, file=sys.stderr)
    text = summary(day)
    print(text)
    return 1 if failures or "not computed" in text else 0


def summary(day) -> str:
    """Return the day's headline figures as a few lines of text."""
    from constops.api import day_summary, load_settings
    from constops_airflow.resources import reporting_engine

    return day_summary(reporting_engine(), load_settings(), day)


if __name__ == "__main__":
    sys.exit(main())
