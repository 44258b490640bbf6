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
from constops_airflow.sharding import SHARD_LABEL


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
    @task
    def resolve_snapshots(**context) -> list[dict]:
        """Read once which snapshot each group's day is computed from; every later task of the
        run uses that one, so a tle_ingest rerun meanwhile cannot mix two snapshots in a day."""
        from constops.daily import resolve_day_snapshot

        return for_each_group(context, resolve_day_snapshot)

    @task
    def plan_shards(snapshots: list[dict], **context) -> list[dict]:
        """Split every group's satellites of the day into blocks of ``[passes] shard_satellites``."""
        from constops_airflow.sharding import plan_shards

        return plan_shards(context, snapshots, lambda settings: settings.pass_shard_satellites)

    @task(map_index_template=SHARD_LABEL)
    def find_passes(shard: dict, **context) -> dict:
        """Find the passes of one shard's satellites over every station and store them."""
        from constops.daily import passes_block
        from constops.shards import passes_to_arrays
        from constops_airflow.sharding import compute_shard

        return compute_shard(context, shard, passes_block, passes_to_arrays)

    @task
    def load_passes(snapshots: list[dict], shards: list[dict], **context) -> list[dict]:
        """Merge the shards' passes and load the day's passes and station summaries for every group."""
        from constops.daily import load_passes_day
        from constops.shards import arrays_to_passes
        from constops_airflow.sharding import merge_shards

        def merge(engine, settings, group, day, snapshot_id, stored):
            return load_passes_day(engine, settings, group, day, snapshot_id, map(arrays_to_passes, stored))

        return merge_shards(context, snapshots, shards, merge)

    @task(retries=0)
    def quality_gate(**context) -> list[dict]:
        """Fail the run when the day's loaded rows are impossible (ranges, counts, ordering)."""
        from constops.quality import check_passes_day

        return for_each_group(context, check_passes_day)

    snapshots = resolve_snapshots()
    load_passes(snapshots, find_passes.expand(shard=plan_shards(snapshots))) >> quality_gate()


gateway_passes()
