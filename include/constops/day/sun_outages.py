"""The day's sun outages: for each station with a GEO beam, when the Sun stands behind its GEO satellites.

A station whose ``[[stations]]`` entry has ``geo_beam`` and that serves a GEO
constellation of the run's snapshots (``orbit = "geo"``) gets its day's outages
(:func:`constops.sun_outages.sun_outages`) loaded into ``sun_outages``, replaced for the
(day, station) in one transaction after checking that every snapshot is still the day's;
a day without an outage loads no row. :func:`sun_outage_days` reads them back for the
calendar.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy import Engine, select

from ..clock import utc_now
from ..reporting import schema
from ..reporting.dimensions import record_sites
from ..reporting.store import replace_revision, utc
from ..settings import Settings
from ..sites import Station
from ..snapshots import load_element_sets
from ..sun_outages import sun_outages
from .assignment import station_revision


def sun_outage_stations(settings: Settings, constellation_ids) -> list[tuple[Station, list[str]]]:
    """Return (station, GEO constellation ids it serves among ``constellation_ids``) of each
    configured station with a ``geo_beam`` that serves one of them."""
    geo = [cid for cid in constellation_ids
           if cid in settings.constellations and settings.constellations[cid].orbit == "geo"]
    found = []
    for station in settings.all_stations:
        served = [cid for cid in geo if station.station_id in settings.constellations[cid].station_ids]
        if station.geo_beam is not None and served:
            found.append((station, served))
    return found


def sun_outages_day(engine: Engine, settings: Settings, day: date, snapshot_ids: Mapping[str, int]) -> dict:
    """Find the sun outages of ``day`` at every station of :func:`sun_outage_stations` from
    the run's snapshots (constellation id -> snapshot id), load each station's rows in one
    transaction, and return ``{"day", "computed_at", "stations": [{"station_id",
    "group_names", "half_angle_deg", "outages", "longest_s", "min_separation_deg"}]}``
    (the last two None without an outage). Raises SnapshotSupersededError, loading nothing
    for that station, when a snapshot is no longer the day's."""
    computed_at = utc_now()
    summaries = []
    for station, served in sun_outage_stations(settings, snapshot_ids):
        half_angle_deg = station.geo_beam.sun_outage_half_angle_deg
        rows = []
        for constellation_id in served:
            for o in sun_outages(load_element_sets(engine, snapshot_ids[constellation_id]), station, day, half_angle_deg):
                rows.append({
                    "day": day, "station_id": station.station_id, "norad_cat_id": o.norad_cat_id,
                    "outage_start": o.start, "outage_end": o.end, "group_name": constellation_id,
                    "duration_s": o.duration_s, "min_separation_deg": o.min_separation_deg, "worst_at": o.worst_at,
                    "half_angle_deg": half_angle_deg, "snapshot_id": snapshot_ids[constellation_id],
                    "computed_at": computed_at,
                })
        with engine.begin() as conn:
            revision = station_revision(conn, day, {cid: snapshot_ids[cid] for cid in served})
            record_sites(conn, settings)
            replace_revision(conn, schema.sun_outages, {"day": day, "station_id": station.station_id}, revision, rows=rows)
        summaries.append({
            "station_id": station.station_id, "group_names": ",".join(served), "half_angle_deg": half_angle_deg,
            "outages": len(rows), "longest_s": max((r["duration_s"] for r in rows), default=None),
            "min_separation_deg": min((r["min_separation_deg"] for r in rows), default=None),
        })
    return {"day": day.isoformat(), "computed_at": computed_at.isoformat(), "stations": summaries}


def sun_outage_days(engine: Engine, first: date, last: date) -> dict[date, list[dict]]:
    """Return the loaded sun outages of the days ``first`` to ``last`` (inclusive), for the
    calendar: {day: [{"station_id", "group_name", "norad_cat_id", "outage_start",
    "outage_end", "duration_s", "min_separation_deg", "worst_at"}]} in time order (aware
    UTC datetimes; seconds and degrees); days without an outage are absent."""
    table = schema.sun_outages
    columns = ("station_id", "group_name", "norad_cat_id", "outage_start", "outage_end", "duration_s",
               "min_separation_deg", "worst_at")
    query = (select(table.c.day, *(table.c[name] for name in columns))
             .where(table.c.day >= first, table.c.day <= last)
             .order_by(table.c.day, table.c.outage_start, table.c.station_id, table.c.norad_cat_id))
    days: dict[date, list[dict]] = {}
    with engine.connect() as conn:
        for row in conn.execute(query).mappings():
            entry = {name: row[name] for name in columns}
            for name in ("outage_start", "outage_end", "worst_at"):
                entry[name] = utc(entry[name])
            days.setdefault(row["day"], []).append(entry)
    return days
