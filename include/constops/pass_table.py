"""A station's passes as columns: what a day's load merges, sorts, summarises and loads.

A 15,000-satellite day holds about 90,000 passes over Akkol. As :class:`~constops.passes.Pass`
objects (with three datetimes each) rebuilding them from the shards' arrays took the load
6.5 s of its 16 s (profile: ``docs/profile.md``); as columns the same steps are a few NumPy
calls. Times are integer microseconds since 1970-01-01 UTC, so every figure derived from
them (durations, the time in view, the longest gap) is exact, as with datetimes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import numpy as np

from .passes import Pass

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICROSECOND = timedelta(microseconds=1)
#: Columns of integer microseconds since EPOCH.
TIMES = ("aos", "tca", "los")
FLOATS = ("max_elevation_deg", "min_elevation_deg", "aos_azimuth_deg", "tca_azimuth_deg", "los_azimuth_deg")
#: Figures of continuous windows only: NaN for ordinary passes (None in a Pass).
WINDOW_FLOATS = ("lowest_elevation_deg", "azimuth_min_deg", "azimuth_max_deg")
COLUMNS = ("norad_cat_id", *TIMES, *FLOATS, "continuous", *WINDOW_FLOATS)
_DTYPES = {"norad_cat_id": np.int64, "continuous": bool, **dict.fromkeys(TIMES, np.int64),
           **dict.fromkeys(FLOATS + WINDOW_FLOATS, np.float64)}


def microseconds(moment: datetime) -> int:
    """Return an aware datetime as integer microseconds since 1970-01-01 UTC."""
    return (moment - EPOCH) // _MICROSECOND


@dataclass(frozen=True)
class PassTable:
    """Passes of one station as equal-length columns named by :data:`COLUMNS`."""

    columns: Mapping[str, np.ndarray]

    def __post_init__(self):
        if set(self.columns) != set(COLUMNS):
            raise ValueError(f"a pass table has the columns {COLUMNS}, not {tuple(self.columns)}")
        if len({len(values) for values in self.columns.values()}) > 1:
            raise ValueError("the columns of a pass table differ in length")

    @classmethod
    def from_passes(cls, passes: Sequence[Pass]) -> PassTable:
        """Return the table of ``passes``, in their order."""
        columns = {"norad_cat_id": [p.norad_cat_id for p in passes], "continuous": [p.continuous for p in passes]}
        columns |= {name: [microseconds(getattr(p, name)) for p in passes] for name in TIMES}
        columns |= {name: [getattr(p, name) for p in passes] for name in FLOATS}
        columns |= {name: [np.nan if getattr(p, name) is None else getattr(p, name) for p in passes]
                    for name in WINDOW_FLOATS}
        return cls({name: np.array(columns[name], dtype=_DTYPES[name]) for name in COLUMNS})

    @classmethod
    def concat(cls, tables: Iterable[PassTable]) -> PassTable:
        """Return one table of the rows of ``tables``, in order (an empty one for none)."""
        tables = list(tables)
        return cls({name: np.concatenate([t.columns[name] for t in tables]).astype(_DTYPES[name], copy=False)
                    if tables else np.empty(0, _DTYPES[name]) for name in COLUMNS})

    def __len__(self) -> int:
        return len(self.columns["norad_cat_id"])

    def take(self, index: np.ndarray) -> PassTable:
        """Return the rows at ``index`` (positions or a boolean mask)."""
        return PassTable({name: values[index] for name, values in self.columns.items()})

    def of_satellites(self, norad_ids) -> PassTable:
        """Return the rows of the satellites ``norad_ids`` (any iterable of NORAD ids), in order."""
        return self.take(np.isin(self.columns["norad_cat_id"], np.fromiter(norad_ids, dtype=np.int64)))

    def sorted(self) -> PassTable:
        """Return the rows ordered by (AOS, NORAD id), the order of :func:`~constops.passes.find_passes`."""
        return self.take(np.lexsort((self.columns["norad_cat_id"], self.columns["aos"])))

    def of_the_day(self, start: datetime, end: datetime) -> PassTable:
        """Return the passes that belong to the day [start, end): those whose TCA falls in it,
        and every continuous window (made for this very day; its highest instant may be its end)."""
        tca = self.columns["tca"]
        return self.take(self.columns["continuous"] | ((tca >= microseconds(start)) & (tca < microseconds(end))))

    def satellites(self) -> int:
        """Return the number of distinct satellites among the rows."""
        return int(np.unique(self.columns["norad_cat_id"]).size)

    def duration_s(self) -> np.ndarray:
        """Return each row's time from AOS to LOS, s (as ``Pass.duration_s``, to the last bit)."""
        return (self.columns["los"] - self.columns["aos"]) / 1e6

    def times(self, name: str) -> np.ndarray:
        """Return time column ``name`` as ``datetime64[us]`` (UTC)."""
        return self.columns[name].astype("datetime64[us]")

    def to_passes(self) -> list[Pass]:
        """Return the rows as Pass objects (the inverse of :meth:`from_passes`)."""
        c = {name: values.tolist() for name, values in self.columns.items()}
        return [
            Pass(norad_cat_id=c["norad_cat_id"][i], continuous=c["continuous"][i],
                 **{name: EPOCH + c[name][i] * _MICROSECOND for name in TIMES},
                 **{name: c[name][i] for name in FLOATS},
                 **{name: None if c[name][i] != c[name][i] else c[name][i] for name in WINDOW_FLOATS})
            for i in range(len(self))
        ]


def time_in_view(table: PassTable, start: datetime, end: datetime) -> dict:
    """Return a station's day from passes overlapping [start, end): pass count, satellites
    seen, percent of the day with at least one satellite above the mask, and the longest
    gap (s), each pass clipped to the day.

    Exact: the union of the clipped intervals is summed in integer microseconds (float
    seconds of 80,000 overlapping passes once added up to 100.00000000000009%)."""
    start_us, end_us = microseconds(start), microseconds(end)
    aos = np.maximum(table.columns["aos"], start_us)
    los = np.minimum(table.columns["los"], end_us)
    inside = aos < los
    order = np.lexsort((los[inside], aos[inside]))
    aos, los = aos[inside][order], los[inside][order]
    # Before interval i, time is covered up to the latest LOS of the intervals before it.
    covered_to = np.maximum(np.concatenate(([start_us], np.maximum.accumulate(los)[:-1])), start_us)
    gaps = aos - covered_to
    visible_us = int(np.maximum(los - np.maximum(aos, covered_to), 0).sum())
    last_us = max(start_us, int(los.max())) if len(los) else start_us
    max_gap_us = max(0, int(gaps.max()) if len(gaps) else 0, end_us - last_us)
    return {
        "pass_count": len(table),
        "satellites_seen": table.satellites(),
        "percent_time_visible": 100.0 * (visible_us / (end_us - start_us)),
        "max_gap_s": max_gap_us / 10**6,
    }
