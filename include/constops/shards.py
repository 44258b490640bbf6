"""Sharded computation: a day's satellites split into blocks, computed apart, merged exactly.

Satellites do not interact, so the satellites-in-view counts of a day are the sum of
the counts of any partition of the constellation, and its passes are the union of the
partition's passes. A block is the half-open range ``[first, stop)`` of the day's
element sets in NORAD order. Partial results travel between workers as NumPy ``.npz``
files under a shared fsspec root (the work area), not through Airflow's XCom: a
block of 2,000 satellites counts about 50 MB.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Mapping

import fsspec
import numpy as np

from .pass_table import PassTable

#: The separator of the parts of an array's name in a block file.
_SEP = "|"

Counts = dict[tuple[str, str], dict[float, np.ndarray]]


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


class WorkArea:
    """Partial results of sharded tasks under one fsspec root URL that every worker reaches
    (a shared volume, or ``s3://bucket/prefix`` with the matching fsspec driver)."""

    def __init__(self, root_url: str):
        self.root_url = root_url.rstrip("/")
        self.fs, self.root = fsspec.core.url_to_fs(self.root_url)

    def put(self, name: str, arrays: Mapping[str, np.ndarray]) -> str:
        """Store ``arrays`` as ``<root>/<name>.npz`` (written aside, then moved into place, so
        a reader never sees half a file); return its URI."""
        path = f"{self.root}/{name}.npz"
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)
        self.fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
        with self.fs.open(f"{path}.partial", "wb") as file:
            file.write(buffer.getbuffer())
        self.fs.mv(f"{path}.partial", path)
        return self.fs.unstrip_protocol(path)

    def get(self, uri: str) -> dict[str, np.ndarray]:
        """Return the arrays stored at ``uri`` (as returned by :meth:`put`)."""
        with fsspec.open(uri, "rb") as file, np.load(io.BytesIO(file.read()), allow_pickle=False) as stored:
            return {name: stored[name] for name in stored.files}

    def discard(self, prefix: str) -> None:
        """Delete everything stored under ``<root>/<prefix>``, if anything is."""
        path = f"{self.root}/{prefix}"
        if self.fs.exists(path):
            self.fs.rm(path, recursive=True)


def counts_to_arrays(counts: Counts, usable: Mapping[str, int]) -> dict[str, np.ndarray]:
    """Return a block's satellites-in-view counts (see ``coverage.count_in_view``) as named
    arrays; counts that fit stored as uint8 (a block rarely has 255 satellites over one cell)."""
    arrays = {f"usable{_SEP}{name}": np.array(n, dtype=np.int64) for name, n in usable.items()}
    for (subset, service), by_mask in counts.items():
        for mask_deg, c in by_mask.items():
            compact = c.astype(np.uint8) if c.size == 0 or c.max() < 256 else c
            arrays[_SEP.join(("counts", subset, service, repr(float(mask_deg))))] = compact
    return arrays


def arrays_to_counts(arrays: Mapping[str, np.ndarray]) -> tuple[Counts, dict[str, int]]:
    """Return (counts, usable) from the arrays of :func:`counts_to_arrays`, counts as uint16."""
    counts: Counts = {}
    usable: dict[str, int] = {}
    for name, values in arrays.items():
        kind, *key = name.split(_SEP)
        if kind == "usable":
            usable[key[0]] = int(values)
        else:
            subset, service, mask = key
            counts.setdefault((subset, service), {})[float(mask)] = values.astype(np.uint16)
    return counts, usable


def add_counts(parts: Iterable[tuple[Counts, Mapping[str, int]]]) -> tuple[Counts, dict[str, int]]:
    """Return the sum of the blocks' (counts, usable): the counts of their union. The blocks
    must have been counted on the same grid, times, masks and subsets."""
    total: Counts | None = None
    usable: dict[str, int] = {}
    for counts, part_usable in parts:
        if total is None:
            total = {key: {mask: c.astype(np.uint16, copy=True) for mask, c in by_mask.items()}
                     for key, by_mask in counts.items()}
        else:
            if counts.keys() != total.keys():
                raise ValueError(f"blocks counted different subsets or services: {sorted(counts)} vs {sorted(total)}")
            for key, by_mask in counts.items():
                for mask, c in by_mask.items():
                    total[key][mask] += c
        for name, n in part_usable.items():
            usable[name] = usable.get(name, 0) + n
    if total is None:
        raise ValueError("no blocks to add")
    return total, usable


def pass_tables_to_arrays(tables: Mapping[str, PassTable]) -> dict[str, np.ndarray]:
    """Return a block's pass tables per station as named arrays (times as integer
    microseconds since 1970-01-01 UTC, so that they come back to the microsecond)."""
    return {f"passes{_SEP}{station_id}{_SEP}{name}": values
            for station_id, table in tables.items() for name, values in table.columns.items()}


def arrays_to_pass_tables(arrays: Mapping[str, np.ndarray]) -> dict[str, PassTable]:
    """Return the pass tables per station stored by :func:`pass_tables_to_arrays`."""
    columns: dict[str, dict[str, np.ndarray]] = {}
    for name, values in arrays.items():
        _, station_id, column = name.split(_SEP)
        columns.setdefault(station_id, {})[column] = values
    return {station_id: PassTable(c) for station_id, c in columns.items()}
