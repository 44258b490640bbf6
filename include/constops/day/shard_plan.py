"""How a day's satellites are split into shards: the blocks, their count from a cost model,
and the task slots they may fill."""

from __future__ import annotations

import math
import os
from collections.abc import Callable

from sqlalchemy import Engine

from ..settings import Settings
from ..snapshots import snapshot_by_id


def plan_blocks(count: int, block_size: int) -> list[tuple[int, int]]:
    """Return the ``[first, stop)`` ranges that cover ``count`` items in the fewest blocks
    of at most ``block_size``, their sizes differing by one at most (so that no shard is
    a small remainder); one empty block when ``count`` is 0."""
    if block_size < 1:
        raise ValueError(f"block size must be at least 1 satellite, not {block_size}")
    n_blocks = max(1, math.ceil(count / block_size))
    bounds = [round(i * count / n_blocks) for i in range(n_blocks + 1)]
    return list(zip(bounds[:-1], bounds[1:]))


#: A shard holds at least this many times a task's overhead of work (overhead <= 20%).
MIN_WORK_PER_OVERHEAD = 4.0
#: With several slots, a product is cut up to this many shards per slot: the day's products
#: (coverage, passes) share the slots, and unequal tasks only even out when finer than them.
SHARDS_PER_SLOT = 2


def shard_count(count: int, satellite_cost_s: float, task_overhead_s: float, slots: int, most: int) -> int:
    """Return how many shards ``count`` satellites are split into: with one slot one (the
    day is serial anyway), with more up to ``SHARDS_PER_SLOT`` per slot (the tasks that can
    run at once), but only as many as keep each shard's work (``satellite_cost_s`` per
    satellite on one core) at least ``MIN_WORK_PER_OVERHEAD`` times ``task_overhead_s``;
    never blocks above ``most`` satellites. A day of work below four overheads is one shard.

    At 15,000 satellites on two slots, coverage (37.5 s of work) makes three shards of
    12.5 s and passes (12 s) one: the four tasks take the two slots about 35 s in any
    order, where two coverage shards of 19 s and the passes' shard took 46 s."""
    by_cost = math.floor(count * satellite_cost_s / (MIN_WORK_PER_OVERHEAD * task_overhead_s))
    by_slots = 1 if slots <= 1 else SHARDS_PER_SLOT * slots
    return max(1, math.ceil(count / most), min(by_slots, by_cost))


def plan_shards(count: int, satellite_cost_s: float, task_overhead_s: float, slots: int,
                most: int) -> list[tuple[int, int]]:
    """Return the ``[first, stop)`` blocks of the :func:`shard_count` shards of ``count``
    satellites, their sizes differing by one at most."""
    n_shards = shard_count(count, satellite_cost_s, task_overhead_s, slots, most)
    return plan_blocks(count, max(1, math.ceil(count / n_shards)))


def plan_day_blocks(engine: Engine, snapshot_id: int, blocks_of: Callable[[int], list[tuple[int, int]]]):
    """Return ``blocks_of(n)``: the ``[first, stop)`` blocks of the ``n`` satellites of
    snapshot ``snapshot_id`` (see :func:`plan_shards`)."""
    return blocks_of(snapshot_by_id(engine, snapshot_id).object_count or 0)


def available_slots(settings: Settings) -> int:
    """Return the task slots one run's shards may fill: ``[pipeline] slots``, or the cores of
    this machine when it is 0."""
    return settings.slots or os.cpu_count() or 1
