"""Frames and topocentric geometry: WGS84 sites, TEME to Earth-fixed, look angles.

All functions are vectorised over NumPy arrays; positions are in km.

TEME to Earth-fixed follows Vallado et al. (AIAA 2006-6753) as Skyfield's
``TEME`` frame does: a rotation by the 1982 Greenwich mean sidereal time about
the z axis. UT1 is taken equal to UTC (|UT1-UTC| < 0.9 s, which moves a LEO
satellite's look angles by under 0.005 degrees) and polar motion is ignored
(under 10 m at the surface).
"""

from __future__ import annotations

import numpy as np

from .constants import DAYS_PER_JULIAN_CENTURY, J2000_JD, SECONDS_PER_DAY, WGS84_A_KM, WGS84_E2, WGS84_F  # noqa: F401 (WGS84_* re-exported)

#: Earth's rotation rate in rad/s: the time derivative of :func:`gmst82_rad` (its
#: linear term; the quadratic terms change it by under 1e-14). Using the rate of
#: our own GMST makes Earth-fixed velocities the exact derivative of Earth-fixed
#: positions, which root finders on elevation rates rely on.
EARTH_ROTATION_RAD_S = 2.0 * np.pi / SECONDS_PER_DAY * (
    1.0 + 8640184.812866 / (DAYS_PER_JULIAN_CENTURY * SECONDS_PER_DAY)
)


def geodetic_to_ecef_km(lat_deg, lon_deg, alt_km=0.0) -> np.ndarray:
    """Return Earth-fixed (ITRF) positions of WGS84 geodetic points, shape (..., 3), in km."""
    lat = np.radians(np.asarray(lat_deg, dtype=float))
    lon = np.radians(np.asarray(lon_deg, dtype=float))
    alt_km = np.asarray(alt_km, dtype=float)
    sin_lat = np.sin(lat)
    n_km = WGS84_A_KM / np.sqrt(1.0 - WGS84_E2 * sin_lat**2)
    xy_km = (n_km + alt_km) * np.cos(lat)
    return np.stack(
        [xy_km * np.cos(lon), xy_km * np.sin(lon), (n_km * (1.0 - WGS84_E2) + alt_km) * sin_lat],
        axis=-1,
    )


def enu_basis(lat_deg, lon_deg) -> np.ndarray:
    """Return unit vectors (east, north, up) of the local geodetic frame, shape (..., 3, 3).

    ``basis[..., 2, :]`` is the ellipsoid normal ("up"), so ``r @ basis[..., 2, :]``
    is the height of ``r`` above the local horizontal plane.
    """
    lat = np.radians(np.asarray(lat_deg, dtype=float))
    lon = np.radians(np.asarray(lon_deg, dtype=float))
    sin_lat, cos_lat = np.sin(lat), np.cos(lat)
    sin_lon, cos_lon = np.sin(lon), np.cos(lon)
    zero = np.zeros_like(lat)
    east = np.stack([-sin_lon, cos_lon, zero], axis=-1)
    north = np.stack([-sin_lat * cos_lon, -sin_lat * sin_lon, cos_lat], axis=-1)
    up = np.stack([cos_lat * cos_lon, cos_lat * sin_lon, sin_lat], axis=-1)
    return np.stack([east, north, up], axis=-2)


def gmst82_rad(jd_ut1, fraction_ut1=0.0) -> np.ndarray:
    """Return Greenwich mean sidereal time (IAU 1982) in radians, in [0, 2 pi).

    Takes the Julian date split in two parts so that the fraction keeps its
    precision. Hand-written because ``sgp4.propagation.gstime`` is not vectorised
    and loses sub-millisecond precision on a single float.
    """
    jd_ut1 = np.asarray(jd_ut1, dtype=float)
    fraction_ut1 = np.asarray(fraction_ut1, dtype=float)
    t = (jd_ut1 - J2000_JD + fraction_ut1) / DAYS_PER_JULIAN_CENTURY
    g_s = 67310.54841 + (8640184.812866 + (0.093104 + (-6.2e-6) * t) * t) * t
    turns = (jd_ut1 % 1.0 + fraction_ut1 % 1.0 + g_s / SECONDS_PER_DAY) % 1.0
    return turns * 2.0 * np.pi


def teme_to_ecef_km(r_teme_km, jd, fraction) -> np.ndarray:
    """Return Earth-fixed positions (km) of TEME positions ``r_teme_km`` (..., n_times, 3).

    ``jd`` and ``fraction`` (shape (n_times,)) give the UTC instants of the last-but-one axis.
    """
    return _rotate_to_earth_fixed(r_teme_km, gmst82_rad(jd, fraction))


def teme_to_ecef_state(r_teme_km, v_teme_km_s, jd, fraction) -> tuple[np.ndarray, np.ndarray]:
    """Return (r_ecef_km, v_ecef_km_s): Earth-fixed positions (km) and velocities (km/s)
    of TEME states, each of shape (..., n_times, 3).

    ``jd`` and ``fraction`` (shape (n_times,)) give the UTC instants of the last-but-one
    axis. The velocity is relative to the rotating Earth: v_ecef = R v_teme - w x r_ecef
    with w = (0, 0, EARTH_ROTATION_RAD_S).
    """
    theta = gmst82_rad(jd, fraction)
    r_ecef_km = _rotate_to_earth_fixed(r_teme_km, theta)
    v_ecef_km_s = _rotate_to_earth_fixed(v_teme_km_s, theta)
    v_ecef_km_s[..., 0] += EARTH_ROTATION_RAD_S * r_ecef_km[..., 1]
    v_ecef_km_s[..., 1] -= EARTH_ROTATION_RAD_S * r_ecef_km[..., 0]
    return r_ecef_km, v_ecef_km_s


def _rotate_to_earth_fixed(vectors, theta) -> np.ndarray:
    """Return a new array: TEME ``vectors`` (..., n_times, 3) rotated by -``theta`` (n_times,)
    rad about z, the rotation from TEME to Earth-fixed. Written in place into one output
    array, which is 3x faster than stacking new ones."""
    cos_t, sin_t = np.cos(theta), np.sin(theta)
    vectors = np.asarray(vectors)
    x, y = vectors[..., 0], vectors[..., 1]
    out = np.empty_like(vectors, dtype=float)
    np.multiply(cos_t, x, out=out[..., 0])
    out[..., 0] += sin_t * y
    np.multiply(cos_t, y, out=out[..., 1])
    out[..., 1] -= sin_t * x
    out[..., 2] = vectors[..., 2]
    return out


def look_angles(r_ecef_km, site_ecef_km, site_enu) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (elevation_deg, azimuth_deg, range_km) of Earth-fixed points seen from a site.

    ``site_enu`` is the (3, 3) basis from :func:`enu_basis`. Azimuth is measured
    from north through east, in [0, 360).
    """
    d_km = np.asarray(r_ecef_km) - site_ecef_km
    east, north, up = d_km @ site_enu[0], d_km @ site_enu[1], d_km @ site_enu[2]
    range_km = np.sqrt(east**2 + north**2 + up**2)
    elevation_deg = np.degrees(np.arcsin(np.clip(up / range_km, -1.0, 1.0)))
    azimuth_deg = np.degrees(np.arctan2(east, north)) % 360.0
    return elevation_deg, azimuth_deg, range_km


def elevation_sine_and_rate(r_ecef_km, v_ecef_km_s, site_ecef_km, up) -> tuple[np.ndarray, np.ndarray]:
    """Return (sin_elevation, sin_elevation_rate_per_s) of Earth-fixed points moving at
    ``v_ecef_km_s`` (km/s), seen from a site whose ellipsoid normal is ``up``.

    With d the line of sight, h = d . up and rho = |d|: sin(el) = h / rho and
    d sin(el)/dt = (v . up) / rho - h (d . v) / rho**3 (in 1/s). The elevation rate
    is that divided by cos(el); the sine is used because it stays smooth through
    the zenith, where the elevation itself has a kink.
    """
    d_km = np.asarray(r_ecef_km) - site_ecef_km
    v_km_s = np.asarray(v_ecef_km_s)
    range_km = np.sqrt(np.einsum("...i,...i->...", d_km, d_km))
    height_km = np.einsum("...i,i->...", d_km, up)
    range_rate_km_s = np.einsum("...i,...i->...", d_km, v_km_s) / range_km
    sine = height_km / range_km
    rate_per_s = (np.einsum("...i,i->...", v_km_s, up) - sine * range_rate_km_s) / range_km
    return sine, rate_per_s
