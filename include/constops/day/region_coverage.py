"""The day's coverage of the region: satellites in view per block, added up, figures loaded."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

import numpy as np
from sqlalchemy import Engine, select

from ..clock import utc_now
from ..coverage import (
    CellGrid,
    cell_figures,
    count_in_view,
    percent_area_covered_series,
    region_figures,
    sats_in_view_series,
)
from ..errors import NoSnapshotError
from ..partial_results import Counts, add_counts
from ..reporting import schema
from ..reporting.dimensions import record_sites
from ..reporting.store import replace_revision
from ..settings import Settings
from ..snapshots import load_element_sets
from ..timescale import TimeGrid, day_bounds
from .assignment import require_assigned


def count_coverage_block(
    engine: Engine, settings: Settings, constellation_id: str, day: date, snapshot_id: int,
    first: int = 0, stop: int | None = None,
) -> tuple[Counts, dict[str, int]]:
    """Return the satellites-in-view counts over the region's cells at every coverage step of
    ``day``, from the satellites ``[first, stop)`` (in NORAD order) of snapshot
    ``snapshot_id``: ``counts[(set,
    service)][mask]`` arrays (n_times, n_cells) for the sets ``all`` and ``operational`` (as
    ``fleet_status`` labels them for the day) and the services direct and bent pipe, and the
    number of satellites of each set that propagate all day."""
    settings = settings.of(constellation_id)
    element_sets = load_element_sets(engine, snapshot_id, first, stop)
    operational = _operational_ids(engine, constellation_id, day, snapshot_id)
    norad = np.array([s.norad_cat_id for s in element_sets], dtype=np.int64)
    subsets = {"all": np.ones(len(norad), bool), "operational": np.isin(norad, list(operational))}
    return count_in_view(element_sets, _coverage_grid(settings), settings.masks_deg,
                         _coverage_times(settings, day), subsets, settings.stations,
                         threads=settings.coverage_threads)


def _coverage_grid(settings: Settings) -> CellGrid:
    return CellGrid.for_region(settings.region, settings.cell_size_deg)


def _coverage_times(settings: Settings, day: date) -> TimeGrid:
    return TimeGrid.covering(*day_bounds(day), settings.coverage_step_s)


def load_coverage_day(
    engine: Engine, settings: Settings, constellation_id: str, day: date, snapshot_id: int,
    blocks: Iterable[tuple[Counts, Mapping[str, int]]],
) -> dict:
    """Add the counts of blocks that partition the satellites of snapshot ``snapshot_id``
    (see :func:`count_coverage_block`), compute the coverage figures at every mask, for all
    and operational satellites, direct and bent pipe; load ``coverage_daily``,
    ``coverage_cells`` and ``coverage_timeseries`` in one transaction and return the region
    figures. Raises SnapshotSupersededError, loading nothing, when the day is no longer
    assigned ``snapshot_id``."""
    settings = settings.of(constellation_id)
    operational = _operational_ids(engine, constellation_id, day, snapshot_id)
    grid, times = _coverage_grid(settings), _coverage_times(settings, day)
    counts, usable = add_counts(blocks)
    instants = [times.instant(offset) for offset in times.offsets_s]
    key = {"day": day, "group_name": constellation_id, "region_id": grid.region_id}
    daily_rows, cell_rows, series_rows, summary = [], [], [], {}
    computed_at = utc_now()
    for (set_name, service), by_mask in counts.items():
        for mask_deg, mask_counts in by_mask.items():
            row_key = {**key, "min_elevation_deg": mask_deg, "satellite_set": set_name, "service": service}
            cells = cell_figures(mask_counts, settings.coverage_step_s)
            region = region_figures(cells, grid.area_km2)
            daily_rows.append({
                **row_key, **region, "satellites_used": usable[set_name],
                "n_cells": len(grid), "area_km2": float(grid.area_km2.sum()),
                "cell_size_deg": grid.cell_size_deg, "step_s": settings.coverage_step_s,
                "snapshot_id": snapshot_id, "computed_at": computed_at,
            })
            cell_rows += _cell_rows(row_key, grid, cells, snapshot_id)
            series = percent_area_covered_series(mask_counts, grid.area_km2).tolist()
            mean_in_view, max_in_view = (a.tolist() for a in sats_in_view_series(mask_counts, grid.area_km2))
            series_rows += [
                {**row_key, "t": t, "percent_area_covered": p, "snapshot_id": snapshot_id,
                 "sats_in_view_mean": mean, "sats_in_view_max": most}
                for t, p, mean, most in zip(instants, series, mean_in_view, max_in_view)
            ]
            summary[f"{set_name}/{service}/{mask_deg:g}"] = region["percent_time_covered"]
    with engine.begin() as conn:
        revision = require_assigned(conn, constellation_id, day, snapshot_id)
        record_sites(conn, settings, grid)
        for table, rows in ((schema.coverage_daily, daily_rows), (schema.coverage_cells, cell_rows),
                            (schema.coverage_timeseries, series_rows)):
            replace_revision(conn, table, key, revision, rows=rows)
    return {"day": day.isoformat(), "constellation_id": constellation_id, "snapshot_id": snapshot_id, "revision": revision,
            "operational": len(operational), "percent_time_covered": summary}


def _operational_ids(engine: Engine, constellation_id: str, day: date, snapshot_id: int) -> set[int]:
    """Return the NORAD ids that ``fleet_status`` labels operational on ``day`` from snapshot
    ``snapshot_id`` (labels another run wrote from another snapshot do not count)."""
    table = schema.fleet_status
    with engine.connect() as conn:
        rows = conn.execute(select(table.c.norad_cat_id, table.c.status).where(
            table.c.day == day, table.c.group_name == constellation_id, table.c.snapshot_id == snapshot_id)).all()
    if not rows:
        raise NoSnapshotError(f"no fleet_status for {constellation_id} on {day.isoformat()} from snapshot {snapshot_id}: "
                              f"the fleet of the day is not computed", constellation_id=constellation_id, day=day,
                              snapshot_id=snapshot_id, missing="fleet")
    return {norad for norad, status in rows if status == "operational"}


def _cell_rows(key: dict, grid: CellGrid, cells, snapshot_id: int) -> list[dict]:
    columns = {
        "cell_id": grid.cell_id, "lat_deg": grid.lat_deg, "lon_deg": grid.lon_deg, "area_km2": grid.area_km2,
        "percent_time_covered": cells.percent_time_covered, "gap_count": cells.gap_count,
        "mean_gap_s": cells.mean_gap_s, "max_gap_s": cells.max_gap_s,
        "sats_in_view_min": cells.sats_in_view_min, "sats_in_view_mean": cells.sats_in_view_mean,
        "sats_in_view_max": cells.sats_in_view_max,
    }
    as_lists = {name: np.asarray(values).tolist() for name, values in columns.items()}
    return [
        {**key, **{name: values[i] for name, values in as_lists.items()}, "snapshot_id": snapshot_id}
        for i in range(len(grid))
    ]
