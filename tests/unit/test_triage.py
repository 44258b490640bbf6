"""Record triage on the real 2026 CelesTrak answers of the corpus, and on real answers with
one bad record planted: each record is loaded, flagged or set aside with its reason.

References we did not write: the anomaly counts of ``data/snapshots/qianfan/CORPUS_2026.md``
(measured by whoever assembled the corpus, with python-sgp4), and CelesTrak's own TLE and
XML renderings of the same 2026-08-31 answer.
"""

import json
import math
from datetime import datetime, timezone

import pytest

from constops import elements
from constops.errors import ElementsError
from constops.flags import drag_signature
from constops.fleet import fleet_status
from constops.triage import triage_answer
from constops.validation import PayloadLimits, check_payload
from tests.support.data import snapshot_bytes

CORPUS = ("qianfan_2026-04-15.tle", "qianfan_2026-08-31.tle", "qianfan_2026-08-31.xml")
#: From CORPUS_2026.md's anomaly table: |BSTAR| > 0.1, BSTAR < 0, |MEAN_MOTION_DOT| > 0.01.
CORPUS_COUNTS = {
    "qianfan_2026-04-15.tle": {"records": 108, "extreme_bstar": 0, "negative_bstar": 3, "large_mean_motion_dot": 0},
    "qianfan_2026-08-31.tle": {"records": 238, "extreme_bstar": 16, "negative_bstar": 20, "large_mean_motion_dot": 16},
    "qianfan_2026-08-31.xml": {"records": 238, "extreme_bstar": 16, "negative_bstar": 20, "large_mean_motion_dot": 16},
}
ACQUIRED = {"qianfan_2026-04-15.tle": datetime(2026, 4, 15, tzinfo=timezone.utc)}
REAL_JSON = json.loads(snapshot_bytes("qianfan_2025-11-20.json"))
TLE_LINES = snapshot_bytes("qianfan_2025-11-20.tle").decode().splitlines()
NOV_20 = datetime(2025, 11, 20, 18, 30, tzinfo=timezone.utc)


def triage(payload: bytes, acquired=NOV_20, source="answer"):
    return triage_answer(payload, None, source, acquired, max_future_epoch_h=6.0)


@pytest.mark.parametrize("name", CORPUS)
def test_every_corpus_answer_loads_whole_and_flags_what_the_corpus_counts(name):
    result = triage(snapshot_bytes(name), ACQUIRED.get(name, datetime(2026, 9, 1, tzinfo=timezone.utc)), name)
    expected = CORPUS_COUNTS[name]
    assert result.record_count == len(result.element_sets) == expected["records"]
    assert result.set_aside == []
    by_rule = result.account().flagged_by_rule()
    for rule in ("extreme_bstar", "negative_bstar", "large_mean_motion_dot"):
        assert by_rule.get(rule, 0) == expected[rule], rule
    assert "low_mean_motion" not in by_rule and "high_eccentricity" not in by_rule  # 13.47-14.28 rev/day, e <= 0.0041


def test_the_most_extreme_record_of_2026_loads_with_its_bstar_and_is_manoeuvring():
    sets = {s.norad_cat_id: s for s in elements.read_records(snapshot_bytes("qianfan_2026-08-31.xml")).element_sets}
    qianfan_199 = sets[69417]  # CORPUS_2026.md: BSTAR -3.5579, MEAN_MOTION_DOT -0.02087809
    assert qianfan_199.object_name == "QIANFAN-199"
    assert math.isclose(qianfan_199.bstar_per_earth_radius, -3.5579, rel_tol=1e-4)
    assert drag_signature(qianfan_199) == "manoeuvring"
    statuses = fleet_status(list(sets.values()), datetime(2026, 9, 1, tzinfo=timezone.utc))
    manoeuvring = {s.norad_cat_id for s in statuses if s.status == "manoeuvring"}
    # The 16 strongly negative records of CORPUS_2026.md (launches 2026-104/108/125/153/155).
    assert len(manoeuvring) == 16 and 69417 in manoeuvring and 69087 in manoeuvring


def test_tle_and_xml_of_the_same_answer_load_the_same_element_sets():
    # CelesTrak's TLE truncates eccentricity to 7 digits and rounds BSTAR to 5 significant
    # digits (CORPUS_2026.md, "Precision"): the tolerances are those roundings.
    tle = {s.norad_cat_id: s for s in elements.parse(snapshot_bytes("qianfan_2026-08-31.tle"))}
    xml = {s.norad_cat_id: s for s in elements.parse(snapshot_bytes("qianfan_2026-08-31.xml"))}
    assert tle.keys() == xml.keys() and len(tle) == 238
    compared = 0
    for norad, a in tle.items():
        b = xml[norad]
        if abs((a.epoch - b.epoch).total_seconds()) > 2e-6:
            continue  # only where the epochs agree
        compared += 1
        assert (a.object_name, a.object_id, a.element_set_no, a.rev_at_epoch) == (b.object_name, b.object_id,
                                                                                  b.element_set_no, b.rev_at_epoch)
        assert abs(a.eccentricity - b.eccentricity) < 1e-7
        assert math.isclose(a.bstar_per_earth_radius, b.bstar_per_earth_radius, rel_tol=1e-4, abs_tol=1e-9)
        for field in ("mean_motion_rev_per_day", "inclination_deg", "ra_of_asc_node_deg", "arg_of_pericenter_deg",
                      "mean_anomaly_deg", "mean_motion_dot"):
            assert math.isclose(getattr(a, field), getattr(b, field), rel_tol=0, abs_tol=1e-8), field
    assert compared == 238


def _json_with(index, **fields) -> bytes:
    records = [dict(r) for r in REAL_JSON]
    records[index].update(fields)
    return json.dumps(records).encode()


@pytest.mark.parametrize("payload, rule, field, value", [
    (_json_with(5, INCLINATION="eighty-nine"), "unreadable_value", "INCLINATION", "eighty-nine"),
    (_json_with(5, ECCENTRICITY=1.5), "out_of_domain", "ECCENTRICITY", "1.5"),
    (_json_with(5, MEAN_MOTION=None), "missing_field", "MEAN_MOTION", None),
    (_json_with(5, MEAN_MOTION=19.9), "sgp4_init", None, "6"),  # 19.9 rev/day: decayed at its epoch
    (_json_with(5, EPOCH="2025-11-23T00:00:00.000000"), "future_epoch", "EPOCH", "2025-11-23T00:00:00+00:00"),
])
def test_one_bad_record_is_set_aside_with_its_reason_and_the_rest_loads(payload, rule, field, value):
    result = triage(payload)
    assert len(result.element_sets) == 107 and result.record_count == 108
    (aside,) = result.set_aside
    assert (aside.record_no, aside.norad_cat_id, aside.object_name) == (6, REAL_JSON[5]["NORAD_CAT_ID"], "QIANFAN-6")
    assert (aside.rule, aside.field, aside.value) == (rule, field, value)
    assert 60384 not in {s.norad_cat_id for s in result.element_sets}
    check_payload(result, NOV_20, 108, PayloadLimits())  # one record in 108 is no reason to reject the answer


def test_a_csv_row_with_a_bad_value_costs_only_itself():
    header = list(REAL_JSON[0])
    rows = [[str(r[k]) for k in header] for r in REAL_JSON]
    rows[7][header.index("MEAN_MOTION")] = "fast"
    result = triage("\r\n".join(",".join(row) for row in [header] + rows).encode())
    (aside,) = result.set_aside
    assert (aside.record_no, aside.object_name, aside.rule, aside.field, aside.value) == (
        8, "QIANFAN-8", "unreadable_value", "MEAN_MOTION", "fast")
    assert len(result.element_sets) == 107


def test_a_tle_set_with_a_bad_checksum_or_no_line_2_costs_only_itself():
    lines = list(TLE_LINES)
    lines[4] = lines[4][:68] + str((int(lines[4][68]) + 3) % 10)  # QIANFAN-2, line 1
    del lines[8]  # QIANFAN-3 loses its line 2
    result = triage("\n".join(lines).encode())
    assert [(s.record_no, s.norad_cat_id, s.object_name, s.rule) for s in result.set_aside] == [
        (2, 60380, "QIANFAN-2", "checksum"), (3, 60381, "QIANFAN-3", "malformed_tle")]
    assert len(result.element_sets) == 106 and [s.object_name for s in result.element_sets[:2]] == ["QIANFAN-1", "QIANFAN-4"]


def test_a_repeated_norad_id_keeps_the_newest_epoch():
    older = {**REAL_JSON[0], "EPOCH": "2025-11-18T00:00:00.000000", "ELEMENT_SET_NO": 1}
    result = triage(json.dumps([older] + REAL_JSON).encode())
    (aside,) = result.set_aside
    assert (aside.record_no, aside.rule, aside.value) == (1, "duplicate", "2025-11-18T00:00:00+00:00")
    kept = next(s for s in result.element_sets if s.norad_cat_id == older["NORAD_CAT_ID"])
    assert kept.epoch.isoformat().startswith("2025-11-20")


def test_too_many_records_set_aside_reject_the_answer_with_counts_and_names():
    records = [dict(r) for r in REAL_JSON]
    for record in records[:30]:
        record["INCLINATION"] = "eighty-nine"
    result = triage(json.dumps(records).encode(), source="gp.php?GROUP=qianfan")
    with pytest.raises(ElementsError) as caught:
        check_payload(result, NOV_20, 108, PayloadLimits())
    assert str(caught.value) == (
        "gp.php?GROUP=qianfan: 30 of 108 records (28%) cannot be propagated and are set aside, more than the limit of 20%; "
        "108 records: 78 loaded (6 flagged: negative_bstar 6), 30 set aside (unreadable_value 30: 60379 QIANFAN-1, 60380 QIANFAN-2, "
        "60381 QIANFAN-3, ...)")


def test_the_account_counts_flags_by_rule():
    result = triage(snapshot_bytes("qianfan_2026-08-31.tle"), datetime(2026, 9, 1, tzinfo=timezone.utc))
    assert result.account().describe() == (
        "238 records: 238 loaded (20 flagged: negative_bstar 20, extreme_bstar 16, large_mean_motion_dot 16)")


def test_six_digit_catalog_numbers_load_from_omm():
    # No real answer with a catalog number above 99999 is in any public copy we could read
    # (CORPUS_2026.md; CelesTrak serves such objects only as OMM). The real XML of
    # 2026-08-31 with two objects renumbered, as CelesTrak will number new objects, stands in.
    xml = snapshot_bytes("qianfan_2026-08-31.xml")
    for old, new in ((b"69866", b"100001"), (b"69867", b"123456")):
        assert xml.count(b"<NORAD_CAT_ID>" + old + b"</NORAD_CAT_ID>") == 1
        xml = xml.replace(b"<NORAD_CAT_ID>" + old + b"</NORAD_CAT_ID>", b"<NORAD_CAT_ID>" + new + b"</NORAD_CAT_ID>")
    result = triage(xml, datetime(2026, 9, 1, tzinfo=timezone.utc))
    ids = {s.norad_cat_id for s in result.element_sets}
    assert {100001, 123456} <= ids and len(ids) == 238 and result.set_aside == []
    renumbered = next(s for s in result.element_sets if s.norad_cat_id == 123456)
    assert renumbered.satrec().error == 0


def test_a_line_2_without_its_line_1_is_set_aside_and_the_next_set_keeps_its_name():
    three_line = list(TLE_LINES)
    del three_line[4]  # QIANFAN-2 loses its line 1: its name, then a lone line 2
    result = triage("\n".join(three_line).encode())
    assert [(s.norad_cat_id, s.object_name, s.rule) for s in result.set_aside] == [(60380, "QIANFAN-2", "malformed_tle")]
    assert result.element_sets[1].object_name == "QIANFAN-3" and len(result.element_sets) == 107
    two_line = [line for line in TLE_LINES if line.startswith(("1 ", "2 "))]
    del two_line[2]  # the second set's line 1
    result = triage("\n".join(two_line).encode())
    assert [(s.norad_cat_id, s.rule) for s in result.set_aside] == [(60380, "malformed_tle")]
    assert [s.object_name for s in result.element_sets[:2]] == ["60379", "60381"]


def test_a_name_too_long_for_the_reporting_table_is_set_aside():
    result = triage(_json_with(2, OBJECT_NAME="Q" * 65))
    (aside,) = result.set_aside
    assert (aside.rule, aside.field, len(aside.object_name)) == ("out_of_domain", "OBJECT_NAME", 64)


@pytest.mark.parametrize("norad", [100_000, 339_999, 340_000, 999_999])
def test_catalog_numbers_beyond_five_digits_and_alpha_5_load_and_propagate(norad):
    (element_set,) = triage(json.dumps([{**REAL_JSON[0], "NORAD_CAT_ID": norad}]).encode()).element_sets
    assert element_set.norad_cat_id == norad
    error, r_km, _ = element_set.satrec().sgp4(*elements_epoch_jd(element_set))
    assert error == 0 and 7000 < sum(x * x for x in r_km) ** 0.5 < 8000


def elements_epoch_jd(element_set):
    from constops.timescale import julian

    return julian(element_set.epoch)
