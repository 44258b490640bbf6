"""Read-only analyst access on PostgreSQL: the statements of ``analyst_role.sql``, from Python.

The SQL file is the documented way (psql); :func:`grant_analyst_role` runs the same
statements through SQLAlchemy for deployments and tests.
"""

from __future__ import annotations

import re

from sqlalchemy import Engine, text

#: Tables and views analysts may read; everything else (gp_snapshots, day_snapshots) they may not.
ANALYST_READABLE = (
    "satellites", "element_sets", "set_aside_records", "flagged_element_sets", "fleet_status",
    "propagation_errors", "stations", "regions", "constellations", "gateway_passes", "gateway_daily",
    "coverage_daily", "coverage_cells", "coverage_timeseries", "daily_trend", "constellation_comparison",
    "sun_outages", "antennas", "contact_plan", "keep_out_intervals", "gateway_schedule_daily",
    "day_revisions", "revision_changes", "celestrak_requests",
    "gateway_passes_revisions", "gateway_daily_revisions", "coverage_daily_revisions", "fleet_status_revisions",
    "propagation_errors_revisions", "contact_plan_revisions", "keep_out_intervals_revisions",
    "gateway_schedule_daily_revisions", "sun_outages_revisions",
)
_ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def grant_analyst_role(engine: Engine, role: str = "constops_analyst") -> None:
    """Create ``role`` (NOLOGIN) if missing and make it read-only on the analysts' tables."""
    if not _ROLE_NAME.match(role):
        raise ValueError(f"role {role!r} is not a plain lower-case PostgreSQL identifier")
    if engine.dialect.name != "postgresql":
        raise ValueError(f"analyst roles need PostgreSQL, not {engine.dialect.name}")
    with engine.begin() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first()
        if not exists:
            conn.execute(text(f'CREATE ROLE "{role}" NOLOGIN'))
        conn.execute(text(f'GRANT USAGE ON SCHEMA public TO "{role}"'))
        conn.execute(text(f'REVOKE ALL ON ALL TABLES IN SCHEMA public FROM "{role}"'))
        conn.execute(text(f'GRANT SELECT ON {", ".join(ANALYST_READABLE)} TO "{role}"'))
