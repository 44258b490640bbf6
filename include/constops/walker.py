"""Synthetic Walker-delta constellations as GP element sets, for what-if coverage.

Walker notation ``i: T/P/F``: ``T`` satellites in ``P`` circular planes of equal
inclination ``i``, the planes' ascending nodes spread evenly over 360 deg, ``S = T/P``
satellites evenly spaced in each plane, and each plane's satellites shifted by
``F * 360/T`` deg of argument of latitude from the previous plane's (``0 <= F < P``).
A Qianfan-like shell of the 324 satellites planned for the end of 2026, 18 planes
of 18 at 1068 km and 89 deg, is ``walker_delta(324, 18, F, 1068.0, 89.0, epoch)``.

The element sets are ordinary :class:`ElementSet` records (OMM units), so everything
that takes real elements (propagation, coverage, passes, fleet status) takes these.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone

from .constants import SECONDS_PER_DAY, WGS72_MU_KM3_S2, WGS72_RADIUS_KM
from .elements import MAX_NORAD_CAT_ID, MEAN_MOTION_RANGE_REV_PER_DAY, ElementSet

__all__ = ["argument_of_latitude_deg", "mean_motion_rev_per_day", "walker_delta"]



def mean_motion_rev_per_day(altitude_km: float) -> float:
    """Return the Kepler mean motion of a circular orbit ``altitude_km`` above the WGS72
    equatorial radius, in revolutions per day (WGS72 mu, as :class:`ElementSet` uses).

    1068 km gives 13.5116 rev/day. SGP4 reads it as a Kozai mean motion, so propagated
    radii swing by about ±7.5 km around ``R + altitude_km`` (J2 short-period terms).
    """
    semi_major_axis_km = WGS72_RADIUS_KM + altitude_km
    n_rad_s = math.sqrt(WGS72_MU_KM3_S2 / semi_major_axis_km**3)
    return n_rad_s * SECONDS_PER_DAY / (2.0 * math.pi)


def walker_delta(
    total: int,
    planes: int,
    phasing: int,
    altitude_km: float,
    inclination_deg: float,
    epoch: datetime,
    raan0_deg: float = 0.0,
    first_norad_cat_id: int = 900_000,
    name: str = "WALKER",
    raan_spread_deg: float = 360.0,
) -> list[ElementSet]:
    """Return the ``total`` element sets of the Walker-delta constellation
    ``inclination_deg: total/planes/phasing`` at ``altitude_km``, all at ``epoch``.

    Plane ``p`` (0 .. planes-1) has RAAN ``raan0_deg + p * raan_spread_deg/planes``
    (360 deg: a Walker delta; 180 deg: a Walker star, the usual choice for near-polar
    shells, whose planes 180 deg apart would otherwise coincide); satellite ``s``
    (0 .. S-1, ``S = total/planes``) of plane ``p`` has argument of latitude
    ``s * 360/S + p * phasing * 360/total`` (deg, modulo 360). Order: plane by plane,
    NORAD ids ``first_norad_cat_id`` upwards, names ``"<name> P01-S01"``.

    Orbits are exactly circular: eccentricity 0 and argument of perigee 0, so the mean
    anomaly is the argument of latitude. SGP4 accepts e = 0 (it floors the
    eccentricity at 1e-6 while propagating), and a zero eccentricity keeps perigee and
    apogee heights equal to ``altitude_km``. BSTAR and the mean-motion derivatives are
    0: no drag, only gravity (J2 to J4) acts. Raises ValueError naming the argument.
    """
    epoch_utc = _check_arguments(
        total, planes, phasing, altitude_km, inclination_deg, epoch, raan0_deg, first_norad_cat_id
    )
    per_plane = total // planes
    mean_motion = mean_motion_rev_per_day(altitude_km)
    element_sets = []
    for p in range(planes):
        raan_deg = (raan0_deg + p * raan_spread_deg / planes) % 360.0
        for s in range(per_plane):
            element_sets.append(ElementSet(
                norad_cat_id=first_norad_cat_id + len(element_sets),
                object_name=f"{name} P{p + 1:02d}-S{s + 1:02d}",
                object_id="",
                epoch=epoch_utc,
                mean_motion_rev_per_day=mean_motion,
                eccentricity=0.0,
                inclination_deg=float(inclination_deg),
                ra_of_asc_node_deg=raan_deg,
                arg_of_pericenter_deg=0.0,
                mean_anomaly_deg=argument_of_latitude_deg(p, s, total, planes, phasing),
                bstar_per_earth_radius=0.0,
                mean_motion_dot=0.0,
                mean_motion_ddot=0.0,
            ))
    return element_sets


def argument_of_latitude_deg(plane: int, slot: int, total: int, planes: int, phasing: int) -> float:
    """Return the argument of latitude at epoch of satellite ``slot`` of plane ``plane``
    in a ``total/planes/phasing`` Walker-delta pattern, degrees in [0, 360).
    """
    per_plane = total // planes
    return (slot * 360.0 / per_plane + plane * phasing * 360.0 / total) % 360.0


def _check_arguments(
    total, planes, phasing, altitude_km, inclination_deg, epoch, raan0_deg, first_norad_cat_id
) -> datetime:
    """Raise ValueError naming the first invalid argument; return ``epoch`` in UTC."""
    for arg, value in (("total", total), ("planes", planes), ("phasing", phasing),
                       ("first_norad_cat_id", first_norad_cat_id)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{arg}={value!r} must be an integer")
    if total < 1:
        raise ValueError(f"total={total} must be at least 1")
    if planes < 1:
        raise ValueError(f"planes={planes} must be at least 1")
    if total % planes:
        raise ValueError(f"total={total} is not divisible by planes={planes}")
    if not 0 <= phasing < planes:
        raise ValueError(f"phasing={phasing} must be in 0 .. planes-1 = {planes - 1}")
    if not (math.isfinite(altitude_km) and altitude_km > 0):
        raise ValueError(f"altitude_km={altitude_km!r} must be a finite height > 0 km")
    low, high = MEAN_MOTION_RANGE_REV_PER_DAY
    if not low <= mean_motion_rev_per_day(altitude_km) <= high:
        raise ValueError(f"altitude_km={altitude_km} gives a mean motion outside [{low}, {high}] rev/day")
    if not (math.isfinite(inclination_deg) and 0.0 <= inclination_deg <= 180.0):
        raise ValueError(f"inclination_deg={inclination_deg!r} must be in [0, 180]")
    if not math.isfinite(raan0_deg):
        raise ValueError(f"raan0_deg={raan0_deg!r} must be finite")
    if not (first_norad_cat_id >= 1 and first_norad_cat_id + total - 1 <= MAX_NORAD_CAT_ID):
        raise ValueError(
            f"first_norad_cat_id={first_norad_cat_id} must leave ids 1 .. {MAX_NORAD_CAT_ID} for {total} satellites"
        )
    if not isinstance(epoch, datetime) or epoch.tzinfo is None:
        raise ValueError(f"epoch={epoch!r} must be a timezone-aware datetime (UTC)")
    return epoch.astimezone(timezone.utc)
