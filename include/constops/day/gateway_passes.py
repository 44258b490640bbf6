"""The day's gateway pass schedule: passes per block of satellites, merged and loaded per station."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable, Mapping
from datetime import date, timedelta

import numpy as np
from sqlalchemy import Engine

from ..archive import WorkArea
from ..clock import utc_now
from ..partial_results import arrays_to_pass_tables, pass_tables_to_arrays
from ..pass_table import TIMES, PassTable, time_in_view
from ..passes import find_passes
from ..reporting import schema
from ..reporting.dimensions import record_sites
from ..reporting.store import replace_revision
from ..revision_changes import PASS_KINDS, change_summary, pass_changes
from ..settings import Settings
from ..snapshots import load_element_sets, unchanged_satellites
from ..timescale import day_bounds
from ..windows import continuous_windows
from .assignment import previous_snapshot_id, require_assigned
from .changes import revise_changes

#: Satellites slower than this (a period above 12 h: GEO, high orbits) are also tested for
#: a window in view all day (:mod:`constops.windows`); a LEO satellite always sets.
CONTINUOUS_BELOW_REV_PER_DAY = 2.0


def passes_block(
    engine: Engine, settings: Settings, constellation_id: str, day: date, snapshot_id: int,
    first: int = 0, stop: int | None = None, work: WorkArea | None = None,
) -> dict[str, PassTable]:
    """Return, per station id, the passes of the satellites ``[first, stop)`` (in NORAD order)
    of snapshot ``snapshot_id`` that overlap ``day`` (TCA within an hour of it, longer than
    any LEO pass), and one ``continuous`` record for each satellite in view all day.

    With a ``work`` area holding the passes of the day's previous revision (stored by
    :func:`load_passes_day`, same stations and step), a satellite whose element set did not
    change keeps its passes from there and only the others are searched: the same rows as
    a search of all (each satellite's passes depend on its elements alone)."""
    settings = settings.of(constellation_id)
    element_sets = load_element_sets(engine, snapshot_id, first, stop)
    kept, unchanged = reusable_passes(engine, settings, constellation_id, day, snapshot_id, work)
    searched = [s for s in element_sets if s.norad_cat_id not in unchanged]
    reused = {s.norad_cat_id for s in element_sets} & unchanged
    return {
        station_id: PassTable.concat([table, kept[station_id].of_satellites(reused)]) if reused else table
        for station_id, table in search_passes(settings, searched, day).items()
    }


def search_passes(settings: Settings, element_sets, day: date) -> dict[str, PassTable]:
    """Return, per station id of ``settings``, the passes of ``element_sets`` that overlap ``day``
    (see :func:`passes_block`)."""
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


def pass_cache_name(settings: Settings, constellation_id: str, day: date, snapshot_id: int) -> str:
    """Return the work-area name of the passes around ``day`` of one snapshot, under the
    stations and step of ``settings`` (a fingerprint of them ends the name)."""
    sites = [(s.station_id, s.lat_deg, s.lon_deg, s.alt_m, s.min_elevation_deg) for s in settings.stations]
    fingerprint = hashlib.sha256(repr((settings.pass_step_s, sites)).encode()).hexdigest()[:12]
    return f"{pass_cache_prefix(constellation_id, day)}/{snapshot_id}-{fingerprint}"


def pass_cache_prefix(constellation_id: str, day: date) -> str:
    """Return the work-area folder of a constellation's day of passes."""
    return f"passes/{constellation_id}/{day.isoformat()}"


def reusable_passes(engine: Engine, settings: Settings, constellation_id: str, day: date, snapshot_id: int,
                    work: WorkArea | None) -> tuple[dict[str, PassTable], set[int]]:
    """Return (passes per station of the day's previous revision, the NORAD ids whose element
    set is the same in that revision's snapshot and in ``snapshot_id``); ``({}, set())`` when
    there is no work area, no earlier revision, or no stored passes of it."""
    previous = previous_snapshot_id(engine, constellation_id, day, snapshot_id)
    if work is None or previous is None:
        return {}, set()
    try:
        stored = work.read_file(pass_cache_name(settings, constellation_id, day, previous) + ".npz")
    except FileNotFoundError:
        return {}, set()
    with np.load(io.BytesIO(stored), allow_pickle=False) as arrays:
        kept = arrays_to_pass_tables({name: arrays[name] for name in arrays.files})
    return kept, unchanged_satellites(engine, previous, snapshot_id)


def load_passes_day(
    engine: Engine, settings: Settings, constellation_id: str, day: date, snapshot_id: int,
    blocks: Iterable[Mapping[str, PassTable]], work: WorkArea | None = None,
) -> dict:
    """Merge the passes of blocks that partition the satellites of snapshot ``snapshot_id``
    (see :func:`passes_block`), load every station's passes whose TCA falls in ``day`` with
    its daily summary in one transaction, and return the summary per station.

    The summary (time with a satellite in view, longest gap) also counts the passes of the
    neighbouring days that overlap the day, clipped to it. Raises SnapshotSupersededError,
    loading nothing, when the day is no longer assigned ``snapshot_id``. With a ``work`` area,
    the merged passes are stored there for the day's next revision (:func:`passes_block`)."""
    settings = settings.of(constellation_id)
    start, end = day_bounds(day)
    blocks = list(blocks)
    computed_at = utc_now()
    summaries, around_of, changes = {}, {}, []
    with engine.begin() as conn:
        revision = require_assigned(conn, constellation_id, day, snapshot_id)
        record_sites(conn, settings)
        for station in settings.stations:
            around = around_of[station.station_id] = PassTable.concat(
                block[station.station_id] for block in blocks).sorted()
            passes = around.of_the_day(start, end)
            daily = {**time_in_view(around, start, end), "pass_count": len(passes),
                     "satellites_seen": passes.satellites()}
            key = {"day": day, "group_name": constellation_id, "station_id": station.station_id,
                   "min_elevation_deg": station.min_elevation_deg}
            changes += _record_pass_changes(conn, settings, key, revision, passes)
            replace_revision(conn, schema.gateway_passes, key, revision, columns=_pass_columns(passes), repeated={
                "snapshot_id": snapshot_id, "step_s": settings.pass_step_s, "computed_at": computed_at})
            replace_revision(conn, schema.gateway_daily, key, revision, rows=[
                {**key, **daily, "snapshot_id": snapshot_id, "computed_at": computed_at}
            ])
            summaries[station.station_id] = daily
    if work is not None:
        work.discard(pass_cache_prefix(constellation_id, day))
        work.put(pass_cache_name(settings, constellation_id, day, snapshot_id), pass_tables_to_arrays(around_of))
    return {"day": day.isoformat(), "constellation_id": constellation_id, "snapshot_id": snapshot_id,
            "revision": revision, "stations": summaries,
            **change_summary(changes, computed_at, settings.alert_lead_h)}


def _record_pass_changes(conn, settings: Settings, key: dict, revision: int, passes: PassTable) -> list[dict]:
    """Write the pass changes of ``revision`` against the day's previous revision at one
    station and mask (none for a first revision); return them."""
    new = [{"norad_cat_id": p.norad_cat_id, "group_name": key["group_name"], "station_id": key["station_id"],
            "min_elevation_deg": key["min_elevation_deg"], "aos": p.aos, "tca": p.tca, "los": p.los}
           for p in passes.to_passes()]
    return revise_changes(conn, schema.gateway_passes, key, revision, new, pass_changes, PASS_KINDS,
                          [key["group_name"]], settings.changed_threshold_s)


def _pass_columns(table: PassTable) -> dict:
    """Return the columns of ``gateway_passes`` that vary by pass: the table's own (its mask
    is the key's ``min_elevation_deg``), times as datetime64[us], and the duration."""
    return {**{name: values for name, values in table.columns.items() if name != "min_elevation_deg"},
            **{name: table.times(name) for name in TIMES}, "duration_s": table.duration_s()}
