"""Several constellations in one day, through the real DAGs: one request per constellation,
spaced; one constellation's bad answer fails only its own day, and says so."""

import os
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from constops.reporting import schema
from constops.reporting.store import count_rows
from tests.dags.test_daily_pipeline import run
from tests.support.data import snapshot_bytes

DAY = date(2025, 11, 20)
SPACING_S = 1.0


@pytest.fixture
def two_constellations(pipeline, tmp_path, monkeypatch):
    """The pipeline fixture with Qianfan and OneWeb configured, requests spaced by SPACING_S."""
    settings = tmp_path / "two.toml"
    settings.write_text(f'[pipeline]\nconstellations = ["qianfan", "oneweb"]\nrequest_spacing_s = {SPACING_S}\n')
    monkeypatch.setenv("CONSTOPS_SETTINGS", str(settings))
    return pipeline


def test_one_constellations_bad_answer_leaves_the_others_day_intact(two_constellations):
    dagbag, celestrak, engine = two_constellations
    celestrak.answer_query("GROUP", "qianfan", 200, snapshot_bytes("qianfan_2025-11-20.json"))
    celestrak.answer_query("GROUP", "oneweb", 503, b"<html>Service Unavailable</html>")

    ingest = run(dagbag, "tle_ingest", DAY)
    states = {ti.task_id: ti.state for ti in ingest.get_task_instances()}
    # Published for Qianfan; the run is red and its last task names OneWeb.
    assert ingest.state == "failed" and states == {"ingest": "success", "every_constellation": "failed"}
    assert [r["query"]["GROUP"] for r in celestrak.requests] == ["qianfan", "oneweb"]  # one each, no retry
    # Spaced: timed where the stand-in receives them, so within 50 ms of the client's pacing.
    assert celestrak.requests[1]["at"] - celestrak.requests[0]["at"] >= SPACING_S - 0.05

    for dag_id, table in (("gateway_passes", schema.gateway_daily), ("coverage", schema.coverage_daily)):
        downstream = run(dagbag, dag_id, DAY)
        states = {ti.task_id: ti.state for ti in downstream.get_task_instances()}
        # Both days fit one shard: compute_day computes and checks Qianfan's, then fails naming OneWeb.
        assert downstream.state == "failed" and states.pop("compute_day") == "failed", states
        assert set(states.values()) == {"upstream_failed"}, states
        with engine.connect() as conn:
            constellation_ids = dict(conn.execute(select(table.c.group_name, func.count()).group_by(table.c.group_name)).all())
        assert set(constellation_ids) == {"qianfan"} and constellation_ids["qianfan"] > 0

    rejected = count_rows(engine, schema.gp_snapshots, group_name="oneweb", status="rejected")
    assert rejected == 1  # the refusal is archived and recorded
    alerts = Path(os.environ["CONSTOPS_ALERTS_FILE"]).read_text().splitlines()
    failed = [line for line in alerts if " FAILED " in line]
    assert len(failed) == 3  # one per run, each naming the constellation and why
    assert all("oneweb" in line and "qianfan" not in line.split("): ")[-1] for line in failed), failed
    assert "CelesTrak answered HTTP 503" in failed[0]
    assert all("1 constellation(s) not" in line for line in failed)


def test_a_refusal_of_the_client_stops_every_further_request(two_constellations):
    dagbag, celestrak, engine = two_constellations
    celestrak.answer_query("GROUP", "qianfan", 403, b"Forbidden: your address is blocked")
    celestrak.answer_query("GROUP", "oneweb", 200, b"[]")

    ingest = run(dagbag, "tle_ingest", DAY)
    assert ingest.state == "failed"
    assert [r["query"]["GROUP"] for r in celestrak.requests] == ["qianfan"]  # OneWeb is not asked
    alerts = Path(os.environ["CONSTOPS_ALERTS_FILE"]).read_text()
    assert "no constellation could be ingested" in alerts and "oneweb: CelestrakAnswerError: not requested" in alerts
