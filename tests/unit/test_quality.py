"""Quality gates on SQLite and PostgreSQL: a computed day passes; impossible rows fail it, by name."""

from datetime import date

import pytest
from sqlalchemy import update

from constops import errors, quality, snapshots
from constops.archive import RawArchive
from constops.reporting import schema
from constops.reporting.store import connect
from tests.support.data import SNAPSHOTS
from tests.support.days import compute_day

DAY = date(2025, 11, 20)


@pytest.fixture
def computed_day(reporting_url, tmp_path):
    engine = connect(reporting_url)
    archive = RawArchive(str(tmp_path / "archive"))
    snapshots.import_file(engine, archive, SNAPSHOTS / "qianfan_2025-11-20.tle", "qianfan")
    compute_day(engine, archive, DAY)
    yield engine
    engine.dispose()


def test_a_computed_day_passes_every_check(computed_day):
    assert quality.require(computed_day, quality.PASS_CHECKS, "qianfan", DAY)["checks_passed"] == len(quality.PASS_CHECKS)
    assert quality.require(computed_day, quality.COVERAGE_CHECKS, "qianfan", DAY)["checks_passed"] > 5


def test_impossible_rows_fail_the_day_naming_the_checks(computed_day):
    with computed_day.begin() as conn:
        passes = schema.gateway_passes
        first = conn.execute(passes.select().limit(1)).first()
        conn.execute(update(passes).where(passes.c.norad_cat_id == first.norad_cat_id, passes.c.aos == first.aos)
                     .values(tca=first.los, max_elevation_deg=91.0))
        conn.execute(update(schema.coverage_cells).where(schema.coverage_cells.c.cell_id == 0).values(percent_time_covered=-1))
        cells = schema.coverage_cells
        one = conn.execute(cells.select().limit(1)).first()
        conn.execute(update(cells).where(cells.c.cell_id == one.cell_id).values(percent_time_covered=101.0))
    with pytest.raises(errors.DataQualityError, match=r"failed 2 quality check\(s\): passes are ordered.*between the mask"):
        quality.require(computed_day, quality.PASS_CHECKS, "qianfan", DAY)
    with pytest.raises(errors.DataQualityError, match="cell percentages lie in"):
        quality.require(computed_day, quality.COVERAGE_CHECKS, "qianfan", DAY)


def test_a_pass_running_into_the_same_satellites_next_pass_fails_the_day(computed_day):
    from datetime import timedelta

    passes = schema.gateway_passes
    with computed_day.begin() as conn:
        rows = conn.execute(passes.select().order_by(passes.c.norad_cat_id, passes.c.aos)).all()
        first, second = next((a, b) for a, b in zip(rows, rows[1:]) if a.norad_cat_id == b.norad_cat_id)
        conn.execute(update(passes).where(passes.c.norad_cat_id == first.norad_cat_id, passes.c.aos == first.aos)
                     .values(los=second.aos + timedelta(minutes=1)))
    with pytest.raises(errors.DataQualityError, match=r"failed 1 quality check\(s\): passes of one satellite do not overlap"):
        quality.require(computed_day, quality.PASS_CHECKS, "qianfan", DAY)
