"""Revisions: each snapshot assigned to a day opens a numbered revision; the tables in force
hold the latest, the history tables keep every one whole, and a rerun rewrites its own."""

from datetime import date

import numpy as np
from sqlalchemy import func, select

from constops import snapshots
from constops.day import assignment
from constops.day import fleet_status as day_fleet
from constops.reporting import schema
from constops.reporting.store import count_rows
from constops.settings import load_settings
from tests.support.data import SNAPSHOTS
from tests.support.days import compute_whole_day

DAY = date(2025, 11, 15)


def _compute(engine, snapshot_id: int) -> dict:
    """Assign ``DAY`` ``snapshot_id`` and compute its passes and fleet; return the passes' summary."""
    settings = load_settings()
    assignment.assign_day(engine, "qianfan", DAY, snapshot_id, "archive", cause="backfill")
    summary = compute_whole_day("passes", engine, settings, "qianfan", DAY)
    day_fleet.compute_fleet_day(engine, settings, "qianfan", DAY)
    return summary


def _revisions(engine, table) -> dict[int, int]:
    """Return {revision: rows} of ``table``'s history."""
    history = schema.HISTORY[table.name]
    with engine.connect() as conn:
        rows = conn.execute(select(history.c.revision, func.count()).group_by(history.c.revision)).all()
    return dict(rows)


def test_a_second_snapshot_opens_revision_two_and_the_first_is_kept_whole(store):
    engine, archive = store
    morning = snapshots.import_file(engine, archive, SNAPSHOTS / "qianfan_2025-11-14.tle", "qianfan")
    evening = snapshots.import_file(engine, archive, SNAPSHOTS / "qianfan_2025-11-15.tle", "qianfan")

    first = _compute(engine, morning.snapshot_id)
    first_passes = count_rows(engine, schema.gateway_passes)
    assert first["revision"] == 1
    assert _revisions(engine, schema.gateway_passes) == {1: first_passes}

    second = _compute(engine, evening.snapshot_id)
    assert second["revision"] == 2
    in_force = count_rows(engine, schema.gateway_passes)
    assert {r for (r,) in _rows(engine, schema.gateway_passes.c.revision)} == {2}
    assert _revisions(engine, schema.gateway_passes) == {1: first_passes, 2: in_force}
    assert _revisions(engine, schema.fleet_status) == {1: 108, 2: 108}

    with engine.connect() as conn:
        revisions = conn.execute(select(schema.day_revisions).order_by(schema.day_revisions.c.revision)).all()
    assert [(r.revision, r.snapshot_id, r.previous_snapshot_id, r.cause) for r in revisions] == [
        (1, morning.snapshot_id, None, "backfill"), (2, evening.snapshot_id, morning.snapshot_id, "backfill")]
    # Lead: from the acquisition (the newest epoch: 2025-11-14 08:00 and 20:02 UTC) to 2025-11-15 00:00.
    assert [round(r.lead_h, 2) for r in revisions] == [16.0, 3.96]

    # The change list names exactly the satellites whose passes moved beyond 5 s, or were
    # added or dropped: checked here by pairing each satellite's passes in TCA order.
    assert second["changes"] and set(second["changes"]) <= {"pass_added", "pass_dropped", "pass_moved"}
    assert named_satellites(engine, 2) == moved_satellites(engine, 1, 2, threshold_s=5.0) != set()

    # A rerun of the same snapshot is the same revision, rewritten: nothing doubles.
    assert _compute(engine, evening.snapshot_id)["revision"] == 2
    assert _revisions(engine, schema.gateway_passes) == {1: first_passes, 2: in_force}
    assert count_rows(engine, schema.day_revisions) == 2


def named_satellites(engine, revision: int) -> set[int]:
    """Return the NORAD ids revision_changes names for ``revision``."""
    table = schema.revision_changes
    with engine.connect() as conn:
        return {n for (n,) in conn.execute(select(table.c.norad_cat_id).where(table.c.revision == revision))}


def moved_satellites(engine, old: int, new: int, threshold_s: float) -> set[int]:
    """Return the satellites whose passes differ between two revisions: another count of
    passes at a station and mask, or a pass (paired in TCA order) whose AOS, TCA or LOS
    shifted more than ``threshold_s``."""
    history = schema.HISTORY["gateway_passes"]
    by = {}
    with engine.connect() as conn:
        for row in conn.execute(select(history).where(history.c.revision.in_((old, new)))):
            by.setdefault((row.norad_cat_id, row.station_id, row.min_elevation_deg), {}).setdefault(
                row.revision, []).append((row.aos, row.tca, row.los))
    moved = set()
    for (norad, _, _), revisions in by.items():
        a, b = sorted(revisions.get(old, [])), sorted(revisions.get(new, []))
        if len(a) != len(b) or any(abs((x - y).total_seconds()) > threshold_s
                                   for p, q in zip(a, b) for x, y in zip(p, q)):
            moved.add(norad)
    return moved


def _rows(engine, *columns):
    with engine.connect() as conn:
        return conn.execute(select(*columns)).all()


def partly_updated(morning: bytes, evening: bytes, kept: int) -> bytes:
    """Return the 20:02 answer (3-line TLE) with the 08:00 element sets of its first ``kept``
    satellites: an answer in which CelesTrak updated only some satellites, as a refresh two
    hours on sees (every one of the 108 changed between the real 08:00 and 20:02 answers)."""
    def by_norad(text: bytes) -> dict[str, list[str]]:
        lines = text.decode().splitlines()
        return {lines[i + 1][2:7]: lines[i:i + 3] for i in range(0, len(lines), 3)}

    old, new = by_norad(morning), by_norad(evening)
    chosen = sorted(new)[:kept]
    return "\n".join(line for norad in sorted(new) for line in (old if norad in chosen else new)[norad]).encode() + b"\n"


def test_a_revision_searches_only_the_satellites_whose_elements_changed(store, tmp_path):
    """A later answer revises the 08:00 plan of 2025-11-15: the 40 satellites with the same
    element set keep their passes from the work area, the 68 others are searched, and the day
    is the same as a search of all (to the microsecond and the last bit of every angle)."""
    from constops.archive import WorkArea
    from constops.day import gateway_passes as day_passes
    from constops.snapshots import unchanged_satellites

    engine, archive = store
    work = WorkArea(str(tmp_path / "work"))
    settings = load_settings()
    morning = snapshots.import_file(engine, archive, SNAPSHOTS / "qianfan_2025-11-14.tle", "qianfan")
    mixed = tmp_path / "partly_updated.tle"
    mixed.write_bytes(partly_updated((SNAPSHOTS / "qianfan_2025-11-14.tle").read_bytes(),
                                     (SNAPSHOTS / "qianfan_2025-11-15.tle").read_bytes(), kept=40))
    evening = snapshots.import_file(engine, archive, mixed, "qianfan")
    assignment.assign_day(engine, "qianfan", DAY, morning.snapshot_id, "live", cause="refresh")
    block = day_passes.passes_block(engine, settings, "qianfan", DAY, morning.snapshot_id, work=work)
    day_passes.load_passes_day(engine, settings, "qianfan", DAY, morning.snapshot_id, [block], work=work)

    assignment.assign_day(engine, "qianfan", DAY, evening.snapshot_id, "live", cause="refresh")
    kept = unchanged_satellites(engine, morning.snapshot_id, evening.snapshot_id)
    assert len(kept) == 40
    incremental = day_passes.passes_block(engine, settings, "qianfan", DAY, evening.snapshot_id, work=work)
    full = day_passes.passes_block(engine, settings, "qianfan", DAY, evening.snapshot_id)
    for station_id, table in full.items():
        mine, theirs = incremental[station_id].sorted().columns, table.sorted().columns
        for name, values in theirs.items():
            assert np.array_equal(mine[name], values, equal_nan=True), (station_id, name)

    # The kept satellites' passes really come from the work area: altered there, altered here.
    name = day_passes.pass_cache_name(settings.of("qianfan"), "qianfan", DAY, morning.snapshot_id)
    arrays = dict(np.load(tmp_path / "work" / f"{name}.npz"))
    key = next(k for k in arrays if k.endswith("max_elevation_deg"))
    arrays[key] = arrays[key] + 1.0
    work.put(name, arrays)
    altered = day_passes.passes_block(engine, settings, "qianfan", DAY, evening.snapshot_id, work=work)
    station_id = key.split("|")[1]
    table = altered[station_id]
    reused = np.isin(table.columns["norad_cat_id"], list(kept))
    original = {(n, a): e for n, a, e in zip(*(full[station_id].columns[c] for c in ("norad_cat_id", "aos", "max_elevation_deg")))}
    shifted = [e - original[(n, a)] for n, a, e in zip(*(table.columns[c] for c in ("norad_cat_id", "aos", "max_elevation_deg")))]
    assert reused.any() and np.allclose(np.array(shifted)[reused], 1.0) and np.allclose(np.array(shifted)[~reused], 0.0)


def test_contacts_reassigned_moved_added_and_dropped_are_told_apart():
    from datetime import datetime, timedelta, timezone

    from constops.revision_changes import contact_changes, soon

    t0 = datetime(2025, 11, 15, 6, tzinfo=timezone.utc)

    def contact(norad, antenna, start_s, end_s):
        return {"norad_cat_id": norad, "group_name": "qianfan", "station_id": "akkol", "antenna_id": antenna,
                "contact_start": t0 + timedelta(seconds=start_s), "contact_end": t0 + timedelta(seconds=end_s)}

    old = [contact(1, "akkol-1", 0, 300), contact(2, "akkol-2", 100, 400), contact(3, "akkol-1", 600, 900),
           contact(4, "akkol-3", 0, 200)]
    new = [contact(1, "akkol-2", 0, 300), contact(2, "akkol-2", 112, 400), contact(3, "akkol-1", 602, 900),
           contact(5, "akkol-4", 50, 250), contact(4, "akkol-3", 7200, 7400)]
    changes = {(c["norad_cat_id"], c["kind"]) for c in contact_changes(old, new, threshold_s=5.0)}
    # 3 shifted 2 s: not a change. 4's contact two hours later is another pass: one dropped, one added.
    assert changes == {(1, "contact_reassigned"), (2, "contact_moved"), (5, "contact_added"),
                       (4, "contact_dropped"), (4, "contact_added")}
    listed = contact_changes(old, new, threshold_s=5.0)
    assert {c["norad_cat_id"] for c in soon(listed, t0 + timedelta(seconds=30), lead_h=1.0)} == {2, 5}


def test_an_older_answer_replayed_or_imported_late_revises_no_day_planned_from_a_newer_one(store):
    """The 20:02 answer plans 2025-11-14 ... 16 at 20:30; the 08:00 answer, fed afterwards
    (a replay in the wrong order, or a history import), is older than every day's
    snapshot and revises none."""
    from datetime import datetime, timezone

    from constops.day.refresh import plan_horizon

    engine, archive = store
    settings = load_settings()
    evening = snapshots.import_file(engine, archive, SNAPSHOTS / "qianfan_2025-11-15.tle", "qianfan")
    at = datetime(2025, 11, 14, 20, 30, tzinfo=timezone.utc)
    assert plan_horizon(engine, settings, "qianfan", evening, at, "refresh") == ["2025-11-14", "2025-11-15", "2025-11-16"]
    morning = snapshots.import_file(engine, archive, SNAPSHOTS / "qianfan_2025-11-14.tle", "qianfan")
    assert plan_horizon(engine, settings, "qianfan", morning, at, "replay") == []
    assert count_rows(engine, schema.day_revisions) == 3
    # Fed the same again: nothing new either.
    assert plan_horizon(engine, settings, "qianfan", evening, at, "refresh") == []


def test_replay_takes_the_answers_in_the_order_of_their_acquisition():
    from replay import answers_in_order

    given = [SNAPSHOTS / "qianfan_2025-11-17.tle", SNAPSHOTS / "qianfan_2025-11-14.tle", SNAPSHOTS / "qianfan_2025-11-16.tle"]
    ordered = answers_in_order([str(p) for p in given])
    assert [p.name for _, p in ordered] == ["qianfan_2025-11-14.tle", "qianfan_2025-11-16.tle", "qianfan_2025-11-17.tle"]
    assert [f"{t:%m-%d %H:%M}" for t, _ in ordered] == ["11-14 08:00", "11-16 12:38", "11-16 19:50"]


def test_the_day_page_lists_the_revisions_and_shows_a_past_ones_passes_and_changes(store):
    import dataclasses

    import pytest

    from constops.dashboard.day_view import day_view
    from constops.dashboard.pages import day_page, plotly_script
    from constops.dashboard.revisions_view import passes_of_revision, revisions_view

    engine, archive = store
    morning = snapshots.import_file(engine, archive, SNAPSHOTS / "qianfan_2025-11-14.tle", "qianfan")
    evening = snapshots.import_file(engine, archive, SNAPSHOTS / "qianfan_2025-11-15.tle", "qianfan")
    _compute(engine, morning.snapshot_id)
    _compute(engine, evening.snapshot_id)
    settings = load_settings()

    current = revisions_view(engine, DAY, "qianfan")
    assert (current.in_force, current.selected, current.showing_past) == (2, 2, False)
    assert list(current.revisions["revision"]) == [1, 2]
    assert len(current.changes) == count_rows(engine, schema.revision_changes, revision=2) > 0
    page = day_page(day_view(engine, settings, DAY), settings, plotly_script("p.js"), revisions=current,
                    revision_href="/day/2025-11-15?revision=")
    assert page.count('class="revision-link"') == 1 and 'href="/day/2025-11-15?revision=1"' in page
    assert f"Changes since the previous revision ({len(current.changes)})" in page and "pass moved" in page

    past = revisions_view(engine, DAY, "qianfan", 1)
    assert past.showing_past and len(past.changes) == 0
    view = dataclasses.replace(day_view(engine, settings, DAY), passes=passes_of_revision(engine, DAY, "qianfan", 1))
    page = day_page(view, settings, plotly_script("p.js"), revisions=past, revision_href="/day/2025-11-15?revision=")
    first = count_rows(engine, schema.HISTORY["gateway_passes"], revision=1)
    assert f"Passes ({first})" in page and "showing revision 1, not the one in force (2)" in page
    assert "none: the first revision of the day." in page
    with pytest.raises(ValueError, match="2025-11-15 has no revision 3; its revisions: 1, 2"):
        revisions_view(engine, DAY, "qianfan", 3)
