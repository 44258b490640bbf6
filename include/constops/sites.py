"""Ground stations (gateways) and regions (polygons over which coverage is computed)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import shape

from .antennas import AntennaSpec, GeoBeam
from .geometry import enu_basis, geodetic_to_ecef_km


@dataclass(frozen=True)
class Station:
    """A ground station on the WGS84 ellipsoid, the elevation mask its passes are found
    above, its antennas (None: its passes are listed, no contact plan is made) and the beam
    of its GEO dish (None: no sun outages are predicted)."""

    station_id: str
    name: str
    lat_deg: float
    lon_deg: float
    alt_m: float
    min_elevation_deg: float = 10.0
    antennas: AntennaSpec | None = None
    geo_beam: GeoBeam | None = None

    @cached_property
    def ecef_km(self) -> np.ndarray:
        """Return the station's Earth-fixed position, shape (3,), in km."""
        return geodetic_to_ecef_km(self.lat_deg, self.lon_deg, self.alt_m / 1000.0)

    @cached_property
    def enu(self) -> np.ndarray:
        """Return the station's (east, north, up) unit vectors, shape (3, 3)."""
        return enu_basis(self.lat_deg, self.lon_deg)


@dataclass(frozen=True)
class Region:
    """A named area on the ground (lon/lat WGS84 polygon)."""

    region_id: str
    name: str
    geometry: shapely.Geometry

    @classmethod
    def from_geojson(cls, region_id: str, name: str, path: Path) -> Region:
        """Return the region whose outline is the union of all features in a GeoJSON file."""
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        features = data["features"] if data.get("type") == "FeatureCollection" else [data]
        geometry = shapely.union_all([shape(f.get("geometry", f)) for f in features])
        if geometry.is_empty or not geometry.is_valid:
            raise ValueError(f"{path}: region {region_id!r} has an empty or invalid outline")
        return cls(region_id, name, geometry)

    def contains(self, lat_deg, lon_deg) -> np.ndarray:
        """Return a boolean array: True where the point (lat, lon) is inside the region."""
        return shapely.contains_xy(self.geometry, np.asarray(lon_deg), np.asarray(lat_deg))
