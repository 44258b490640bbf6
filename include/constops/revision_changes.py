"""What a new revision of a day changed: passes added, dropped or moved, contacts reassigned.

A pass of the new revision is matched to the previous revision's pass of the same
satellite, station and mask whose TCA is nearest, within :data:`MATCH_S` (a LEO satellite
passes a station again only after about an orbit, 95 min); a contact likewise by its
satellite and start. What is left unmatched was added or dropped; a matched pass whose AOS,
TCA or LOS shifted by more than the threshold moved; a matched contact on another antenna
was reassigned, one whose start or end shifted beyond the threshold moved.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

#: Two passes (or contacts) of one satellite further apart than this are different ones, s.
MATCH_S = 1800.0
PASS_KINDS = ("pass_added", "pass_dropped", "pass_moved")
CONTACT_KINDS = ("contact_added", "contact_dropped", "contact_reassigned", "contact_moved")


def _shift_s(old: Mapping, new: Mapping, fields: Iterable[str]) -> float:
    """Return the largest |new - old| over the datetime ``fields``, s."""
    return max(abs((new[f] - old[f]).total_seconds()) for f in fields)


def _match(old: list[Mapping], new: list[Mapping], key, at: str) -> tuple[list[tuple], list[Mapping], list[Mapping]]:
    """Return (matched (old, new) pairs, unmatched old, unmatched new): rows of the same
    ``key(row)`` paired greedily by the nearest ``row[at]`` within :data:`MATCH_S`."""
    pairs, left = [], {}
    for row in old:
        left.setdefault(key(row), []).append(row)
    added = []
    for row in sorted(new, key=lambda r: r[at]):
        candidates = left.get(key(row), [])
        best = min(candidates, key=lambda o: abs((o[at] - row[at]).total_seconds()), default=None)
        if best is not None and abs((best[at] - row[at]).total_seconds()) <= MATCH_S:
            candidates.remove(best)
            pairs.append((best, row))
        else:
            added.append(row)
    return pairs, [row for rows in left.values() for row in rows], added


def pass_changes(old: list[Mapping], new: list[Mapping], threshold_s: float) -> list[dict]:
    """Return the changes from the passes ``old`` to ``new`` (rows with ``norad_cat_id``,
    ``group_name``, ``station_id``, ``min_elevation_deg``, ``aos``, ``tca``, ``los`` as aware
    datetimes): ``{"kind", "norad_cat_id", "group_name", "station_id", "at", "shift_s",
    "antenna_id", "previous_antenna_id", "detail"}``, ``at`` the TCA."""
    pairs, dropped, added = _match(old, new, lambda r: (r["norad_cat_id"], r["station_id"], r["min_elevation_deg"]), "tca")
    changes = [_pass_change("pass_added", row, None, f"new pass, TCA {row['tca']:%H:%M:%S}") for row in added]
    changes += [_pass_change("pass_dropped", row, None, f"pass of TCA {row['tca']:%H:%M:%S} no longer predicted")
                for row in dropped]
    for before, after in pairs:
        shift_s = _shift_s(before, after, ("aos", "tca", "los"))
        if shift_s > threshold_s:
            changes.append(_pass_change("pass_moved", after, shift_s, (
                f"AOS {_signed(after['aos'] - before['aos'])}, TCA {_signed(after['tca'] - before['tca'])}, "
                f"LOS {_signed(after['los'] - before['los'])}")))
    return sorted(changes, key=lambda c: (c["at"], c["norad_cat_id"], c["kind"]))


def _pass_change(kind: str, row: Mapping, shift_s: float | None, detail: str) -> dict:
    return {"kind": kind, "norad_cat_id": row["norad_cat_id"], "station_id": row["station_id"],
            "group_name": row["group_name"], "at": row["tca"],
            "shift_s": shift_s, "antenna_id": None, "previous_antenna_id": None,
            "detail": f"{row['min_elevation_deg']:g} deg mask: {detail}"}


def contact_changes(old: list[Mapping], new: list[Mapping], threshold_s: float) -> list[dict]:
    """Return the changes from the contacts ``old`` to ``new`` (``contact_plan`` rows:
    ``norad_cat_id``, ``group_name``, ``station_id``, ``antenna_id``, ``contact_start``, ``contact_end``):
    rows as :func:`pass_changes` returns, ``at`` the contact's start, with the antennas."""
    pairs, dropped, added = _match(old, new, lambda r: (r["norad_cat_id"], r["station_id"]), "contact_start")
    changes = [_contact_change("contact_added", None, row, None, f"new contact on {row['antenna_id']}") for row in added]
    changes += [_contact_change("contact_dropped", row, None, None, f"no longer tracked (was on {row['antenna_id']})")
                for row in dropped]
    for before, after in pairs:
        shift_s = _shift_s(before, after, ("contact_start", "contact_end"))
        if before["antenna_id"] != after["antenna_id"]:
            changes.append(_contact_change("contact_reassigned", before, after, shift_s,
                                           f"moved from {before['antenna_id']} to {after['antenna_id']}"))
        elif shift_s > threshold_s:
            changes.append(_contact_change("contact_moved", before, after, shift_s, (
                f"start {_signed(after['contact_start'] - before['contact_start'])}, "
                f"end {_signed(after['contact_end'] - before['contact_end'])}")))
    return sorted(changes, key=lambda c: (c["at"], c["norad_cat_id"], c["kind"]))


def _contact_change(kind: str, before: Mapping | None, after: Mapping | None, shift_s: float | None, detail: str) -> dict:
    row = after or before
    return {"kind": kind, "norad_cat_id": row["norad_cat_id"], "station_id": row["station_id"],
            "group_name": row["group_name"], "at": row["contact_start"], "shift_s": shift_s, "antenna_id": after and after["antenna_id"],
            "previous_antenna_id": before and before["antenna_id"], "detail": detail}


def _signed(delta: timedelta) -> str:
    """Return a shift as "+12.3 s" or "-0.4 s"."""
    return f"{delta.total_seconds():+.1f} s"


def said(change: Mapping) -> str:
    """Return one change in words, for the alerts file."""
    return (f"{change['station_id']} {change['norad_cat_id']} {change['kind']} at {change['at']:%Y-%m-%d %H:%M:%S} UTC: "
            f"{change['detail']}")


def change_summary(changes: list[Mapping], now: datetime, lead_h: float) -> dict:
    """Return ``{"changes": {kind: count}, "changes_soon": [each change within lead_h of now, in words]}``."""
    return {"changes": dict(Counter(c["kind"] for c in changes)),
            "changes_soon": [said(c) for c in soon(changes, now, lead_h)]}


def soon(changes: Iterable[Mapping], now: datetime, lead_h: float) -> list[Mapping]:
    """Return the changes whose ``at`` falls between ``now`` and ``lead_h`` hours after it."""
    end = now + timedelta(hours=lead_h)
    return [c for c in changes if now <= c["at"] <= end]
