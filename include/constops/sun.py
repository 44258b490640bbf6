"""The Sun's direction: the Astronomical Almanac's low-precision formula, in Earth-fixed axes.

The Almanac (section C, "Low-precision formulas for the Sun's coordinates") gives the
Sun's apparent ecliptic longitude to 0.01 degrees between 1950 and 2050 from eight
terms; the pipeline only needs it to keep antennas a few degrees away from the Sun, so
no ephemeris file is read or downloaded. The equatorial direction of date is turned to
Earth-fixed axes by the 1982 GMST, as satellite positions are (:mod:`constops.geometry`):
the mean-versus-true equinox difference is under 0.005 degrees. The parallax of the Sun
seen from a station (8.8 arcseconds) is neglected by :func:`sun_direction_ecef`;
:func:`sun_position_ecef_km` gives the Sun's distance too (the Almanac's formula, 0.0003
AU), for directions seen from a station.
"""

from __future__ import annotations

import numpy as np

from .constants import AU_KM, J2000_JD
from .geometry import _rotate_to_earth_fixed, gmst82_rad


def sun_direction_ecef(jd, fraction) -> np.ndarray:
    """Return unit vectors from the Earth towards the Sun in Earth-fixed axes, shape
    (n, 3), at the UTC Julian dates ``jd + fraction`` (arrays of shape (n,))."""
    return _sun_ecef(jd, fraction)[0]


def sun_position_ecef_km(jd, fraction) -> np.ndarray:
    """Return the Sun's geocentric position (km) in Earth-fixed axes, shape (n, 3), at the
    UTC Julian dates ``jd + fraction``: subtract a station's position for the direction in
    which the station sees it (parallax included)."""
    direction, distance_au = _sun_ecef(jd, fraction)
    return direction * (distance_au * AU_KM)[..., None]


def _sun_ecef(jd, fraction) -> tuple[np.ndarray, np.ndarray]:
    """Return (unit vectors towards the Sun, Earth-fixed (n, 3); distance in AU (n,))."""
    jd, fraction = np.asarray(jd, dtype=float), np.asarray(fraction, dtype=float)
    n_days = (jd - J2000_JD) + fraction
    mean_longitude = np.radians(280.460 + 0.9856474 * n_days)
    mean_anomaly = np.radians(357.528 + 0.9856003 * n_days)
    longitude = mean_longitude + np.radians(1.915 * np.sin(mean_anomaly) + 0.020 * np.sin(2.0 * mean_anomaly))
    obliquity = np.radians(23.439 - 0.0000004 * n_days)
    equatorial = np.stack([
        np.cos(longitude), np.cos(obliquity) * np.sin(longitude), np.sin(obliquity) * np.sin(longitude),
    ], axis=-1)
    distance_au = 1.00014 - 0.01671 * np.cos(mean_anomaly) - 0.00014 * np.cos(2.0 * mean_anomaly)
    return _rotate_to_earth_fixed(equatorial, gmst82_rad(jd, fraction)), distance_au
