"""Compute a day with the library, as the DAGs' tasks do (no Airflow: faster than runs)."""

from __future__ import annotations

from datetime import date, datetime, timezone

from constops.day import fleet_status as day_fleet
from constops.day import ingest
from constops.day.assignment import snapshot_for_day
from constops.day.whole_day import compute_whole
from constops.settings import load_settings

#: "Now" for past days: long after the bundled downloads, so none of them is live.
LATER = datetime(2026, 1, 1, tzinfo=timezone.utc)


def compute_whole_day(name: str, engine, settings, constellation_id: str, day: date) -> dict:
    """Compute product ``name`` (a key of ``PRODUCTS``) of ``day`` from all the satellites of
    the day's snapshot in one block and load it; return its summary (the unsharded path)."""
    return compute_whole(name, engine, settings, constellation_id, day,
                         snapshot_for_day(engine, constellation_id, day).snapshot_id)


def compute_day(engine, archive, day: date, constellation_id: str = "qianfan", now: datetime = LATER) -> None:
    """Assign ``day`` its archived snapshot and load its passes, fleet status and coverage
    (``now`` must lie after the day: a past day, computed from the archive)."""
    settings = load_settings()
    ingest.ingest_day(engine, archive, settings, constellation_id, day, now, None)
    compute_whole_day("passes", engine, settings, constellation_id, day)
    day_fleet.compute_fleet_day(engine, settings, constellation_id, day)
    compute_whole_day("coverage", engine, settings, constellation_id, day)
