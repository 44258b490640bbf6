"""One computed day as the day page shows it: coverage cells, passes, satellites in view
through the day, the fleet, the records set aside and the snapshot used."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from sqlalchemy import Engine, select

from ..day.assignment import assigned_snapshot_query
from ..reporting import schema
from ..settings import Settings
from ..timescale import day_bounds

#: Kazakhstan's civil time: one zone, UTC+5, since 2024-03-01 (tz database ``Asia/Almaty``).
KAZAKHSTAN_TIME = ZoneInfo("Asia/Almaty")

#: Step of the satellites-in-view-of-a-station series drawn from the pass table, seconds.
STATION_SERIES_STEP_S = 60


@dataclass(frozen=True)
class DayView:
    """The results of one day for one group, as tables (times are UTC ``datetime64``).

    ``snapshot`` is None when the day was never computed; the tables are then empty."""

    day: date
    constellation_id: str
    snapshot: dict | None
    coverage: pd.DataFrame        # coverage_daily rows
    cells: pd.DataFrame           # lat_deg, lon_deg, min_elevation_deg, percent_time_covered
    cell_size_deg: float | None
    passes: pd.DataFrame          # gateway_passes rows of the day, with aos/tca/los local times
    region_in_view: pd.DataFrame  # t, min_elevation_deg, sats_in_view_mean, sats_in_view_max
    station_in_view: pd.DataFrame  # t, station_id, min_elevation_deg, satellites
    fleet: pd.DataFrame           # fleet_status rows, with the flags of each satellite
    set_aside: pd.DataFrame       # set_aside_records of the day's snapshot
    propagation_errors: pd.DataFrame

    @property
    def computed(self) -> bool:
        return self.snapshot is not None

    @property
    def names(self) -> dict[int, str]:
        """Return {NORAD id: the satellite's name in the day's snapshot}."""
        return dict(zip(self.fleet["norad_cat_id"], self.fleet["object_name"])) if len(self.fleet) else {}


def day_view(engine: Engine, settings: Settings, day: date, constellation_id: str | None = None) -> DayView:
    """Return what the reporting database holds of ``day`` for ``constellation_id`` (default: the first
    configured group)."""
    constellation_id = constellation_id or settings.constellation_ids[0]
    with engine.connect() as conn:
        snapshot = _snapshot(conn, day, constellation_id)
        snapshot_id = snapshot["snapshot_id"] if snapshot else -1
        coverage = read_frame(conn, select(schema.coverage_daily).where(*_key(schema.coverage_daily, day, constellation_id)))
        cells = read_frame(conn, select(
            schema.coverage_cells.c.lat_deg, schema.coverage_cells.c.lon_deg,
            schema.coverage_cells.c.min_elevation_deg, schema.coverage_cells.c.percent_time_covered,
        ).where(*_key(schema.coverage_cells, day, constellation_id), *_all_direct(schema.coverage_cells)))
        series = schema.coverage_timeseries
        region_in_view = read_frame(conn, select(
            series.c.t, series.c.min_elevation_deg, series.c.percent_area_covered,
            series.c.sats_in_view_mean, series.c.sats_in_view_max,
        ).where(*_key(series, day, constellation_id), *_all_direct(series)).order_by(series.c.min_elevation_deg, series.c.t))
        passes = read_frame(conn, select(schema.gateway_passes).where(*_key(schema.gateway_passes, day, constellation_id))
                        .order_by(schema.gateway_passes.c.aos))
        near_passes = _passes_overlapping(conn, day, constellation_id)
        fleet = _fleet(conn, day, constellation_id, snapshot_id)
        set_aside = read_frame(conn, select(schema.set_aside_records).where(
            schema.set_aside_records.c.snapshot_id == snapshot_id).order_by(schema.set_aside_records.c.record_no))
        errors = read_frame(conn, select(schema.propagation_errors).where(*_key(schema.propagation_errors, day, constellation_id)))
    for column in ("t",):
        region_in_view[column] = _utc(region_in_view[column])
    return DayView(
        day=day, constellation_id=constellation_id, snapshot=snapshot, coverage=coverage, cells=cells,
        cell_size_deg=float(coverage["cell_size_deg"].iloc[0]) if len(coverage) else None,
        passes=with_local_times(passes), region_in_view=region_in_view,
        station_in_view=station_in_view(near_passes, day), fleet=fleet, set_aside=set_aside,
        propagation_errors=errors,
    )


def station_in_view(passes: pd.DataFrame, day: date, step_s: int = STATION_SERIES_STEP_S) -> pd.DataFrame:
    """Return the number of satellites above each (station, mask) every ``step_s`` of ``day``,
    counted from the passes (a satellite is in view from its AOS, inclusive, to its LOS):
    columns t (UTC), station_id, min_elevation_deg, satellites."""
    start, end = day_bounds(day)
    t = pd.date_range(start, end, freq=f"{step_s}s", inclusive="left", tz="UTC")
    frames = []
    for (station_id, mask_deg), constellation_id in passes.groupby(["station_id", "min_elevation_deg"], sort=True):
        aos = np.sort(_utc(constellation_id["aos"]).to_numpy())
        los = np.sort(_utc(constellation_id["los"]).to_numpy())
        ticks = t.to_numpy()
        count = np.searchsorted(aos, ticks, side="right") - np.searchsorted(los, ticks, side="right")
        frames.append(pd.DataFrame({"t": t, "station_id": station_id, "min_elevation_deg": mask_deg,
                                    "satellites": count}))
    if not frames:
        return pd.DataFrame({"t": pd.Series(dtype="datetime64[ns, UTC]"), "station_id": [],
                             "min_elevation_deg": [], "satellites": []})
    return pd.concat(frames, ignore_index=True)


def passes_csv(view: DayView) -> str:
    """Return the day's pass table as CSV: the satellite (NORAD id and ``object_name``, its
    name in the day's snapshot), UTC and Kazakhstan times, elevations and azimuths in
    degrees; a GEO satellite's day is one ``continuous`` row with its lowest elevation and
    azimuth arc."""
    columns = ["station_id", "min_elevation_deg", "norad_cat_id", "object_name", "aos", "tca", "los", "aos_local", "tca_local",
               "los_local", "duration_s", "max_elevation_deg", "aos_azimuth_deg", "tca_azimuth_deg",
               "los_azimuth_deg", "continuous", "lowest_elevation_deg", "azimuth_min_deg", "azimuth_max_deg",
               "snapshot_id"]
    names = view.names
    passes = view.passes.assign(object_name=[names.get(n, "") for n in view.passes["norad_cat_id"]])
    frame = passes[columns].copy() if len(passes) else pd.DataFrame(columns=columns)
    for column in ("aos", "tca", "los"):
        if len(frame):
            frame[column] = frame[column].dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            frame[f"{column}_local"] = frame[f"{column}_local"].map(lambda t: t.isoformat(timespec="milliseconds"))
    return frame.to_csv(index=False)


def _snapshot(conn, day: date, constellation_id: str) -> dict | None:
    row = conn.execute(assigned_snapshot_query(constellation_id, day)).mappings().first()
    return dict(row) if row else None


def _key(table, day: date, constellation_id: str) -> list:
    return [table.c.day == day, table.c.group_name == constellation_id]


def _all_direct(table) -> list:
    return [table.c.satellite_set == "all", table.c.service == "direct"]


def read_frame(conn, statement) -> pd.DataFrame:
    """Return the rows of ``statement`` as a DataFrame with its columns (empty with them too)."""
    result = conn.execute(statement)
    return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def _utc(values: pd.Series) -> pd.Series:
    """Return ``values`` as UTC timestamps (SQLite hands back naive UTC datetimes)."""
    return pd.to_datetime(values, utc=True)


def _passes_overlapping(conn, day: date, constellation_id: str) -> pd.DataFrame:
    """Return the passes of any day that are in progress at some instant of ``day``."""
    start, end = day_bounds(day)
    passes = schema.gateway_passes
    near = [day - timedelta(days=1), day, day + timedelta(days=1)]
    frame = read_frame(conn, select(passes.c.station_id, passes.c.min_elevation_deg, passes.c.aos, passes.c.los)
                   .where(passes.c.group_name == constellation_id, passes.c.day.in_(near)))
    if not len(frame):
        return frame
    aos, los = _utc(frame["aos"]), _utc(frame["los"])
    return frame[(aos < pd.Timestamp(end)) & (los > pd.Timestamp(start))]


def with_local_times(passes: pd.DataFrame) -> pd.DataFrame:
    """Return ``passes`` with AOS, TCA and LOS as UTC timestamps and ``<name>_local`` in Kazakhstan time."""
    for column in ("aos", "tca", "los"):
        passes[column] = _utc(passes[column]) if len(passes) else pd.Series(dtype="datetime64[ns, UTC]")
        passes[f"{column}_local"] = passes[column].dt.tz_convert(KAZAKHSTAN_TIME) if len(passes) else []
    return passes


def _fleet(conn, day: date, constellation_id: str, snapshot_id: int) -> pd.DataFrame:
    """Return fleet_status of the day with a ``flags`` column (rules of flagged_element_sets)."""
    fleet = read_frame(conn, select(schema.fleet_status).where(*_key(schema.fleet_status, day, constellation_id))
                   .order_by(schema.fleet_status.c.status, schema.fleet_status.c.norad_cat_id))
    flagged = schema.flagged_element_sets
    flags = read_frame(conn, select(flagged.c.norad_cat_id, flagged.c.rule).where(flagged.c.snapshot_id == snapshot_id))
    by_norad = flags.groupby("norad_cat_id")["rule"].apply(lambda r: ", ".join(sorted(r))) if len(flags) else {}
    fleet["flags"] = [by_norad.get(n, "") for n in fleet["norad_cat_id"]] if len(fleet) else []
    return fleet
