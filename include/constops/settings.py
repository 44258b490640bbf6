"""The pipeline's settings: groups, region, stations, masks and steps, from one TOML file.

The defaults ship in ``defaults.toml`` beside this module. ``CONSTOPS_SETTINGS``
names a TOML file that replaces them (same layout); relative GeoJSON paths are
resolved against the directory of the file that names them.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path

from .celestrak import USER_AGENT
from .flags import FlagThresholds
from .fleet import FleetThresholds
from .sites import Region, Station
from .validation import PayloadLimits

SETTINGS_ENV = "CONSTOPS_SETTINGS"
DEFAULTS_PATH = Path(__file__).with_name("defaults.toml")
#: Satellites per shard (mapped task) when a settings file names none.
DEFAULT_SHARD_SATELLITES = {"coverage": 2000, "passes": 5000}


@dataclass(frozen=True)
class Settings:
    """Everything a daily run needs to know besides the day and the database."""

    groups: tuple[str, ...]
    first_day: date
    live_window_h: float
    contact: str
    region_id: str
    region_name: str
    region_geojson: Path
    cell_size_deg: float
    coverage_step_s: float
    masks_deg: tuple[float, ...]
    coverage_shard_satellites: int
    pass_step_s: float
    pass_shard_satellites: int
    stations: tuple[Station, ...]
    fleet: FleetThresholds
    limits: PayloadLimits
    flags: FlagThresholds

    @cached_property
    def region(self) -> Region:
        """Return the coverage region, loaded from its GeoJSON outline."""
        return Region.from_geojson(self.region_id, self.region_name, self.region_geojson)

    @property
    def user_agent(self) -> str:
        """Return the User-Agent sent to CelesTrak, with the operator's contact when set."""
        return f"{USER_AGENT} {self.contact}".strip()

    def station(self, station_id: str) -> Station:
        """Return the configured station ``station_id``; ValueError lists the known ones."""
        for station in self.stations:
            if station.station_id == station_id:
                return station
        known = ", ".join(s.station_id for s in self.stations)
        raise ValueError(f"unknown station {station_id!r}; configured: {known}")


def load_settings(path: str | os.PathLike | None = None) -> Settings:
    """Return the settings in ``path``, else in ``$CONSTOPS_SETTINGS``, else the defaults."""
    path = Path(path or os.environ.get(SETTINGS_ENV) or DEFAULTS_PATH)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return _from_toml(data, path)
    except (KeyError, TypeError, ValueError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"settings file {path}: {exc!r}") from None


def _from_toml(data: dict, path: Path) -> Settings:
    pipeline, coverage = data["pipeline"], data["coverage"]
    region_id = coverage["region"]
    region = data["regions"][region_id]
    geojson = Path(region["geojson"])
    groups = tuple(str(group) for group in pipeline["groups"])
    if not groups or not all(group.replace("-", "").replace("_", "").isalnum() for group in groups):
        raise ValueError(f"groups must be CelesTrak group names (letters, digits, - and _): {groups}")
    return Settings(
        groups=groups,
        first_day=date.fromisoformat(str(pipeline.get("first_day", "2025-11-01"))),
        live_window_h=float(pipeline.get("live_window_h", 36)),
        contact=str(pipeline.get("contact", "")),
        region_id=region_id,
        region_name=region.get("name", region_id),
        region_geojson=geojson if geojson.is_absolute() else path.parent / geojson,
        cell_size_deg=float(coverage["cell_size_deg"]),
        coverage_step_s=float(coverage["step_s"]),
        masks_deg=tuple(float(mask) for mask in coverage["masks_deg"]),
        coverage_shard_satellites=_block_size(coverage, "coverage"),
        pass_step_s=float(data.get("passes", {}).get("step_s", 180)),
        pass_shard_satellites=_block_size(data.get("passes", {}), "passes"),
        stations=tuple(
            Station(
                station_id=str(s["station_id"]), name=str(s.get("name", s["station_id"])),
                lat_deg=float(s["lat_deg"]), lon_deg=float(s["lon_deg"]),
                alt_m=float(s.get("alt_m", 0.0)), min_elevation_deg=float(s.get("min_elevation_deg", 10.0)),
            )
            for s in data.get("stations", [])
        ),
        fleet=FleetThresholds(**data.get("fleet", {})),
        limits=PayloadLimits(**data.get("ingest", {})),
        flags=FlagThresholds(**data.get("flags", {})),
    )


def _block_size(section: dict, name: str) -> int:
    """Return ``shard_satellites`` of a settings section: satellites per mapped task."""
    value = section.get("shard_satellites", DEFAULT_SHARD_SATELLITES[name])
    if not isinstance(value, int) or value < 1:
        raise ValueError(f"[{name}] shard_satellites must be a whole number of satellites >= 1, not {value!r}")
    return value
