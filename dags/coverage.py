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
from constops_airflow.runs import DAY_PARAM, DEFAULT_ARGS, for_each_group


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

        return for_each_group(context, compute_fleet_day)

    @task
    def compute_coverage(**context) -> list[dict]:
        """Compute and load the day's coverage figures for every group."""
        from constops.daily import compute_coverage_day

        return for_each_group(context, compute_coverage_day)

    @task(retries=0)
    def quality_gate(**context) -> list[dict]:
        """Fail the run when the day's loaded rows are impossible (ranges, counts, ordering)."""
        from constops.quality import check_coverage_day

        return for_each_group(context, check_coverage_day)

    fleet_status() >> compute_coverage() >> quality_gate()


coverage()
