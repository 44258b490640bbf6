"""Partial results of shards: a block's counts or passes as exact NumPy arrays, and merged.

Satellites do not interact, so the satellites-in-view counts of a day are the sum of
the counts of any partition of the constellation, and its passes are the union of the
partition's passes. A block is the half-open range ``[first, stop)`` of the day's
element sets in NORAD order. Partial results travel between workers as NumPy ``.npz``
files under a shared fsspec root (the work area), not through Airflow's XCom: a
block of 2,000 satellites counts about 50 MB.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

from .pass_table import PassTable

#: The separator of the parts of an array's name in a block file.
_SEP = "|"

Counts = dict[tuple[str, str], dict[float, np.ndarray]]


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
