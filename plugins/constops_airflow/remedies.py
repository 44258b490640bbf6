"""What an operator can do about a library error: the remedies that name ``make`` targets
and DAGs, which the library (knowing neither) leaves out of its messages."""

from __future__ import annotations


def remedy(error: BaseException) -> str:
    """Return what to do about ``error`` as one sentence, or "" when nothing helps but a
    fix of the data or the code. Reads the facts the library's errors carry."""
    from constops.api import NoSnapshotError, SnapshotSupersededError, SnapshotTooOldError

    if isinstance(error, SnapshotTooOldError) and error.day is not None:
        day = error.day.isoformat()
        return (f"Import an answer downloaded within {error.limit_days:g} days of {day} with "
                f"`make import FILES=...` and run the day again, or accept these elements explicitly: trigger "
                f"tle_ingest with max_snapshot_age_days={error.needed_days:g} (make pipeline DAY={day} "
                f"MAX_AGE_DAYS={error.needed_days:g}); the override is recorded with the day's results "
                f"(day_snapshots.age_override)")
    if isinstance(error, NoSnapshotError) and error.day is not None:
        day = error.day.isoformat()
        return {
            "archived": f"Import an answer downloaded before {day} with `make import FILES=...`, then run the day again",
            "assigned": f"Run tle_ingest for {day} first",
            "fleet": f"Run the coverage DAG for {day} (its fleet_status task labels the fleet first)",
        }.get(error.missing, "")
    if isinstance(error, SnapshotSupersededError):
        return (f"The run that the reassignment triggered computes the day from snapshot "
                f"{error.current_snapshot_id}")
    return ""


def explained(error: BaseException) -> str:
    """Return ``error``'s message with its :func:`remedy` appended on the same line (alerts
    keep a message's first line)."""
    text, advice = str(error).rstrip(". "), remedy(error)
    return f"{text}. {advice}" if advice else str(error)
