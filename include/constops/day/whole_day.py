"""A day's product computed whole: all the satellites of its snapshot in one block.

The sharded shape (``constops_airflow.sharding``) splits a large day into blocks that
run as tasks of their own; a day whose cost model plans one block per constellation is
cheaper computed in one process, without the tasks' overhead (``[pipeline]
task_overhead_s`` each). :func:`fits_one_block` tells which; :func:`compute_whole` computes
and loads the one block exactly as a one-shard run does, through the same arrays the work
area would carry, so the rows are the same whichever shape computed them.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.engine import Engine

from ..archive import WorkArea
from ..settings import Settings
from .products import PRODUCTS, day_blocks


def fits_one_block(engine: Engine, settings: Settings, name: str, snapshots: list[dict]) -> bool:
    """Return True when product ``name`` (a key of ``PRODUCTS``) of every snapshot of
    ``snapshots`` (``[{"constellation_id", "snapshot_id"}]``) is planned as at most one
    block (:func:`~constops.day.products.day_blocks`): the day then runs as one task."""
    return all(len(day_blocks(engine, settings, name, s["constellation_id"], s["snapshot_id"])) <= 1 for s in snapshots)


def compute_whole(name: str, engine: Engine, settings: Settings, constellation_id: str, day: date, snapshot_id: int,
                  work: WorkArea | None = None) -> dict:
    """Compute product ``name`` of ``day`` from every satellite of snapshot ``snapshot_id`` in
    one block and load it; return the load's summary (that of ``Product.load``). ``work``
    is the work area an incremental product reuses the previous revision from (ignored
    by the others)."""
    product = PRODUCTS[name]
    extra = {"work": work} if product.incremental else {}
    block = product.compute(engine, settings, constellation_id, day, snapshot_id, **extra)
    carried = product.from_arrays(product.to_arrays(block))  # what a one-shard run loads
    return product.load(engine, settings, constellation_id, day, snapshot_id, [carried], **extra)
