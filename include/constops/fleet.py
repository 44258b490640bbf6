"""Fleet status from GP elements alone: who is on station, raising, stranded, decaying or stale.

Every satellite of one snapshot (``current``) gets a :class:`SatelliteStatus`. The
only inputs are element sets: no operator data, no manoeuvre plans. Heights are
mean altitudes, ``a - R`` with ``a`` the Kepler semi-major axis of the GP mean motion
and ``R`` the WGS72 equatorial radius (the mean of :attr:`ElementSet.perigee_alt_km`
and :attr:`ElementSet.apogee_alt_km`), in km.

Status rules, applied in this order (defaults of :class:`FleetThresholds` in brackets):

1. ``stale``: the element epoch is older than ``stale_age_days`` [3 days] at ``at``.
   Nothing else is claimed about a satellite whose elements are that old.
1b. ``manoeuvring`` or ``decaying``: the element set carries extreme drag terms
   (flagged ``extreme_bstar`` or ``large_mean_motion_dot``, :mod:`constops.flags`): a
   mean motion that falls (MEAN_MOTION_DOT < 0, or a negative BSTAR) is thrust absorbed
   by the fit, ``manoeuvring``; one that rises that fast is ``decaying``. Such elements
   say little of where the orbit is going, so no other rule is tried. On 2026-08-31, 16
   of the 238 Qianfan satellites (all of launches 2026-104 to 2026-155, BSTAR down to
   -3.56 and MEAN_MOTION_DOT near -0.02) are manoeuvring by this rule.
2. ``operational``: the mean altitude is inside a shell's band,
   ``shells_alt_km ± shell_tolerance_km`` [1068 ± 10 km], whatever its rate. A
   constellation of several shells (Starlink) lists them all; "the band" below is
   then any of them, "below" means below the highest shell.
3. Below the band, by the altitude rate ``r`` (km/day):
   ``raising`` if ``r > +raising_rate_km_per_day`` [0.1], ``decaying`` if
   ``r < -decaying_rate_km_per_day`` [0.1], else ``stranded`` (parked below the shell:
   failed, waiting its turn to raise, or lowered to drift in phase; the elements
   cannot tell these apart).
4. Above the (highest) band: ``raising`` if ``r > +raising_rate_km_per_day``, else
   ``operational`` (operating high: a satellite above the shell is not short of it,
   and "decaying" would be wrong for one descending towards the shell). None of the
   108 Qianfan satellites of November 2025 is above the band.

The rate ``r`` is the least-squares slope of mean altitude against epoch over the
distinct epochs of the satellite's element sets (current and ``history``; an element
set repeated in several snapshots counts once) inside ``rate_window_days`` [7] before
the current epoch, when they span at least ``min_rate_span_days`` [0.5]. Otherwise
the satellite has no history (``alt_rate_km_per_day`` is ``None``) and the rule for
"below the band" falls back on the drag term of the current element set: the rate
implied by MEAN_MOTION_DOT, ``-(2/3) (a/n) dn/dt`` with ``dn/dt = 2 * MEAN_MOTION_DOT``
(the OMM/TLE field is half the derivative, rev/day²). Then only ``decaying`` or
``stranded`` can result: the GP fit models drag, not thrust, so it never shows
raising. On 2025-11-19 the 14 Qianfan satellites climbing at 4 to 5 km/day all
carried a positive MEAN_MOTION_DOT (an implied *descent* of about 0.003 km/day).

Why these defaults (the 7 CelesTrak snapshots of 2025-11-14 to 2025-11-20):

- Shell band 1068 ± 10 km: the 70 satellites on station have mean altitudes of
  1068.6 to 1072.3 km; the next ones down are parked at 1051.8, 1043.1 and
  1028.5 km and do not move. ±10 km keeps more than 5 km of margin on both sides;
  ±20 km would count the satellite at 1051.8 km as on station.
- Rates 0.1 km/day: satellites that do not manoeuvre show fitted rates within
  ±0.011 km/day (natural decay from 800 km near solar maximum is 0.004 to
  0.011 km/day, about 3 km a year, which is "stranded", not "decaying"); orbit
  raising with electric propulsion runs at 4 to 5 km/day. 0.1 km/day (36 km a
  year) is ten times the first and forty times below the second.
- Minimum span 0.5 day: the scatter of mean altitude between element sets reaches
  0.017 km, so two epochs half a day apart still give a rate within ±0.07 km/day.
- Stale 3 days: CelesTrak refreshes Qianfan elements daily (every epoch of the
  2025-11-20 download is less than 10 hours old at its midnight); three days of
  silence mean the catalogue has lost or stopped updating the object.

Orbital planes: satellites are grouped by launch (the COSPAR launch of OBJECT_ID,
"2024-140" of "2024-140A"), then by RAAN within the launch: the RAANs are sorted
around the circle and split wherever the gap between neighbours exceeds
``plane_gap_deg`` [0.5]. Planes are numbered P1, P2, ... from the highest median
mean altitude down (ties by RAAN), so P1 is the plane that reached the shell, or
came closest. Satellites that stay low precess faster in RAAN than those on
station (differential J2 precession: about 0.115 deg/day at 800 km against
0.101 deg/day at 1068 km for an 89 deg inclination, some 5 deg a year), so a launch
with stranded satellites splits into several planes after a few months. That is
the truth of the geometry, not an error: in November 2025 QIANFAN-7, stranded near
800 km, trails the other 17 satellites of 2024-140 (launched August 2024) by 5.2 deg.
Why 0.5 deg: the largest RAAN gap between on-station satellites of one launch is
0.35 deg (2024-185); the satellites of 2024-185 at or near the shell (83.0 to
83.7 deg) are 0.81 deg from the next one of their launch; planes of different
launches are about 20 deg apart. A wider gap chains the stranded satellites of
2024-185, spread over 79.5 to 82.2 deg, onto its on-station plane.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

import numpy as np

from .constants import SECONDS_PER_DAY
from .defaults import default
from .elements import ElementSet
from .flags import FlagThresholds, drag_signature

__all__ = [
    "FleetThresholds",
    "SatelliteStatus",
    "STATUSES",
    "drag_alt_rate_km_per_day",
    "fleet_status",
    "launch_id",
    "mean_alt_km",
    "raan_clusters",
    "status_counts",
]

STATUSES = ("operational", "raising", "manoeuvring", "decaying", "stranded", "stale")
_COSPAR_LAUNCH = re.compile(r"^\s*(\d{4}-\d{3})")
_UNKNOWN_LAUNCH = "unknown"


@dataclass(frozen=True)
class FleetThresholds:
    """Thresholds of the status rules and of plane clustering (see the module docstring).

    Defaults fit the Qianfan shell of November 2025.
    """

    #: Centres of the operational shells, mean altitude above the equatorial radius, km
    #: (one for Qianfan; Starlink flies several).
    shells_alt_km: tuple[float, ...] = tuple(default("fleet", "shells_alt_km"))
    #: Half-width of each shell's band, km: operational within a shell's altitude ± this.
    shell_tolerance_km: float = default("fleet", "shell_tolerance_km")
    #: A satellite climbs ("raising") when its altitude rate exceeds this, km/day.
    raising_rate_km_per_day: float = default("fleet", "raising_rate_km_per_day")
    #: A satellite below the band is "decaying" when it loses more than this, km/day.
    decaying_rate_km_per_day: float = default("fleet", "decaying_rate_km_per_day")
    #: Elements older than this at the status instant make the satellite "stale", days.
    stale_age_days: float = default("fleet", "stale_age_days")
    #: Only element epochs this far before the current epoch enter the rate, days.
    rate_window_days: float = default("fleet", "rate_window_days")
    #: The epochs must span at least this for a rate to be estimated, days.
    min_rate_span_days: float = default("fleet", "min_rate_span_days")
    #: Within a launch, a RAAN gap wider than this separates two planes, degrees.
    plane_gap_deg: float = default("fleet", "plane_gap_deg")

    def __post_init__(self):
        object.__setattr__(self, "shells_alt_km", tuple(float(alt) for alt in self.shells_alt_km))
        if not self.shells_alt_km or not all(math.isfinite(alt) and alt > 0 for alt in self.shells_alt_km):
            raise ValueError(f"FleetThresholds.shells_alt_km={self.shells_alt_km!r} must be altitudes > 0 km")
        for name in (
            "shell_tolerance_km", "raising_rate_km_per_day", "decaying_rate_km_per_day",
            "stale_age_days", "rate_window_days", "min_rate_span_days", "plane_gap_deg",
        ):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
                raise ValueError(f"FleetThresholds.{name}={value!r} must be a finite number > 0")
        if self.min_rate_span_days > self.rate_window_days:
            raise ValueError(
                f"FleetThresholds.min_rate_span_days={self.min_rate_span_days} exceeds "
                f"rate_window_days={self.rate_window_days}: no rate could ever be estimated"
            )


@dataclass(frozen=True)
class SatelliteStatus:
    """One satellite's state as the elements show it; heights in km, angles in degrees."""

    norad_cat_id: int
    object_name: str
    launch: str
    plane_id: str
    ra_of_asc_node_deg: float
    inclination_deg: float
    perigee_alt_km: float
    apogee_alt_km: float
    mean_alt_km: float
    alt_rate_km_per_day: float | None
    epoch_age_days: float
    status: str


def fleet_status(
    current: Sequence[ElementSet],
    at: datetime,
    history: Sequence[Sequence[ElementSet]] = (),
    thresholds: FleetThresholds = FleetThresholds(),
    flags: FlagThresholds = FlagThresholds(),
) -> list[SatelliteStatus]:
    """Return the status of every satellite of ``current``, in the order given.

    ``current`` is one snapshot (one element set per NORAD id); ``at`` the aware
    instant the statuses refer to (element ages are measured to it); ``history``
    earlier snapshots in any order, used only for altitude rates. Raises ValueError
    when ``at`` is naive or ``current`` holds a NORAD id twice.
    """
    if at.tzinfo is None:
        raise ValueError(f"at={at!r} must be timezone-aware (UTC)")
    at = at.astimezone(timezone.utc)
    _check_unique(current)
    altitudes = _altitude_history(current, history)
    planes = _plane_ids(current, thresholds.plane_gap_deg)
    statuses = []
    for element_set in current:
        rate = _alt_rate_km_per_day(element_set.epoch, altitudes[element_set.norad_cat_id], thresholds)
        statuses.append(_status(element_set, at, rate, planes[element_set.norad_cat_id], thresholds, flags))
    return statuses


def status_counts(statuses: Iterable[SatelliteStatus]) -> dict[str, int]:
    """Return {status: number of satellites} for every status in ``STATUSES`` (zeros included)."""
    counts = Counter(status.status for status in statuses)
    return {name: counts.get(name, 0) for name in STATUSES}


def launch_id(object_id: str) -> str:
    """Return the COSPAR launch of an international designator ("2024-140" of "2024-140A"),
    or "unknown" when ``object_id`` does not start with one.
    """
    match = _COSPAR_LAUNCH.match(object_id or "")
    return match.group(1) if match else _UNKNOWN_LAUNCH


def mean_alt_km(element_set: ElementSet) -> float:
    """Return the mean altitude (semi-major axis minus the WGS72 equatorial radius), km."""
    return 0.5 * (element_set.perigee_alt_km + element_set.apogee_alt_km)


def drag_alt_rate_km_per_day(element_set: ElementSet) -> float:
    """Return the altitude rate implied by MEAN_MOTION_DOT alone, km/day (negative = descent).

    From ``a ∝ n^(-2/3)``: ``da/dt = -(2/3) (a/n) dn/dt`` with ``dn/dt = 2 * MEAN_MOTION_DOT``
    (rev/day²; the OMM/TLE field is half the derivative). It reflects drag as fitted by
    the catalogue, never thrust.
    """
    dn_dt = 2.0 * element_set.mean_motion_dot
    return -(2.0 / 3.0) * element_set.semi_major_axis_km / element_set.mean_motion_rev_per_day * dn_dt


def _check_unique(current: Sequence[ElementSet]) -> None:
    """Raise ValueError naming the first NORAD id that ``current`` holds twice."""
    counts = Counter(element_set.norad_cat_id for element_set in current)
    repeated = [norad for norad, count in counts.items() if count > 1]
    if repeated:
        raise ValueError(f"current snapshot holds NORAD {repeated[0]} {counts[repeated[0]]} times; expected once")


def _altitude_history(
    current: Sequence[ElementSet], history: Sequence[Sequence[ElementSet]]
) -> dict[int, dict[datetime, float]]:
    """Return {norad: {epoch: mean altitude km}} of the satellites of ``current``.

    The current element set comes first, so that it wins over a history element set of
    the same epoch; satellites absent from ``current`` are ignored.
    """
    altitudes: dict[int, dict[datetime, float]] = {e.norad_cat_id: {e.epoch: mean_alt_km(e)} for e in current}
    for snapshot in history:
        for element_set in snapshot:
            by_epoch = altitudes.get(element_set.norad_cat_id)
            if by_epoch is not None:
                by_epoch.setdefault(element_set.epoch, mean_alt_km(element_set))
    return altitudes


def _alt_rate_km_per_day(
    epoch: datetime, altitudes: dict[datetime, float], thresholds: FleetThresholds
) -> float | None:
    """Return the least-squares slope of mean altitude vs epoch, km/day, or None.

    Uses the epochs in [epoch - rate_window_days, epoch]; None when they are fewer than
    two or span less than ``min_rate_span_days``.
    """
    days = []
    alts_km = []
    for other_epoch, alt_km in altitudes.items():
        age_days = (epoch - other_epoch).total_seconds() / SECONDS_PER_DAY
        if 0.0 <= age_days <= thresholds.rate_window_days:
            days.append(-age_days)
            alts_km.append(alt_km)
    if len(days) < 2 or max(days) - min(days) < thresholds.min_rate_span_days:
        return None
    slope, _ = np.polyfit(np.asarray(days), np.asarray(alts_km), 1)
    return float(slope)


def _status(
    element_set: ElementSet, at: datetime, rate: float | None, plane_id: str, thresholds: FleetThresholds,
    flags: FlagThresholds,
) -> SatelliteStatus:
    """Return the SatelliteStatus of one element set, its rate and plane already known."""
    age_days = (at - element_set.epoch).total_seconds() / SECONDS_PER_DAY
    alt_km = mean_alt_km(element_set)
    return SatelliteStatus(
        norad_cat_id=element_set.norad_cat_id,
        object_name=element_set.object_name,
        launch=launch_id(element_set.object_id),
        plane_id=plane_id,
        ra_of_asc_node_deg=element_set.ra_of_asc_node_deg,
        inclination_deg=element_set.inclination_deg,
        perigee_alt_km=element_set.perigee_alt_km,
        apogee_alt_km=element_set.apogee_alt_km,
        mean_alt_km=alt_km,
        alt_rate_km_per_day=rate,
        epoch_age_days=age_days,
        status=_classify(element_set, alt_km, rate, age_days, thresholds, flags),
    )


def _classify(
    element_set: ElementSet, alt_km: float, rate: float | None, age_days: float, thresholds: FleetThresholds,
    flags: FlagThresholds,
) -> str:
    """Return one of ``STATUSES`` by the rules of the module docstring."""
    if age_days > thresholds.stale_age_days:
        return "stale"
    signature = drag_signature(element_set, flags)
    if signature is not None:
        return signature
    offsets_km = [alt_km - shell_km for shell_km in thresholds.shells_alt_km]
    if any(abs(offset_km) <= thresholds.shell_tolerance_km for offset_km in offsets_km):
        return "operational"
    if rate is not None and rate > thresholds.raising_rate_km_per_day:
        return "raising"
    if all(offset_km > 0 for offset_km in offsets_km):
        return "operational"
    descent_rate = rate if rate is not None else drag_alt_rate_km_per_day(element_set)
    if descent_rate < -thresholds.decaying_rate_km_per_day:
        return "decaying"
    return "stranded"


def _plane_ids(current: Sequence[ElementSet], gap_deg: float) -> dict[int, str]:
    """Return {norad: plane id "<launch>/P<k>"}: launches split into RAAN clusters,
    numbered from the highest median mean altitude down (ties by circular mean RAAN).
    """
    by_launch: dict[str, list[ElementSet]] = defaultdict(list)
    for element_set in current:
        by_launch[launch_id(element_set.object_id)].append(element_set)
    plane_of = {}
    for launch, members in by_launch.items():
        clusters = [[members[i] for i in cluster] for cluster in raan_clusters(
            [m.ra_of_asc_node_deg for m in members], gap_deg)]
        clusters.sort(key=lambda c: (
            -float(np.median([mean_alt_km(m) for m in c])),
            _circular_mean_deg([m.ra_of_asc_node_deg for m in c]),
        ))
        for k, cluster in enumerate(clusters, start=1):
            for member in cluster:
                plane_of[member.norad_cat_id] = f"{launch}/P{k}"
    return plane_of


def raan_clusters(raans_deg: Sequence[float], gap_deg: float) -> list[list[int]]:
    """Return clusters of indices into ``raans_deg``: neighbours around the circle closer
    than ``gap_deg`` (degrees) share a cluster.

    Clusters come in increasing RAAN around the circle (the first one starts after the
    first wide gap above 0 deg); indices within a cluster run in increasing RAAN.
    """
    n = len(raans_deg)
    if n == 0:
        return []
    order = sorted(range(n), key=lambda i: raans_deg[i] % 360.0)
    values = [raans_deg[i] % 360.0 for i in order]
    cuts = [k for k in range(n) if (values[(k + 1) % n] - values[k]) % 360.0 > gap_deg]
    if not cuts:
        clusters = [order]
    else:
        clusters = []
        for j, cut in enumerate(cuts):
            end = cuts[(j + 1) % len(cuts)]
            length = (end - cut) % n or n
            clusters.append([order[(cut + 1 + step) % n] for step in range(length)])
    return clusters


def _circular_mean_deg(angles_deg: Sequence[float]) -> float:
    """Return the circular mean of angles in degrees, in [0, 360)."""
    radians = np.radians(np.asarray(angles_deg, dtype=float))
    return float(np.degrees(np.arctan2(np.sin(radians).mean(), np.cos(radians).mean())) % 360.0)
