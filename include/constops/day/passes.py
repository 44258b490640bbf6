"""The day's gateway pass schedule: passes per block of satellites, merged and loaded per station."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta

from sqlalchemy import Engine

from ..clock import utc_now
from ..day_snapshots import require_assigned
from ..passes import Pass, find_passes
from ..reporting import schema
from ..reporting.sites import record_sites
from ..reporting.store import replace
from ..settings import Settings
from ..snapshots import load_element_sets
from ..timescale import day_bounds
from ..windows import continuous_windows

#: Satellites slower than this (a period above 12 h: GEO, high orbits) are also tested for
#: a window in view all day (:mod:`constops.windows`); a LEO satellite always sets.
CONTINUOUS_BELOW_REV_PER_DAY = 2.0


def passes_block(
    engine: Engine, settings: Settings, group: str, day: date, snapshot_id: int,
    first: int = 0, stop: int | None = None,
) -> dict[str, list[Pass]]:
    """Return, per station id, the passes of the satellites ``[first, stop)`` (in NORAD order)
    of snapshot ``snapshot_id`` that overlap ``day`` (TCA within an hour of it, longer than
    any LEO pass), and one ``continuous`` record for each satellite in view all day."""
    settings = settings.of(group)
    element_sets = load_element_sets(engine, snapshot_id, first, stop)
    slow = [s for s in element_sets if s.mean_motion_rev_per_day < CONTINUOUS_BELOW_REV_PER_DAY]
    start, end = day_bounds(day)
    overlap = timedelta(hours=1)
    return {
        station.station_id: find_passes(element_sets, station, start - overlap, end + overlap,
                                        station.min_elevation_deg, settings.pass_step_s)
        + [w.as_pass() for w in continuous_windows(slow, station, start, end, station.min_elevation_deg)]
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
    settings = settings.of(group)
    start, end = day_bounds(day)
    merged: dict[str, list[Pass]] = {station.station_id: [] for station in settings.stations}
    for block in blocks:
        for station_id, passes in block.items():
            merged[station_id] += passes
    computed_at = utc_now()
    summaries = {}
    with engine.begin() as conn:
        require_assigned(conn, group, day, snapshot_id)
        record_sites(conn, settings)
        for station in settings.stations:
            around = sorted(merged[station.station_id], key=lambda p: (p.aos, p.norad_cat_id))
            passes = of_the_day(around, start, end)
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


def of_the_day(passes: list[Pass], start: datetime, end: datetime) -> list[Pass]:
    """Return the passes that belong to the day [start, end): those whose TCA falls in it, and
    every continuous window (made for this very day; its highest instant may be its end)."""
    return [p for p in passes if p.continuous or start <= p.tca < end]


def _pass_row(p: Pass) -> dict:
    return {
        "norad_cat_id": p.norad_cat_id, "aos": p.aos, "tca": p.tca, "los": p.los,
        "duration_s": p.duration_s, "max_elevation_deg": p.max_elevation_deg,
        "aos_azimuth_deg": p.aos_azimuth_deg, "tca_azimuth_deg": p.tca_azimuth_deg,
        "los_azimuth_deg": p.los_azimuth_deg, "continuous": p.continuous,
        "lowest_elevation_deg": p.lowest_elevation_deg, "azimuth_min_deg": p.azimuth_min_deg,
        "azimuth_max_deg": p.azimuth_max_deg,
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
