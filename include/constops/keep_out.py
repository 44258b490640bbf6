"""Where an antenna must not point: the GSO arc, the Sun, and an az/el mount's zenith keyhole.

The GSO arc is the circle of geostationary positions, 35,786 km over the equator; seen from
a station it is a curve across the sky (at Akkol, 52 N, it culminates 30.6 degrees high in
the south). The separation from it is the angle between the line of sight and the
direction to the arc's nearest point, found on the whole circle: first on a 0.5-degree grid
of arc longitudes, then refined by golden-section search to far under 0.001 degrees.
"""

from __future__ import annotations

import numpy as np

from .constants import GSO_ALTITUDE_KM, WGS84_A_KM

#: The arc's radius about the geocentre, km.
GSO_RADIUS_KM = WGS84_A_KM + GSO_ALTITUDE_KM
#: Causes of a keep-out interval, as stored in ``keep_out_intervals.cause``.
CAUSES = ("gso_arc", "sun", "keyhole")

_GRID_STEP_DEG = 1.0
#: A grid point of the arc is at most 1.2 degrees of sky from the next one seen from the
#: ground (one degree of longitude is 736 km, at least 35,786 km away): the grid's nearest
#: point overestimates the separation by under 0.6 degrees, so 2 is a safe margin.
_GRID_MARGIN_DEG = 2.0
_GOLDEN = (np.sqrt(5.0) - 1.0) / 2.0
_REFINE_STEPS = 28
_ROWS_PER_BLOCK = 8192


def gso_arc_directions(station_ecef_km: np.ndarray, longitudes_deg) -> np.ndarray:
    """Return unit vectors (n, 3), Earth-fixed, from the station to the GSO arc's points at
    ``longitudes_deg`` (east)."""
    lon = np.radians(np.asarray(longitudes_deg, dtype=float))
    points_km = GSO_RADIUS_KM * np.stack([np.cos(lon), np.sin(lon), np.zeros_like(lon)], axis=-1)
    d_km = points_km - station_ecef_km
    return d_km / np.linalg.norm(d_km, axis=-1, keepdims=True)


def gso_separation_deg(station_ecef_km: np.ndarray, los_ecef: np.ndarray, exact_below_deg: float = 180.0) -> np.ndarray:
    """Return the angle (deg), shape (n,), between each line of sight ``los_ecef`` (n, 3;
    unit vectors, Earth-fixed) from the station and the nearest point of the GSO arc.

    Exact (to 1e-6 degrees) where the angle is below ``exact_below_deg``; elsewhere a value
    that is certainly above ``exact_below_deg`` (the coarse grid's), which is all a
    keep-out test needs and saves the refinement."""
    los_ecef = np.asarray(los_ecef, dtype=float)
    grid_deg = np.arange(0.0, 360.0, _GRID_STEP_DEG)
    arc = gso_arc_directions(station_ecef_km, grid_deg)
    nearest_deg, coarse = np.empty(len(los_ecef)), np.empty(len(los_ecef))
    for first in range(0, len(los_ecef), _ROWS_PER_BLOCK):
        cosines = los_ecef[first:first + _ROWS_PER_BLOCK] @ arc.T
        best = np.argmax(cosines, axis=1)
        nearest_deg[first:first + _ROWS_PER_BLOCK] = grid_deg[best]
        coarse[first:first + _ROWS_PER_BLOCK] = cosines[np.arange(len(best)), best]
    separation = np.degrees(np.arccos(np.clip(coarse, -1.0, 1.0)))
    near = np.flatnonzero(separation < exact_below_deg + _GRID_MARGIN_DEG)
    separation[near] = _refined_deg(station_ecef_km, los_ecef[near], nearest_deg[near])
    return separation


def _refined_deg(station_ecef_km, los_ecef, nearest_deg) -> np.ndarray:
    """Return the separation (deg) from the arc of each line of sight, by golden-section
    search for the arc longitude within a grid step of ``nearest_deg``."""
    def cosine(lon_deg):
        return np.einsum("ij,ij->i", los_ecef, gso_arc_directions(station_ecef_km, lon_deg))

    lo, hi = nearest_deg - _GRID_STEP_DEG, nearest_deg + _GRID_STEP_DEG
    a, b = hi - _GOLDEN * (hi - lo), lo + _GOLDEN * (hi - lo)
    fa, fb = cosine(a), cosine(b)
    for _ in range(_REFINE_STEPS):  # maximise the cosine, unimodal within a grid step
        left = fa > fb
        hi, lo = np.where(left, b, hi), np.where(left, lo, a)
        probe = np.where(left, hi - _GOLDEN * (hi - lo), lo + _GOLDEN * (hi - lo))
        f_probe = cosine(probe)
        a, b, fa, fb = (np.where(left, probe, b), np.where(left, a, probe),
                        np.where(left, f_probe, fb), np.where(left, fa, f_probe))
    return np.degrees(np.arccos(np.clip(np.maximum(fa, fb), -1.0, 1.0)))


def separation_deg(los_ecef: np.ndarray, directions: np.ndarray) -> np.ndarray:
    """Return the angle (deg), shape (n,), between unit vectors ``los_ecef`` and ``directions`` (n, 3)."""
    return np.degrees(np.arccos(np.clip(np.einsum("ij,ij->i", los_ecef, directions), -1.0, 1.0)))
