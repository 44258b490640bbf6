"""One UTC day of the pipeline: choose the snapshot, compute passes and coverage, load them.

These are the functions the DAG tasks call. Each returns a small JSON-able
summary (for XCom and logs); each load replaces the day's rows for its key in
one transaction, so a rerun leaves exactly one copy and a failure leaves the
previous copy.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

import numpy as np
from sqlalchemy import Engine, select

from .archive import RawArchive
from .coverage import CellGrid, cell_figures, count_in_view, percent_area_covered_series, region_figures
from .fleet import fleet_status
from .passes import Pass, find_passes
from .propagation import propagation_failures
from .reporting import schema
from .reporting.sites import record_sites
from .reporting.store import now_utc, replace
from .settings import Settings
from .shards import Counts, add_counts, plan_blocks
from .freshness import SnapshotTooOldError, age_days, is_fresh
from .snapshots import (
    NoSnapshotError,
    assign_day,
    live_snapshot,
    load_element_sets,
    record_payload,
    require_assigned,
    snapshot_at,
    snapshot_by_id,
    snapshot_for_day,
    snapshot_median_epoch,
    snapshot_nearest,
    snapshots_before,
    stored_account,
)
from .timescale import TimeGrid, day_bounds


@dataclass(frozen=True)
class Answer:
    """What an HTTP GET returned: the final URL, the status and the raw body."""

    url: str
    status: int
    body: bytes


def is_live(day: date, now: datetime, live_window_h: float) -> bool:
    """Return True when ``day`` started less than ``live_window_h`` hours before ``now``
    (or has not started yet): its elements are fetched from CelesTrak rather than the archive."""
    start, _ = day_bounds(day)
    return start > now - timedelta(hours=live_window_h)


#: How a day's snapshot is chosen: ``as_of_start`` (what was known at the day's start: a
#: live fetch for today, else the newest snapshot acquired at or before D 00:00) or
#: ``nearest`` (hindsight, for analysis: the archived snapshot acquired nearest to D 12:00).
SNAPSHOT_CHOICES = ("as_of_start", "nearest")


def ingest_day(
    engine: Engine,
    archive: RawArchive,
    settings: Settings,
    group: str,
    day: date,
    now: datetime,
    fetch: Callable[[str], Answer],
    choice: str = "as_of_start",
    max_age_days: float | None = None,
) -> dict:
    """Choose and record the snapshot for ``day``; return a summary.

    As of start, a day that had a snapshot fetched live for it keeps that one (reruns
    reproduce it and never call CelesTrak); otherwise a live day calls ``fetch(group)``
    exactly once and loads what came back, and a past day takes the newest archived
    snapshot acquired at or before the day's start, or raises NoSnapshotError naming the
    day. ``nearest`` takes the archived snapshot acquired nearest to the middle of the
    day, before or after; the live record survives it, so a later ``as_of_start`` run
    restores the day exactly.

    The snapshot must be fresh for the day (:mod:`constops.freshness`): its age within
    ``[ingest] max_snapshot_age_days``, or within ``max_age_days`` when an operator gives
    one (an override, recorded in ``day_snapshots``). Otherwise SnapshotTooOldError says
    which snapshot is nearest, how old it is, and how to import or override. The summary
    carries the snapshot, its age and the account of its records (loaded, flagged, set
    aside, by rule).
    """
    if choice not in SNAPSHOT_CHOICES:
        raise ValueError(f"snapshot choice {choice!r} is not one of {SNAPSHOT_CHOICES}")
    start, end = day_bounds(day)
    live = live_snapshot(engine, group, day)
    if choice == "nearest":
        snapshot, selection = snapshot_nearest(engine, group, start + (end - start) / 2), "nearest"
    elif live is not None:
        snapshot, selection = live, "live"  # a rerun reproduces the day, and asks CelesTrak nothing
    elif is_live(day, now, settings.live_window_h):
        answer = fetch(group)
        snapshot = record_payload(
            engine, archive, group=group, payload=answer.body, source=answer.url,
            acquired_at=now, http_status=answer.status, limits=settings.limits, flag_thresholds=settings.flags,
        )
        selection = "live"
    else:
        snapshot, selection = snapshot_at(engine, group, start), "archive"
    if snapshot is None:
        raise NoSnapshotError(
            f"no archived {group} snapshot was acquired at or before {start:%Y-%m-%d %H:%M} UTC, "
            f"so {day.isoformat()} cannot be computed (CelesTrak serves only current data). "
            f"{_nearest_note(engine, group, day)}Import an answer downloaded before that day with "
            f"`make import FILES=...`, then run the day again"
        )
    limit = settings.limits.max_snapshot_age_days if max_age_days is None else float(max_age_days)
    override = limit != settings.limits.max_snapshot_age_days
    age = age_days(snapshot_median_epoch(engine, snapshot), day)
    if not is_fresh(age, limit):
        raise SnapshotTooOldError(_too_old(engine, group, day, snapshot, selection, age, limit))
    assign_day(engine, group, day, snapshot.snapshot_id, selection,
               age_days=age, max_age_days=limit, age_override=override)
    return {
        "day": day.isoformat(), "group": group, "snapshot_id": snapshot.snapshot_id,
        "selection": selection, "object_count": snapshot.object_count,
        "acquired_at": snapshot.acquired_at.isoformat(), "source": snapshot.source,
        "snapshot_age_days": round(age, 3), "max_age_days": limit, "age_override": override,
        "records": stored_account(engine, snapshot).summary(),
    }


def _too_old(engine: Engine, group: str, day: date, snapshot, selection: str, age: float, limit: float) -> str:
    """Return the message of a day whose snapshot is too old: which one, how old, what to do."""
    needed = math.ceil(abs(age) * 10) / 10
    return (
        f"{group} {day.isoformat()}: the {selection} snapshot {snapshot.snapshot_id} (acquired "
        f"{snapshot.acquired_at:%Y-%m-%d %H:%M} UTC from {snapshot.source}) has element sets {age:.1f} days "
        f"from the day's start, beyond the limit of {limit:g} days ([ingest] max_snapshot_age_days): passes "
        f"would be off by many minutes. {_nearest_note(engine, group, day, snapshot.snapshot_id)}"
        f"Import an answer downloaded within {limit:g} days of {day.isoformat()} with `make import FILES=...` "
        f"and run the day again, or accept these elements explicitly: trigger tle_ingest with "
        f"max_snapshot_age_days={needed:g} (make pipeline DAY={day.isoformat()} MAX_AGE_DAYS={needed:g}); "
        f"the override is recorded with the day's results (day_snapshots.age_override)"
    )


def _nearest_note(engine: Engine, group: str, day: date, chosen: int | None = None) -> str:
    """Return "The loaded snapshot nearest the day is ..., N days from its start. ", or ""
    when that is the ``chosen`` one."""
    start, end = day_bounds(day)
    nearest = snapshot_nearest(engine, group, start + (end - start) / 2)
    if nearest is None:
        return f"No {group} snapshot is loaded at all. "
    if nearest.snapshot_id == chosen:
        return ""
    age = age_days(snapshot_median_epoch(engine, nearest), day)
    use = " (run tle_ingest with snapshot_choice=nearest to use it)" if nearest.acquired_at > start else ""
    return (f"The loaded snapshot nearest the day is {nearest.snapshot_id} (acquired "
            f"{nearest.acquired_at:%Y-%m-%d %H:%M} UTC, element sets {age:.1f} days from the day's start){use}. ")


def compute_passes_day(engine: Engine, settings: Settings, group: str, day: date) -> dict:
    """Compute and load every configured station's passes of ``day`` from all the satellites
    of the day's snapshot in one block; return the summary per station (see
    :func:`load_passes_day`)."""
    snapshot_id = snapshot_for_day(engine, group, day).snapshot_id
    block = passes_block(engine, settings, group, day, snapshot_id)
    return load_passes_day(engine, settings, group, day, snapshot_id, [block])


def passes_block(
    engine: Engine, settings: Settings, group: str, day: date, snapshot_id: int,
    first: int = 0, stop: int | None = None,
) -> dict[str, list[Pass]]:
    """Return, per station id, the passes of the satellites ``[first, stop)`` (in NORAD order)
    of snapshot ``snapshot_id`` that overlap ``day``: TCA within an hour of it, longer than
    any LEO pass."""
    element_sets = load_element_sets(engine, snapshot_id)[first:stop]
    start, end = day_bounds(day)
    overlap = timedelta(hours=1)
    return {
        station.station_id: find_passes(element_sets, station, start - overlap, end + overlap,
                                        station.min_elevation_deg, settings.pass_step_s)
        for station in settings.stations
    }


def load_passes_day(
    engine: Engine, settings: Settings, group: str, day: date, snapshot_id: int,
    blocks: Iterable[Mapping[str, list[Pass]]],
) -> dict:
    """Merge the passes of blocks that partition the satellites of snapshot ``snapshot_id``
    (see :func:`passes_block`), load every station's passes whose TCA falls in ``day`` with
    its daily summary in one transaction, and return the summary per station.

    The summary (time with a satellite in view, longest gap) also counts the passes of the
    neighbouring days that overlap the day, clipped to it. Raises SnapshotSupersededError,
    loading nothing, when the day is no longer assigned ``snapshot_id``."""
    start, end = day_bounds(day)
    merged: dict[str, list[Pass]] = {station.station_id: [] for station in settings.stations}
    for block in blocks:
        for station_id, passes in block.items():
            merged[station_id] += passes
    computed_at = now_utc()
    summaries = {}
    with engine.begin() as conn:
        require_assigned(conn, group, day, snapshot_id)
        record_sites(conn, settings)
        for station in settings.stations:
            around = sorted(merged[station.station_id], key=lambda p: (p.aos, p.norad_cat_id))
            passes = [p for p in around if start <= p.tca < end]
            daily = {**station_day(around, start, end), "pass_count": len(passes),
                     "satellites_seen": len({p.norad_cat_id for p in passes})}
            key = {"day": day, "group_name": group, "station_id": station.station_id,
                   "min_elevation_deg": station.min_elevation_deg}
            replace(conn, schema.gateway_passes, key, [
                {**key, **_pass_row(p), "snapshot_id": snapshot_id,
                 "step_s": settings.pass_step_s, "computed_at": computed_at}
                for p in passes
            ])
            replace(conn, schema.gateway_daily, key, [
                {**key, **daily, "snapshot_id": snapshot_id, "computed_at": computed_at}
            ])
            summaries[station.station_id] = daily
    return {"day": day.isoformat(), "group": group, "snapshot_id": snapshot_id, "stations": summaries}


def _pass_row(p: Pass) -> dict:
    return {
        "norad_cat_id": p.norad_cat_id, "aos": p.aos, "tca": p.tca, "los": p.los,
        "duration_s": p.duration_s, "max_elevation_deg": p.max_elevation_deg,
        "aos_azimuth_deg": p.aos_azimuth_deg, "tca_azimuth_deg": p.tca_azimuth_deg,
        "los_azimuth_deg": p.los_azimuth_deg,
    }


def station_day(passes: list[Pass], start: datetime, end: datetime) -> dict:
    """Return a station's day from passes overlapping [start, end): pass count, satellites
    seen, percent of the day with at least one satellite above the mask, and the longest
    gap (s), each pass clipped to the day."""
    clipped = ((max(p.aos, start), min(p.los, end)) for p in passes)
    intervals = sorted((aos, los) for aos, los in clipped if aos < los)
    # Summed as timedeltas (exact microseconds): float seconds could add up past 100%.
    visible, max_gap, cursor = timedelta(0), timedelta(0), start
    for aos, los in intervals:
        if aos > cursor:
            max_gap = max(max_gap, aos - cursor)
        if los > cursor:
            visible += los - max(aos, cursor)
            cursor = los
    max_gap = max(max_gap, end - cursor)
    return {
        "pass_count": len(passes),
        "satellites_seen": len({p.norad_cat_id for p in passes}),
        "percent_time_visible": 100.0 * (visible / (end - start)),
        "max_gap_s": max_gap.total_seconds(),
    }


def compute_coverage_day(engine: Engine, settings: Settings, group: str, day: date) -> dict:
    """Compute and load the coverage of ``day`` from all the satellites of the day's snapshot
    in one block; return the region figures (see :func:`load_coverage_day`)."""
    snapshot_id = snapshot_for_day(engine, group, day).snapshot_id
    block = count_coverage_block(engine, settings, group, day, snapshot_id)
    return load_coverage_day(engine, settings, group, day, snapshot_id, [block])


def count_coverage_block(
    engine: Engine, settings: Settings, group: str, day: date, snapshot_id: int,
    first: int = 0, stop: int | None = None,
) -> tuple[Counts, dict[str, int]]:
    """Return the satellites-in-view counts over the region's cells at every coverage step of
    ``day``, from the satellites ``[first, stop)`` (in NORAD order) of snapshot
    ``snapshot_id``: ``counts[(set,
    service)][mask]`` arrays (n_times, n_cells) for the sets ``all`` and ``operational`` (as
    ``fleet_status`` labels them for the day) and the services direct and bent pipe, and the
    number of satellites of each set that propagate all day."""
    element_sets = load_element_sets(engine, snapshot_id)[first:stop]
    operational = _operational_ids(engine, group, day, snapshot_id)
    norad = np.array([s.norad_cat_id for s in element_sets], dtype=np.int64)
    subsets = {"all": np.ones(len(norad), bool), "operational": np.isin(norad, list(operational))}
    return count_in_view(element_sets, _coverage_grid(settings), settings.masks_deg,
                         _coverage_times(settings, day), subsets, settings.stations)


def _coverage_grid(settings: Settings) -> CellGrid:
    return CellGrid.for_region(settings.region, settings.cell_size_deg)


def _coverage_times(settings: Settings, day: date) -> TimeGrid:
    return TimeGrid.covering(*day_bounds(day), settings.coverage_step_s)


def load_coverage_day(
    engine: Engine, settings: Settings, group: str, day: date, snapshot_id: int,
    blocks: Iterable[tuple[Counts, Mapping[str, int]]],
) -> dict:
    """Add the counts of blocks that partition the satellites of snapshot ``snapshot_id``
    (see :func:`count_coverage_block`), compute the coverage figures at every mask, for all
    and operational satellites, direct and bent pipe; load ``coverage_daily``,
    ``coverage_cells`` and ``coverage_timeseries`` in one transaction and return the region
    figures. Raises SnapshotSupersededError, loading nothing, when the day is no longer
    assigned ``snapshot_id``."""
    operational = _operational_ids(engine, group, day, snapshot_id)
    grid, times = _coverage_grid(settings), _coverage_times(settings, day)
    counts, usable = add_counts(blocks)
    instants = [times.instant(offset) for offset in times.offsets_s]
    key = {"day": day, "group_name": group, "region_id": grid.region_id}
    daily_rows, cell_rows, series_rows, summary = [], [], [], {}
    computed_at = now_utc()
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
            series_rows += [
                {**row_key, "t": t, "percent_area_covered": p, "snapshot_id": snapshot_id}
                for t, p in zip(instants, series)
            ]
            summary[f"{set_name}/{service}/{mask_deg:g}"] = region["percent_time_covered"]
    with engine.begin() as conn:
        require_assigned(conn, group, day, snapshot_id)
        record_sites(conn, settings, grid)
        replace(conn, schema.coverage_daily, key, daily_rows)
        replace(conn, schema.coverage_cells, key, cell_rows)
        replace(conn, schema.coverage_timeseries, key, series_rows)
    return {"day": day.isoformat(), "group": group, "snapshot_id": snapshot_id,
            "operational": len(operational), "percent_time_covered": summary}


def plan_day_blocks(engine: Engine, snapshot_id: int, block_size: int) -> list[tuple[int, int]]:
    """Return the ``[first, stop)`` blocks of at most ``block_size`` satellites that cover
    snapshot ``snapshot_id`` (see ``shards.plan_blocks``)."""
    return plan_blocks(snapshot_by_id(engine, snapshot_id).object_count or 0, block_size)


def resolve_day_snapshot(engine: Engine, settings: Settings, group: str, day: date) -> dict:
    """Return ``{"group", "day", "snapshot_id"}``: the snapshot assigned to ``day``, read once
    at the start of a run and passed to every task of it (NoSnapshotError names the day)."""
    snapshot = snapshot_for_day(engine, group, day)
    return {"group": group, "day": day.isoformat(), "snapshot_id": snapshot.snapshot_id}


def _operational_ids(engine: Engine, group: str, day: date, snapshot_id: int) -> set[int]:
    """Return the NORAD ids that ``fleet_status`` labels operational on ``day`` from snapshot
    ``snapshot_id`` (labels another run wrote from another snapshot do not count)."""
    table = schema.fleet_status
    with engine.connect() as conn:
        rows = conn.execute(select(table.c.norad_cat_id, table.c.status).where(
            table.c.day == day, table.c.group_name == group, table.c.snapshot_id == snapshot_id)).all()
    if not rows:
        raise NoSnapshotError(f"no fleet_status for {group} on {day.isoformat()} from snapshot {snapshot_id}: "
                              f"compute the fleet first")
    return {norad for norad, status in rows if status == "operational"}


def compute_fleet_day(engine: Engine, settings: Settings, group: str, day: date, snapshot_id: int | None = None) -> dict:
    """Label every satellite of snapshot ``snapshot_id`` (default: the day's) as operational,
    raising, manoeuvring, decaying, stranded or stale from its elements and the snapshots of
    the preceding rate window, and find the satellites whose SGP4 propagation fails during
    the day; load ``fleet_status`` and ``propagation_errors`` in one transaction and return
    the count per status and the failures."""
    snapshot = snapshot_by_id(engine, snapshot_id) if snapshot_id else snapshot_for_day(engine, group, day)
    current = load_element_sets(engine, snapshot.snapshot_id)
    history = [
        load_element_sets(engine, earlier.snapshot_id)
        for earlier in snapshots_before(engine, group, snapshot.acquired_at, settings.fleet.rate_window_days + 1)
        if earlier.snapshot_id != snapshot.snapshot_id
    ]
    start, end = day_bounds(day)
    statuses = fleet_status(current, start, history, settings.fleet, settings.flags)
    failures = propagation_failures(current, start, end, settings.coverage_step_s)
    key = {"day": day, "group_name": group}
    with engine.begin() as conn:
        require_assigned(conn, group, day, snapshot.snapshot_id)
        replace(conn, schema.fleet_status, key, [
            {**key, **asdict(status), "snapshot_id": snapshot.snapshot_id} for status in statuses
        ])
        replace(conn, schema.propagation_errors, key, [
            {**key, **asdict(failure), "snapshot_id": snapshot.snapshot_id} for failure in failures
        ])
    return {"day": day.isoformat(), "group": group, "snapshot_id": snapshot.snapshot_id,
            "history_snapshots": len(history), "status": dict(Counter(s.status for s in statuses)),
            "propagation_errors": [f"{f.norad_cat_id} error {f.error_code} from {f.first_error_at:%H:%M:%S} UTC"
                                   for f in failures]}


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
