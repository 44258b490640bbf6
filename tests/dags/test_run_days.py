"""The day a run computes, and how a bad run parameter is refused before any work: at once,
without the retries that could not help (AirflowFailException)."""

from datetime import date, datetime, timezone
from types import SimpleNamespace

import pytest
from airflow.sdk.exceptions import AirflowFailException

from constops_airflow.runs import run_day


def context(partition_key=None, day=None, logical_date=None):
    return {"dag_run": SimpleNamespace(partition_key=partition_key, run_id="manual__test"),
            "params": {"day": day}, "logical_date": logical_date}


def test_partition_key_wins_then_the_day_parameter_then_the_logical_date():
    assert run_day(context("2025-11-17", "2025-11-18")) == date(2025, 11, 17)
    assert run_day(context(None, "2025-11-18")) == date(2025, 11, 18)
    assert run_day(context(None, None, datetime(2025, 11, 19, tzinfo=timezone.utc))) == date(2025, 11, 19)


@pytest.mark.parametrize("ctx, says", [
    (context(None, "2025-13-45"), r"run manual__test: 'day' parameter '2025-13-45': day '2025-13-45' is not an ISO date"),
    (context("yesterday"), r"partition key 'yesterday'"),
    (context(), r"names no day: trigger it with the 'day' parameter"),
    (context("2020-01-01"), r"partition key '2020-01-01': day 2020-01-01 is before the pipeline's first day 2025-11-01"),
    (context(None, None, datetime(2019, 12, 31, tzinfo=timezone.utc)),
     r"logical date 2019-12-31 00:00 UTC: day 2019-12-31 is before the pipeline's first day"),
])
def test_a_run_without_a_valid_day_is_refused_with_the_reason(ctx, says):
    with pytest.raises(AirflowFailException, match=says):
        run_day(ctx)
