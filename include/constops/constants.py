"""Physical and calendar constants of the library, each defined once, with its source."""

SECONDS_PER_DAY = 86400.0
SECONDS_PER_HOUR = 3600.0

#: WGS84 ellipsoid (NIMA TR8350.2): ground sites, cells and Earth-fixed frames.
WGS84_A_KM = 6378.137
WGS84_F = 1.0 / 298.257223563
WGS84_E2 = WGS84_F * (2.0 - WGS84_F)

#: WGS72, the gravity model GP element sets are fitted with and SGP4 must use
#: (Vallado et al., AIAA 2006-6753): mean motion to semi-major axis, heights of orbits.
WGS72_MU_KM3_S2 = 398600.8
WGS72_RADIUS_KM = 6378.135

#: Julian date of J2000.0 (2000-01-01 12:00 TT) and days per Julian century (GMST 1982).
J2000_JD = 2451545.0
DAYS_PER_JULIAN_CENTURY = 36525.0

#: The geostationary arc: 35,786 km over the equator (ITU-R S.1003), a circle of
#: WGS84_A_KM + 35,786 = 42,164.137 km about the geocentre in the equatorial plane.
GSO_ALTITUDE_KM = 35786.0

#: The astronomical unit (km), IAU 2012 Resolution B2: the Sun's distance in km.
AU_KM = 149_597_870.7
#: The speed of light (m/s, exact in the SI): a wavelength from a frequency.
LIGHT_M_S = 299_792_458.0
#: The Sun's apparent radius seen from the Earth (deg): 959.6 arcseconds at 1 AU (the
#: Astronomical Almanac), 945 at aphelion to 976 at perihelion; sun-outage predictions use 0.267.
SUN_RADIUS_DEG = 0.267
