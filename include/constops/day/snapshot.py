"""The snapshot a run computes its day from, resolved once; its blocks of satellites for shards."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine

from ..day_snapshots import snapshot_for_day
from ..settings import Settings
from ..shards import plan_blocks
from ..snapshots import snapshot_by_id


def resolve_day_snapshot(engine: Engine, settings: Settings, group: str, day: date) -> dict:
    """Return ``{"group", "day", "snapshot_id"}``: the snapshot assigned to ``day``, read once
    at the start of a run and passed to every task of it (NoSnapshotError names the day)."""
    snapshot = snapshot_for_day(engine, group, day)
    return {"group": group, "day": day.isoformat(), "snapshot_id": snapshot.snapshot_id}


def plan_day_blocks(engine: Engine, snapshot_id: int, block_size: int) -> list[tuple[int, int]]:
    """Return the ``[first, stop)`` blocks of at most ``block_size`` satellites that cover
    snapshot ``snapshot_id`` (see ``shards.plan_blocks``)."""
    return plan_blocks(snapshot_by_id(engine, snapshot_id).object_count or 0, block_size)
