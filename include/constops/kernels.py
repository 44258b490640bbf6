"""The library's compiled kernels (Numba), made ready ahead of the first day.

The kernels (``row_runs``, ``reach``, ``cell_series``) are compiled on their first call
and cached on disk (``__pycache__`` next to them, or ``NUMBA_CACHE_DIR``); a process then
still pays for loading them on its first call (about 1.5 s here). :func:`warm_kernels`
makes that first call on a small Walker shell: it compiles the kernels into the cache
(``scripts/compile_kernels.py`` at an image's build) or loads them from it into a
long-lived process whose children are forked from it (the Airflow layer's preload).
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import numpy as np

from .coverage import CellGrid, cell_figures, count_in_view, percent_area_covered_series, sats_in_view_series
from .settings import load_settings
from .timescale import TimeGrid
from .walker import walker_delta


def warm_kernels() -> float:
    """Run every kernel once on a 12-satellite shell over the default region and stations,
    6 hours at the default step; return the seconds it took (wall)."""
    began = time.perf_counter()
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    settings = load_settings()
    sats = walker_delta(12, 3, 1, 1068.0, 89.0, start)
    grid = CellGrid.for_region(settings.region, settings.cell_size_deg)
    times = TimeGrid.covering(start, start + timedelta(hours=6), settings.coverage_step_s)
    counts, _ = count_in_view(sats, grid, settings.masks_deg, times, {"all": np.ones(len(sats), bool)},
                              settings.stations, threads=1)
    for by_mask in counts.values():
        for mask_counts in by_mask.values():
            cell_figures(mask_counts, settings.coverage_step_s)
            percent_area_covered_series(mask_counts, grid.area_km2)
            sats_in_view_series(mask_counts, grid.area_km2)
    return time.perf_counter() - began
