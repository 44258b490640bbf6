"""Shards of a run: the day's satellites of every group split into blocks for mapped tasks.

A DAG plans the shards (one dict per block), maps one task over them (each writes its
partial result to the work area and returns where), and merges them in one task that
loads the day's tables exactly as the unsplit computation would. The partial results
of a run live under ``<work area>/<dag_id>/<run_id>/`` until its merge has loaded them.
"""

from __future__ import annotations

import re

from constops_airflow.resources import work_area
from constops_airflow.runs import failing_for_good, run_day


def plan_shards(context, snapshots: list[dict], block_size_of) -> list[dict]:
    """Return one shard ``{"group", "snapshot_id", "first", "stop"}`` per block of at most
    ``block_size_of(settings)`` satellites of each group's snapshot resolved for the run
    (``snapshots``, from ``resolve_snapshots``), and clear what an earlier attempt of the
    run left in the work area."""
    from constops.daily import plan_day_blocks
    from constops.settings import load_settings
    from constops_airflow.resources import reporting_engine

    settings, engine = load_settings(), reporting_engine()
    work_area().discard(run_prefix(context))
    return [
        {"group": s["group"], "snapshot_id": s["snapshot_id"], "first": first, "stop": stop}
        for s in snapshots
        for first, stop in plan_day_blocks(engine, s["snapshot_id"], block_size_of(settings))
    ]


def run_prefix(context) -> str:
    """Return the run's folder in the work area: ``<dag_id>/<run_id>``, made path-safe."""
    dag_run = context["dag_run"]
    return "/".join(re.sub(r"[^A-Za-z0-9._-]", "_", part) for part in (dag_run.dag_id, dag_run.run_id))


def compute_shard(context, shard: dict, compute, to_arrays) -> dict:
    """Run ``compute(engine, settings, group, day, snapshot_id, first, stop)`` for one shard of
    the run's day, store ``to_arrays(result)`` in the work area, and return the shard with
    the ``uri`` it is stored at."""
    from constops.settings import load_settings
    from constops_airflow.resources import reporting_engine

    label(shard)
    result = compute(reporting_engine(), load_settings(), shard["group"], run_day(context), shard["snapshot_id"],
                     shard["first"], shard["stop"])
    name = f"{run_prefix(context)}/{shard['group']}/{shard['first']:07d}-{shard['stop']:07d}"
    return {**shard, "uri": work_area().put(name, to_arrays(result))}


#: ``map_index_template`` of mapped shard tasks: names each after its shard in the UI.
SHARD_LABEL = "{{ shard_label }}"


def label(shard: dict) -> None:
    """Name the running mapped task instance after its shard (see :data:`SHARD_LABEL`)."""
    from airflow.sdk import get_current_context

    get_current_context()["shard_label"] = f"{shard['group']} satellites {shard['first']}-{shard['stop'] - 1}"


def merge_shards(context, snapshots: list[dict], shards, merge) -> list[dict]:
    """Return ``merge(engine, settings, group, day, snapshot_id, arrays)`` for every group's
    snapshot resolved for the run, ``arrays`` iterating over the stored partial results of
    the group's shards; then delete the run's partial results."""
    from constops.settings import load_settings
    from constops_airflow.resources import reporting_engine

    day, settings, engine, area = run_day(context), load_settings(), reporting_engine(), work_area()
    shards = list(shards)
    summaries = []
    for s in snapshots:
        mine = [shard for shard in shards if shard["group"] == s["group"]]
        if not mine or any(shard["snapshot_id"] != s["snapshot_id"] for shard in mine):
            raise ValueError(f"run {context['dag_run'].run_id}: the shards of group {s['group']} are not those "
                             f"of snapshot {s['snapshot_id']}: {mine}")
        with failing_for_good():
            summaries.append(merge(engine, settings, s["group"], day, s["snapshot_id"],
                                   (area.get(shard["uri"]) for shard in mine)))
    area.discard(run_prefix(context))
    return summaries
