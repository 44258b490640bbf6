"""Which days are computed: the calendar of the operations page."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta

from sqlalchemy import Engine, func, select

from ..reporting import schema
from ..settings import Settings

#: A day's state as the reporting database tells it.
COMPUTED, OLD_SNAPSHOT, INCOMPLETE, MISSING = "computed", "old snapshot", "incomplete", "missing"


@dataclass(frozen=True)
class CalendarDay:
    """One day of the calendar: its state, the snapshot it was computed from and its age (days)."""

    day: date
    state: str
    snapshot_id: int | None = None
    snapshot_age_days: float | None = None
    age_override: bool = False
    coverage_rows: int = 0
    pass_rows: int = 0

    def as_json(self) -> dict:
        out = asdict(self)
        out["day"] = self.day.isoformat()
        return out


def calendar_days(engine: Engine, settings: Settings, first: date, last: date,
                  constellation_id: str | None = None) -> list[CalendarDay]:
    """Return every day from ``first`` to ``last`` (both included) with its state:
    ``computed`` (snapshot assigned, coverage and passes loaded), ``old snapshot`` (computed,
    but from elements older than ``[ingest] max_snapshot_age_days`` or with the limit
    overridden), ``incomplete`` (assigned, a product missing) or ``missing``."""
    constellation_id = constellation_id or settings.constellation_ids[0]
    limit_days = settings.limits.max_snapshot_age_days
    with engine.connect() as conn:
        assigned = {r.day: r for r in conn.execute(select(schema.day_snapshots).where(
            schema.day_snapshots.c.group_name == constellation_id, schema.day_snapshots.c.day.between(first, last)))}
        coverage = _rows_per_day(conn, schema.coverage_daily, constellation_id, first, last)
        passes = _rows_per_day(conn, schema.gateway_daily, constellation_id, first, last)
    days = []
    for offset in range((last - first).days + 1):
        day = first + timedelta(days=offset)
        row = assigned.get(day)
        if row is None:
            days.append(CalendarDay(day, MISSING))
            continue
        n_coverage, n_passes = coverage.get(day, 0), passes.get(day, 0)
        age = row.snapshot_age_days
        if not (n_coverage and n_passes):
            state = INCOMPLETE
        elif row.age_override or (age is not None and age > limit_days):
            state = OLD_SNAPSHOT
        else:
            state = COMPUTED
        days.append(CalendarDay(day, state, row.snapshot_id, age, bool(row.age_override), n_coverage, n_passes))
    return days


def _rows_per_day(conn, table, constellation_id: str, first: date, last: date) -> dict[date, int]:
    return dict(conn.execute(select(table.c.day, func.count()).where(
        table.c.group_name == constellation_id, table.c.day.between(first, last)).group_by(table.c.day)).all())
