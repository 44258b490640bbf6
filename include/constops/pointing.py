"""Pointing for the antenna controller: each antenna's program track of the day, and the
tracked satellites' ephemerides over its contacts.

For each antenna of a station, its contacts of the day give two files:

- ``<antenna_id>.csv``, the program track: one row every ``step_s`` seconds from each
  contact's start to its end (both included) with the UTC time, the satellite, and the
  antenna's azimuth, elevation (deg) and range (km) to it: what a program-track controller
  steps through. The same SGP4 positions and Earth-fixed frame as the passes and the plan.
- ``<antenna_id>/<HHMMSS>-<norad_cat_id>.oem`` for each contact (its start time of day), a
  CCSDS Orbit Ephemeris Message (502.0-B-2, KVN, written by the ``oem`` package, which
  allows one object per message): the satellite's SGP4 state in TEME (km, km/s, the frame
  SGP4 works in) every ``oem_step_s`` seconds and at the contact's end, for a controller
  that computes its own pointing.

Both are stored under ``pointing/<station_id>/<day>/`` of the work area and replaced
whole on every plan of the day.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from .contact_plan import Contact
from .elements import ElementSet
from .geometry import look_angles, teme_to_ecef_km
from .propagation import propagated
from .sites import Station
from .timescale import TimeGrid

#: Columns of the program-track CSV, in order.
CSV_COLUMNS = ("time_utc", "norad_cat_id", "azimuth_deg", "elevation_deg", "range_km")


@dataclass(frozen=True)
class Track:
    """One contact's samples: offsets from the day's start (s), look angles (deg), range
    (km), and the satellite's TEME state (km, km/s), each sample a row."""

    norad_cat_id: int
    offsets_s: np.ndarray
    azimuth_deg: np.ndarray
    elevation_deg: np.ndarray
    range_km: np.ndarray
    r_teme_km: np.ndarray
    v_teme_km_s: np.ndarray


def contact_track(contact: Contact, satrec, station: Station, day_start: datetime, step_s: float) -> Track:
    """Return the samples of one contact every ``step_s`` s from its start, with its end
    always the last sample. Raises ValueError when SGP4 fails inside the contact."""
    return look_track(satrec, contact.interval.norad_cat_id, station, day_start, contact.start_s, contact.end_s, step_s)


def look_track(satrec, norad_cat_id: int, station: Station, day_start: datetime, start_s: float, end_s: float,
               step_s: float) -> Track:
    """Return the samples of a satellite seen from ``station`` every ``step_s`` s from
    ``start_s`` to ``end_s`` (s of the day; the end always the last sample). Raises
    ValueError when SGP4 fails in between."""
    offsets_s = np.append(np.arange(start_s, end_s, step_s, dtype=float), float(end_s))
    jd, fraction = TimeGrid(day_start, 1.0, 1).julian_at(offsets_s)
    error, r_teme_km, v_teme_km_s = satrec.sgp4_array(jd, fraction)
    if not propagated(error[None, :]).all():
        raise ValueError(f"SGP4 fails for {norad_cat_id} between {start_s} and {end_s} s of the day")
    elevation_deg, azimuth_deg, range_km = look_angles(teme_to_ecef_km(r_teme_km, jd, fraction),
                                                       station.ecef_km, station.enu)
    return Track(norad_cat_id, offsets_s, azimuth_deg, elevation_deg, range_km, r_teme_km, v_teme_km_s)


def program_track_csv(tracks: Sequence[Track], day_start: datetime) -> bytes:
    """Return the program-track CSV of one antenna's tracks (in time order): a header line
    of :data:`CSV_COLUMNS`, then one line per sample, times ISO 8601 UTC to the millisecond."""
    out = io.StringIO()
    out.write(",".join(CSV_COLUMNS) + "\n")
    base = np.datetime64(day_start.replace(tzinfo=None), "ms")
    for track in tracks:
        times = np.datetime_as_string(base + np.round(track.offsets_s * 1000).astype("timedelta64[ms]"), unit="ms")
        for t, az, el, rng in zip(times, track.azimuth_deg, track.elevation_deg, track.range_km):
            out.write(f"{t}Z,{track.norad_cat_id},{az:.4f},{el:.4f},{rng:.3f}\n")
    return out.getvalue().encode()


def ephemeris_oem(track: Track, element_set: ElementSet, day_start: datetime, created_at: datetime,
                  originator: str) -> bytes:
    """Return the CCSDS OEM (KVN) of one contact's track, named as its element set names
    the satellite."""
    from astropy.time import Time, TimeDelta  # the oem package's own dependency, imported only here
    from oem import OrbitEphemerisMessage
    from oem.components import EphemerisSegment, HeaderSection, MetaDataSection

    epochs = Time(day_start.replace(tzinfo=None), scale="utc") + TimeDelta(track.offsets_s, format="sec")
    meta = MetaDataSection({
        "OBJECT_NAME": element_set.object_name or str(track.norad_cat_id),
        "OBJECT_ID": element_set.object_id or str(track.norad_cat_id),
        "CENTER_NAME": "EARTH", "REF_FRAME": "TEME", "TIME_SYSTEM": "UTC",
        "START_TIME": epochs[0].isot, "STOP_TIME": epochs[-1].isot,
    })
    state = (tuple(epochs), *(tuple(track.r_teme_km[:, k]) for k in range(3)),
             *(tuple(track.v_teme_km_s[:, k]) for k in range(3)))
    header = HeaderSection({"CCSDS_OEM_VERS": "2.0", "ORIGINATOR": originator,
                            "CREATION_DATE": created_at.replace(tzinfo=None).isoformat(timespec="seconds")})
    return _saved(OrbitEphemerisMessage(header, [EphemerisSegment(meta, state)]))


def antenna_files(contacts: Sequence[Contact], element_sets_of: Mapping[str, Sequence[ElementSet]],
                  station: Station, day_start: datetime, step_s: float, oem_step_s: float,
                  created_at: datetime) -> dict[str, bytes]:
    """Return the pointing files of a station's plan, by file name: ``<antenna_id>.csv``
    for every antenna (a header only when it has no contact) and one
    ``<antenna_id>/<HHMMSS>-<norad_cat_id>.oem`` per contact."""
    by_norad = {cid: {e.norad_cat_id: e for e in sets} for cid, sets in element_sets_of.items()}
    satrecs: dict[tuple[str, int], object] = {}
    files = {}
    for index, antenna_id in enumerate(station.antennas.antenna_ids(station.station_id)):
        mine = sorted((c for c in contacts if c.antenna == index), key=lambda c: c.start_s)
        tracks = []
        for c in mine:
            key = (c.interval.constellation_id, c.interval.norad_cat_id)
            if key not in satrecs:
                satrecs[key] = by_norad[key[0]][key[1]].satrec()
            tracks.append(contact_track(c, satrecs[key], station, day_start, step_s))
            states = contact_track(c, satrecs[key], station, day_start, oem_step_s)
            hms = f"{c.start_s // 3600:02d}{c.start_s // 60 % 60:02d}{c.start_s % 60:02d}"
            files[f"{antenna_id}/{hms}-{key[1]}.oem"] = ephemeris_oem(
                states, by_norad[key[0]][key[1]], day_start, created_at, f"constops {station.station_id}")
        files[f"{antenna_id}.csv"] = program_track_csv(tracks, day_start)
    return files


def _saved(message) -> bytes:
    """Return the KVN text of an ``oem`` message (the package writes to paths only)."""
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "plan.oem"
        message.save_as(path, file_format="kvn")
        return path.read_bytes()
