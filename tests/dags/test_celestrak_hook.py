"""CelestrakHook against the CelesTrak stand-in on 127.0.0.1: one GET, the connection's
timeout, no retry of an answer, and none of the hook's own extras sent as headers."""

import pytest

from constops_airflow.hooks import CelestrakHook, CelestrakUnreachableError
from tests.support.data import snapshot_bytes


def test_one_get_of_the_group_in_omm_json_with_the_user_agent(celestrak, monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_CELESTRAK", celestrak.connection(timeout_s=5, connect_retries=2))
    answer = CelestrakHook().fetch_group("qianfan", "constops/test ops@example.kz", 10_000_000)
    assert (answer.status, answer.body) == (200, snapshot_bytes("qianfan_2025-11-20.json"))
    (request,) = celestrak.requests
    assert request["query"] == {"GROUP": "qianfan", "FORMAT": "json"}
    assert request["headers"]["user-agent"] == "constops/test ops@example.kz"
    assert "connect_retries" not in request["headers"] and "timeout" not in request["headers"]


def test_an_error_answer_is_returned_not_retried(celestrak, monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_CELESTRAK", celestrak.connection(timeout_s=5, connect_retries=3))
    celestrak.answer(503, b"Service Unavailable")
    assert CelestrakHook().fetch_group("qianfan", "constops/test", 1000).status == 503
    assert len(celestrak.requests) == 1


def test_the_connections_timeout_bounds_a_silent_server(celestrak, monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_CELESTRAK", celestrak.connection(timeout_s=0.5))
    celestrak.answer(200, b"[]", delay_s=2.0)
    with pytest.raises(CelestrakUnreachableError, match="the request timed out"):
        CelestrakHook().fetch_group("qianfan", "constops/test", 1000)


def test_an_unreachable_celestrak_is_said_plainly_with_what_to_do(monkeypatch):
    # .invalid never resolves (RFC 6761): what a machine without internet meets.
    monkeypatch.setenv("AIRFLOW_CONN_CELESTRAK", '{"conn_type": "http", "host": "celestrak.invalid", "schema": "http", '
                                                 '"extra": {"timeout": 5}}')
    with pytest.raises(CelestrakUnreachableError) as caught:
        CelestrakHook().fetch_group("qianfan", "constops/test", 1000)
    message = str(caught.value)
    assert message.startswith("CelesTrak cannot be reached at http://celestrak.invalid (")
    assert "make import FILES=" in message and "AIRFLOW_CONN_CELESTRAK" in message
    assert caught.value.__cause__ is None and "\n" not in message
