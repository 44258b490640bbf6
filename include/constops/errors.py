"""The library's exceptions, in one place.

Each carries the facts of the fault as attributes (the day, the snapshot, the age and the
limit, the source) beside a message about the data. What an operator should do about it
(a ``make`` target, a DAG to trigger) is the Airflow layer's to add: the library knows
neither. Every attribute defaults to None, so that a message alone is always a valid
error; the raise sites of the library fill in what they know.

Each also keeps the built-in base it always had (``ValueError`` for bad input,
``LookupError`` for something not found, ``RuntimeError`` for a state of the system), so
that callers catching those keep working.
"""

from __future__ import annotations

from datetime import date


class ConstopsError(Exception):
    """Base of the library's exceptions."""


class ElementsError(ConstopsError, ValueError):
    """A payload that is not valid GP element data; the message names the input and the fault.

    ``source``: the file or URL the payload came from, when known."""

    def __init__(self, message: str, *, source: str | None = None):
        super().__init__(message)
        self.source = source


class CelestrakAnswerError(ConstopsError, RuntimeError):
    """CelesTrak answered, but not with element data (a notice, an error page). Never retry
    automatically. ``source``: the URL; ``http_status``: its status; ``not_updated``: True for
    the notice "GP data has not updated since your last successful download"."""

    def __init__(self, message: str, *, source: str | None = None, http_status: int | None = None,
                 not_updated: bool = False):
        super().__init__(message)
        self.source, self.http_status, self.not_updated = source, http_status, not_updated


class DayOutOfRangeError(ConstopsError, ValueError):
    """A day the pipeline does not compute (before its first day, too far ahead, malformed).

    ``day``: the day asked for (None when malformed); ``first``, ``last``: the days accepted."""

    def __init__(self, message: str, *, day: date | None = None, first: date | None = None,
                 last: date | None = None):
        super().__init__(message)
        self.day, self.first, self.last = day, first, last


class NoSnapshotError(ConstopsError, LookupError):
    """No loaded snapshot fits the day asked for. ``constellation_id``, ``day``: what was asked for;
    ``snapshot_id``: the id asked for, when it was one; ``missing``: what is not there, one
    of :data:`MISSING`."""

    #: ``archived``: no snapshot acquired by the day's start; ``assigned``: the day has no
    #: snapshot assigned yet; ``fleet``: no fleet labels of the day from the snapshot;
    #: ``loaded``: no loaded snapshot of that id.
    MISSING = ("archived", "assigned", "fleet", "loaded")

    def __init__(self, message: str, *, constellation_id: str | None = None, day: date | None = None,
                 snapshot_id: int | None = None, missing: str | None = None):
        super().__init__(message)
        self.constellation_id, self.day, self.snapshot_id, self.missing = constellation_id, day, snapshot_id, missing


class SnapshotTooOldError(ConstopsError, LookupError):
    """The snapshot chosen for a day is further from it than the age limit.

    ``constellation_id``, ``day``; ``snapshot_id``: the snapshot chosen; ``age_days``: its age for the
    day (days, negative after the day's start); ``limit_days``: the limit in force;
    ``needed_days``: the smallest limit that would accept it (rounded up to 0.1 day)."""

    def __init__(self, message: str, *, constellation_id: str | None = None, day: date | None = None,
                 snapshot_id: int | None = None, age_days: float | None = None,
                 limit_days: float | None = None, needed_days: float | None = None):
        super().__init__(message)
        self.constellation_id, self.day, self.snapshot_id = constellation_id, day, snapshot_id
        self.age_days, self.limit_days, self.needed_days = age_days, limit_days, needed_days


class SnapshotSupersededError(ConstopsError, RuntimeError):
    """The day was assigned another snapshot while a run computed it from the one it resolved.

    ``constellation_id``, ``day``; ``snapshot_id``: the run's; ``current_snapshot_id``: the day's now."""

    def __init__(self, message: str, *, constellation_id: str | None = None, day: date | None = None,
                 snapshot_id: int | None = None, current_snapshot_id: int | None = None):
        super().__init__(message)
        self.constellation_id, self.day = constellation_id, day
        self.snapshot_id, self.current_snapshot_id = snapshot_id, current_snapshot_id


class DataQualityError(ConstopsError, RuntimeError):
    """Loaded results failed one or more quality checks; the message lists them.
    ``failed_checks``: the names of the checks that failed."""

    def __init__(self, message: str, *, failed_checks: tuple[str, ...] = ()):
        super().__init__(message)
        self.failed_checks = tuple(failed_checks)


#: The faults that no retry can mend: the same inputs give the same answer.
PERMANENT = (NoSnapshotError, SnapshotTooOldError, SnapshotSupersededError, DayOutOfRangeError)
