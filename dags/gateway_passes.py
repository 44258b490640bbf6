"""gateway_passes: the pass schedule of one UTC day over every configured gateway (Akkol).

Runs once for each day partition that ``tle_ingest`` publishes (or by hand with the
``day`` parameter). A pass belongs to the day in which its TCA falls; its AOS and LOS
are the true times even outside the day. Loads ``gateway_passes`` and ``gateway_daily``.
"""

from __future__ import annotations

from datetime import datetime, timezone

from airflow.sdk import PartitionedAssetTimetable, dag, task

from constops_airflow.assets import GP_ELEMENTS
from constops_airflow.runs import DAY_PARAM, DEFAULT_ARGS, for_each_group


@dag(
    dag_id="gateway_passes",
    schedule=PartitionedAssetTimetable(assets=GP_ELEMENTS),
    start_date=datetime(2025, 11, 1, tzinfo=timezone.utc),
    catchup=False,
    max_active_runs=2,
    default_args=DEFAULT_ARGS,
    params={"day": DAY_PARAM},
    tags=["constops", "passes", "gateway"],
    doc_md=__doc__,
)
def gateway_passes():
    @task
    def compute_passes(**context) -> list[dict]:
        """Compute and load the day's passes and station summary for every group."""
        from constops.daily import compute_passes_day

        return for_each_group(context, compute_passes_day)

    @task(retries=0)
    def quality_gate(**context) -> list[dict]:
        """Fail the run when the day's loaded rows are impossible (ranges, counts, ordering)."""
        from constops.quality import check_passes_day

        return for_each_group(context, check_passes_day)

    compute_passes() >> quality_gate()


gateway_passes()
