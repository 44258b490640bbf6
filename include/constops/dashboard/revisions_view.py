"""A day's revisions as the day page shows them: each with its snapshot and lead, the one in
force, and what the selected revision changed since the one before."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import Engine, select

from ..reporting import schema
from .day_view import read_frame, with_local_times


@dataclass(frozen=True)
class RevisionsView:
    """The revisions of one day for one constellation's page (times UTC)."""

    #: ``day_revisions`` rows of the day, oldest first (every constellation's)
    revisions: pd.DataFrame
    #: the constellation's revision in force, and the one the page shows (None: never computed)
    in_force: int | None
    selected: int | None
    #: ``revision_changes`` of the selected revision for the constellation, in time order
    changes: pd.DataFrame

    @property
    def showing_past(self) -> bool:
        """Return True when the page shows a revision other than the one in force."""
        return self.selected is not None and self.selected != self.in_force


def revisions_view(engine: Engine, day: date, constellation_id: str, selected: int | None = None) -> RevisionsView:
    """Return the day's revisions with the changes of ``selected`` (default: the one in
    force); ValueError names the revisions when ``selected`` is not one of the day's."""
    table, changes, days = schema.day_revisions, schema.revision_changes, schema.day_snapshots
    with engine.connect() as conn:
        revisions = read_frame(conn, select(table).where(table.c.day == day).order_by(table.c.revision))
        in_force = conn.execute(select(days.c.revision).where(
            days.c.day == day, days.c.group_name == constellation_id)).scalar()
        known = set(revisions["revision"])
        if selected is not None and selected not in known:
            raise ValueError(f"{day.isoformat()} has no revision {selected}; its revisions: "
                             f"{', '.join(map(str, sorted(known))) or 'none'}")
        shown = selected if selected is not None else in_force
        listed = read_frame(conn, select(changes).where(
            changes.c.day == day, changes.c.revision == shown, changes.c.group_name == constellation_id,
        ).order_by(changes.c.at, changes.c.station_id, changes.c.norad_cat_id))
    if len(listed):
        listed["at"] = pd.to_datetime(listed["at"], utc=True)
    if len(revisions):
        revisions["acquired_at"] = pd.to_datetime(revisions["acquired_at"], utc=True)
    return RevisionsView(revisions, in_force, shown, listed)


def passes_of_revision(engine: Engine, day: date, constellation_id: str, revision: int) -> pd.DataFrame:
    """Return the passes of ``day`` as revision ``revision`` planned them (``gateway_passes_revisions``),
    in AOS order, with local times as the day page's pass table shows them."""
    history = schema.HISTORY["gateway_passes"]
    with engine.connect() as conn:
        passes = read_frame(conn, select(history).where(
            history.c.day == day, history.c.group_name == constellation_id, history.c.revision == revision,
        ).order_by(history.c.aos))
    return with_local_times(passes)
