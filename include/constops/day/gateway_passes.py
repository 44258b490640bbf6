"""The day's gateway pass schedule: passes per block of satellites, merged and loaded per station."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta

from sqlalchemy import Engine

from ..clock import utc_now
from ..pass_table import TIMES, PassTable, time_in_view
from ..passes import find_passes
from ..reporting import schema
from ..reporting.dimensions import record_sites
from ..reporting.store import replace_revision
from ..settings import Settings
from ..snapshots import load_element_sets
from ..timescale import day_bounds
from ..windows import continuous_windows
from .assignment import require_assigned

#: Satellites slower than this (a period above 12 h: GEO, high orbits) are also tested for
#: a window in view all day (:mod:`constops.windows`); a LEO satellite always sets.
CONTINUOUS_BELOW_REV_PER_DAY = 2.0


def passes_block(
    engine: Engine, settings: Settings, constellation_id: str, day: date, snapshot_id: int,
    first: int = 0, stop: int | None = None,
) -> dict[str, PassTable]:
    """Return, per station id, the passes of the satellites ``[first, stop)`` (in NORAD order)
    of snapshot ``snapshot_id`` that overlap ``day`` (TCA within an hour of it, longer than
    any LEO pass), and one ``continuous`` record for each satellite in view all day."""
    settings = settings.of(constellation_id)
    element_sets = load_element_sets(engine, snapshot_id, first, stop)
    slow = [s for s in element_sets if s.mean_motion_rev_per_day < CONTINUOUS_BELOW_REV_PER_DAY]
    start, end = day_bounds(day)
    overlap = timedelta(hours=1)
    return {
        station.station_id: PassTable.from_passes(
            find_passes(element_sets, station, start - overlap, end + overlap,
                        station.min_elevation_deg, settings.pass_step_s)
            + [w.as_pass() for w in continuous_windows(slow, station, start, end, station.min_elevation_deg)])
        for station in settings.stations
    }


def load_passes_day(
    engine: Engine, settings: Settings, constellation_id: str, day: date, snapshot_id: int,
    blocks: Iterable[Mapping[str, PassTable]],
) -> dict:
    """Merge the passes of blocks that partition the satellites of snapshot ``snapshot_id``
    (see :func:`passes_block`), load every station's passes whose TCA falls in ``day`` with
    its daily summary in one transaction, and return the summary per station.

    The summary (time with a satellite in view, longest gap) also counts the passes of the
    neighbouring days that overlap the day, clipped to it. Raises SnapshotSupersededError,
    loading nothing, when the day is no longer assigned ``snapshot_id``."""
    settings = settings.of(constellation_id)
    start, end = day_bounds(day)
    blocks = list(blocks)
    computed_at = utc_now()
    summaries = {}
    with engine.begin() as conn:
        revision = require_assigned(conn, constellation_id, day, snapshot_id)
        record_sites(conn, settings)
        for station in settings.stations:
            around = PassTable.concat(block[station.station_id] for block in blocks).sorted()
            passes = around.of_the_day(start, end)
            daily = {**time_in_view(around, start, end), "pass_count": len(passes),
                     "satellites_seen": passes.satellites()}
            key = {"day": day, "group_name": constellation_id, "station_id": station.station_id,
                   "min_elevation_deg": station.min_elevation_deg}
            replace_revision(conn, schema.gateway_passes, key, revision, columns=_pass_columns(passes), repeated={
                "snapshot_id": snapshot_id, "step_s": settings.pass_step_s, "computed_at": computed_at})
            replace_revision(conn, schema.gateway_daily, key, revision, rows=[
                {**key, **daily, "snapshot_id": snapshot_id, "computed_at": computed_at}
            ])
            summaries[station.station_id] = daily
    return {"day": day.isoformat(), "constellation_id": constellation_id, "snapshot_id": snapshot_id,
            "revision": revision, "stations": summaries}


def _pass_columns(table: PassTable) -> dict:
    """Return the columns of ``gateway_passes`` that vary by pass: the table's own (its mask
    is the key's ``min_elevation_deg``), times as datetime64[us], and the duration."""
    return {**{name: values for name, values in table.columns.items() if name != "min_elevation_deg"},
            **{name: table.times(name) for name in TIMES}, "duration_s": table.duration_s()}
