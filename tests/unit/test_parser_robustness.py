"""Property-based robustness of every GP parser (hypothesis): arbitrary bytes and mutated
real payloads either parse into valid element sets or raise ElementsError, nothing else."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from constops import celestrak, elements, errors
from constops.errors import ElementsError
from tests.support.data import snapshot_bytes

REAL = {fmt: snapshot_bytes(f"qianfan_2025-11-20.{fmt}")[:6000] for fmt in ("tle", "json", "xml")}
REAL["csv"] = (
    "OBJECT_NAME,OBJECT_ID,EPOCH,MEAN_MOTION,ECCENTRICITY,INCLINATION,RA_OF_ASC_NODE,ARG_OF_PERICENTER,"
    "MEAN_ANOMALY,EPHEMERIS_TYPE,CLASSIFICATION_TYPE,NORAD_CAT_ID,ELEMENT_SET_NO,REV_AT_EPOCH,BSTAR,"
    "MEAN_MOTION_DOT,MEAN_MOTION_DDOT\r\n"
    + "\r\n".join(",".join(str(r[k]) for k in r) for r in json.loads(snapshot_bytes("qianfan_2025-11-20.json"))[:10])
).encode()
FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def parses_or_says_why(payload: bytes, fmt: str | None) -> None:
    try:
        sets = elements.parse(payload, fmt)
    except ElementsError as exc:
        assert str(exc)  # the error names what is wrong
        return
    assert sets and all(0 <= s.eccentricity < 1 and 0 <= s.inclination_deg <= 180 for s in sets)


@FAST
@given(st.binary(max_size=2000), st.sampled_from([None, *elements.FORMATS]))
def test_arbitrary_bytes_raise_only_elements_error(payload, fmt):
    parses_or_says_why(payload, fmt)


@FAST
@given(st.sampled_from(sorted(REAL)), st.data())
def test_mutated_real_payloads_raise_only_elements_error(fmt, data):
    payload = bytearray(REAL[fmt])
    for _ in range(data.draw(st.integers(1, 8))):
        kind = data.draw(st.sampled_from(["flip", "cut", "insert", "delete"]))
        at = data.draw(st.integers(0, max(0, len(payload) - 1)))
        if kind == "flip" and payload:
            payload[at] = data.draw(st.integers(0, 255))
        elif kind == "cut":
            del payload[at:]
        elif kind == "insert":
            payload[at:at] = data.draw(st.binary(min_size=1, max_size=20))
        elif payload:
            del payload[at:at + data.draw(st.integers(1, 40))]
    parses_or_says_why(bytes(payload), data.draw(st.sampled_from([None, fmt])))


@FAST
@given(st.integers(100, 599), st.binary(max_size=500))
def test_celestrak_answers_raise_only_their_error_type(status, body):
    try:
        celestrak.check_answer("http://127.0.0.1/gp.php", status, body)
    except errors.CelestrakAnswerError as exc:
        assert "127.0.0.1" in str(exc)
    else:
        assert status == 200
