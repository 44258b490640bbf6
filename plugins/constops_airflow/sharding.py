"""Shards of a run: the day's satellites of every group split into blocks for mapped tasks.

A DAG plans the shards (one dict per block), maps one task over them (each writes its
partial result to the work area and returns where), and merges them in one task that
loads the day's tables exactly as the unsplit computation would. The partial results
of a run live under ``<work area>/<dag_id>/<run_id>/`` until its merge has loaded them.
"""

from __future__ import annotations

import re

from constops_airflow.resources import work_area
from constops_airflow.runs import run_day


def plan_shards(context, block_size_of) -> list[dict]:
    """Return one shard ``{"group", "first", "stop"}`` per block of at most
    ``block_size_of(settings)`` satellites of each configured group's snapshot for the
    run's day, and clear what an earlier attempt of the run left in the work area."""
    from constops.daily import plan_day_blocks
    from constops.settings import load_settings
    from constops_airflow.resources import reporting_engine

    day, settings, engine = run_day(context), load_settings(), reporting_engine()
    work_area().discard(run_prefix(context))
    return [
        {"group": group, "first": first, "stop": stop}
        for group in settings.groups
        for first, stop in plan_day_blocks(engine, group, day, block_size_of(settings))
    ]


def run_prefix(context) -> str:
    """Return the run's folder in the work area: ``<dag_id>/<run_id>``, made path-safe."""
    dag_run = context["dag_run"]
    return "/".join(re.sub(r"[^A-Za-z0-9._-]", "_", part) for part in (dag_run.dag_id, dag_run.run_id))


def compute_shard(context, shard: dict, compute, to_arrays) -> dict:
    """Run ``compute(engine, settings, group, day, first, stop)`` for one shard of the run's
    day, store ``to_arrays(result)`` in the work area, and return the shard with the
    ``uri`` it is stored at."""
    from constops.settings import load_settings
    from constops_airflow.resources import reporting_engine

    label(shard)
    result = compute(reporting_engine(), load_settings(), shard["group"], run_day(context), shard["first"], shard["stop"])
    name = f"{run_prefix(context)}/{shard['group']}/{shard['first']:07d}-{shard['stop']:07d}"
    return {**shard, "uri": work_area().put(name, to_arrays(result))}


#: ``map_index_template`` of mapped shard tasks: names each after its shard in the UI.
SHARD_LABEL = "{{ shard_label }}"


def label(shard: dict) -> None:
    """Name the running mapped task instance after its shard (see :data:`SHARD_LABEL`)."""
    from airflow.sdk import get_current_context

    get_current_context()["shard_label"] = f"{shard['group']} satellites {shard['first']}-{shard['stop'] - 1}"


def merge_shards(context, shards, merge) -> list[dict]:
    """Return ``merge(engine, settings, group, day, arrays)`` for every configured group,
    ``arrays`` iterating over the stored partial results of the group's shards; then
    delete the run's partial results."""
    from constops.settings import load_settings
    from constops_airflow.resources import reporting_engine

    day, settings, engine, area = run_day(context), load_settings(), reporting_engine(), work_area()
    shards = list(shards)
    summaries = []
    for group in settings.groups:
        uris = [shard["uri"] for shard in shards if shard["group"] == group]
        if not uris:
            raise ValueError(f"run {context['dag_run'].run_id}: no shard of group {group} to merge")
        summaries.append(merge(engine, settings, group, day, (area.get(uri) for uri in uris)))
    area.discard(run_prefix(context))
    return summaries
