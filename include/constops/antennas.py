"""A station's antennas: how they point, how fast they slew, and where they must not look.

Each antenna of a station is alike (``count`` of one :class:`AntennaSpec`); an az/el mount
moves both axes at once, so a slew takes as long as the slower axis needs, plus the time
to acquire and settle on the next satellite. Azimuth takes the shorter way round: the
mount is assumed to have no cable-wrap limit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .constants import LIGHT_M_S, SUN_RADIUS_DEG

#: Mounts the planner knows: azimuth over elevation, with a keyhole at the zenith.
MOUNTS = ("az_el",)


@dataclass(frozen=True)
class AntennaSpec:
    """The antennas of one station (every one alike) and the constellations they serve."""

    count: int
    mount: str
    #: Slew rates of the two axes (deg/s) and the time to acquire and settle after a slew (s).
    slew_rate_az_deg_s: float
    slew_rate_el_deg_s: float
    retarget_s: float
    #: The lowest elevation an antenna tracks, and the zenith keyhole: no tracking above
    #: ``keyhole_elevation_deg`` (nor where the azimuth would need more than its slew rate).
    min_elevation_deg: float
    keyhole_elevation_deg: float
    #: Keep-out: least angle between the line of sight and the GSO arc, and the Sun (deg).
    gso_separation_deg: float
    sun_separation_deg: float
    #: (constellation id, priority) pairs, 1 first: the constellations the antennas serve.
    priority: tuple[tuple[str, int], ...]

    def __post_init__(self):
        if self.mount not in MOUNTS:
            raise ValueError(f"antenna mount {self.mount!r} is not one of {', '.join(MOUNTS)}")
        if self.count < 1:
            raise ValueError(f"antenna count must be at least 1, not {self.count}")
        for name in ("slew_rate_az_deg_s", "slew_rate_el_deg_s"):
            if not getattr(self, name) > 0:
                raise ValueError(f"antenna {name} must be above 0, not {getattr(self, name)}")
        if not self.retarget_s >= 0:
            raise ValueError(f"antenna retarget_s must be 0 or more, not {self.retarget_s}")
        for name in ("gso_separation_deg", "sun_separation_deg"):
            if not 0 <= getattr(self, name) < 90:
                raise ValueError(f"antenna {name} must be from 0 to under 90 degrees (a keep-out of 90 or more "
                                 f"leaves no sky to track), not {getattr(self, name)}")
        if not 0 <= self.min_elevation_deg < self.keyhole_elevation_deg <= 90:
            raise ValueError(f"antenna elevations must satisfy 0 <= min_elevation_deg ({self.min_elevation_deg}) "
                             f"< keyhole_elevation_deg ({self.keyhole_elevation_deg}) <= 90")
        if not self.priority:
            raise ValueError("antennas must name the constellations they serve (priority = { <id> = 1 })")
        if any(level < 1 for _, level in self.priority):
            raise ValueError(f"antenna priority levels must be 1 or more (1 first), not {dict(self.priority)}")

    @classmethod
    def from_toml(cls, entry: Mapping) -> AntennaSpec:
        """Return the spec of a station's ``antennas`` table (every key given; see defaults.toml)."""
        return cls(
            count=int(entry["count"]), mount=str(entry["mount"]),
            slew_rate_az_deg_s=float(entry["slew_rate_az_deg_s"]), slew_rate_el_deg_s=float(entry["slew_rate_el_deg_s"]),
            retarget_s=float(entry["retarget_s"]), min_elevation_deg=float(entry["min_elevation_deg"]),
            keyhole_elevation_deg=float(entry["keyhole_elevation_deg"]),
            gso_separation_deg=float(entry["gso_separation_deg"]), sun_separation_deg=float(entry["sun_separation_deg"]),
            priority=tuple(sorted(((str(k), int(v)) for k, v in dict(entry["priority"]).items()), key=lambda kv: kv[1])),
        )

    def antenna_ids(self, station_id: str) -> tuple[str, ...]:
        """Return the ids of the station's antennas: ``<station>-1`` .. ``<station>-<count>``."""
        return tuple(f"{station_id}-{k + 1}" for k in range(self.count))

    def serves(self) -> tuple[str, ...]:
        """Return the ids of the constellations served, highest priority first."""
        return tuple(constellation_id for constellation_id, _ in self.priority)

    def weight(self, constellation_id: str) -> int:
        """Return the link-time weight of a constellation: 1 for the lowest priority served,
        one more for each level above it."""
        lowest = max(p for _, p in self.priority)
        return lowest - dict(self.priority)[constellation_id] + 1

    def slew_s(self, az_from_deg, el_from_deg, az_to_deg, el_to_deg) -> np.ndarray:
        """Return the time (s) from pointing at (az_from, el_from) to tracking at (az_to,
        el_to): the slower axis's slew, azimuth the shorter way round, plus ``retarget_s``."""
        d_az = np.abs((np.asarray(az_to_deg) - az_from_deg + 180.0) % 360.0 - 180.0)
        d_el = np.abs(np.asarray(el_to_deg) - el_from_deg)
        return np.maximum(d_az / self.slew_rate_az_deg_s, d_el / self.slew_rate_el_deg_s) + self.retarget_s

    def max_slew_s(self) -> float:
        """Return the longest slew (s): half a turn in azimuth or horizon to zenith, plus retarget."""
        return float(max(180.0 / self.slew_rate_az_deg_s, 90.0 / self.slew_rate_el_deg_s) + self.retarget_s)


@dataclass(frozen=True)
class GeoBeam:
    """The main beam of a station's dish towards its GEO satellites (``geo_beam`` of a
    ``[[stations]]`` entry): diameter (m) and receive frequency (GHz), from which the
    sun-outage half-angle is derived; or that half-angle given directly (deg)."""

    diameter_m: float | None = None
    frequency_ghz: float | None = None
    #: Given directly, it replaces the one derived from the dish (deg).
    half_angle_deg: float | None = None

    @property
    def hpbw_deg(self) -> float | None:
        """Return the half-power (3 dB) beamwidth (deg): 70 lambda / D, the usual
        approximation for a parabolic reflector of typical illumination (Maral and Bousquet,
        "Satellite Communications Systems", the antenna chapter); None without a dish."""
        if self.diameter_m is None or self.frequency_ghz is None:
            return None
        return 70.0 * (LIGHT_M_S / (self.frequency_ghz * 1e9)) / self.diameter_m

    @property
    def sun_outage_half_angle_deg(self) -> float:
        """Return the Sun-satellite separation (deg, seen from the station) below which the
        link is in outage: half the 3 dB beamwidth plus the Sun's apparent radius, the
        operators' approximation of the "outage angle" (the Sun's disc touches the half-power
        beam; e.g. the sun-outage notes of Indosat's Palapa fleet; the method of predicting
        the dates and times is ITU-R S.1525, Annex 2), unless ``half_angle_deg`` is given."""
        if self.half_angle_deg is not None:
            return self.half_angle_deg
        return self.hpbw_deg / 2.0 + SUN_RADIUS_DEG

    @classmethod
    def from_toml(cls, entry: Mapping) -> GeoBeam:
        """Return the beam of a ``geo_beam`` table: ``{ diameter_m, frequency_ghz }`` or
        ``{ half_angle_deg }``. ValueError names the key at fault: each value a number above 0."""
        known = {"diameter_m", "frequency_ghz", "half_angle_deg"}
        unknown = sorted(set(entry) - known)
        if unknown:
            raise ValueError(f"geo_beam: {', '.join(unknown)} is not a key (known: {', '.join(sorted(known))})")
        values = {}
        for key in sorted(known & set(entry)):
            value = entry[key]
            if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
                raise ValueError(f"geo_beam {key} must be a number above 0, not {value!r}")
            values[key] = float(value)
        if "half_angle_deg" not in values and not {"diameter_m", "frequency_ghz"} <= set(values):
            raise ValueError("geo_beam needs diameter_m and frequency_ghz, or half_angle_deg")
        return cls(**values)
