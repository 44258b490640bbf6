"""Shards of a run: the day's satellites of every group split into blocks for mapped tasks.

:func:`sharded` adds the same three tasks to a DAG for any product of
``constops.day.products``: ``plan_shards`` (one dict per block of the snapshot resolved for
the run), one mapped task over the shards (each writes its partial result to the work
area and returns where), and one load task that merges them and loads the day's tables
exactly as the unsplit computation would. The partial results of a run live under
``<work area>/<dag_id>/<run_id>/`` until its load has used them.
"""

from __future__ import annotations

import re
from functools import partial

from airflow.sdk import task

from constops_airflow.resources import work_area
from constops_airflow.runs import failing_for_good, run_day

#: ``map_index_template`` of mapped shard tasks: names each after its shard in the UI.
SHARD_LABEL = "{{ shard_label }}"


def sharded(product: str, snapshots, *, compute_task_id: str, load_task_id: str, compute_doc: str, load_doc: str):
    """Add ``plan_shards >> <compute_task_id>[shard, ...] >> <load_task_id>`` for ``product``
    (a key of ``constops.day.products.PRODUCTS``) to the DAG being defined, over the
    ``snapshots`` that ``compute_day`` returned. Return (plan output, load output)."""

    @task(task_id="plan_shards", doc_md=f"Split every group's satellites of the day into blocks for `{compute_task_id}`.")
    def plan(snapshots: list[dict], **context) -> list[dict]:
        return plan_shards(context, snapshots, product)

    @task(task_id=compute_task_id, doc_md=compute_doc, map_index_template=SHARD_LABEL)
    def compute(shard: dict, **context) -> dict:
        spec = _product(product)
        return compute_shard(context, shard, _with_work(spec, spec.compute), spec.to_arrays)

    @task(task_id=load_task_id, doc_md=load_doc)
    def load(snapshots: list[dict], shards: list[dict], **context) -> list[dict]:
        spec = _product(product)

        def merge(engine, settings, constellation_id, day, snapshot_id, stored):
            return _with_work(spec, spec.load)(engine, settings, constellation_id, day, snapshot_id,
                                               map(spec.from_arrays, stored))

        return merge_shards(context, snapshots, shards, merge)

    shards = plan(snapshots)
    return shards, load(snapshots, compute.expand(shard=shards))


def _product(name: str):
    """Return the product ``name`` of the library (imported at run time: it loads NumPy)."""
    from constops.api import PRODUCTS

    return PRODUCTS[name]


def _with_work(spec, function):
    """Return ``function`` given the work area when the product reuses the day's previous
    revision from there (``Product.incremental``)."""
    return partial(function, work=work_area()) if spec.incremental else function


def plan_shards(context, snapshots: list[dict], product: str) -> list[dict]:
    """Return one shard ``{"group", "snapshot_id", "first", "stop"}`` per block that
    ``constops.day.products.day_blocks`` plans for ``product`` of each group's snapshot
    resolved for the run (``snapshots``, from ``compute_day``), and clear what an earlier attempt of the run left in
    the work area."""
    from constops.api import day_blocks, load_settings
    from constops_airflow.resources import reporting_engine

    settings, engine = load_settings(), reporting_engine()
    work_area().discard(run_prefix(context))
    return [
        {"constellation_id": s["constellation_id"], "snapshot_id": s["snapshot_id"], "first": first, "stop": stop}
        for s in snapshots
        for first, stop in day_blocks(engine, settings, product, s["constellation_id"], s["snapshot_id"])
    ]


def run_prefix(context) -> str:
    """Return the run's folder in the work area: ``<dag_id>/<run_id>``, made path-safe."""
    dag_run = context["dag_run"]
    return "/".join(re.sub(r"[^A-Za-z0-9._-]", "_", part) for part in (dag_run.dag_id, dag_run.run_id))


def compute_shard(context, shard: dict, compute, to_arrays) -> dict:
    """Run ``compute(engine, settings, group, day, snapshot_id, first, stop)`` for one shard of
    the run's day, store ``to_arrays(result)`` in the work area, and return the shard with
    the ``uri`` it is stored at."""
    from constops.api import load_settings
    from constops_airflow.resources import reporting_engine

    label(shard)
    result = compute(reporting_engine(), load_settings(), shard["constellation_id"], run_day(context), shard["snapshot_id"],
                     shard["first"], shard["stop"])
    name = f"{run_prefix(context)}/{shard['constellation_id']}/{shard['first']:07d}-{shard['stop']:07d}"
    return {**shard, "uri": work_area().put(name, to_arrays(result))}


def label(shard: dict) -> None:
    """Name the running mapped task instance after its shard (see :data:`SHARD_LABEL`)."""
    from airflow.sdk import get_current_context

    get_current_context()["shard_label"] = f"{shard['constellation_id']} satellites {shard['first']}-{shard['stop'] - 1}"


def merge_shards(context, snapshots: list[dict], shards, merge) -> list[dict]:
    """Return ``merge(engine, settings, group, day, snapshot_id, arrays)`` for every group's
    snapshot resolved for the run, ``arrays`` iterating over the stored partial results of
    the group's shards; then delete the run's partial results."""
    from constops.api import load_settings
    from constops_airflow.alerts import report_changes
    from constops_airflow.resources import reporting_engine

    day, settings, engine, area = run_day(context), load_settings(), reporting_engine(), work_area()
    shards = list(shards)
    summaries = []
    for s in snapshots:
        mine = [shard for shard in shards if shard["constellation_id"] == s["constellation_id"]]
        if not mine or any(shard["snapshot_id"] != s["snapshot_id"] for shard in mine):
            raise ValueError(f"run {context['dag_run'].run_id}: the shards of group {s['constellation_id']} are not those "
                             f"of snapshot {s['snapshot_id']}: {mine}")
        with failing_for_good():
            summaries.append(merge(engine, settings, s["constellation_id"], day, s["snapshot_id"],
                                   (area.get(shard["uri"]) for shard in mine)))
        report_changes(context, summaries[-1])
    area.discard(run_prefix(context))
    return summaries
