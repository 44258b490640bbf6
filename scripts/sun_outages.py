"""The sun-outage seasons of a year: KazSat seen from the Akkol control centre.

    python scripts/sun_outages.py [--year 2026] [--station akkol_scc] [--snapshot FILE]

Propagates one snapshot (default: the bundled KazSat answer of 2026-05-30) over every UTC
day of the year and prints, per satellite, its spring and autumn season: first and last
day, days with an outage, the longest outage (minutes) and its day, and the least
Sun-satellite separation. One element set for a whole year is an approximation: a GEO
satellite's station-keeping manoeuvres are not in it, so its propagated longitude and
inclination drift away from the real ones month by month (a day's own snapshot, as the
pipeline uses, gives the real outages); the seasons' dates hold to a day or so.
"""

from __future__ import annotations

import argparse
from datetime import date, timedelta
from pathlib import Path

from constops.api import load_settings, read_answer, sun_outages

REPO = Path(__file__).resolve().parents[1]
SNAPSHOT = REPO / "data" / "snapshots" / "kazsat" / "kazsat_2026-05-30.tle"


def seasons(element_sets, station, year: int) -> list[dict]:
    """Return one dict per (satellite, season) with outages in ``year``: spring (January to
    June) and autumn (July to December), in NORAD then season order."""
    half_angle_deg = station.geo_beam.sun_outage_half_angle_deg
    found: dict[tuple[int, str], list] = {}
    day = date(year, 1, 1)
    while day.year == year:
        for outage in sun_outages(element_sets, station, day, half_angle_deg):
            season = "spring" if day.month <= 6 else "autumn"
            found.setdefault((outage.norad_cat_id, season), []).append((day, outage))
        day += timedelta(days=1)
    rows = []
    for (norad, season), outages in sorted(found.items(), key=lambda kv: (kv[0][0], kv[0][1] == "autumn")):
        longest_day, longest = max(outages, key=lambda d_o: d_o[1].duration_s)
        _, closest = min(outages, key=lambda d_o: d_o[1].min_separation_deg)
        rows.append({
            "norad_cat_id": norad, "season": season, "first": outages[0][0], "last": outages[-1][0],
            "days": len({d for d, _ in outages}), "longest_min": longest.duration_s / 60.0, "longest_day": longest_day,
            "longest_start": longest.start, "min_separation_deg": closest.min_separation_deg,
        })
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--station", default="akkol_scc")
    parser.add_argument("--snapshot", type=Path, default=SNAPSHOT)
    args = parser.parse_args()
    station = load_settings().station(args.station)
    if station.geo_beam is None:
        raise SystemExit(f"station {args.station!r} has no geo_beam in the settings: no half-angle to compute with")
    records = read_answer(args.snapshot.read_bytes(), source=str(args.snapshot))
    names = {e.norad_cat_id: e.object_name.strip() for e in records.element_sets}
    beam = station.geo_beam
    dish = f"{beam.diameter_m:g} m at {beam.frequency_ghz:g} GHz, " if beam.hpbw_deg else ""
    print(f"Sun outages {args.year} at {station.station_id} ({dish}half-angle {beam.sun_outage_half_angle_deg:.3f} deg), "
          f"elements of {args.snapshot.name} propagated over the year")
    print()
    print("| satellite | season | first day | last day | days | longest (min) | on (UTC) | least separation (deg) |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for row in seasons(records.element_sets, station, args.year):
        print(f"| {names.get(row['norad_cat_id'], '')} ({row['norad_cat_id']}) | {row['season']} | {row['first']} | "
              f"{row['last']} | {row['days']} | {row['longest_min']:.1f} | {row['longest_start']:%Y-%m-%d %H:%M} | "
              f"{row['min_separation_deg']:.3f} |")


if __name__ == "__main__":
    main()
