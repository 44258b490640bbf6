"""make bench-lead (benchmarks/lead_time.py): leads, buckets and final revisions on two real
answers of known acquisition time (data/SOURCES.md), and its error figures on constructed cases."""

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest

from constops.settings import load_settings
from constops.timescale import day_bounds
from tests.support.data import SNAPSHOTS

import lead_time
import snapshot_age as bench_age

AKKOL = load_settings().station("akkol")
WINDOW_S = bench_age.DEFAULT_MATCH_WINDOW_S
NOV = lambda day: date(2025, 11, day)  # noqa: E731


@pytest.fixture(scope="module")
def answers():
    """The real answers of 2025-11-14 (newest epoch 25318.33339971) and 2025-11-16 (25320.52672705)."""
    return [bench_age.load_snapshot(SNAPSHOTS / f"qianfan_2025-11-{day}.tle") for day in (14, 16)]


def test_leads_buckets_and_final_revisions_of_two_real_answers(answers):
    early, late = answers
    assert early.acquired_at == pytest.approx(datetime(2025, 11, 14, tzinfo=timezone.utc) + timedelta(days=0.33339971),
                                              abs=timedelta(milliseconds=1))
    assert late.acquired_at.isoformat(timespec="seconds") == "2025-11-16T12:38:29+00:00"
    leads_h = [lead_time.lead_days(NOV(day), early) * lead_time.HOURS_PER_DAY for day in (14, 15, 16, 17)]
    assert leads_h == pytest.approx([-8.0016, 15.9984, 39.9984, 63.9984], abs=1e-4)
    assert lead_time.lead_days(NOV(17), late) * lead_time.HOURS_PER_DAY == pytest.approx(11.3585, abs=1e-4)
    assert [lead_time.lead_bucket(h / lead_time.HOURS_PER_DAY) for h in leads_h] == ["short", "0.5", "2", "3"]
    assert [lead_time.lead_bucket(d) for d in (-0.99, 0.25, 0.75, 1.49, 1.5, 3.5)] == ["short", "0.5", "1", "1", "2", None]
    assert [lead_time.final_revision(NOV(day), answers) for day in (13, 14, 15, 16)] == [None, early, early, late]
    # D=15's final (early, 16 h ahead) and D=17's (late, 11.4 h) are no final revisions worth the name.
    (pair,) = lead_time.plan_pairs(answers)
    assert (pair.day, pair.plan, pair.final, pair.bucket) == (NOV(16), early, late, "2")
    assert pair.lead_d * lead_time.HOURS_PER_DAY == pytest.approx(39.9984, abs=1e-4) and lead_time.days_ahead(pair.day, early) == 2


def test_an_answer_against_itself_has_no_error_and_no_miss(answers):
    early, _ = answers
    pair = lead_time.PlanPair(NOV(14), early, early, -0.33, "short")
    rows = lead_time.summarise_leads(lead_time.compare_pairs([pair], AKKOL, WINDOW_S))
    short = {r["class"]: r for r in rows if r["lead_bucket"] == "short"}
    assert short["all"]["reference_passes"] > 500 and short["all"]["sats"] == 108
    assert short["on_station"]["reference_passes"] + short["off_station"]["reference_passes"] == short["all"]["reference_passes"]
    for row in short.values():
        assert row["matched"] == row["reference_passes"] and row["missed_percent"] == row["extra_percent"] == 0.0
        assert all(row[key]["max"] == 0.0 for key in ("abs_daos_s", "abs_dtca_s", "abs_dlos_s"))
    assert all(r["pairs"] == 0 and r["missed_percent"] is None for r in rows if r["lead_bucket"] != "short")


def shifted(p, seconds: float):
    """Return pass ``p`` with AOS, TCA and LOS later by ``seconds``."""
    dt = timedelta(seconds=seconds)
    return replace(p, aos=p.aos + dt, tca=p.tca + dt, los=p.los + dt)


def test_shifted_dropped_and_invented_passes_give_the_figures_by_hand(answers):
    early, _ = answers
    start, _ = day_bounds(NOV(15))
    passes = [p for p in bench_age.day_passes(early, AKKOL, NOV(15), WINDOW_S)
              if start + timedelta(hours=2) <= p.tca < start + timedelta(hours=20)]
    reference = []
    for p in passes:  # five passes of five satellites: no other pass of theirs to match by mistake
        if p.norad_cat_id not in {r.norad_cat_id for r in reference} and len(reference) < 5:
            reference.append(p)
    candidate = [shifted(p, 10.0 * (i + 1)) for i, p in enumerate(reference[:4])] + [shifted(reference[0], 7200.0)]
    comparison = bench_age.compare(NOV(15), early, reference, early, candidate, WINDOW_S) | {"lead_bucket": "1", "lead_h": 24.0}
    (row,) = (r for r in lead_time.summarise_leads([comparison]) if r["lead_bucket"] == "1" and r["class"] == "all")
    assert (row["reference_passes"], row["matched"], row["missed"], row["extra"]) == (5, 4, 1, 1)
    assert (row["missed_percent"], row["extra_percent"]) == (20.0, 20.0)
    for key in ("abs_daos_s", "abs_dtca_s", "abs_dlos_s"):
        assert row[key] == pytest.approx({"median": 25.0, "p95": 38.5, "max": 40.0}, abs=1e-6)
