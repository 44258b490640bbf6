"""Keep-out geometry, usable intervals and the contact plan, against references we did not write.

* The Sun: PyEphem (VSOP87), topocentric from Akkol without refraction; the Almanac's
  formula is good to 0.01 degrees, so the tolerance is 0.02 degrees.
* The GSO-arc separation: a brute force over 720,000 points of the arc (0.0005 degrees of
  longitude); tolerance 1e-4 degrees.
* Look angles of the usable intervals: Skyfield; tolerance 0.01 degrees.
* The contact plan on the real Qianfan day of 2025-11-20 (first two hours): every rule
  checked second by second (contacts inside usable seconds, one satellite per antenna at a
  time, slews from the stored directions), and the one-link share within 1 point of the
  upper bound (the share of time with a usable satellite).
"""

import dataclasses
from datetime import datetime, timedelta, timezone

import ephem
import numpy as np
import pytest

from constops import elements
from constops.antennas import AntennaSpec
from constops.contact_plan import ContactRules, plan_contacts, violations
from constops.geometry import look_angles, teme_to_ecef_km
from constops.keep_out import gso_arc_directions, gso_separation_deg
from constops.passes import find_passes
from constops.settings import load_settings
from constops.sun import sun_direction_ecef
from constops.timescale import TimeGrid, julian
from constops.usable_intervals import usable_intervals
from tests.support.data import snapshot_bytes
from tests.unit.test_passes import AKKOL, skyfield_satellites

TWO_HUNDREDTHS_DEG = 0.02
TEN_THOUSANDTH_DEG = 1e-4
ONE_HUNDREDTH_DEG = 0.01
FIFTY_M_KM = 0.05
DAY_START = datetime(2025, 11, 20, tzinfo=timezone.utc)
SLICE_S = 2 * 3600
SETTINGS = load_settings(environ={})  # the solver's default limit, not the suite's
SPEC = AKKOL.antennas
RULES = ContactRules.from_settings(SETTINGS)


def angle_deg(a, b) -> np.ndarray:
    return np.degrees(np.arccos(np.clip(np.sum(a * b, axis=-1), -1.0, 1.0)))


def test_the_sun_is_where_pyephem_puts_it():
    moments = [datetime(2025, 1, 1, tzinfo=timezone.utc) + timedelta(hours=181 * k + 0.37) for k in range(48)]
    observer = ephem.Observer()
    observer.lat, observer.lon, observer.elevation = str(AKKOL.lat_deg), str(AKKOL.lon_deg), AKKOL.alt_m
    observer.pressure = 0  # no refraction
    worst = 0.0
    for moment in moments:
        observer.date = moment.replace(tzinfo=None)
        sun = ephem.Sun(observer)
        alt, az = float(sun.alt), float(sun.az)
        reference = np.array([np.cos(alt) * np.sin(az), np.cos(alt) * np.cos(az), np.sin(alt)])
        jd, fraction = julian(moment)
        ours_ecef = sun_direction_ecef(np.array([jd]), np.array([fraction]))[0]
        ours = AKKOL.enu @ ours_ecef
        worst = max(worst, float(angle_deg(ours, reference)))
    assert worst < TWO_HUNDREDTHS_DEG


def test_gso_separation_matches_a_brute_force_over_the_arc():
    rng = np.random.default_rng(7)
    los = rng.normal(size=(200, 3))
    los /= np.linalg.norm(los, axis=1, keepdims=True)
    arc = gso_arc_directions(AKKOL.ecef_km, np.arange(0.0, 360.0, 0.0005))
    brute = np.degrees(np.arccos(np.clip((los @ arc.T).max(axis=1), -1.0, 1.0)))
    assert np.abs(gso_separation_deg(AKKOL.ecef_km, los) - brute).max() < TEN_THOUSANDTH_DEG
    partial = gso_separation_deg(AKKOL.ecef_km, los, exact_below_deg=10.0)
    near = brute < 10.0
    assert near.any() and (~near).any()
    assert np.abs(partial[near] - brute[near]).max() < TEN_THOUSANDTH_DEG
    assert (partial[~near] >= 10.0).all()  # certainly outside, not exact


def test_the_arc_culminates_in_the_south_at_the_elevation_of_geometry():
    # Seen from 52 N at the station's longitude, the arc's highest point is due south at
    # atan((cos(lat) - R/r) / sin(lat)) with R/r = 6378/42164 (spherical Earth: within 0.2 degrees).
    direction = gso_arc_directions(AKKOL.ecef_km, [AKKOL.lon_deg])
    east, north, up = AKKOL.enu @ direction[0]
    lat = np.radians(AKKOL.lat_deg)
    expected = np.degrees(np.arctan((np.cos(lat) - 6378.137 / 42164.137) / np.sin(lat)))
    assert north < 0 and abs(east) < 1e-9
    assert abs(np.degrees(np.arcsin(up)) - expected) < 0.2


def test_a_slew_takes_the_slower_axis_and_the_shorter_way_round():
    assert SPEC.slew_s(350.0, 20.0, 10.0, 20.0) == pytest.approx(20.0 / 10.0 + 10.0)
    assert SPEC.slew_s(0.0, 10.0, 0.0, 60.0) == pytest.approx(50.0 / 5.0 + 10.0)
    assert SPEC.max_slew_s() == pytest.approx(28.0)


def test_antennas_below_the_stations_mask_are_refused_naming_the_station(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text('[[stations]]\nstation_id = "x"\nlat_deg = 50\nlon_deg = 70\nalt_m = 0\nmin_elevation_deg = 10\n'
                    'antennas = { count = 2, mount = "az_el", slew_rate_az_deg_s = 5.0, slew_rate_el_deg_s = 5.0, '
                    'retarget_s = 5.0, min_elevation_deg = 5.0, keyhole_elevation_deg = 85.0, '
                    'gso_separation_deg = 10.0, sun_separation_deg = 5.0, priority = { qianfan = 1 } }\n'
                    '[constellations.qianfan]\nstations = ["x"]\n')
    with pytest.raises(ValueError, match="'x'.*below the station's pass mask"):
        load_settings(path)
    with pytest.raises(ValueError, match="mount 'x_y'"):
        AntennaSpec(1, "x_y", 1, 1, 1, 10, 80, 10, 5, (("qianfan", 1),))


AKKOL_ANTENNAS = {"count": 4, "mount": '"az_el"', "slew_rate_az_deg_s": 10.0, "slew_rate_el_deg_s": 5.0,
                  "retarget_s": 10.0, "min_elevation_deg": 10.0, "keyhole_elevation_deg": 87.0,
                  "gso_separation_deg": 10.0, "sun_separation_deg": 5.0, "priority": "{ qianfan = 1 }"}


@pytest.mark.parametrize("key, value, says", [
    ("count", 0, "antenna count must be at least 1, not 0"),
    ("slew_rate_az_deg_s", -2.0, "antenna slew_rate_az_deg_s must be above 0, not -2.0"),
    ("slew_rate_el_deg_s", 0.0, "antenna slew_rate_el_deg_s must be above 0, not 0.0"),
    ("retarget_s", -1.0, "antenna retarget_s must be 0 or more, not -1.0"),
    ("gso_separation_deg", 180.0, "antenna gso_separation_deg must be from 0 to under 90 degrees"),
    ("sun_separation_deg", -5.0, "antenna sun_separation_deg must be from 0 to under 90 degrees"),
    ("keyhole_elevation_deg", 5.0, "antenna elevations must satisfy .* < keyhole_elevation_deg \\(5.0\\)"),
    ("mount", '"x_y"', "antenna mount 'x_y' is not one of az_el"),
    ("priority", "{ qianfan = 0 }", "antenna priority levels must be 1 or more"),
])
def test_a_bad_antenna_setting_is_refused_naming_the_station_and_the_setting(tmp_path, key, value, says):
    entry = ", ".join(f"{k} = {value if k == key else v}" for k, v in AKKOL_ANTENNAS.items())
    path = tmp_path / "s.toml"
    path.write_text('[[stations]]\nstation_id = "akkol"\nlat_deg = 51.99\nlon_deg = 70.94\nalt_m = 400\n'
                    f'min_elevation_deg = 10\nantennas = {{ {entry} }}\n')
    with pytest.raises(ValueError, match=f"\\[\\[stations\\]\\] 'akkol': antennas: {says}"):
        load_settings(path)


@pytest.fixture(scope="module")
def day_slice():
    """Return (usable intervals, keep-outs, element sets) of the first two hours of 2025-11-20."""
    element_sets = elements.parse(snapshot_bytes("qianfan_2025-11-20.tle"))
    passes = [p for p in find_passes(element_sets, AKKOL, DAY_START - timedelta(hours=1),
                                     DAY_START + timedelta(seconds=SLICE_S), AKKOL.min_elevation_deg, 180)
              if p.los > DAY_START]
    usable, keep_outs = usable_intervals({"qianfan": passes}, {"qianfan": element_sets}, AKKOL, SPEC, DAY_START,
                                         RULES.min_contact_s)
    usable = [i for i in usable if i.end_s <= SLICE_S]
    assert len(usable) > 30 and {k.cause for k in keep_outs} >= {"gso_arc"}
    return usable, keep_outs, element_sets


def test_usable_look_angles_match_skyfield_and_keep_outs_are_outside_them(day_slice):
    from skyfield.api import wgs84

    usable, keep_outs, _ = day_slice
    ts, sats = skyfield_satellites(snapshot_bytes("qianfan_2025-11-20.tle"))
    satellites = {s.model.satnum: s for s in sats}
    site = wgs84.latlon(AKKOL.lat_deg, AKKOL.lon_deg, elevation_m=AKKOL.alt_m)
    worst = 0.0
    for interval in usable[::7]:
        seconds = np.linspace(interval.start_s, interval.end_s, 5).astype(int)
        moments = [DAY_START + timedelta(seconds=int(s)) for s in seconds]
        alt, az, _ = (satellites[interval.norad_cat_id] - site).at(ts.from_datetimes(moments)).altaz()
        for n, s in enumerate(seconds):
            az_ours, el_ours = interval.look_at(s)
            assert el_ours >= SPEC.min_elevation_deg
            worst = max(worst, abs(el_ours - alt.degrees[n]),
                        abs((az_ours - az.degrees[n] + 180) % 360 - 180) * np.cos(np.radians(el_ours)))
    assert worst < ONE_HUNDREDTH_DEG
    for interval in usable:  # no usable second lies in a keep-out of its satellite
        for k in keep_outs:
            if k.norad_cat_id == interval.norad_cat_id:
                assert k.end_s <= interval.start_s or k.start_s > interval.end_s


def test_gso_keep_outs_point_near_the_arc(day_slice):
    _, keep_outs, element_sets = day_slice
    by_norad = {e.norad_cat_id: e for e in element_sets}
    grid = TimeGrid(DAY_START, 1.0, SLICE_S)
    arc = gso_arc_directions(AKKOL.ecef_km, np.arange(0.0, 360.0, 0.001))
    checked = 0
    for k in [k for k in keep_outs if k.cause == "gso_arc"][:20]:
        middle = (k.start_s + k.end_s - 1) // 2
        jd, fraction = grid.julian_at(np.array([middle]))
        _, r_teme, _ = by_norad[k.norad_cat_id].satrec().sgp4_array(jd, fraction)
        r = teme_to_ecef_km(r_teme, jd, fraction)
        elevation, _, range_km = look_angles(r, AKKOL.ecef_km, AKKOL.enu)
        los = (r - AKKOL.ecef_km) / range_km[:, None]
        assert np.degrees(np.arccos((los @ arc.T).max())) < SPEC.gso_separation_deg + 1e-3
        checked += 1
    assert checked > 0


def test_the_plan_keeps_every_rule_second_by_second_and_nears_the_upper_bound(day_slice):
    usable, _, _ = day_slice
    plan = plan_contacts(usable, SPEC, RULES, day_s=SLICE_S)
    assert plan.contacts and plan.status in ("OPTIMAL", "FEASIBLE")
    assert violations(plan.contacts, SPEC, RULES) == []
    usable_at = {}
    for i in usable:
        usable_at.setdefault(i.norad_cat_id, np.zeros(SLICE_S + 1, bool))[i.start_s:i.end_s + 1] = True
    busy = np.zeros((SPEC.count, SLICE_S + 1), int)
    links = np.zeros(SLICE_S + 1, int)
    for c in plan.contacts:
        assert usable_at[c.interval.norad_cat_id][c.start_s:c.end_s + 1].all()
        busy[c.antenna, c.start_s:c.end_s + 1] += 1
        links[c.start_s + RULES.handover_overlap_s:c.end_s] += 1
    assert busy.max() == 1
    for k in range(SPEC.count):  # slews from the stored directions, independently of the planner
        mine = sorted((c for c in plan.contacts if c.antenna == k), key=lambda c: c.start_s)
        for a, b in zip(mine, mine[1:]):
            (az0, el0), (az1, el1) = a.end_look, b.start_look
            d_az = abs((az1 - az0 + 180) % 360 - 180)
            need = max(d_az / SPEC.slew_rate_az_deg_s, abs(el1 - el0) / SPEC.slew_rate_el_deg_s) + SPEC.retarget_s
            assert b.start_s - a.end_s >= need
    bound = np.zeros(SLICE_S + 1, bool)
    for i in usable:
        bound[i.start_s + RULES.handover_overlap_s:i.end_s] = True
    assert (links >= 1).mean() >= bound.mean() - 0.01
    again = plan_contacts(usable, SPEC, RULES, day_s=SLICE_S)
    assert [(c.antenna, c.interval.norad_cat_id, c.start_s, c.end_s) for c in again.contacts] == \
        [(c.antenna, c.interval.norad_cat_id, c.start_s, c.end_s) for c in plan.contacts]


def test_the_pointing_files_follow_each_contact_as_skyfield_sees_it(day_slice, tmp_path):
    """The program track CSV and the OEM of each contact, read back (the OEM by the oem
    package's own parser), against Skyfield: look angles within 0.01 degrees and range within
    50 m (Earth-fixed frames: GMST 1982 here, Skyfield's own there; 10 m measured), TEME
    positions within 1 m (both run SGP4 in TEME)."""
    import csv
    import io

    from oem import OrbitEphemerisMessage
    from skyfield.api import wgs84
    from skyfield.sgp4lib import TEME

    from constops.contact_plan import Contact
    from constops.pointing import CSV_COLUMNS, antenna_files

    usable, _, element_sets = day_slice
    picked, free_from = [], 0
    for interval in usable:  # a few contacts one after another on the first antenna
        if interval.start_s >= free_from and len(picked) < 3:
            picked.append(Contact(0, interval, interval.start_s, min(interval.end_s, interval.start_s + 200)))
            free_from = interval.end_s + 60
    created = DAY_START - timedelta(hours=2)
    files = antenna_files(picked, {"qianfan": element_sets}, AKKOL, DAY_START, 1.0, 30.0, created)
    assert sorted(files) == sorted(["akkol-1.csv", "akkol-2.csv", "akkol-3.csv", "akkol-4.csv"] + [
        f"akkol-1/{c.start_s // 3600:02d}{c.start_s // 60 % 60:02d}{c.start_s % 60:02d}-{c.interval.norad_cat_id}.oem"
        for c in picked])
    assert files["akkol-2.csv"].decode() == ",".join(CSV_COLUMNS) + "\n"
    rows = list(csv.DictReader(io.StringIO(files["akkol-1.csv"].decode())))
    assert len(rows) == sum(c.end_s - c.start_s + 1 for c in picked)  # every second, both ends included

    ts, sats = skyfield_satellites(snapshot_bytes("qianfan_2025-11-20.tle"))
    satellites = {s.model.satnum: s for s in sats}
    site = wgs84.latlon(AKKOL.lat_deg, AKKOL.lon_deg, elevation_m=AKKOL.alt_m)
    sample = rows[::37]
    moments = ts.from_datetimes([datetime.fromisoformat(r["time_utc"]) for r in sample])
    for n, row in enumerate(sample):
        alt, az, distance = (satellites[int(row["norad_cat_id"])] - site).at(moments[n]).altaz()
        el = float(row["elevation_deg"])
        assert abs(el - alt.degrees) < ONE_HUNDREDTH_DEG
        assert abs((float(row["azimuth_deg"]) - az.degrees + 180) % 360 - 180) * np.cos(np.radians(el)) < ONE_HUNDREDTH_DEG
        assert abs(float(row["range_km"]) - distance.km) < FIFTY_M_KM

    for contact in picked:
        name = next(n for n in files if n.endswith(f"-{contact.interval.norad_cat_id}.oem"))
        (tmp_path / "contact.oem").write_bytes(files[name])
        message = OrbitEphemerisMessage.open(tmp_path / "contact.oem")
        states = list(message.states)
        assert len(states) == len(range(contact.start_s, contact.end_s, 30)) + 1
        satellite = satellites[contact.interval.norad_cat_id]
        for state in states[::3] + states[-1:]:
            moment = ts.from_datetime(state.epoch.to_datetime(timezone=timezone.utc))
            reference_km = satellite.at(moment).frame_xyz(TEME).km
            assert np.linalg.norm(state.position - reference_km) < 0.001
        assert states[-1].epoch.to_datetime(timezone=timezone.utc) == DAY_START + timedelta(seconds=contact.end_s)


def _options_by_the_rule(interval, trim_s: int, min_contact_s: int) -> list[tuple[int, int]]:
    """Return the (start_s, end_s) a contact may take in an interval, written from the
    planner's documented rule (its first second or one or four longest slews later, to its
    end or as long before it), not from its code."""
    starts = {interval.start_s + t for t in (0, trim_s, 4 * trim_s) if interval.start_s + t <= interval.end_s}
    ends = {interval.end_s - t for t in (0, trim_s, 4 * trim_s) if interval.end_s - t >= interval.start_s}
    return [(s, e) for s in sorted(starts) for e in sorted(ends) if e - s >= min_contact_s]


def _exhaustive_best(cluster, spec, rules, span_s: int) -> tuple[int, int]:
    """Return the best (seconds with one link, seconds with two) over every assignment of a
    cluster's intervals to two antennas (or to none), each with every option of the rule."""
    trim_s = int(np.ceil(spec.max_slew_s()))
    choices = [[None] + [(a, s, e) for a in (0, 1) for s, e in _options_by_the_rule(i, trim_s, rules.min_contact_s)]
               for i in cluster]
    best = (0, 0)

    def fits(chosen, a, s, e, interval):
        for (b, s2, e2, other) in chosen:
            if b != a:
                continue
            first, second = ((s2, e2, other), (s, e, interval)) if s2 <= s else ((s, e, interval), (s2, e2, other))
            az0, el0 = first[2].look_at(first[1])
            az1, el1 = second[2].look_at(second[0])
            if second[0] - first[1] < spec.slew_s(az0, el0, az1, el1):
                return False
        return True

    def walk(k, chosen):
        nonlocal best
        if k == len(cluster):
            links = np.zeros(span_s + 1, int)
            for _, s, e, _ in chosen:
                links[s + rules.handover_overlap_s:e] += 1
            best = max(best, (int((links >= 1).sum()), int((links >= 2).sum())))
            return
        for choice in choices[k]:
            if choice is None:
                walk(k + 1, chosen)
            elif fits(chosen, *choice, cluster[k]):
                walk(k + 1, chosen + [(*choice, cluster[k])])

    walk(0, [])
    return best


def test_on_two_antennas_over_three_hours_the_plan_is_the_exhaustive_optimum():
    """Every assignment of a sparse fleet's usable intervals (every eighth Qianfan satellite,
    14 intervals in 3 hours) to two antennas, tried by brute force: the planner, given the
    3 hours as one window, reaches the best share of one link and then of two, to the
    second. The intervals fall into clusters farther apart than the longest slew, which are
    independent (any choices in two of them fit together), so each is tried on its own."""
    three_hours_s = 3 * 3600
    subset = elements.parse(snapshot_bytes("qianfan_2025-11-20.tle"))[::8]
    passes = [p for p in find_passes(subset, AKKOL, DAY_START - timedelta(hours=1),
                                     DAY_START + timedelta(hours=3), AKKOL.min_elevation_deg, 180) if p.los > DAY_START]
    usable, _ = usable_intervals({"qianfan": passes}, {"qianfan": subset}, AKKOL, SPEC, DAY_START, RULES.min_contact_s)
    usable = [i for i in usable if i.end_s < three_hours_s]
    assert len(usable) == 14
    spec = dataclasses.replace(SPEC, count=2)
    rules = dataclasses.replace(RULES, window_s=three_hours_s, lookahead_s=0, deterministic_time_limit=30.0)
    plan = plan_contacts(usable, spec, rules, day_s=three_hours_s)
    assert plan.status == "OPTIMAL" and not violations(plan.contacts, spec, rules)

    clusters, reach = [], -np.inf
    for interval in usable:  # in start order
        if interval.start_s > reach + spec.max_slew_s() + rules.handover_overlap_s:
            clusters.append([])
        clusters[-1].append(interval)
        reach = max(reach, interval.end_s)
    assert max(len(c) for c in clusters) >= 3
    best = np.sum([_exhaustive_best(c, spec, rules, three_hours_s) for c in clusters], axis=0)
    links = np.zeros(three_hours_s + 1, int)
    for c in plan.contacts:
        links[c.start_s + rules.handover_overlap_s:c.end_s] += 1
    assert (int((links >= 1).sum()), int((links >= 2).sum())) == tuple(best)
