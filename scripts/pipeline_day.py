"""Run the whole chain for one UTC day as real Airflow runs, then print a summary.

    python scripts/pipeline_day.py 2025-11-20 [--max-snapshot-age-days 50]

Runs ``tle_ingest``, ``gateway_passes`` and ``coverage`` with ``dag.test()`` in this
process (Airflow's metadata DB under AIRFLOW_HOME records the runs and the asset
events), then reads the day's rows from the reporting database. Exits 1, saying why,
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
    ``conf``) and return its DagRun."""
    logical_date = datetime.combine(day, time(0), tzinfo=timezone.utc)
    return bag.get_dag(dag_id).test(logical_date=logical_date, run_conf={"day": day.isoformat(), **(conf or {})})


def run_chain(bag: DagBag, day, max_age_days: float | None = None) -> list[str]:
    """Run the chain for ``day`` with dag.test(); return what failed (with the failed task's
    error, as the alert says it), one line per run. A run counts only when every one of its
    tasks succeeded. The chain goes on after a ``tle_ingest`` that published the day for
    some constellations only (its ``ingest`` task succeeded): the others are computed."""
    failures = []
    for dag_id in CHAIN:
        conf = {"max_snapshot_age_days": max_age_days} if dag_id == "tle_ingest" and max_age_days is not None else {}
        run = run_dag(bag, dag_id, day, conf)
        states = {ti.task_id: ti.state for ti in run.get_task_instances()}
        not_done = {task_id: state for task_id, state in states.items() if state != "success"}
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
        day = check_day(args.day, load_settings().first_day, utc_now())
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
