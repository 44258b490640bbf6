"""A station's contact plan of one day as the day page shows it: the schedule's figures, the
contacts and keep-outs, the antennas' tracks across the sky, the GSO arc and the Sun's path.

The tracks are recomputed from the day's snapshot (SGP4, every ``SKY_STEP_S``) rather than
read back from the pointing files, so the page needs the reporting database alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import Engine, select

from ..geometry import look_angles
from ..keep_out import gso_arc_directions
from ..pointing import look_track
from ..reporting import schema
from ..sites import Station
from ..snapshots import load_element_sets
from ..sun import sun_direction_ecef
from ..timescale import TimeGrid, day_bounds
from .day_view import read_frame

#: Step of the antennas' tracks drawn on the sky plot, s.
SKY_STEP_S = 10.0
#: Step of the Sun's path drawn on the sky plot, s.
SUN_STEP_S = 600.0


@dataclass(frozen=True)
class ScheduleView:
    """The contact plan of ``station`` on ``day``; ``summary`` is None when none was made.

    ``tracks`` has columns antenna_id, norad_cat_id, contact_start, azimuth_deg,
    elevation_deg (every ``SKY_STEP_S`` of every contact); ``gso_arc`` and ``sun`` have
    azimuth_deg and elevation_deg above the horizon (``sun`` also t, UTC)."""

    day: date
    station: Station
    summary: dict | None
    contacts: pd.DataFrame
    keep_outs: pd.DataFrame
    tracks: pd.DataFrame
    gso_arc: pd.DataFrame
    sun: pd.DataFrame

    @property
    def antenna_ids(self) -> tuple[str, ...]:
        """Return the station's antenna ids as configured."""
        return self.station.antennas.antenna_ids(self.station.station_id)


def schedule_view(engine: Engine, station: Station, day: date) -> ScheduleView:
    """Return what the reporting database holds of ``station``'s contact plan of ``day``."""
    key = {"day": day, "station_id": station.station_id}
    with engine.connect() as conn:
        summary = conn.execute(select(schema.gateway_schedule_daily).filter_by(**key)).mappings().first()
        contacts = read_frame(conn, select(schema.contact_plan).filter_by(**key).order_by("contact_start"))
        keep_outs = read_frame(conn, select(schema.keep_out_intervals).filter_by(**key).order_by("interval_start"))
    for frame, columns in ((contacts, ("contact_start", "contact_end", "pass_aos", "pass_tca")),
                           (keep_outs, ("interval_start", "interval_end"))):
        for column in columns:
            frame[column] = pd.to_datetime(frame[column], utc=True)
    tracks = _tracks(engine, station, day, contacts)
    names = dict(zip(tracks["norad_cat_id"], tracks["object_name"])) if len(tracks) else {}
    contacts["object_name"] = [names.get(n, "") for n in contacts["norad_cat_id"]] if len(contacts) else []
    return ScheduleView(day, station, dict(summary) if summary else None, contacts, keep_outs, tracks,
                        gso_arc_sky(station), sun_sky(station, day))


def contact_plan_csv(view: ScheduleView) -> str:
    """Return the day's contact plan as CSV: one row per contact, times ISO 8601 UTC,
    angles in degrees, ``handover_from`` empty for none."""
    columns = ["day", "station_id", "antenna_id", "norad_cat_id", "object_name", "contact_start", "contact_end",
               "duration_s", "start_azimuth_deg", "start_elevation_deg", "end_azimuth_deg", "end_elevation_deg",
               "handover_from", "pass_aos", "pass_tca", "group_name", "snapshot_id"]
    frame = view.contacts[columns].copy() if len(view.contacts) else pd.DataFrame(columns=columns)
    for column in ("contact_start", "contact_end", "pass_aos", "pass_tca"):
        if len(frame):
            frame[column] = frame[column].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    if len(frame):
        frame["handover_from"] = frame["handover_from"].astype("Int64")
    return frame.to_csv(index=False)


def gso_arc_sky(station: Station, step_deg: float = 0.25) -> pd.DataFrame:
    """Return the GSO arc as the station sees it: azimuth_deg, elevation_deg of its points
    every ``step_deg`` of longitude that stand above the horizon, in azimuth order."""
    directions = gso_arc_directions(station.ecef_km, np.arange(0.0, 360.0, step_deg))
    elevation_deg, azimuth_deg, _ = look_angles(station.ecef_km + directions, station.ecef_km, station.enu)
    above = elevation_deg > 0
    order = np.argsort(azimuth_deg[above])
    return pd.DataFrame({"azimuth_deg": azimuth_deg[above][order], "elevation_deg": elevation_deg[above][order]})


def sun_sky(station: Station, day: date, step_s: float = SUN_STEP_S) -> pd.DataFrame:
    """Return the Sun's path over ``day`` seen from the station while above the horizon:
    t (UTC), azimuth_deg, elevation_deg every ``step_s``."""
    start, _ = day_bounds(day)
    grid = TimeGrid(start, step_s, int(86_400 / step_s) + 1)
    sun = sun_direction_ecef(*grid.julian())
    elevation_deg, azimuth_deg, _ = look_angles(station.ecef_km + sun, station.ecef_km, station.enu)
    above = elevation_deg > 0
    t = pd.to_datetime([grid.instant(s) for s in grid.offsets_s[above]], utc=True)
    return pd.DataFrame({"t": t, "azimuth_deg": azimuth_deg[above], "elevation_deg": elevation_deg[above]})


def _tracks(engine: Engine, station: Station, day: date, contacts: pd.DataFrame) -> pd.DataFrame:
    """Return every contact's look angles every ``SKY_STEP_S`` from the snapshot it was planned from."""
    columns = ["antenna_id", "norad_cat_id", "object_name", "contact_start", "azimuth_deg", "elevation_deg"]
    if not len(contacts):
        return pd.DataFrame(columns=columns)
    start, _ = day_bounds(day)
    by_key = {}
    for snapshot_id in contacts["snapshot_id"].unique():
        for e in load_element_sets(engine, int(snapshot_id)):
            by_key[(int(snapshot_id), e.norad_cat_id)] = e
    frames = []
    for c in contacts.itertuples():
        element_set = by_key[(int(c.snapshot_id), int(c.norad_cat_id))]
        track = look_track(element_set.satrec(), int(c.norad_cat_id), station, start,
                           (c.contact_start - start).total_seconds(), (c.contact_end - start).total_seconds(),
                           SKY_STEP_S)
        frames.append(pd.DataFrame({"antenna_id": c.antenna_id, "norad_cat_id": int(c.norad_cat_id),
                                    "object_name": element_set.object_name, "contact_start": c.contact_start,
                                    "azimuth_deg": track.azimuth_deg, "elevation_deg": track.elevation_deg}))
    return pd.concat(frames, ignore_index=True)

