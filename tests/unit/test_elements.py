"""Parsing and validation of GP payloads, on the real CelesTrak snapshots."""

import json

import pytest

from constops import elements
from constops.errors import ElementsError
from tests.support.data import FIXTURES, snapshot_bytes


def test_every_format_of_the_same_day_gives_the_same_108_satellites():
    tle = elements.parse(snapshot_bytes("qianfan_2025-11-20.tle"))
    xml = elements.parse(snapshot_bytes("qianfan_2025-11-20.xml"))
    omm_json = elements.parse(snapshot_bytes("qianfan_2025-11-20.json"))
    assert len(tle) == len(xml) == 108
    assert omm_json == xml
    assert {s.norad_cat_id for s in tle} == {s.norad_cat_id for s in xml}
    assert tle[0].object_name == "QIANFAN-1" and tle[0].norad_cat_id == 60379


def test_omm_csv_with_celestrak_header_parses_like_json():
    records = json.loads(snapshot_bytes("qianfan_2025-11-20.json"))[:5]
    header = list(records[0])
    lines = [",".join(header)] + [",".join(str(r[k]) for k in header) for r in records]
    csv_sets = elements.parse("\r\n".join(lines).encode())
    assert csv_sets == elements.parse(json.dumps(records).encode())


def test_tle_epoch_and_elements_are_read_exactly():
    first = elements.parse(snapshot_bytes("qianfan_2025-11-20.tle"))[0]
    # Line 1: epoch 25323.95478422; line 2: i 88.9735, RAAN 301.6416, e .0015633, n 13.50974043
    assert first.epoch.isoformat().startswith("2025-11-19T22:54:53.35")
    assert (first.inclination_deg, first.ra_of_asc_node_deg) == (88.9735, 301.6416)
    assert (first.eccentricity, first.mean_motion_rev_per_day) == (0.0015633, 13.50974043)
    assert first.epoch.tzinfo is not None


def test_crlf_line_endings_are_accepted():
    lf = snapshot_bytes("qianfan_2025-11-20.tle")
    assert elements.parse(lf.replace(b"\n", b"\r\n")) == elements.parse(lf)


def test_bad_tle_checksum_names_the_line():
    text = snapshot_bytes("qianfan_2025-11-20.tle").decode()
    lines = text.splitlines()
    lines[1] = lines[1][:68] + str((int(lines[1][68]) + 1) % 10)
    with pytest.raises(ElementsError, match=r"checksum fails.*60379"):
        elements.parse("\n".join(lines).encode(), source="qianfan.tle")


def test_truncated_json_says_where_it_stops():
    payload = snapshot_bytes("qianfan_2025-11-20.json")[:5000]
    with pytest.raises(ElementsError, match=r"celestrak: invalid or truncated JSON .*5000 characters"):
        elements.parse(payload, source="celestrak")


@pytest.mark.parametrize("body, words", [
    (b"<!DOCTYPE html><html><body>Service Unavailable</body></html>", "HTML page"),
    (b"No GP data found", "not GP element data"),
    (b"", "empty"),
])
def test_answers_that_are_not_element_data_are_named(body, words):
    with pytest.raises(ElementsError, match=words):
        elements.parse(body)


@pytest.mark.parametrize("field, value, words", [
    ("ECCENTRICITY", 1.5, r"ECCENTRICITY=1.5 is outside"),
    ("MEAN_MOTION", "fast", r"MEAN_MOTION='fast' is not a number"),
    ("NORAD_CAT_ID", 12.5, r"NORAD_CAT_ID=12.5 is not an integer"),
    ("EPOCH", "yesterday", r"EPOCH='yesterday' is not an ISO-8601"),
    ("INCLINATION", None, r"INCLINATION is missing"),
])
def test_wrong_field_names_the_record_and_the_field(field, value, words):
    records = json.loads(snapshot_bytes("qianfan_2025-11-20.json"))
    records[3][field] = value
    with pytest.raises(ElementsError, match=rf"gp.json record 4: (field )?{words}"):
        elements.parse(json.dumps(records).encode(), source="gp.json")


def test_six_digit_catalog_numbers_parse_and_propagate():
    # CelesTrak's answer for a Starlink launched in 2026 with NORAD 100534 (OMM only, no TLE).
    record = {
        "OBJECT_NAME": "STARLINK-38244", "OBJECT_ID": "2026-200A", "EPOCH": "2026-10-01T22:11:24.452448",
        "MEAN_MOTION": 15.7759124, "ECCENTRICITY": 0.00032284, "INCLINATION": 70.0006,
        "RA_OF_ASC_NODE": 102.5417, "ARG_OF_PERICENTER": 274.4885, "MEAN_ANOMALY": 85.5946,
        "EPHEMERIS_TYPE": 0, "CLASSIFICATION_TYPE": "U", "NORAD_CAT_ID": 100534, "ELEMENT_SET_NO": 999,
        "REV_AT_EPOCH": 469, "BSTAR": 0.00066694375, "MEAN_MOTION_DOT": 0.00112611, "MEAN_MOTION_DDOT": 0,
    }
    for norad in (100534, 1_234_567):
        (parsed,) = elements.parse(json.dumps([{**record, "NORAD_CAT_ID": norad}]).encode())
        assert parsed.norad_cat_id == norad
        sat = parsed.satrec()
        error, r_km, _ = sat.sgp4(sat.jdsatepoch, sat.jdsatepochF + 0.5)
        assert error == 0 and 6700 < sum(x * x for x in r_km) ** 0.5 < 6800


def test_alpha5_catalog_numbers_in_tle_are_decoded():
    assert elements._alpha5_to_int("A0534") == 100534
    assert elements._alpha5_to_int("Z9999") == 339999
    assert elements._alpha5_to_int("60379") == 60379


def test_comparison_sample_of_other_constellations_parses():
    sets = elements.parse((FIXTURES / "comparison_sample.tle").read_bytes())
    assert {s.object_name for s in sets} >= {"ISS (ZARYA)", "CSS (TIANHE)", "STARLINK-1008", "ONEWEB-0012"}
    assert len(sets) == 9


def test_perigee_and_apogee_of_an_operational_qianfan_are_near_1068_km():
    first = elements.parse(snapshot_bytes("qianfan_2025-11-20.tle"))[0]
    assert 1040 < first.perigee_alt_km < first.apogee_alt_km < 1100
