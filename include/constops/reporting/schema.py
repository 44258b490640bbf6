"""Tables of the reporting database (SQLAlchemy Core; SQLite and PostgreSQL).

Times are stored as UTC. NORAD catalog numbers are BIGINT: six-digit numbers
exist since July 2026. Every result row carries its day, its group, the
snapshot it was computed from and the parameters (step, mask).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from ..elements import SET_ASIDE_RULES
from ..flags import FLAG_RULES
from ..fleet import STATUSES

metadata = MetaData()


def one_of(values) -> str:
    """Return a column comment listing the values a column may hold: "a, b or c"."""
    values = list(values)
    return ", ".join(values[:-1]) + " or " + values[-1] if len(values) > 1 else values[0]

UTC = DateTime(timezone=True)

gp_snapshots = Table(
    "gp_snapshots",
    metadata,
    Column("snapshot_id", Integer, primary_key=True, autoincrement=True),
    Column("group_name", String(64), nullable=False),
    Column("source", Text, nullable=False, comment="URL fetched or file imported"),
    Column("acquired_at", UTC, nullable=False, comment="when the payload was downloaded (UTC)"),
    Column("format", String(8), nullable=False, comment="json, csv, xml or tle"),
    Column("http_status", Integer, comment="HTTP status when fetched; NULL for imports"),
    Column("sha256", String(64), nullable=False),
    Column("size_bytes", BigInteger, nullable=False),
    Column("archive_uri", Text, nullable=False, comment="where the raw bytes are kept"),
    Column("object_count", Integer, comment="element sets loaded; NULL when rejected"),
    Column("status", String(16), nullable=False, comment="loaded or rejected"),
    Column("error", Text, comment="why the payload was rejected"),
    Column("recorded_at", UTC, nullable=False),
    Column("record_count", Integer, comment="records in the answer; NULL when it could not be read"),
    Column("set_aside_count", Integer, comment="records set aside (set_aside_records)"),
    Column("flagged_count", Integer, comment="element sets loaded with a flag (flagged_element_sets)"),
    Column("median_epoch", UTC, comment="median element-set epoch of the loaded records (UTC)"),
    UniqueConstraint("group_name", "sha256", name="uq_gp_snapshots_group_sha256"),
)

set_aside_records = Table(
    "set_aside_records",
    metadata,
    Column("snapshot_id", Integer, ForeignKey("gp_snapshots.snapshot_id"), primary_key=True),
    Column("record_no", Integer, primary_key=True, comment="position of the record in the answer, from 1"),
    Column("norad_cat_id", BigInteger, comment="as the record gives it; NULL when unreadable"),
    Column("object_name", String(64), nullable=False),
    Column("rule", String(32), nullable=False,
           comment=one_of(SET_ASIDE_RULES)),
    Column("field", String(32), comment="the OMM field (or TLE line) at fault"),
    Column("value", Text, comment="its value as received"),
    Column("message", Text, nullable=False),
)

flagged_element_sets = Table(
    "flagged_element_sets",
    metadata,
    Column("snapshot_id", Integer, ForeignKey("gp_snapshots.snapshot_id"), primary_key=True),
    Column("norad_cat_id", BigInteger, primary_key=True),
    Column("rule", String(32), primary_key=True,
           comment=one_of(FLAG_RULES)),
    Column("field", String(32), nullable=False),
    Column("value", Float, nullable=False),
    Column("threshold", Float, nullable=False),
)

satellites = Table(
    "satellites",
    metadata,
    Column("norad_cat_id", BigInteger, primary_key=True),
    Column("object_name", String(64), nullable=False),
    Column("object_id", String(16), comment="COSPAR international designator"),
    Column("group_name", String(64), nullable=False),
    Column("first_snapshot_id", Integer, ForeignKey("gp_snapshots.snapshot_id"), nullable=False),
    Column("last_snapshot_id", Integer, ForeignKey("gp_snapshots.snapshot_id"), nullable=False),
    Column("last_epoch", UTC, nullable=False),
)

element_sets = Table(
    "element_sets",
    metadata,
    Column("snapshot_id", Integer, ForeignKey("gp_snapshots.snapshot_id"), primary_key=True),
    Column("norad_cat_id", BigInteger, primary_key=True),
    Column("object_name", String(64), nullable=False),
    Column("object_id", String(16)),
    Column("epoch", UTC, nullable=False),
    Column("mean_motion_rev_per_day", Float, nullable=False),
    Column("eccentricity", Float, nullable=False),
    Column("inclination_deg", Float, nullable=False),
    Column("ra_of_asc_node_deg", Float, nullable=False),
    Column("arg_of_pericenter_deg", Float, nullable=False),
    Column("mean_anomaly_deg", Float, nullable=False),
    Column("bstar_per_earth_radius", Float, nullable=False),
    Column("mean_motion_dot", Float, nullable=False),
    Column("mean_motion_ddot", Float, nullable=False),
    Column("classification_type", String(1), nullable=False),
    Column("ephemeris_type", Integer, nullable=False),
    Column("element_set_no", Integer, nullable=False),
    Column("rev_at_epoch", Integer, nullable=False),
    Column("perigee_alt_km", Float, nullable=False),
    Column("apogee_alt_km", Float, nullable=False),
)

day_snapshots = Table(
    "day_snapshots",
    metadata,
    Column("day", Date, primary_key=True),
    Column("group_name", String(64), primary_key=True),
    Column("snapshot_id", Integer, ForeignKey("gp_snapshots.snapshot_id"), nullable=False),
    Column("selection", String(16), nullable=False, comment="live (fetched for the day), archive (as of the day's start) or nearest (hindsight)"),
    Column("live_snapshot_id", Integer, ForeignKey("gp_snapshots.snapshot_id"),
           comment="the snapshot fetched live for the day, kept across later choices; NULL if none"),
    Column("recorded_at", UTC, nullable=False),
    Column("snapshot_age_days", Float, comment="day start minus the snapshot's median epoch, days"),
    Column("max_age_days", Float, comment="the age limit the day was computed under, days"),
    Column("age_override", Boolean, comment="true when an operator raised the age limit for this day"),
    Column("revision", Integer, comment="the day's revision in force (day_revisions); NULL before revisions were kept"),
)

propagation_errors = Table(
    "propagation_errors",
    metadata,
    Column("day", Date, primary_key=True),
    Column("group_name", String(64), primary_key=True),
    Column("norad_cat_id", BigInteger, primary_key=True),
    Column("snapshot_id", Integer, ForeignKey("gp_snapshots.snapshot_id"), nullable=False),
    Column("first_error_at", UTC, nullable=False, comment="first instant of the day SGP4 fails (to 1 s)"),
    Column("error_code", Integer, nullable=False, comment="SGP4 error code, 1 to 6"),
    Column("error_message", Text, nullable=False),
    Column("percent_of_day_lost", Float, nullable=False,
           comment="share of the day from first_error_at on: the samples the results lack"),
)

stations = Table(
    "stations",
    metadata,
    Column("station_id", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("lat_deg", Float, nullable=False, comment="geodetic, WGS84"),
    Column("lon_deg", Float, nullable=False),
    Column("alt_m", Float, nullable=False, comment="above the WGS84 ellipsoid"),
    Column("min_elevation_deg", Float, nullable=False, comment="the station's elevation mask"),
    Column("updated_at", UTC, nullable=False, comment="when the configuration was last written here"),
)

constellations = Table(
    "constellations",
    metadata,
    Column("constellation_id", String(64), primary_key=True, comment="the group_name of every result row"),
    Column("name", Text, nullable=False),
    Column("operator", Text, nullable=False),
    Column("celestrak_query", Text, nullable=False, comment="e.g. GROUP=qianfan or CATNR=37798,40230"),
    Column("orbit", String(8), nullable=False, comment="leo or geo"),
    Column("station_ids", Text, nullable=False, comment="the stations that serve it, comma-separated"),
    Column("region_id", String(64), nullable=False),
    Column("updated_at", UTC, nullable=False, comment="when the configuration was last written here"),
)

regions = Table(
    "regions",
    metadata,
    Column("region_id", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("cell_size_deg", Float, nullable=False),
    Column("n_cells", Integer, nullable=False),
    Column("area_km2", Float, nullable=False, comment="sum of the cells' areas"),
    Column("masks_deg", Text, nullable=False, comment="user elevation masks computed, comma-separated"),
    Column("updated_at", UTC, nullable=False),
)

gateway_passes = Table(
    "gateway_passes",
    metadata,
    Column("day", Date, primary_key=True, comment="UTC day in which the TCA falls"),
    Column("group_name", String(64), primary_key=True),
    Column("station_id", String(64), primary_key=True),
    Column("min_elevation_deg", Float, primary_key=True),
    Column("norad_cat_id", BigInteger, primary_key=True),
    Column("aos", UTC, primary_key=True),
    Column("tca", UTC, nullable=False),
    Column("los", UTC, nullable=False),
    Column("duration_s", Float, nullable=False),
    Column("max_elevation_deg", Float, nullable=False),
    Column("aos_azimuth_deg", Float, nullable=False),
    Column("tca_azimuth_deg", Float, nullable=False),
    Column("los_azimuth_deg", Float, nullable=False),
    Column("snapshot_id", Integer, ForeignKey("gp_snapshots.snapshot_id"), nullable=False),
    Column("step_s", Float, nullable=False),
    Column("computed_at", UTC, nullable=False),
    Column("continuous", Boolean, comment="true: in view all day (GEO), one window from the day's start (aos) "
                                          "to its end (los); false or NULL: a pass that rises and sets"),
    Column("lowest_elevation_deg", Float, comment="continuous windows: the lowest elevation of the day"),
    Column("azimuth_min_deg", Float, comment="continuous windows: the azimuth arc swept over the day, "
                                             "from this (clockwise) ..."),
    Column("azimuth_max_deg", Float, comment="... to this"),
)

gateway_daily = Table(
    "gateway_daily",
    metadata,
    Column("day", Date, primary_key=True),
    Column("group_name", String(64), primary_key=True),
    Column("station_id", String(64), primary_key=True),
    Column("min_elevation_deg", Float, primary_key=True),
    Column("pass_count", Integer, nullable=False),
    Column("satellites_seen", Integer, nullable=False),
    Column("percent_time_visible", Float, nullable=False, comment="at least one satellite above the mask"),
    Column("max_gap_s", Float, nullable=False, comment="longest time in the day with none above the mask"),
    Column("snapshot_id", Integer, ForeignKey("gp_snapshots.snapshot_id"), nullable=False),
    Column("computed_at", UTC, nullable=False),
)



antennas = Table(
    "antennas",
    metadata,
    Column("station_id", String(64), primary_key=True),
    Column("antenna_id", String(80), primary_key=True, comment="<station_id>-<n>, n from 1"),
    Column("mount", String(16), nullable=False, comment="az_el"),
    Column("min_elevation_deg", Float, nullable=False, comment="the antenna's own mask"),
    Column("keyhole_elevation_deg", Float, nullable=False, comment="no tracking above this (zenith keyhole)"),
    Column("gso_separation_deg", Float, nullable=False, comment="least angle from the GSO arc"),
    Column("sun_separation_deg", Float, nullable=False, comment="least angle from the Sun"),
    Column("slew_rate_az_deg_s", Float, nullable=False),
    Column("slew_rate_el_deg_s", Float, nullable=False),
    Column("retarget_s", Float, nullable=False, comment="acquisition and settling after a slew"),
    Column("serves", Text, nullable=False, comment="constellation ids served, highest priority first"),
    Column("updated_at", UTC, nullable=False, comment="when the configuration was last written here"),
)

contact_plan = Table(
    "contact_plan",
    metadata,
    Column("day", Date, primary_key=True, comment="UTC day planned"),
    Column("station_id", String(64), primary_key=True),
    Column("antenna_id", String(80), primary_key=True),
    Column("contact_start", UTC, primary_key=True, comment="first second tracked"),
    Column("contact_end", UTC, nullable=False, comment="end of tracking (exclusive)"),
    Column("group_name", String(64), nullable=False),
    Column("norad_cat_id", BigInteger, nullable=False),
    Column("duration_s", Float, nullable=False),
    Column("start_azimuth_deg", Float, nullable=False),
    Column("start_elevation_deg", Float, nullable=False),
    Column("end_azimuth_deg", Float, nullable=False),
    Column("end_elevation_deg", Float, nullable=False),
    Column("handover_from", BigInteger, comment="NORAD id of the satellite this contact takes over "
                                                 "make-before-break; NULL for none"),
    Column("pass_aos", UTC, nullable=False, comment="the pass it belongs to: gateway_passes.aos ..."),
    Column("pass_tca", UTC, nullable=False, comment="... and gateway_passes.tca"),
    Column("snapshot_id", Integer, ForeignKey("gp_snapshots.snapshot_id"), nullable=False),
    Column("computed_at", UTC, nullable=False),
)

keep_out_intervals = Table(
    "keep_out_intervals",
    metadata,
    Column("day", Date, primary_key=True),
    Column("station_id", String(64), primary_key=True),
    Column("norad_cat_id", BigInteger, primary_key=True),
    Column("interval_start", UTC, primary_key=True),
    Column("cause", String(16), primary_key=True, comment="gso_arc, sun or keyhole (causes can overlap)"),
    Column("interval_end", UTC, nullable=False, comment="exclusive"),
    Column("group_name", String(64), nullable=False),
    Column("duration_s", Float, nullable=False),
    Column("snapshot_id", Integer, ForeignKey("gp_snapshots.snapshot_id"), nullable=False),
    Column("computed_at", UTC, nullable=False),
)

gateway_schedule_daily = Table(
    "gateway_schedule_daily",
    metadata,
    Column("day", Date, primary_key=True),
    Column("station_id", String(64), primary_key=True),
    Column("group_names", Text, nullable=False, comment="constellations planned, comma-separated"),
    Column("antennas", Integer, nullable=False),
    Column("contacts", Integer, nullable=False),
    Column("handovers", Integer, nullable=False, comment="contacts with a handover_from"),
    Column("percent_day_one_link", Float, nullable=False, comment="at least one link (service continuity)"),
    Column("percent_day_two_links", Float, nullable=False),
    Column("percent_day_usable", Float, nullable=False,
           comment="upper bound: at least one usable satellite in view"),
    Column("longest_outage_s", Float, nullable=False, comment="longest run of the day without a link"),
    Column("link_s", Float, nullable=False, comment="link time summed over the antennas"),
    Column("keep_out_gso_arc_s", Float, nullable=False,
           comment="satellite-seconds above the antenna mask excluded by the GSO-arc keep-out"),
    Column("keep_out_sun_s", Float, nullable=False),
    Column("keep_out_keyhole_s", Float, nullable=False),
    Column("usable_intervals", Integer, nullable=False),
    Column("solver_status", String(16), nullable=False, comment="OPTIMAL, FEASIBLE or GREEDY"),
    Column("solver_gap", Float, nullable=False, comment="largest relative gap of a window's objective"),
    Column("solve_s", Float, nullable=False, comment="wall time of the solver"),
    Column("computed_at", UTC, nullable=False),
)


def _coverage_figures(gap_count: str) -> list[Column]:
    """Return the figure-of-merit columns shared by coverage_daily and coverage_cells."""
    return [
        Column("percent_time_covered", Float, nullable=False),
        Column(gap_count, Float, nullable=False),
        Column("mean_gap_s", Float, nullable=False),
        Column("max_gap_s", Float, nullable=False),
        Column("sats_in_view_min", Integer, nullable=False),
        Column("sats_in_view_mean", Float, nullable=False),
        Column("sats_in_view_max", Integer, nullable=False),
    ]


def _coverage_key() -> list[Column]:
    """Return the key columns shared by the coverage tables."""
    return [
        Column("day", Date, primary_key=True),
        Column("group_name", String(64), primary_key=True),
        Column("region_id", String(64), primary_key=True),
        Column("min_elevation_deg", Float, primary_key=True, comment="user elevation mask"),
        Column("satellite_set", String(16), primary_key=True, comment="all or operational (fleet_status)"),
        Column("service", String(16), primary_key=True,
               comment="direct: a satellite above the mask; bent_pipe: one that also sees a gateway"),
    ]


coverage_daily = Table(
    "coverage_daily",
    metadata,
    *_coverage_key(),
    *_coverage_figures("gap_count_mean"),
    Column("percent_area_always_covered", Float, nullable=False),
    Column("percent_area_never_covered", Float, nullable=False),
    Column("satellites_used", Integer, nullable=False),
    Column("n_cells", Integer, nullable=False),
    Column("area_km2", Float, nullable=False),
    Column("cell_size_deg", Float, nullable=False),
    Column("step_s", Float, nullable=False),
    Column("snapshot_id", Integer, ForeignKey("gp_snapshots.snapshot_id"), nullable=False),
    Column("computed_at", UTC, nullable=False),
)

coverage_cells = Table(
    "coverage_cells",
    metadata,
    *_coverage_key(),
    Column("cell_id", BigInteger, primary_key=True, comment="row * (360 / cell_size_deg) + column"),
    Column("lat_deg", Float, nullable=False, comment="cell centre"),
    Column("lon_deg", Float, nullable=False, comment="cell centre"),
    Column("area_km2", Float, nullable=False),
    *_coverage_figures("gap_count"),
    Column("snapshot_id", Integer, ForeignKey("gp_snapshots.snapshot_id"), nullable=False),
)

coverage_timeseries = Table(
    "coverage_timeseries",
    metadata,
    *_coverage_key(),
    Column("t", UTC, primary_key=True, comment="start of the time step"),
    Column("percent_area_covered", Float, nullable=False),
    Column("snapshot_id", Integer, ForeignKey("gp_snapshots.snapshot_id"), nullable=False),
    Column("sats_in_view_mean", Float, comment="satellites above the mask, area-weighted mean over the cells"),
    Column("sats_in_view_max", Integer, comment="satellites above the mask at the cell that sees most"),
)

fleet_status = Table(
    "fleet_status",
    metadata,
    Column("day", Date, primary_key=True),
    Column("group_name", String(64), primary_key=True),
    Column("norad_cat_id", BigInteger, primary_key=True),
    Column("object_name", String(64), nullable=False),
    Column("launch", String(16), nullable=False, comment="COSPAR launch, e.g. 2024-140"),
    Column("plane_id", String(32), nullable=False, comment="launch and RAAN cluster"),
    Column("ra_of_asc_node_deg", Float, nullable=False),
    Column("inclination_deg", Float, nullable=False),
    Column("perigee_alt_km", Float, nullable=False),
    Column("apogee_alt_km", Float, nullable=False),
    Column("mean_alt_km", Float, nullable=False),
    Column("alt_rate_km_per_day", Float, comment="from earlier snapshots; NULL without history"),
    Column("epoch_age_days", Float, nullable=False, comment="at the start of the day"),
    Column("status", String(16), nullable=False, comment=one_of(STATUSES)),
    Column("snapshot_id", Integer, ForeignKey("gp_snapshots.snapshot_id"), nullable=False),
)


def mask_column(mask_deg: float) -> str:
    """Return the name of ``daily_trend``'s coverage column at a mask: ``percent_time_covered_25deg``
    (``_7_5deg`` for 7.5 degrees)."""
    return f"percent_time_covered_{mask_deg:g}deg".replace(".", "_")


def daily_trend_sql(masks_deg) -> str:
    """Return the SQL of the analysts' day-by-day trend (plain SQL for SQLite and PostgreSQL):
    satellites in orbit and operational, coverage at every configured mask (all satellites,
    direct), the gateways' visibility (the lowest over the stations, each at its own mask),
    and the snapshot's age."""
    per_mask = "".join(
        f"       max(CASE WHEN c.min_elevation_deg = {float(mask)!r} THEN c.percent_time_covered END) "
        f"AS {mask_column(mask)},\n"
        for mask in masks_deg
    )
    return f"""
SELECT d.day, d.group_name, c.region_id, d.snapshot_id, d.selection,
       s.object_count AS satellites_in_orbit,
       (SELECT count(*) FROM fleet_status f
         WHERE f.day = d.day AND f.group_name = d.group_name AND f.status = 'operational') AS operational_satellites,
{per_mask}       (SELECT min(g.percent_time_visible) FROM gateway_daily g
         WHERE g.day = d.day AND g.group_name = d.group_name) AS gateway_percent_time_visible_min
       , d.snapshot_age_days, d.age_override
FROM day_snapshots d
JOIN gp_snapshots s ON s.snapshot_id = d.snapshot_id
LEFT JOIN coverage_daily c ON c.day = d.day AND c.group_name = d.group_name
     AND c.satellite_set = 'all' AND c.service = 'direct'
GROUP BY d.day, d.group_name, c.region_id, d.snapshot_id, d.selection, s.object_count,
         d.snapshot_age_days, d.age_override
"""


#: The fleet statuses ``constellation_comparison`` counts, one column each (``<status>_satellites``).
FLEET_STATUSES = ("operational", "raising", "manoeuvring", "decaying", "stranded", "stale")


def station_column(station_id: str) -> str:
    """Return the name of ``constellation_comparison``'s pass-count column of a station."""
    column = f"passes_{station_id}".replace("-", "_").lower()
    if not column.isidentifier():
        raise ValueError(f"station id {station_id!r} cannot name a column: use letters, digits, - and _")
    return column


def constellation_comparison_sql(masks_deg, station_ids) -> str:
    """Return the SQL of the analysts' comparison of constellations: per day and constellation,
    its name and operator, satellites in orbit and per fleet status, coverage of the region
    at every configured mask (all satellites, direct; and operational through a gateway),
    and the passes per station at the station's mask (NULL where the station does not serve
    the constellation)."""
    per_mask = "".join(
        f"       max(CASE WHEN c.min_elevation_deg = {float(mask)!r} AND c.service = 'direct' AND c.satellite_set = "
        f"'all' THEN c.percent_time_covered END) AS {mask_column(mask)},\n"
        f"       max(CASE WHEN c.min_elevation_deg = {float(mask)!r} AND c.service = 'bent_pipe' AND c.satellite_set = "
        f"'operational' THEN c.percent_time_covered END) AS {mask_column(mask)}_served,\n"
        for mask in masks_deg
    )
    per_status = "".join(
        f"       (SELECT count(*) FROM fleet_status f WHERE f.day = d.day AND f.group_name = d.group_name "
        f"AND f.status = '{status}') AS {status}_satellites,\n"
        for status in FLEET_STATUSES
    )
    per_station = "".join(
        f"       (SELECT sum(g.pass_count) FROM gateway_daily g WHERE g.day = d.day AND g.group_name = d.group_name "
        f"AND g.station_id = '{station_id}') AS {station_column(station_id)},\n"
        for station_id in station_ids
    )
    return f"""
SELECT d.day, d.group_name AS constellation_id, k.name AS constellation, k.operator, c.region_id,
       s.object_count AS satellites_in_orbit,
{per_status}{per_mask}{per_station}       d.snapshot_id, d.snapshot_age_days
FROM day_snapshots d
JOIN gp_snapshots s ON s.snapshot_id = d.snapshot_id
LEFT JOIN constellations k ON k.constellation_id = d.group_name
LEFT JOIN coverage_daily c ON c.day = d.day AND c.group_name = d.group_name
GROUP BY d.day, d.group_name, k.name, k.operator, c.region_id, s.object_count, d.snapshot_id, d.snapshot_age_days
"""


def views(masks_deg, station_ids=()) -> dict[str, str]:
    """Return {view name: SQL} of the analysts' views for the configured masks and stations."""
    return {"daily_trend": daily_trend_sql(masks_deg),
            "constellation_comparison": constellation_comparison_sql(masks_deg, station_ids)}


sun_outages = Table(
    "sun_outages",
    metadata,
    Column("day", Date, primary_key=True),
    Column("station_id", String(64), primary_key=True),
    Column("norad_cat_id", BigInteger, primary_key=True),
    Column("outage_start", UTC, primary_key=True, comment="first second with the Sun in the beam (UTC)"),
    Column("outage_end", UTC, nullable=False, comment="exclusive: the first second after it"),
    Column("group_name", String(64), nullable=False),
    Column("duration_s", Float, nullable=False),
    Column("min_separation_deg", Float, nullable=False, comment="least Sun-satellite angle seen from the station"),
    Column("worst_at", UTC, nullable=False, comment="the second of min_separation_deg"),
    Column("half_angle_deg", Float, nullable=False, comment="the station's outage half-angle (geo_beam)"),
    Column("snapshot_id", Integer, ForeignKey("gp_snapshots.snapshot_id"), nullable=False),
    Column("computed_at", UTC, nullable=False),
)


# --- Revisions: every computation of a day is kept -------------------------------------

day_revisions = Table(
    "day_revisions",
    metadata,
    Column("day", Date, primary_key=True),
    Column("revision", Integer, primary_key=True,
           comment="1, 2, ... per day: each new snapshot assigned to one of the day's constellations"),
    Column("group_name", String(64), nullable=False, comment="the constellation whose snapshot changed"),
    Column("snapshot_id", Integer, ForeignKey("gp_snapshots.snapshot_id"), nullable=False),
    Column("previous_snapshot_id", Integer, ForeignKey("gp_snapshots.snapshot_id"),
           comment="the constellation's snapshot before this revision; NULL for its first"),
    Column("selection", String(16), nullable=False, comment="live, archive or nearest (day_snapshots)"),
    Column("acquired_at", UTC, nullable=False, comment="when the snapshot was downloaded"),
    Column("lead_h", Float, nullable=False,
           comment="hours from acquired_at to the day's start; negative: acquired during the day"),
    Column("assigned_at", UTC, nullable=False, comment="when this revision was opened (the clock of the run)"),
    Column("cause", String(16), nullable=False, comment="daily, refresh, replay or backfill"),
)

celestrak_requests = Table(
    "celestrak_requests",
    metadata,
    Column("request_id", Integer, primary_key=True, autoincrement=True),
    Column("group_name", String(64), nullable=False),
    Column("requested_at", UTC, nullable=False, comment="the clock of the run (UTC)"),
    Column("cause", String(16), nullable=False, comment="daily or refresh"),
    Column("outcome", String(16), nullable=False,
           comment="new (changed element sets), unchanged, not_updated (CelesTrak's notice) or failed"),
    Column("snapshot_id", Integer, ForeignKey("gp_snapshots.snapshot_id"),
           comment="the snapshot recorded from the answer; NULL for a notice or a failure"),
    Column("changed_satellites", Integer, comment="element sets that differ from the previous snapshot's"),
    Column("revised_days", Text, comment="days given a new revision, comma-separated"),
)

revision_changes = Table(
    "revision_changes",
    metadata,
    Column("day", Date, primary_key=True),
    Column("revision", Integer, primary_key=True, comment="the revision that made the change"),
    Column("station_id", String(64), primary_key=True),
    Column("kind", String(24), primary_key=True, comment=one_of(
        ("pass_added", "pass_dropped", "pass_moved", "contact_added", "contact_dropped", "contact_reassigned",
         "contact_moved"))),
    Column("norad_cat_id", BigInteger, primary_key=True),
    Column("at", UTC, primary_key=True, comment="the pass's TCA or the contact's start, new (old when dropped)"),
    Column("group_name", String(64), nullable=False),
    Column("previous_revision", Integer, comment="the revision compared with"),
    Column("shift_s", Float, comment="largest shift of AOS, TCA or LOS (contacts: start or end), s"),
    Column("antenna_id", String(80), comment="contacts: the antenna now (NULL when dropped)"),
    Column("previous_antenna_id", String(80), comment="contacts: the antenna before (NULL when added)"),
    Column("detail", Text, nullable=False, comment="the change in words"),
)


def revisions_table(table: Table) -> Table:
    """Return the history table ``<table>_revisions``: every column of ``table`` and
    ``revision`` in its key, so that each revision of a day keeps its own rows."""
    columns = [Column("revision", Integer, primary_key=True, comment="day_revisions.revision of these rows")]
    for column in table.columns:
        if column.name != "revision":
            columns.append(Column(column.name, column.type, primary_key=column.primary_key,
                                  nullable=column.nullable, comment=column.comment))
    return Table(f"{table.name}_revisions", metadata, *columns)


#: The result tables whose every revision is kept, each with its history table. Not kept:
#: coverage_cells and coverage_timeseries (48,000 rows a Qianfan day; a revision's are
#: recomputed exactly from its snapshot, named in day_revisions).
REVISED = (gateway_passes, gateway_daily, coverage_daily, fleet_status, propagation_errors,
           contact_plan, keep_out_intervals, gateway_schedule_daily, sun_outages)
for _table in (*REVISED, coverage_cells, coverage_timeseries):
    _table.append_column(Column("revision", Integer, comment="day_revisions.revision these rows belong to"))
HISTORY = {table.name: revisions_table(table) for table in REVISED}
