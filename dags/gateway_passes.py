"""gateway_passes: the pass schedule of one UTC day over every configured gateway (Akkol).

Runs once for each day partition that ``tle_ingest`` publishes (or by hand with the
``day`` parameter). ``resolve_snapshots`` reads once which snapshot the day is computed
from; every later task uses that snapshot. A pass belongs to the day in which its TCA falls; its AOS and LOS
are the true times even outside the day. The day's satellites are split into shards of
at most ``[passes] shard_satellites`` (settings); ``find_passes`` is mapped over them,
and ``load_passes`` merges their passes and loads ``gateway_passes`` and
``gateway_daily`` in one transaction: the same rows whatever the shard size.
"""

from __future__ import annotations

from airflow.sdk import PartitionedAssetTimetable, dag, task

from constops_airflow.assets import GP_ELEMENTS
from constops_airflow.runs import DAY_PARAM, DEFAULT_ARGS, FIRST_DAG_DATE, for_each_group
from constops_airflow.sharding import resolve_snapshots, sharded


@dag(
    dag_id="gateway_passes",
    schedule=PartitionedAssetTimetable(assets=GP_ELEMENTS),
    start_date=FIRST_DAG_DATE,
    catchup=False,
    max_active_runs=2,
    default_args=DEFAULT_ARGS,
    params={"day": DAY_PARAM},
    tags=["constops", "passes", "gateway"],
    doc_md=__doc__,
)
def gateway_passes():
    @task(retries=0)
    def quality_gate(**context) -> list[dict]:
        """Fail the run when the day's loaded rows are impossible (ranges, counts, ordering)."""
        from constops.quality import check_passes_day

        return for_each_group(context, check_passes_day)

    snapshots = resolve_snapshots()
    _, loaded = sharded(
        "passes", snapshots, compute_task_id="find_passes", load_task_id="load_passes",
        compute_doc="Find the passes of one shard's satellites over every station and store them.",
        load_doc="Merge the shards' passes and load the day's passes and station summaries for every group.",
    )
    loaded >> quality_gate()

gateway_passes()
