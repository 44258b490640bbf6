"""Plain-text summaries of a computed day, read back from the reporting database."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine, func, select

from ..day.assignment import assigned_snapshot_query
from ..settings import Settings
from ..snapshots import snapshot_from_row, stored_account
from . import schema


def day_summary(engine: Engine, settings: Settings, day: date) -> str:
    """Return a short report of ``day``: satellites, coverage per mask, passes per station."""
    lines = []
    with engine.connect() as conn:
        for constellation_id in settings.constellation_ids:
            snap = conn.execute(assigned_snapshot_query(constellation_id, day)).first()
            if snap is None:
                lines.append(f"{day} {constellation_id}: not computed")
                continue
            age = "" if snap.snapshot_age_days is None else f", elements {snap.snapshot_age_days:.1f} days old"
            lines.append(
                f"{day} {constellation_id}: {snap.object_count} satellites, snapshot {snap.snapshot_id} "
                f"({snap.format}, acquired {snap.acquired_at:%Y-%m-%d %H:%M} UTC{age}"
                f"{', age limit overridden' if snap.age_override else ''})"
            )
            lines.append(f"  records: {stored_account(engine, snapshot_from_row(snap)).describe()}")
            errors = conn.execute(select(schema.propagation_errors).where(
                schema.propagation_errors.c.day == day, schema.propagation_errors.c.group_name == constellation_id)).all()
            for error in errors:
                lines.append(f"  NORAD {error.norad_cat_id}: SGP4 error {error.error_code} from "
                             f"{error.first_error_at:%H:%M:%S} UTC ({error.percent_of_day_lost:.0f}% of the day lost)")
            cov = schema.coverage_daily
            for row in conn.execute(
                select(cov)
                .where(cov.c.day == day, cov.c.group_name == constellation_id, cov.c.satellite_set == "all")
                .order_by(cov.c.min_elevation_deg, cov.c.service.desc())
            ):
                lines.append(
                    f"  {row.region_id} coverage >= {row.min_elevation_deg:g} deg, {row.service:9}: "
                    f"{row.percent_time_covered:5.1f}% of time (area-weighted), max gap {row.max_gap_s / 60:3.0f} min, "
                    f"{row.sats_in_view_mean:.2f} satellites in view on average"
                )
            fleet = schema.fleet_status
            counts = dict(conn.execute(
                select(fleet.c.status, func.count()).where(fleet.c.day == day, fleet.c.group_name == constellation_id)
                .group_by(fleet.c.status)
            ).all())
            if counts:
                lines.append("  fleet: " + ", ".join(f"{n} {status}" for status, n in sorted(counts.items())))
            gw = schema.gateway_daily
            for row in conn.execute(select(gw).where(gw.c.day == day, gw.c.group_name == constellation_id)):
                lines.append(
                    f"  {row.station_id} passes >= {row.min_elevation_deg:g} deg: {row.pass_count} passes of "
                    f"{row.satellites_seen} satellites, at least one in view {row.percent_time_visible:.1f}% "
                    f"of the day, longest gap {row.max_gap_s / 60:.1f} min"
                )
    return "\n".join(lines)
