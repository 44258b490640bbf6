"""Flags: element sets that SGP4 propagates but that a textbook would call unusual.

Real GP answers carry them every day: a satellite that manoeuvres inside the fit span
gets its thrust absorbed into the drag terms (BSTAR of -3.56 per Earth radius and
MEAN_MOTION_DOT of -0.021 rev/day² in the 2026-08-31 Qianfan answer); one that re-enters
shows a large positive MEAN_MOTION_DOT. Such records are loaded and computed like any
other, and flagged, so that analysts see them (table ``flagged_element_sets``) and the
fleet status can call the satellite manoeuvring or decaying instead of trusting its orbit.

Rules (thresholds of :class:`FlagThresholds`, settings ``[flags]``; defaults in brackets):

- ``extreme_bstar``: ``|BSTAR| > bstar_abs_max`` [0.1 per Earth radius]. Qianfan's
  on-station satellites carry 1e-5 to 1e-3; 16 of the 238 records of 2026-08-31 exceed
  0.1 (15 exceed 1), none of the 108 of 2026-04-15.
- ``negative_bstar``: ``BSTAR < 0``, a drag term that speeds the satellite up (3 records
  of 2026-04-15, 20 of 2026-08-31); on its own a sign of a noisy fit, not of a manoeuvre.
- ``large_mean_motion_dot``: ``|MEAN_MOTION_DOT| > mean_motion_dot_abs_max`` [0.01
  rev/day²], a change of the orbital period of more than 1.7 s a day; 16 records of
  2026-08-31 (all near -0.02), none of 2026-04-15.
- ``low_mean_motion``: ``MEAN_MOTION < mean_motion_min_rev_per_day`` [11 rev/day, an
  altitude of about 2,700 km]: not a LEO broadband orbit. Qianfan's are 13.47 to 14.28.
- ``high_eccentricity``: ``ECCENTRICITY > eccentricity_max`` [0.01]: a LEO shell is
  circular; Qianfan's largest is 0.0041 (QIANFAN-224, orbit raising).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .defaults import default
from .elements import ElementSet

__all__ = ["FLAG_RULES", "Flag", "FlagThresholds", "drag_signature", "flags_of"]

FLAG_RULES = ("extreme_bstar", "negative_bstar", "large_mean_motion_dot", "low_mean_motion", "high_eccentricity")


@dataclass(frozen=True)
class FlagThresholds:
    """Where an element set becomes unusual (see the module docstring)."""

    #: |BSTAR| above this is extreme, per Earth radius.
    bstar_abs_max: float = default("flags", "bstar_abs_max")
    #: |MEAN_MOTION_DOT| above this is large, rev/day² (the OMM/TLE field: half the derivative).
    mean_motion_dot_abs_max: float = default("flags", "mean_motion_dot_abs_max")
    #: A mean motion below this is not a LEO orbit, rev/day.
    mean_motion_min_rev_per_day: float = default("flags", "mean_motion_min_rev_per_day")
    #: An eccentricity above this is not a circular shell.
    eccentricity_max: float = default("flags", "eccentricity_max")

    def __post_init__(self):
        for name in ("bstar_abs_max", "mean_motion_dot_abs_max", "mean_motion_min_rev_per_day", "eccentricity_max"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
                raise ValueError(f"[flags] {name}={value!r} must be a finite number > 0")


@dataclass(frozen=True)
class Flag:
    """One unusual value of one element set: the rule, the OMM field, its value, the threshold."""

    norad_cat_id: int
    rule: str
    field: str
    value: float
    threshold: float


def flags_of(element_set: ElementSet, thresholds: FlagThresholds = FlagThresholds()) -> list[Flag]:
    """Return the flags that ``element_set`` raises, in the order of ``FLAG_RULES``."""
    e, t = element_set, thresholds
    tests = (
        ("extreme_bstar", "BSTAR", e.bstar_per_earth_radius, t.bstar_abs_max, abs(e.bstar_per_earth_radius) > t.bstar_abs_max),
        ("negative_bstar", "BSTAR", e.bstar_per_earth_radius, 0.0, e.bstar_per_earth_radius < 0.0),
        ("large_mean_motion_dot", "MEAN_MOTION_DOT", e.mean_motion_dot, t.mean_motion_dot_abs_max,
         abs(e.mean_motion_dot) > t.mean_motion_dot_abs_max),
        ("low_mean_motion", "MEAN_MOTION", e.mean_motion_rev_per_day, t.mean_motion_min_rev_per_day,
         e.mean_motion_rev_per_day < t.mean_motion_min_rev_per_day),
        ("high_eccentricity", "ECCENTRICITY", e.eccentricity, t.eccentricity_max, e.eccentricity > t.eccentricity_max),
    )
    return [Flag(e.norad_cat_id, rule, field, value, threshold) for rule, field, value, threshold, hit in tests if hit]


def drag_signature(element_set: ElementSet, thresholds: FlagThresholds = FlagThresholds()) -> str | None:
    """Return ``"manoeuvring"``, ``"decaying"`` or None: what extreme drag terms say of a satellite.

    None unless the element set is flagged ``extreme_bstar`` or ``large_mean_motion_dot``.
    Then the sign tells: a mean motion that falls (MEAN_MOTION_DOT < 0; or, with a small
    MEAN_MOTION_DOT, a negative BSTAR) is a satellite pushed outwards, which drag cannot do:
    it is manoeuvring. A mean motion that rises that fast is drag at its strongest: decaying.
    """
    e, t = element_set, thresholds
    large_dot = abs(e.mean_motion_dot) > t.mean_motion_dot_abs_max
    if not large_dot and abs(e.bstar_per_earth_radius) <= t.bstar_abs_max:
        return None
    sign = e.mean_motion_dot if large_dot else e.bstar_per_earth_radius
    return "manoeuvring" if sign < 0 else "decaying"
