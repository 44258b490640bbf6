"""The stations and the region a day was computed for, as rows analysts can join to."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from ..clock import utc_now
from . import schema
from .store import upsert


def record_sites(conn: Connection, settings, grid=None) -> None:
    """Write the configured stations, the constellation the settings are specialised for (see
    ``Settings.of``) and, given its ``CellGrid``, the coverage region into ``stations``,
    ``constellations`` and ``regions``, replacing the rows of the same ids: the rows always
    describe the configuration the latest results were computed with."""
    updated_at = utc_now()
    entry = settings.constellation
    if entry is not None:
        upsert(conn, schema.constellations, [{
            "constellation_id": entry.constellation_id, "name": entry.name, "operator": entry.operator,
            "celestrak_query": entry.query_text, "orbit": entry.orbit, "station_ids": ",".join(entry.station_ids),
            "region_id": entry.region_id, "updated_at": updated_at,
        }], key=["constellation_id"])
    upsert(conn, schema.stations, [
        {"station_id": s.station_id, "name": s.name, "lat_deg": s.lat_deg, "lon_deg": s.lon_deg,
         "alt_m": s.alt_m, "min_elevation_deg": s.min_elevation_deg, "updated_at": updated_at}
        for s in settings.stations
    ], key=["station_id"])
    if grid is not None:
        upsert(conn, schema.regions, [{
            "region_id": grid.region_id, "name": settings.region_name, "cell_size_deg": grid.cell_size_deg,
            "n_cells": len(grid), "area_km2": float(grid.area_km2.sum()),
            "masks_deg": ",".join(f"{mask:g}" for mask in settings.masks_deg), "updated_at": updated_at,
        }], key=["region_id"])
