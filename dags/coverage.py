"""coverage: Kazakhstan coverage of one UTC day, at every configured elevation mask.

Runs once for each day partition that ``tle_ingest`` publishes (or by hand with the
``day`` parameter); loads ``coverage_daily`` and ``coverage_cells`` for that day,
replacing any earlier result of the same day in one transaction.
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
    def compute_coverage(**context) -> list[dict]:
        """Compute and load the day's coverage figures for every group."""
        from constops.daily import compute_coverage_day
        from constops.settings import load_settings
        from constops_airflow.resources import reporting_engine
        from constops_airflow.runs import run_day

        day, settings, engine = run_day(context), load_settings(), reporting_engine()
        return [compute_coverage_day(engine, settings, group, day) for group in settings.groups]

    compute_coverage()


coverage()
