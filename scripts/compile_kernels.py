"""Compile the Numba kernels of constops into Numba's cache, once, ahead of the first task.

    python scripts/compile_kernels.py

The kernels (``row_runs``, ``reach``, ``cell_series``) are compiled on their first call
and cached on disk (``__pycache__`` next to them, or ``NUMBA_CACHE_DIR``). Where that
directory is not writable at run time (the image's read-only file system) Numba cannot
cache at all, and every task process would compile them again (about 5 s); the image
therefore sets ``NUMBA_CACHE_DIR`` to a directory of the airflow-home volume and runs
this script at build time, so the volume starts with the compiled kernels. Prints the
cache files written.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

from constops.coverage import CellGrid, cell_figures, count_in_view, percent_area_covered_series, sats_in_view_series
from constops.settings import load_settings
from constops.timescale import TimeGrid
from constops.walker import walker_delta


def compile_kernels() -> None:
    """Run every kernel once on a small Walker shell over the default region and station."""
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    settings = load_settings()
    sats = walker_delta(12, 3, 1, 1068.0, 89.0, start)
    grid = CellGrid.for_region(settings.region, settings.cell_size_deg)
    times = TimeGrid.covering(start, start + timedelta(hours=6), settings.coverage_step_s)
    subsets = {"all": np.ones(len(sats), bool)}
    counts, _ = count_in_view(sats, grid, settings.masks_deg, times, subsets, settings.stations, threads=1)
    for by_mask in counts.values():
        for mask_counts in by_mask.values():
            cell_figures(mask_counts, settings.coverage_step_s)
            percent_area_covered_series(mask_counts, grid.area_km2)
            sats_in_view_series(mask_counts, grid.area_km2)


def main() -> int:
    compile_kernels()
    cache = Path(os.environ.get("NUMBA_CACHE_DIR") or Path(__file__).resolve().parents[1] / "include")
    for path in sorted(cache.rglob("*.nbi")):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
