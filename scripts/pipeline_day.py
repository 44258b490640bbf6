"""Run the whole chain for one UTC day as real Airflow runs, then print a summary.

    python scripts/pipeline_day.py 2025-11-20

Runs ``tle_ingest``, ``gateway_passes`` and ``coverage`` with ``dag.test()`` in this
process (Airflow's metadata DB under AIRFLOW_HOME records the runs and the asset
events), then reads the day's rows from the reporting database.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, time, timezone

from airflow.dag_processing.dagbag import DagBag
from airflow.utils.state import DagRunState

from constops.timescale import parse_day

CHAIN = ("tle_ingest", "gateway_passes", "coverage")


def load_dags() -> DagBag:
    """Return the DagBag of the configured DAGs folder; SystemExit on import errors."""
    from airflow.configuration import conf

    bag = DagBag(dag_folder=conf.get("core", "dags_folder"))
    if bag.import_errors:
        raise SystemExit(f"DAG import errors: {bag.import_errors}")
    return bag


def run_chain(bag: DagBag, day) -> str | None:
    """Run the chain for ``day`` with dag.test(); return None, or what failed."""
    logical_date = datetime.combine(day, time(0), tzinfo=timezone.utc)
    for dag_id in CHAIN:
        run = bag.get_dag(dag_id).test(logical_date=logical_date, run_conf={"day": day.isoformat()})
        if run.state != DagRunState.SUCCESS:
            return f"{dag_id} for {day} ended {run.state}; see the task log above"
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("day", type=parse_day, help="UTC day, YYYY-MM-DD")
    args = parser.parse_args(argv)
    failure = run_chain(load_dags(), args.day)
    if failure:
        print(failure, file=sys.stderr)
        return 1
    print(summary(args.day))
    return 0


def summary(day) -> str:
    """Return the day's headline figures as a few lines of text."""
    from constops.report import day_summary
    from constops.settings import load_settings
    from constops_airflow.resources import reporting_engine

    return day_summary(reporting_engine(), load_settings(), day)


if __name__ == "__main__":
    sys.exit(main())
