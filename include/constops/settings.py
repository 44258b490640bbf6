"""The pipeline's settings: constellations, regions, stations, masks, steps and thresholds.

Every setting and its default is written once, in ``defaults.toml`` beside this module.
``CONSTOPS_SETTINGS`` names a TOML file laid over the defaults (it holds only what it
changes); ``CONSTOPS__<SECTION>__<KEY>`` variables override single keys. Relative
GeoJSON paths are resolved against the directory of the file that names them.
"""

from __future__ import annotations

import copy
import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path

from .antennas import AntennaSpec, GeoBeam
from .celestrak import USER_AGENT
from .constellations import Constellation, constellation_from_toml
from .defaults import DEFAULTS, DEFAULTS_PATH, OVERRIDE_PREFIX, SETTINGS_ENV
from .flags import FlagThresholds
from .fleet import FleetThresholds
from .sites import Region, Station
from .validation import PayloadLimits


@dataclass(frozen=True)
class ContactPlanSettings:
    """``[contact_plan]``: the rules of a contact plan and the solver's bounds."""

    #: Shortest contact worth an antenna's slew (s).
    min_contact_s: int
    #: Make-before-break: the next satellite is tracked this long before the previous is
    #: dropped (s); a link counts from this long after its antenna starts tracking.
    handover_overlap_s: int
    #: The day is planned in windows of ``window_min`` with ``lookahead_min`` beyond each.
    window_min: int
    lookahead_min: int
    #: CP-SAT's bound per window, in its deterministic time units (one thread, so the same
    #: plan on every run; one unit was 5-7 s of wall time on the 2-core machine of the tests).
    deterministic_time_limit: float
    #: At most this many usable intervals at once are given to the solver (the longest).
    candidates_in_view: int
    #: A day's plan whose one-link share falls under this (percent of the day) is an alert.
    continuity_alert_percent: float
    #: Pointing files: the program track's step, and the OEM's step between states (s).
    pointing_step_s: float
    oem_step_s: float


@dataclass(frozen=True)
class Settings:
    """Everything a daily run needs to know besides the day and the database.

    As loaded, ``stations``, the region, ``fleet`` and ``flags`` are the defaults of every
    constellation; :meth:`of` returns the settings one constellation is computed with."""

    #: Ids of the constellations computed every day (``[pipeline] constellations``).
    constellation_ids: tuple[str, ...]
    first_day: date
    live_window_h: float
    contact: str
    region_id: str
    region_name: str
    region_geojson: Path
    cell_size_deg: float
    coverage_step_s: float
    masks_deg: tuple[float, ...]
    #: Most satellites in one coverage shard, and one satellite's day of coverage on one core (s).
    coverage_shard_satellites: int
    coverage_satellite_cost_s: float
    #: Threads one task counts coverage on; 0: every core, at most 4.
    coverage_threads: int
    pass_step_s: float
    pass_shard_satellites: int
    pass_satellite_cost_s: float
    stations: tuple[Station, ...]
    #: How contact plans are made for the stations with antennas (``[contact_plan]``).
    contact_plan: ContactPlanSettings
    #: Every configured station, whichever constellation they serve.
    all_stations: tuple[Station, ...]
    fleet: FleetThresholds
    limits: PayloadLimits
    flags: FlagThresholds
    #: Every configured constellation by id, enabled or not.
    constellations: Mapping[str, Constellation]
    request_spacing_s: float
    #: Task slots one run's shards may fill (0: the planning machine's cores) and Airflow's cost of one task (s).
    slots: int
    task_overhead_s: float
    #: Every configured region: id -> (name, GeoJSON path).
    regions: Mapping[str, tuple[str, Path]]
    #: Thresholds of the constellations that set their own (``[constellations.<id>.fleet]``, ``.flags``).
    fleet_of: Mapping[str, FleetThresholds]
    flags_of: Mapping[str, FlagThresholds]
    #: Days ahead a new snapshot plans (``[pipeline] horizon_days``), the least hours between
    #: two requests of a group (``[ingest] refresh_interval_h``), the shift of a pass or contact
    #: that a revision lists as moved (s), and how far ahead a change is alerted (h).
    horizon_days: int = 2
    refresh_interval_h: float = 2.0
    changed_threshold_s: float = 5.0
    alert_lead_h: float = 12.0
    #: The constellation these settings were specialised for by :meth:`of`, else None.
    constellation: Constellation | None = None

    def of(self, constellation_id: str) -> Settings:
        """Return the settings constellation ``constellation_id`` is computed with: its own stations (in
        the order it names them), region and thresholds. ValueError lists the known ids."""
        if self.constellation is not None and self.constellation.constellation_id == constellation_id:
            return self
        if constellation_id not in self.constellations:
            raise ValueError(f"unknown constellation {constellation_id!r}; configured: {', '.join(sorted(self.constellations))}")
        entry = self.constellations[constellation_id]
        name, geojson = self.regions[entry.region_id]
        return dataclasses.replace(
            self, stations=tuple(self.station(s) for s in entry.station_ids), region_id=entry.region_id,
            region_name=name, region_geojson=geojson, fleet=self.fleet_of.get(constellation_id, self.fleet),
            flags=self.flags_of.get(constellation_id, self.flags), constellation=entry,
        )

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
        for station in self.all_stations:
            if station.station_id == station_id:
                return station
        known = ", ".join(s.station_id for s in self.all_stations)
        raise ValueError(f"unknown station {station_id!r}; configured: {known}")


def load_settings(path: str | os.PathLike | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Return the settings: ``defaults.toml``, overlaid by the file ``path`` (else
    ``$CONSTOPS_SETTINGS``, if set; it need hold only what it changes), overlaid by every
    ``CONSTOPS__<SECTION>__<KEY>`` variable of ``environ`` (default: the process's). Read
    when called, so a task sees the settings of its own environment. ValueError names the
    file or variable at fault."""
    environ = os.environ if environ is None else environ
    data = _with_region_paths(copy.deepcopy(DEFAULTS), DEFAULTS_PATH.parent)
    user = path or environ.get(SETTINGS_ENV)
    sources = [str(user)] if user else [str(DEFAULTS_PATH)]
    where = sources[0]
    try:
        if user:
            _overlay(data, _with_region_paths(tomllib.loads(Path(user).read_text(encoding="utf-8")), Path(user).parent))
        for name, value in sorted(environ.items()):
            if name.startswith(OVERRIDE_PREFIX):
                where = name
                _overlay(data, _override(name, value))
                sources.append(name)
        where = " with ".join(sources)
        return _from_toml(data)
    except (KeyError, TypeError, ValueError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"settings {where}: {type(exc).__name__}: {exc}") from None


def override_name(section: str, key: str) -> str:
    """Return the environment variable that overrides ``[section] key``."""
    return f"{OVERRIDE_PREFIX}{section.upper()}__{key.upper()}"


def _override(name: str, value: str) -> dict:
    """Return ``{section: {key: value}}`` of one ``CONSTOPS__SECTION__KEY`` variable; the value
    is read as a TOML value, else taken as a string."""
    parts = [part.lower() for part in name[len(OVERRIDE_PREFIX):].split("__")]
    if len(parts) < 2 or not all(parts):
        raise ValueError(f"{name} names no [section] key: use {OVERRIDE_PREFIX}<SECTION>__<KEY>")
    try:
        parsed = tomllib.loads(f"v = {value}")["v"]
    except tomllib.TOMLDecodeError:
        parsed = value
    _check_override(parts, parsed)
    nested = parsed
    for part in reversed(parts):
        nested = {part: nested}
    return nested


def _check_override(parts: list[str], value) -> None:
    """Raise ValueError unless ``[parts]`` is a setting of the defaults and ``value`` has its
    type: an unknown key is a typo, and ``groups=qianfan`` (no brackets) is not a list."""
    known = DEFAULTS
    for part in parts:
        if not isinstance(known, dict) or part not in known:
            if parts[0] in ("regions", "constellations") and len(parts) >= 3:
                return  # a region or a constellation of the user's own
            raise ValueError(f"[{'.'.join(parts[:-1])}] {parts[-1]} is not a setting (see defaults.toml)")
        known = known[part]
    kinds = {bool: (bool,), int: (int, float), float: (int, float), str: (str,), list: (list,)}
    expected = kinds.get(type(known))
    if expected and (not isinstance(value, expected) or (isinstance(value, bool) and bool not in expected)):
        raise ValueError(f"[{'.'.join(parts[:-1])}] {parts[-1]}={value!r} must be of the type of its default "
                         f"{known!r} (values are read as TOML: a list is [a, b], a text \"...\")")


def _overlay(base: dict, top: dict) -> None:
    """Lay ``top`` over ``base`` in place: tables merge key by key, anything else replaces."""
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _overlay(base[key], value)
        else:
            base[key] = value


def _with_region_paths(data: dict, folder: Path) -> dict:
    """Return ``data`` with every region's relative ``geojson`` path made absolute against
    ``folder`` (the folder of the file that names it)."""
    for region in data.get("regions", {}).values():
        if "geojson" in region and not Path(region["geojson"]).is_absolute():
            region["geojson"] = str(folder / region["geojson"])
    return data


def _antennas(station: Mapping) -> AntennaSpec | None:
    """Return the spec of a ``[[stations]]`` entry's ``antennas`` table, or None without one.
    ValueError names the station and what is wrong."""
    if "antennas" not in station:
        return None
    entry = station["antennas"]
    try:
        spec = AntennaSpec.from_toml(entry)
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"[[stations]] {station['station_id']!r}: antennas: {exc}") from exc
    if spec.min_elevation_deg < float(station["min_elevation_deg"]):
        raise ValueError(f"[[stations]] {station['station_id']!r}: antennas min_elevation_deg "
                         f"{spec.min_elevation_deg} is below the station's pass mask {station['min_elevation_deg']}: "
                         "passes are only found above the mask")
    return spec


def _geo_beam(station: Mapping) -> GeoBeam | None:
    """Return the beam of a ``[[stations]]`` entry's ``geo_beam`` table, or None without one.
    ValueError names the station and the key at fault."""
    if "geo_beam" not in station:
        return None
    entry = station["geo_beam"]
    try:
        if not isinstance(entry, Mapping):
            raise TypeError(f"geo_beam must be a table {{ diameter_m = ..., frequency_ghz = ... }}, not {entry!r}")
        return GeoBeam.from_toml(entry)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"[[stations]] {station['station_id']!r}: {exc}") from exc


def _contact_plan(section: Mapping) -> ContactPlanSettings:
    """Return ``[contact_plan]`` as settings; ValueError names a value out of range."""
    return ContactPlanSettings(
        min_contact_s=_whole(section, "contact_plan", "min_contact_s", 1),
        handover_overlap_s=_whole(section, "contact_plan", "handover_overlap_s", 0),
        window_min=_whole(section, "contact_plan", "window_min", 10),
        lookahead_min=_whole(section, "contact_plan", "lookahead_min", 0),
        deterministic_time_limit=_positive(section, "contact_plan", "deterministic_time_limit"),
        candidates_in_view=_whole(section, "contact_plan", "candidates_in_view", 1),
        continuity_alert_percent=_percent(section, "contact_plan", "continuity_alert_percent"),
        pointing_step_s=_positive(section, "contact_plan", "pointing_step_s"),
        oem_step_s=_positive(section, "contact_plan", "oem_step_s"),
    )


def _from_toml(data: dict) -> Settings:
    """Return the Settings of a complete settings table (the defaults with overlays)."""
    pipeline, coverage, passes = data["pipeline"], data["coverage"], data["passes"]
    region_id = coverage["region"]
    region = data["regions"][region_id]
    constellations = {key: constellation_from_toml(key, dict(entry), region_id)
                      for key, entry in data["constellations"].items()}
    constellation_ids = tuple(str(constellation_id) for constellation_id in pipeline["constellations"])
    _check_constellations(constellation_ids, constellations, data)
    fleet_defaults, flag_defaults = data["fleet"], data["flags"]
    stations = tuple(
        Station(
            station_id=str(s["station_id"]), name=str(s.get("name", s["station_id"])),
            lat_deg=float(s["lat_deg"]), lon_deg=float(s["lon_deg"]),
            alt_m=float(s["alt_m"]), min_elevation_deg=float(s["min_elevation_deg"]),
            antennas=_antennas(s), geo_beam=_geo_beam(s),
        )
        for s in data["stations"]
    )
    return Settings(
        constellation_ids=constellation_ids,
        first_day=date.fromisoformat(str(pipeline["first_day"])),
        live_window_h=float(pipeline["live_window_h"]),
        contact=str(pipeline["contact"]),
        region_id=region_id,
        region_name=region.get("name", region_id),
        region_geojson=Path(region["geojson"]),
        cell_size_deg=float(coverage["cell_size_deg"]),
        coverage_step_s=float(coverage["step_s"]),
        masks_deg=_masks(coverage["masks_deg"]),
        coverage_shard_satellites=_whole(coverage, "coverage", "shard_satellites", 1),
        coverage_satellite_cost_s=_positive(coverage, "coverage", "satellite_cost_s"),
        coverage_threads=_whole(coverage, "coverage", "threads", 0),
        pass_step_s=float(passes["step_s"]),
        pass_shard_satellites=_whole(passes, "passes", "shard_satellites", 1),
        pass_satellite_cost_s=_positive(passes, "passes", "satellite_cost_s"),
        contact_plan=_contact_plan(data["contact_plan"]),
        stations=stations,
        all_stations=stations,
        fleet=FleetThresholds(**fleet_defaults),
        limits=PayloadLimits(**{k: v for k, v in data["ingest"].items() if k != "refresh_interval_h"}),
        flags=FlagThresholds(**flag_defaults),
        constellations=constellations,
        request_spacing_s=float(pipeline["request_spacing_s"]),
        slots=_whole(pipeline, "pipeline", "slots", 0),
        task_overhead_s=_positive(pipeline, "pipeline", "task_overhead_s"),
        regions={key: (r.get("name", key), Path(r["geojson"])) for key, r in data["regions"].items()},
        fleet_of={key: FleetThresholds(**{**fleet_defaults, **entry["fleet"]})
                  for key, entry in data["constellations"].items() if "fleet" in entry},
        flags_of={key: FlagThresholds(**{**flag_defaults, **entry["flags"]})
                  for key, entry in data["constellations"].items() if "flags" in entry},
        horizon_days=_whole(pipeline, "pipeline", "horizon_days", 0),
        refresh_interval_h=_refresh_interval_h(data["ingest"]),
        changed_threshold_s=_positive(passes, "passes", "changed_threshold_s"),
        alert_lead_h=_positive(data["alerts"], "alerts", "lead_h"),
    )


def _refresh_interval_h(ingest: dict) -> float:
    """Return ``[ingest] refresh_interval_h``: at least 2 h, as CelesTrak's policy asks."""
    value = ingest["refresh_interval_h"]
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 2:
        raise ValueError(f"[ingest] refresh_interval_h must be at least 2 (CelesTrak's GP data change at most "
                         f"every two hours; asking more often gets a client blocked), not {value!r}")
    return float(value)


def _check_constellations(constellation_ids: tuple[str, ...], constellations: dict, data: dict) -> None:
    """Raise ValueError unless every enabled constellation is configured and names configured
    stations and a configured region, and every constellation id is path-safe."""
    if not constellation_ids or len(set(constellation_ids)) != len(constellation_ids):
        raise ValueError(f"[pipeline] constellations must name distinct entries, not {list(constellation_ids)!r}")
    stations = {str(s["station_id"]) for s in data["stations"]}
    for constellation_id in constellation_ids:
        if constellation_id not in constellations:
            raise ValueError(f"[pipeline] constellations names {constellation_id!r}, which has no [constellations.{constellation_id}] "
                             f"entry; configured: {', '.join(sorted(constellations))}")
    for key, entry in constellations.items():
        if not key.replace("-", "").replace("_", "").isalnum():
            raise ValueError(f"[constellations.{key}]: an id is letters, digits, - and _")
        if key not in constellation_ids:
            continue  # checked when switched on: a user's own station list need not serve it
        unknown = [s for s in entry.station_ids if s not in stations]
        if unknown:
            raise ValueError(f"[constellations.{key}] stations {unknown} are not configured: {sorted(stations)}")
        if entry.region_id not in data["regions"]:
            raise ValueError(f"[constellations.{key}] region {entry.region_id!r} is not configured")


def _masks(values) -> tuple[float, ...]:
    """Return the elevation masks, degrees: distinct, each in [0, 90)."""
    masks = tuple(float(mask) for mask in values)
    if not masks or len(set(masks)) != len(masks) or not all(0.0 <= mask < 90.0 for mask in masks):
        raise ValueError(f"[coverage] masks_deg={list(values)!r} must be distinct elevations in [0, 90) degrees")
    return masks


def _whole(section: dict, name: str, key: str, least: int) -> int:
    """Return the whole number ``[name] key``, at least ``least``."""
    value = section[key]
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise ValueError(f"[{name}] {key} must be a whole number >= {least}, not {value!r}")
    return value


def _positive(section: dict, name: str, key: str) -> float:
    """Return the number ``[name] key``, above 0."""
    value = section[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ValueError(f"[{name}] {key} must be a number above 0, not {value!r}")
    return float(value)


def _percent(section: dict, name: str, key: str) -> float:
    """Return the number ``[name] key``, a percentage in [0, 100]."""
    value = section[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 100:
        raise ValueError(f"[{name}] {key} must be a percentage from 0 to 100, not {value!r}")
    return float(value)
