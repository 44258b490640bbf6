"""Which days are computed, and what can be done about the others: the calendar of the
operations page (and the day page of a day without results)."""

from __future__ import annotations

import bisect
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Engine, func, select

from ..clock import utc_now
from ..day.computable import computable_range
from ..day.gateway_schedule import planned_stations
from ..day.ingest import is_live
from ..day.sun_outages import sun_outage_days
from ..freshness import age_days, is_fresh
from ..reporting import schema
from ..settings import Settings
from ..snapshots import snapshot_from_row, snapshot_median_epoch
from ..timescale import as_utc, day_bounds

#: A day's state as the reporting database tells it.
COMPUTED, OLD_SNAPSHOT, INCOMPLETE, MISSING = "computed", "old snapshot", "incomplete", "missing"

#: What an operator can do about a day (the calendar offers only these): ``backfill`` (a
#: backfill of tle_ingest can compute it), ``trigger`` (a run triggered with the ``day``
#: parameter; a backfill refuses a day that has not started), ``import`` (no archived
#: snapshot serves it: import one), ``override`` (a run with ``max_snapshot_age_days``).
ACTIONS = ("backfill", "trigger", "import", "override")


@dataclass(frozen=True)
class CalendarDay:
    """One day of the calendar: its state, the snapshot it was computed from and its age
    (days), whether it can be computed now (``computable``), why it is as it is
    (``reason``) and the ``actions`` (of :data:`ACTIONS`) that can work on it."""

    day: date
    state: str
    snapshot_id: int | None = None
    snapshot_age_days: float | None = None
    age_override: bool = False
    coverage_rows: int = 0
    pass_rows: int = 0
    computable: bool = False
    reason: str = ""
    actions: tuple[str, ...] = ()
    #: The lowest share of the day with a link over the stations that plan the constellation
    #: (percent; None: no plan), and whether it fell under ``continuity_alert_percent``.
    continuity_percent: float | None = None
    continuity_alert: bool = False
    #: The constellation's sun outages of the day (GEO links), one line each.
    sun_outages: tuple[str, ...] = ()

    def as_json(self) -> dict:
        out = asdict(self)
        out["day"] = self.day.isoformat()
        out["actions"] = list(self.actions)
        out["sun_outages"] = list(self.sun_outages)
        return out


def calendar_days(engine: Engine, settings: Settings, first: date, last: date,
                  constellation_id: str | None = None, now: datetime | None = None) -> list[CalendarDay]:
    """Return every day from ``first`` to ``last`` (both included) with its state:
    ``computed`` (snapshot assigned, coverage and passes loaded), ``old snapshot`` (computed,
    but from elements older than ``[ingest] max_snapshot_age_days`` or with the limit
    overridden), ``incomplete`` (assigned, a product missing) or ``missing``; and, at
    ``now`` (default: the pipeline's clock), whether it can be computed, why, and how."""
    constellation_id = constellation_id or settings.constellation_ids[0]
    limit_days = settings.of(constellation_id).limits.max_snapshot_age_days
    with engine.connect() as conn:
        assigned = {r.day: r for r in conn.execute(select(schema.day_snapshots).where(
            schema.day_snapshots.c.group_name == constellation_id, schema.day_snapshots.c.day.between(first, last)))}
        coverage = _rows_per_day(conn, schema.coverage_daily, constellation_id, first, last)
        passes = _rows_per_day(conn, schema.gateway_daily, constellation_id, first, last)
        continuity = _continuity_per_day(conn, settings, constellation_id, first, last)
    threshold = settings.contact_plan.continuity_alert_percent
    outages = {day: tuple(_outage_line(o) for o in found if o["group_name"] == constellation_id)
               for day, found in sun_outage_days(engine, first, last).items()}
    outlook = _Outlook(engine, settings, constellation_id, as_utc(now or utc_now()))
    days = []
    for offset in range((last - first).days + 1):
        day = first + timedelta(days=offset)
        row = assigned.get(day)
        if row is None:
            days.append(CalendarDay(day, MISSING, **outlook.of(day), sun_outages=outages.get(day, ())))
            continue
        n_coverage, n_passes = coverage.get(day, 0), passes.get(day, 0)
        age = row.snapshot_age_days
        if not (n_coverage and n_passes):
            state = INCOMPLETE
            reason = (f"snapshot {row.snapshot_id} is assigned but "
                      f"{' and '.join(p for p, n in (('coverage', n_coverage), ('passes', n_passes)) if not n)} "
                      f"not loaded: a run of the day failed or is still running")
        elif row.age_override or (age is not None and age > limit_days):
            state = OLD_SNAPSHOT
            reason = (f"computed from snapshot {row.snapshot_id}, {age:.1f} days old "
                      f"({'the age limit raised by an operator' if row.age_override else f'limit {limit_days:g} days'})")
        else:
            state = COMPUTED
            reason = f"computed from snapshot {row.snapshot_id}" + (f", {age:.1f} days old" if age is not None else "")
        actions = outlook.of(day)["actions"]  # a reprocessing backfill or run can work where a first one did
        lowest = continuity.get(day)
        days.append(CalendarDay(day, state, row.snapshot_id, age, bool(row.age_override), n_coverage, n_passes,
                                computable=state != COMPUTED, reason=reason, actions=actions,
                                continuity_percent=lowest, continuity_alert=lowest is not None and lowest < threshold,
                                sun_outages=outages.get(day, ())))
    return days


def day_outlook(engine: Engine, settings: Settings, day: date, constellation_id: str | None = None,
                now: datetime | None = None) -> CalendarDay:
    """Return the calendar's entry of one day (its state, reason and actions)."""
    return calendar_days(engine, settings, day, day, constellation_id, now)[0]


class _Outlook:
    """Whether a day without results can be computed at ``now``: the archived snapshots of
    one constellation read once, each day looked up as ``tle_ingest`` would choose (the
    newest loaded snapshot acquired at or before the day's start, fresh enough)."""

    def __init__(self, engine: Engine, settings: Settings, constellation_id: str, now: datetime):
        self.constellation_id, self.now = constellation_id, now
        self.first_day, self.last_day = computable_range(settings.first_day, now, settings.horizon_days)
        self.live_window_h = settings.live_window_h
        self.limit_days = settings.of(constellation_id).limits.max_snapshot_age_days
        table = schema.gp_snapshots
        with engine.connect() as conn:
            rows = conn.execute(select(table).where(table.c.group_name == constellation_id, table.c.status == "loaded")
                                .order_by(table.c.acquired_at, table.c.snapshot_id)).all()
        self.snapshots = [snapshot_from_row(row) for row in rows]
        self.acquired = [as_utc(s.acquired_at) for s in self.snapshots]
        self.epochs = {s.snapshot_id: as_utc(snapshot_median_epoch(engine, s)) for s in self.snapshots}

    def of(self, day: date) -> dict:
        if day < self.first_day:
            return self._cannot(f"{day} is before the pipeline's first day {self.first_day} ([pipeline] first_day)")
        if day > self.last_day:
            return self._cannot(f"{day} lies beyond the planning horizon ([pipeline] horizon_days): its passes "
                                f"cannot be predicted yet (the last day that can be computed now is {self.last_day})")
        start, _ = day_bounds(day)
        if start > self.now:
            return {"computable": True, "actions": ("trigger",),
                    "reason": f"{day} has not started: trigger tle_ingest with the day parameter {day} to compute it "
                              f"from CelesTrak's current elements (a backfill refuses a day that has not started)"}
        if is_live(day, self.now, self.live_window_h):
            return {"computable": True, "actions": ("backfill", "trigger"),
                    "reason": f"{day} started less than {self.live_window_h:g} hours ago ([pipeline] live_window_h): "
                              f"its run fetches the elements from CelesTrak"}
        index = bisect.bisect_right(self.acquired, start)
        if index == 0:
            return self._cannot(f"no archived {self.constellation_id} snapshot was acquired at or before {day} 00:00 UTC, "
                                f"so a backfill cannot compute it (CelesTrak serves only current data): "
                                f"import a snapshot file for that time (make import FILES=...)", ("import",))
        snapshot = self.snapshots[index - 1]
        age = age_days(self.epochs[snapshot.snapshot_id], day)
        if not is_fresh(age, self.limit_days):
            return self._cannot(
                f"the newest archived snapshot before {day} 00:00 UTC (snapshot {snapshot.snapshot_id}, acquired "
                f"{self.acquired[index - 1]:%Y-%m-%d %H:%M} UTC) is {age:.1f} days old, more than the limit of "
                f"{self.limit_days:g} days ([ingest] max_snapshot_age_days), so a backfill fails: import a newer "
                f"snapshot, or trigger tle_ingest with max_snapshot_age_days to accept it", ("import", "override"))
        return {"computable": True, "actions": ("backfill",),
                "reason": f"archived snapshot {snapshot.snapshot_id} ({age:.1f} days old) can compute it: "
                          f"start a backfill"}

    @staticmethod
    def _cannot(reason: str, actions: tuple[str, ...] = ()) -> dict:
        return {"computable": False, "reason": reason, "actions": actions}


def _rows_per_day(conn, table, constellation_id: str, first: date, last: date) -> dict[date, int]:
    return dict(conn.execute(select(table.c.day, func.count()).where(
        table.c.group_name == constellation_id, table.c.day.between(first, last)).group_by(table.c.day)).all())


def _continuity_per_day(conn, settings: Settings, constellation_id: str, first: date, last: date) -> dict[date, float]:
    """Return {day: the lowest ``percent_day_one_link`` of the stations with antennas serving
    the constellation}, for the days that have a plan."""
    stations = [s.station_id for s in planned_stations(settings, [constellation_id])]
    table = schema.gateway_schedule_daily
    return dict(conn.execute(select(table.c.day, func.min(table.c.percent_day_one_link)).where(
        table.c.station_id.in_(stations), table.c.day.between(first, last)).group_by(table.c.day)).all())


def _outage_line(outage: dict) -> str:
    """Return one sun outage as the calendar says it (UTC, s, deg)."""
    return (f"sun outage of {outage['norad_cat_id']} at {outage['station_id']} "
            f"{outage['outage_start']:%H:%M:%S}-{outage['outage_end']:%H:%M:%S} UTC "
            f"({outage['duration_s']:.0f} s, least separation {outage['min_separation_deg']:.3f} deg)")
