"""Data-quality gates: SQL checks that fail a day whose loaded results are impossible.

Each check is a parameterised query counting offending rows for one (day, constellation); a day
passes when every count is zero. The checks run after each load, in the same DAG run,
so a bad day fails loudly instead of reaching analysts silently.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Engine, text

from .errors import DataQualityError

#: name -> SQL counting violations for :day and :constellation_id (0 means the check passes).
PASS_CHECKS = {
    # A continuous (GEO) window may peak at an end of the day: there TCA equals AOS or LOS.
    "passes are ordered AOS < TCA < LOS": "SELECT count(*) FROM gateway_passes WHERE day = :day AND group_name = :constellation_id "
        "AND NOT ((aos < tca AND tca < los) OR (continuous AND aos <= tca AND tca <= los AND aos < los))",
    "pass elevations lie between the mask and 90 deg": "SELECT count(*) FROM gateway_passes WHERE day = :day "
        "AND group_name = :constellation_id AND NOT (max_elevation_deg >= min_elevation_deg - 1e-6 AND max_elevation_deg <= 90)",
    "azimuths lie in [0, 360)": "SELECT count(*) FROM gateway_passes WHERE day = :day AND group_name = :constellation_id "
        "AND NOT (aos_azimuth_deg >= 0 AND aos_azimuth_deg < 360 AND los_azimuth_deg >= 0 AND los_azimuth_deg < 360)",
    # Each pass against the one before it (a window, not a self-join: a fresh table's
    # missing statistics made PostgreSQL nest loops, 31 s for 7,500 passes).
    "passes of one satellite do not overlap": "SELECT count(*) FROM (SELECT aos, LAG(los) OVER (PARTITION BY "
        "station_id, min_elevation_deg, norad_cat_id ORDER BY aos) AS previous_los FROM gateway_passes "
        "WHERE day = :day AND group_name = :constellation_id) p WHERE p.previous_los > p.aos",
    "passes come from known satellites of the day's snapshot": "SELECT count(*) FROM gateway_passes p "
        "JOIN day_snapshots d ON d.day = p.day AND d.group_name = p.group_name WHERE p.day = :day "
        "AND p.group_name = :constellation_id AND (p.snapshot_id <> d.snapshot_id OR NOT EXISTS (SELECT 1 FROM element_sets e "
        "WHERE e.snapshot_id = p.snapshot_id AND e.norad_cat_id = p.norad_cat_id))",
    "every station has its daily summary": "SELECT count(*) FROM (SELECT DISTINCT station_id, min_elevation_deg "
        "FROM gateway_passes WHERE day = :day AND group_name = :constellation_id) p WHERE NOT EXISTS (SELECT 1 FROM "
        "gateway_daily g WHERE g.day = :day AND g.group_name = :constellation_id AND g.station_id = p.station_id "
        "AND g.min_elevation_deg = p.min_elevation_deg)",
    "station visibility is a percentage": "SELECT count(*) FROM gateway_daily WHERE day = :day AND group_name = :constellation_id "
        "AND NOT (percent_time_visible >= 0 AND percent_time_visible <= 100)",
    # A green run must have computed its day: at least one station summary, all from the
    # snapshot the day is assigned (one snapshot per day, never two).
    "the day has station summaries": "SELECT CASE WHEN count(*) = 0 THEN 1 ELSE 0 END FROM gateway_daily "
        "WHERE day = :day AND group_name = :constellation_id",
    "station summaries come from the day's snapshot": "SELECT count(*) FROM gateway_daily g JOIN day_snapshots d "
        "ON d.day = g.day AND d.group_name = g.group_name WHERE g.day = :day AND g.group_name = :constellation_id "
        "AND g.snapshot_id <> d.snapshot_id",
}

COVERAGE_CHECKS = {
    "coverage percentages lie in [0, 100]": "SELECT count(*) FROM coverage_daily WHERE day = :day AND group_name = :constellation_id "
        "AND NOT (percent_time_covered >= 0 AND percent_time_covered <= 100 AND percent_area_always_covered >= 0 "
        "AND percent_area_always_covered <= 100.000001)",
    "cell percentages lie in [0, 100]": "SELECT count(*) FROM coverage_cells WHERE day = :day AND group_name = :constellation_id "
        "AND NOT (percent_time_covered >= 0 AND percent_time_covered <= 100)",
    "satellites in view: min <= mean <= max": "SELECT count(*) FROM coverage_cells WHERE day = :day "
        "AND group_name = :constellation_id AND NOT (sats_in_view_min <= sats_in_view_mean + 1e-9 "
        "AND sats_in_view_mean <= sats_in_view_max + 1e-9)",
    "every region row has all its cells": "SELECT count(*) FROM coverage_daily c WHERE c.day = :day "
        "AND c.group_name = :constellation_id AND c.n_cells <> (SELECT count(*) FROM coverage_cells x WHERE x.day = c.day "
        "AND x.group_name = c.group_name AND x.region_id = c.region_id AND x.min_elevation_deg = c.min_elevation_deg "
        "AND x.satellite_set = c.satellite_set AND x.service = c.service)",
    "satellites used do not exceed the snapshot": "SELECT count(*) FROM coverage_daily c JOIN gp_snapshots s "
        "ON s.snapshot_id = c.snapshot_id WHERE c.day = :day AND c.group_name = :constellation_id "
        "AND c.satellites_used > s.object_count",
    "fleet status has one row per satellite of the snapshot": "SELECT count(*) FROM day_snapshots d JOIN gp_snapshots s "
        "ON s.snapshot_id = d.snapshot_id WHERE d.day = :day AND d.group_name = :constellation_id AND s.object_count <> "
        "(SELECT count(*) FROM fleet_status f WHERE f.day = d.day AND f.group_name = d.group_name)",
    "more satellites or a relay condition never lowers coverage": "SELECT count(*) FROM coverage_daily a "
        "JOIN coverage_daily b ON a.day = b.day AND a.group_name = b.group_name AND a.region_id = b.region_id "
        "AND a.min_elevation_deg = b.min_elevation_deg WHERE a.day = :day AND a.group_name = :constellation_id "
        "AND a.satellite_set = 'all' AND a.service = 'direct' AND b.percent_time_covered > a.percent_time_covered + 1e-9",
    "the day has coverage results": "SELECT CASE WHEN count(*) = 0 THEN 1 ELSE 0 END FROM coverage_daily "
        "WHERE day = :day AND group_name = :constellation_id",
    "coverage and fleet come from the day's snapshot": "SELECT (SELECT count(*) FROM coverage_daily c "
        "JOIN day_snapshots d ON d.day = c.day AND d.group_name = c.group_name WHERE c.day = :day "
        "AND c.group_name = :constellation_id AND c.snapshot_id <> d.snapshot_id) + (SELECT count(*) FROM fleet_status f "
        "JOIN day_snapshots d ON d.day = f.day AND d.group_name = f.group_name WHERE f.day = :day "
        "AND f.group_name = :constellation_id AND f.snapshot_id <> d.snapshot_id)",
}


#: The contact plans of the stations serving :constellation_id on :day (``gateway_schedule``).
_PLANNED = ("station_id IN (SELECT DISTINCT station_id FROM contact_plan WHERE day = :day "
            "AND group_name = :constellation_id)")
SCHEDULE_CHECKS = {
    "contacts end after they start": "SELECT count(*) FROM contact_plan WHERE day = :day "
        "AND group_name = :constellation_id AND NOT (contact_end > contact_start AND duration_s > 0)",
    "contact elevations lie between the antenna's mask and its keyhole": "SELECT count(*) FROM contact_plan c "
        "JOIN antennas a ON a.station_id = c.station_id AND a.antenna_id = c.antenna_id WHERE c.day = :day "
        "AND c.group_name = :constellation_id AND NOT (c.start_elevation_deg >= a.min_elevation_deg - 1e-6 "
        "AND c.end_elevation_deg >= a.min_elevation_deg - 1e-6 AND c.start_elevation_deg <= a.keyhole_elevation_deg "
        "AND c.end_elevation_deg <= a.keyhole_elevation_deg)",
    "contacts are on configured antennas": "SELECT count(*) FROM contact_plan c WHERE c.day = :day "
        "AND c.group_name = :constellation_id AND NOT EXISTS (SELECT 1 FROM antennas a "
        "WHERE a.station_id = c.station_id AND a.antenna_id = c.antenna_id)",
    "an antenna tracks one satellite at a time": "SELECT count(*) FROM (SELECT contact_start, LAG(contact_end) "
        "OVER (PARTITION BY station_id, antenna_id ORDER BY contact_start) AS previous_end FROM contact_plan "
        f"WHERE day = :day AND {_PLANNED}) c WHERE c.previous_end >= c.contact_start",
    "contacts come from the day's snapshot": "SELECT count(*) FROM contact_plan c LEFT JOIN day_snapshots d "
        "ON d.day = c.day AND d.group_name = c.group_name WHERE c.day = :day AND c.group_name = :constellation_id "
        "AND (d.snapshot_id IS NULL OR c.snapshot_id <> d.snapshot_id)",
    "every planned station has its schedule summary": "SELECT count(*) FROM (SELECT DISTINCT station_id "
        "FROM contact_plan WHERE day = :day AND group_name = :constellation_id) c WHERE NOT EXISTS (SELECT 1 FROM "
        "gateway_schedule_daily g WHERE g.day = :day AND g.station_id = c.station_id)",
    "continuity is a percentage within its upper bound": "SELECT count(*) FROM gateway_schedule_daily "
        f"WHERE day = :day AND {_PLANNED} AND NOT (percent_day_one_link >= 0 AND percent_day_two_links >= 0 "
        "AND percent_day_two_links <= percent_day_one_link AND percent_day_one_link <= percent_day_usable + 1e-9 "
        "AND percent_day_usable <= 100)",
}


def failed_checks(engine: Engine, checks: dict[str, str], constellation_id: str, day: date) -> dict[str, int]:
    """Return {check name: number of offending rows} for every check that fails on (constellation_id, day)."""
    failures = {}
    with engine.connect() as conn:
        for name, sql in checks.items():
            count = conn.execute(text(sql), {"day": day, "constellation_id": constellation_id}).scalar_one()
            if count:
                failures[name] = int(count)
    return failures


def require(engine: Engine, checks: dict[str, str], constellation_id: str, day: date) -> dict:
    """Raise DataQualityError naming every failed check for (constellation_id, day); return a summary otherwise."""
    failures = failed_checks(engine, checks, constellation_id, day)
    if failures:
        listed = "; ".join(f"{name}: {count} row(s) violate it" for name, count in failures.items())
        raise DataQualityError(f"{constellation_id} {day.isoformat()} failed {len(failures)} quality check(s): {listed}",
                               failed_checks=tuple(failures))
    return {"day": day.isoformat(), "constellation_id": constellation_id, "checks_passed": len(checks)}


def check_passes_day(engine: Engine, settings, constellation_id: str, day: date) -> dict:
    """Gate of the gateway_passes DAG: raise DataQualityError unless every PASS_CHECKS passes."""
    return require(engine, PASS_CHECKS, constellation_id, day)


def check_coverage_day(engine: Engine, settings, constellation_id: str, day: date) -> dict:
    """Gate of the coverage DAG: raise DataQualityError unless every COVERAGE_CHECKS passes."""
    return require(engine, COVERAGE_CHECKS, constellation_id, day)


def check_gateway_day(engine: Engine, settings, constellation_id: str, day: date) -> dict:
    """Gate of the gateway_passes DAG: raise DataQualityError unless every PASS_CHECKS and
    SCHEDULE_CHECKS passes and every contact plan's slews fit its antennas' rates."""
    summary = require(engine, {**PASS_CHECKS, **SCHEDULE_CHECKS}, constellation_id, day)
    short = slews_too_short(engine, constellation_id, day)
    if short:
        raise DataQualityError(f"{constellation_id} {day.isoformat()} failed 1 quality check(s): slews fit the "
                               f"antennas' rates: {len(short)} row(s) violate it, first {short[0]}",
                               failed_checks=("slews fit the antennas' rates",))
    return summary


def slews_too_short(engine: Engine, constellation_id: str, day: date) -> list[str]:
    """Return a description of each contact of ``day`` (stations serving ``constellation_id``)
    that starts sooner after its antenna's previous contact than the slew between their
    stored directions at the ``antennas`` table's rates, plus its retarget time, takes."""
    query = text("SELECT c.antenna_id, c.contact_start, c.contact_end, c.start_azimuth_deg, c.start_elevation_deg, "
                 "c.end_azimuth_deg, c.end_elevation_deg, a.slew_rate_az_deg_s, a.slew_rate_el_deg_s, a.retarget_s "
                 "FROM contact_plan c JOIN antennas a ON a.station_id = c.station_id AND a.antenna_id = c.antenna_id "
                 f"WHERE c.day = :day AND c.{_PLANNED} ORDER BY c.station_id, c.antenna_id, c.contact_start")
    with engine.connect() as conn:
        rows = conn.execute(query, {"day": day, "constellation_id": constellation_id}).all()
    short = []
    for before, after in zip(rows, rows[1:]):
        if before.antenna_id != after.antenna_id:
            continue
        d_az = abs((after.start_azimuth_deg - before.end_azimuth_deg + 180.0) % 360.0 - 180.0)
        need_s = max(d_az / after.slew_rate_az_deg_s,
                     abs(after.start_elevation_deg - before.end_elevation_deg) / after.slew_rate_el_deg_s) + after.retarget_s
        gap_s = (_instant(after.contact_start) - _instant(before.contact_end)).total_seconds()
        if gap_s < need_s - 1e-6:
            short.append(f"{after.antenna_id} at {after.contact_start}: {gap_s:.0f} s after the previous contact, "
                         f"the slew takes {need_s:.1f} s")
    return short


def _instant(value) -> datetime:
    """Return a timestamp column's value as a datetime (SQLite returns text)."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
