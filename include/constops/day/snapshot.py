"""The snapshot a run computes its day from, resolved once; its blocks of satellites for shards."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date

from sqlalchemy import Engine

from ..day_snapshots import snapshot_for_day
from ..settings import Settings
from ..snapshots import snapshot_by_id


def resolve_day_snapshot(engine: Engine, settings: Settings, group: str, day: date) -> dict:
    """Return ``{"group", "day", "snapshot_id"}``: the snapshot assigned to ``day``, read once
    at the start of a run and passed to every task of it (NoSnapshotError names the day)."""
    snapshot = snapshot_for_day(engine, group, day)
    return {"group": group, "day": day.isoformat(), "snapshot_id": snapshot.snapshot_id}


def plan_day_blocks(engine: Engine, snapshot_id: int, blocks_of: Callable[[int], list[tuple[int, int]]]):
    """Return ``blocks_of(n)``: the ``[first, stop)`` blocks of the ``n`` satellites of
    snapshot ``snapshot_id`` (see ``shards.plan_shards``)."""
    return blocks_of(snapshot_by_id(engine, snapshot_id).object_count or 0)


def available_slots(settings: Settings) -> int:
    """Return the task slots one run's shards may fill: ``[pipeline] slots``, or the cores of
    this machine when it is 0."""
    return settings.slots or os.cpu_count() or 1
