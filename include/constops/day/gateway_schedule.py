"""The day's gateway schedule: the contact plan of each station with antennas, loaded per (day, station).

For a station whose ``[[stations]]`` entry has ``antennas``, the day's passes of every
constellation it serves (of the run's snapshots) are found again over the day and an hour
either side, as :func:`constops.day.gateway_passes.passes_block` finds them, sampled once a
second into usable intervals and keep-outs, and planned by CP-SAT. ``antennas``,
``contact_plan``, ``keep_out_intervals`` and ``gateway_schedule_daily`` are replaced for the
(day, station) in one transaction, after checking that every snapshot is still the day's;
then the antennas' pointing files (:mod:`constops.pointing`) replace the day's under
``pointing/<station_id>/<day>/`` of the work area. A failure between the two leaves the
new rows with the previous files: a rerun writes both again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Engine

from ..antennas import AntennaSpec
from ..archive import WorkArea
from ..clock import utc_now
from ..contact_plan import ContactPlan, ContactRules, plan_contacts
from ..continuity import Continuity, continuity, handover_from
from ..elements import ElementSet
from ..passes import find_passes
from ..pointing import antenna_files
from ..reporting import schema
from ..reporting.dimensions import record_sites
from ..reporting.store import replace, replace_revision
from ..revision_changes import CONTACT_KINDS, change_summary, contact_changes
from ..settings import Settings
from ..sites import Station
from ..snapshots import load_element_sets
from ..timescale import day_bounds
from ..usable_intervals import KeepOut, UsableInterval, usable_intervals
from .assignment import station_revision
from .changes import revise_changes


def planned_stations(settings: Settings, constellation_ids) -> list[Station]:
    """Return the configured stations with antennas that serve one of ``constellation_ids``."""
    ids = set(constellation_ids)
    return [s for s in settings.all_stations if s.antennas is not None and ids & set(s.antennas.serves())]


@dataclass(frozen=True)
class PlannedDay:
    """A station's plan of a day with what it was made from and what it gives."""

    plan: ContactPlan
    usable: list[UsableInterval]
    keep_outs: list[KeepOut]
    figures: Continuity


def plan_elements(settings: Settings, station: Station, spec: AntennaSpec, day: date,
                  element_sets_of: Mapping[str, Sequence[ElementSet]]) -> PlannedDay:
    """Return the plan of antennas ``spec`` at ``station`` over ``day`` for the element sets
    of each constellation id served: passes found over the day and an hour either side,
    usable intervals, CP-SAT, and the plan's continuity figures. No database is read."""
    start, end = day_bounds(day)
    rules = ContactRules.from_settings(settings)
    passes_of = {cid: find_passes(sets, station, start - timedelta(hours=1), end + timedelta(hours=1),
                                  station.min_elevation_deg, settings.of(cid).pass_step_s)
                 for cid, sets in element_sets_of.items()}
    usable, keep_outs = usable_intervals(passes_of, element_sets_of, station, spec, start, rules.min_contact_s)
    plan = plan_contacts(usable, spec, rules, {cid: spec.weight(cid) for cid in element_sets_of})
    return PlannedDay(plan, usable, keep_outs, continuity(plan, usable, keep_outs, rules.handover_overlap_s))


def pointing_prefix(station_id: str, day: date) -> str:
    """Return the work-area folder of a station's pointing files of ``day``."""
    return f"pointing/{station_id}/{day.isoformat()}"


def plan_station_day(engine: Engine, settings: Settings, station_id: str, day: date,
                     snapshot_ids: Mapping[str, int], work: WorkArea | None = None) -> dict:
    """Plan ``station_id``'s antennas over ``day`` from the run's snapshots (constellation id
    -> snapshot id; those the antennas do not serve are ignored), load the day's schedule,
    write the pointing files to ``work`` (none without one), and return the summary: the
    figures of ``gateway_schedule_daily`` as a dict, with ``pointing_files`` (URIs).
    Raises SnapshotSupersededError, loading nothing, when a snapshot is no longer the day's."""
    station = settings.station(station_id)
    spec = station.antennas
    served = {cid: snapshot_ids[cid] for cid in spec.serves() if cid in snapshot_ids}
    element_sets_of = {cid: load_element_sets(engine, sid) for cid, sid in served.items()}
    planned = plan_elements(settings, station, spec, day, element_sets_of)
    plan, usable, keep_outs, figures = planned.plan, planned.usable, planned.keep_outs, planned.figures
    start, rules = day_bounds(day)[0], ContactRules.from_settings(settings)
    computed_at = utc_now()
    key = {"day": day, "station_id": station_id}
    with engine.begin() as conn:
        revision = station_revision(conn, day, served)
        record_sites(conn, settings)
        replace(conn, schema.antennas, {"station_id": station_id}, antenna_rows(station, computed_at))
        contacts = contact_rows(plan, station, start, served, rules, computed_at)
        changes = revise_changes(conn, schema.contact_plan, key, revision, contacts, contact_changes, CONTACT_KINDS,
                                 served, settings.changed_threshold_s)
        replace_revision(conn, schema.contact_plan, key, revision, rows=contacts)
        replace_revision(conn, schema.keep_out_intervals, key, revision,
                         rows=keep_out_rows(keep_outs, start, served, computed_at, key))
        summary = {**schedule_row(figures, plan, station, served, len(usable), computed_at, key), "revision": revision}
        replace_revision(conn, schema.gateway_schedule_daily, key, revision, rows=[summary])
    files = [] if work is None else write_pointing(work, settings, station, day, plan, element_sets_of, computed_at)
    return {**summary, "day": day.isoformat(), "computed_at": computed_at.isoformat(), "pointing_files": files,
            **change_summary(changes, computed_at, settings.alert_lead_h)}


def write_pointing(work: WorkArea, settings: Settings, station: Station, day: date, plan: ContactPlan,
                   element_sets_of: Mapping, created_at: datetime) -> list[str]:
    """Replace the day's pointing files of ``station`` in ``work``; return their URIs."""
    prefix = pointing_prefix(station.station_id, day)
    files = antenna_files(plan.contacts, element_sets_of, station, day_bounds(day)[0],
                          settings.contact_plan.pointing_step_s, settings.contact_plan.oem_step_s, created_at)
    work.discard(prefix)
    return [work.put_file(f"{prefix}/{name}", data) for name, data in files.items()]


def antenna_rows(station: Station, updated_at: datetime) -> list[dict]:
    """Return the ``antennas`` rows of a station: one per antenna, all alike."""
    spec = station.antennas
    common = {name: getattr(spec, name) for name in (
        "mount", "min_elevation_deg", "keyhole_elevation_deg", "gso_separation_deg", "sun_separation_deg",
        "slew_rate_az_deg_s", "slew_rate_el_deg_s", "retarget_s")}
    return [{"station_id": station.station_id, "antenna_id": antenna_id, **common,
             "serves": ",".join(spec.serves()), "updated_at": updated_at}
            for antenna_id in spec.antenna_ids(station.station_id)]


def contact_rows(plan: ContactPlan, station: Station, day_start: datetime, snapshot_ids: Mapping[str, int],
                 rules: ContactRules, computed_at: datetime) -> list[dict]:
    """Return the ``contact_plan`` rows of a plan, in time order."""
    antenna_ids = station.antennas.antenna_ids(station.station_id)
    rows = []
    for c, taken in zip(plan.contacts, handover_from(plan.contacts, rules.handover_overlap_s)):
        (az0, el0), (az1, el1) = c.start_look, c.end_look
        rows.append({
            "day": day_start.date(), "station_id": station.station_id, "antenna_id": antenna_ids[c.antenna],
            "contact_start": day_start + timedelta(seconds=c.start_s),
            "contact_end": day_start + timedelta(seconds=c.end_s),
            "group_name": c.interval.constellation_id, "norad_cat_id": c.interval.norad_cat_id,
            "duration_s": float(c.end_s - c.start_s),
            "start_azimuth_deg": az0, "start_elevation_deg": el0, "end_azimuth_deg": az1, "end_elevation_deg": el1,
            "handover_from": taken, "pass_aos": c.interval.pass_aos, "pass_tca": c.interval.pass_tca,
            "snapshot_id": snapshot_ids[c.interval.constellation_id], "computed_at": computed_at,
        })
    return rows


def keep_out_rows(keep_outs: list[KeepOut], day_start: datetime, snapshot_ids: Mapping[str, int],
                  computed_at: datetime, key: Mapping) -> list[dict]:
    """Return the ``keep_out_intervals`` rows: one per run of seconds lost to one cause."""
    return [{**key, "norad_cat_id": k.norad_cat_id, "cause": k.cause,
             "interval_start": day_start + timedelta(seconds=k.start_s),
             "interval_end": day_start + timedelta(seconds=k.end_s),
             "group_name": k.constellation_id, "duration_s": float(k.end_s - k.start_s),
             "snapshot_id": snapshot_ids[k.constellation_id], "computed_at": computed_at}
            for k in keep_outs]


def schedule_row(figures: Continuity, plan: ContactPlan, station: Station, served: Mapping[str, int],
                 usable_count: int, computed_at: datetime, key: Mapping) -> dict:
    """Return the ``gateway_schedule_daily`` row of a (day, station)."""
    return {
        **key, "group_names": ",".join(served), "antennas": station.antennas.count,
        "contacts": figures.contacts, "handovers": figures.handovers,
        "percent_day_one_link": figures.percent_day_one_link, "percent_day_two_links": figures.percent_day_two_links,
        "percent_day_usable": figures.percent_day_usable, "longest_outage_s": float(figures.longest_outage_s),
        "link_s": float(figures.link_s),
        **{f"keep_out_{cause}_s": float(seconds) for cause, seconds in figures.keep_out_s.items()},
        "usable_intervals": usable_count, "solver_status": plan.status, "solver_gap": plan.gap,
        "solve_s": plan.solve_s, "computed_at": computed_at,
    }
