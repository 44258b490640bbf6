"""coverage: the fleet's status and Kazakhstan's coverage for one UTC day.

Runs once for each day partition that ``tle_ingest`` publishes (or by hand with the
``day`` parameter). ``fleet_status`` labels every satellite from its elements;
``compute_coverage`` then computes coverage at every configured elevation mask, for all
and for operational satellites, direct and through a gateway (bent pipe), and loads
``coverage_daily``, ``coverage_cells`` and ``coverage_timeseries``, replacing any earlier
result of the same day in one transaction.
"""

from __future__ import annotations

from datetime import datetime, timezone

from airflow.sdk import PartitionedAssetTimetable, dag, task

from constops_airflow.assets import GP_ELEMENTS
from constops_airflow.runs import DAY_PARAM, DEFAULT_ARGS


@dag(
    dag_id="coverage",
    schedule=PartitionedAssetTimetable(assets=GP_ELEMENTS),
    start_date=datetime(2025, 11, 1, tzinfo=timezone.utc),
    catchup=False,
    max_active_runs=2,
    default_args=DEFAULT_ARGS,
    params={"day": DAY_PARAM},
    tags=["constops", "coverage"],
    doc_md=__doc__,
)
def coverage():
    @task
    def fleet_status(**context) -> list[dict]:
        """Label the day's satellites (operational, raising, decaying, stranded, stale) and load fleet_status."""
        from constops.daily import compute_fleet_day
        from constops.settings import load_settings
        from constops_airflow.resources import reporting_engine
        from constops_airflow.runs import run_day

        day, settings, engine = run_day(context), load_settings(), reporting_engine()
        return [compute_fleet_day(engine, settings, group, day) for group in settings.groups]

    @task
    def compute_coverage(**context) -> list[dict]:
        """Compute and load the day's coverage figures for every group."""
        from constops.daily import compute_coverage_day
        from constops.settings import load_settings
        from constops_airflow.resources import reporting_engine
        from constops_airflow.runs import run_day

        day, settings, engine = run_day(context), load_settings(), reporting_engine()
        return [compute_coverage_day(engine, settings, group, day) for group in settings.groups]

    fleet_status() >> compute_coverage()


coverage()
