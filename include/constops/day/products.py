"""The day's sharded products, each as the four functions a sharded run needs.

A product's satellites are split into blocks; ``compute`` makes one block's partial result,
``to_arrays`` and ``from_arrays`` carry it through the work area exactly, and ``load``
merges the blocks and loads the day. Coverage and passes are shaped the same way, so the
Airflow side (``constops_airflow.sharding.sharded``) runs either with the same code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from ..partial_results import arrays_to_counts, arrays_to_pass_tables, counts_to_arrays, pass_tables_to_arrays
from . import gateway_passes, region_coverage
from .shard_plan import available_slots, plan_day_blocks, plan_shards


@dataclass(frozen=True)
class Product:
    """How one product of a day is computed in blocks and loaded."""

    #: (settings, number of satellites, *, slots) -> the ``[first, stop)`` blocks of the shards
    blocks: Callable
    #: (engine, settings, constellation_id, day, snapshot_id, first, stop) -> one block's partial result
    compute: Callable
    #: partial result -> named NumPy arrays, and back (exact)
    to_arrays: Callable
    from_arrays: Callable
    #: (engine, settings, constellation_id, day, snapshot_id, blocks) -> the day's summary
    load: Callable
    #: True when ``compute`` and ``load`` take a ``work`` area (keyword), in which a revision
    #: of the day keeps what the next one reuses for the satellites whose elements did not change
    incremental: bool = False


PRODUCTS = {
    "coverage": Product(
        blocks=lambda settings, count, *, slots: plan_shards(
            count, settings.coverage_satellite_cost_s, settings.task_overhead_s, slots, settings.coverage_shard_satellites),
        compute=region_coverage.count_coverage_block,
        to_arrays=lambda counts: counts_to_arrays(*counts),
        from_arrays=arrays_to_counts,
        load=region_coverage.load_coverage_day,
    ),
    "passes": Product(
        blocks=lambda settings, count, *, slots: plan_shards(
            count, settings.pass_satellite_cost_s, settings.task_overhead_s, slots, settings.pass_shard_satellites),
        compute=gateway_passes.passes_block,
        to_arrays=pass_tables_to_arrays,
        from_arrays=arrays_to_pass_tables,
        load=gateway_passes.load_passes_day,
        incremental=True,
    ),
}



def day_blocks(engine, settings, name: str, constellation_id: str, snapshot_id: int) -> list[tuple[int, int]]:
    """Return the ``[first, stop)`` blocks product ``name`` (a key of :data:`PRODUCTS`) of
    snapshot ``snapshot_id`` is split into: the cost model of the constellation's settings
    for the slots of ``[pipeline] slots``."""
    blocks = partial(PRODUCTS[name].blocks, settings.of(constellation_id), slots=available_slots(settings))
    return plan_day_blocks(engine, snapshot_id, blocks)
