"""Gateway passes against Skyfield's ``find_events`` on the real 2025-11-20 snapshot.

Tolerances: AOS, TCA and LOS within 1 s; maximum elevation within 0.01 degree;
the same number of passes for every satellite.
"""

from datetime import datetime, timedelta, timezone

from skyfield.api import EarthSatellite, load, wgs84

from constops import elements
from constops.passes import find_passes
from constops.sites import Station
from tests.conftest import snapshot_bytes

ONE_SECOND = 1.0
ONE_HUNDREDTH_DEG = 0.01
AKKOL = Station("akkol", "Akkol", 52.0, 70.9, 400.0, 10.0)
DAY_START = datetime(2025, 11, 20, tzinfo=timezone.utc)
DAY_END = DAY_START + timedelta(days=1)


def skyfield_satellites(payload: bytes):
    """Return Skyfield's own satellites from a 3-line TLE or an OMM JSON payload."""
    import json

    ts = load.timescale(builtin=True)
    if payload.lstrip().startswith(b"["):
        return ts, [EarthSatellite.from_omm(ts, fields) for fields in json.loads(payload)]
    lines = payload.decode().splitlines()
    return ts, [EarthSatellite(lines[i + 1], lines[i + 2], lines[i].strip(), ts) for i in range(0, len(lines), 3)]


def skyfield_passes(payload: bytes, station: Station, mask_deg: float, start, end):
    """Return {norad: [(aos, tca, los, max_el_deg)]} from find_events, TCA in [start, end)."""
    ts, satellites = skyfield_satellites(payload)
    site = wgs84.latlon(station.lat_deg, station.lon_deg, elevation_m=station.alt_m)
    found = {}
    for sat in satellites:
        t, events = sat.find_events(
            site, ts.from_datetime(start - timedelta(hours=1)), ts.from_datetime(end + timedelta(hours=1)),
            altitude_degrees=mask_deg,
        )
        rise = culmination = None
        for ti, event in zip(t, events):
            if event == 0:
                rise, culmination = ti, None
            elif event == 1 and rise is not None:
                culmination = ti
            elif event == 2 and rise is not None and culmination is not None:
                if start <= culmination.utc_datetime() < end:
                    max_el = (sat - site).at(culmination).altaz()[0].degrees
                    found.setdefault(sat.model.satnum, []).append(
                        (rise.utc_datetime(), culmination.utc_datetime(), ti.utc_datetime(), max_el))
                rise = culmination = None
    return found


def compare_passes(ours, theirs):
    """Return (count mismatches, worst AOS/TCA/LOS difference s, worst max-elevation difference deg)."""
    by_sat = {}
    for p in ours:
        by_sat.setdefault(p.norad_cat_id, []).append(p)
    mismatched = {n for n in set(by_sat) | set(theirs) if len(by_sat.get(n, [])) != len(theirs.get(n, []))}
    worst_s = worst_deg = 0.0
    for norad, passes in theirs.items():
        for p, (aos, tca, los, max_el) in zip(sorted(by_sat.get(norad, []), key=lambda p: p.aos), passes):
            worst_s = max(worst_s, *(abs((a - b).total_seconds()) for a, b in ((p.aos, aos), (p.tca, tca), (p.los, los))))
            worst_deg = max(worst_deg, abs(p.max_elevation_deg - max_el))
    return mismatched, worst_s, worst_deg


def test_akkol_passes_match_skyfield_find_events():
    payload = snapshot_bytes("qianfan_2025-11-20.tle")
    ours = find_passes(elements.parse(payload), AKKOL, DAY_START, DAY_END, 10.0)
    theirs = skyfield_passes(payload, AKKOL, 10.0, DAY_START, DAY_END)
    mismatched, worst_s, worst_deg = compare_passes(ours, theirs)
    assert len(ours) == sum(len(v) for v in theirs.values()) > 500
    assert not mismatched
    assert worst_s < ONE_SECOND
    assert worst_deg < ONE_HUNDREDTH_DEG


def test_passes_at_a_high_mask_match_skyfield_too():
    payload = snapshot_bytes("qianfan_2025-11-17.tle")
    start = datetime(2025, 11, 17, tzinfo=timezone.utc)
    end = start + timedelta(hours=8)
    ours = find_passes(elements.parse(payload), AKKOL, start, end, 40.0)
    theirs = skyfield_passes(payload, AKKOL, 40.0, start, end)
    mismatched, worst_s, _ = compare_passes(ours, theirs)
    assert ours and not mismatched and worst_s < ONE_SECOND


def test_a_pass_belongs_to_the_day_of_its_tca_and_keeps_its_true_aos():
    sets = elements.parse(snapshot_bytes("qianfan_2025-11-20.tle"))
    passes = find_passes(sets, AKKOL, DAY_START, DAY_END, 10.0)
    assert all(DAY_START <= p.tca < DAY_END for p in passes)
    assert all(p.aos < p.tca < p.los and p.max_elevation_deg >= 10.0 for p in passes)
    assert any(p.aos < DAY_START for p in passes) or any(p.los >= DAY_END for p in passes)
    next_day = find_passes(sets, AKKOL, DAY_END, DAY_END + timedelta(days=1), 10.0)
    assert not {(p.norad_cat_id, p.tca) for p in passes} & {(p.norad_cat_id, p.tca) for p in next_day}
