"""GP element sets: parse CelesTrak / Space-Track payloads into validated records.

Every format (OMM JSON, OMM CSV, OMM XML, 3-line TLE) is read into the same
OMM field dictionary and then into :class:`ElementSet`. Parsers take bytes and
never open files or URLs; the caller does the I/O.

The OMM CSV and XML readers are ``sgp4.omm.parse_csv`` / ``parse_xml``; TLE
lines are read by ``sgp4``'s ``Satrec.twoline2rv`` and turned into OMM fields
by ``sgp4.exporter.export_omm``, so that every format goes through the one
``sgp4init`` call in :meth:`ElementSet.satrec`.
"""

from __future__ import annotations

import csv
import io
import json
import math
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass
from datetime import datetime, timezone

from sgp4 import exporter, omm
from sgp4.api import WGS72, Satrec

__all__ = [
    "ElementSet",
    "ElementsError",
    "FORMATS",
    "detect_format",
    "parse",
]

FORMATS = ("json", "csv", "xml", "tle")

#: ``sgp4init`` stores the catalog number in Alpha-5, which ends at 339999.
#: Propagation does not depend on it, so larger numbers are initialised as 0.
_ALPHA5_MAX = 339_999
MAX_NORAD_CAT_ID = 999_999_999
WGS72_MU_KM3_S2 = 398600.8
WGS72_RADIUS_KM = 6378.135
#: Earth orbits between re-entry and beyond GEO: 0.5 to 17.5 revolutions a day.
MEAN_MOTION_RANGE_REV_PER_DAY = (0.5, 17.5)


#: What the standard readers raise on text that is not what they expect (LookupError: an
#: XML declaration naming an unknown encoding; OverflowError: absurd numbers or dates).
_MALFORMED = (ValueError, ET.ParseError, csv.Error, LookupError, AttributeError, TypeError, OverflowError)


class ElementsError(ValueError):
    """A payload that is not valid GP element data; the message names the input and the fault."""


@dataclass(frozen=True)
class ElementSet:
    """One GP (mean) element set, in OMM's units: degrees, revolutions per day, UTC."""

    norad_cat_id: int
    object_name: str
    object_id: str
    epoch: datetime
    mean_motion_rev_per_day: float
    eccentricity: float
    inclination_deg: float
    ra_of_asc_node_deg: float
    arg_of_pericenter_deg: float
    mean_anomaly_deg: float
    bstar_per_earth_radius: float
    mean_motion_dot: float
    mean_motion_ddot: float
    classification_type: str = "U"
    ephemeris_type: int = 0
    element_set_no: int = 999
    rev_at_epoch: int = 0

    def omm_fields(self) -> dict[str, object]:
        """Return the element set as CelesTrak OMM JSON fields (numbers as numbers)."""
        return {
            "OBJECT_NAME": self.object_name,
            "OBJECT_ID": self.object_id,
            "EPOCH": self.epoch.strftime("%Y-%m-%dT%H:%M:%S.%f"),
            "MEAN_MOTION": self.mean_motion_rev_per_day,
            "ECCENTRICITY": self.eccentricity,
            "INCLINATION": self.inclination_deg,
            "RA_OF_ASC_NODE": self.ra_of_asc_node_deg,
            "ARG_OF_PERICENTER": self.arg_of_pericenter_deg,
            "MEAN_ANOMALY": self.mean_anomaly_deg,
            "EPHEMERIS_TYPE": self.ephemeris_type,
            "CLASSIFICATION_TYPE": self.classification_type,
            "NORAD_CAT_ID": self.norad_cat_id,
            "ELEMENT_SET_NO": self.element_set_no,
            "REV_AT_EPOCH": self.rev_at_epoch,
            "BSTAR": self.bstar_per_earth_radius,
            "MEAN_MOTION_DOT": self.mean_motion_dot,
            "MEAN_MOTION_DDOT": self.mean_motion_ddot,
        }

    def as_row(self) -> dict[str, object]:
        """Return the element set as a flat dict of its attributes and derived heights (km)."""
        return {**asdict(self), "perigee_alt_km": self.perigee_alt_km, "apogee_alt_km": self.apogee_alt_km}

    def satrec(self) -> Satrec:
        """Return an initialised SGP4 satellite record (WGS72, as the GP theory requires)."""
        fields = {key: str(value) for key, value in self.omm_fields().items()}
        if self.norad_cat_id > _ALPHA5_MAX:
            fields["NORAD_CAT_ID"] = "0"
        sat = Satrec()
        omm.initialize(sat, fields, gravconst=WGS72)
        return sat

    @property
    def semi_major_axis_km(self) -> float:
        """Return the Kepler semi-major axis from the mean motion, in km (WGS72 mu)."""
        n_rad_s = self.mean_motion_rev_per_day * 2.0 * math.pi / 86400.0
        return (WGS72_MU_KM3_S2 / n_rad_s**2) ** (1.0 / 3.0)

    @property
    def perigee_alt_km(self) -> float:
        """Return the perigee height above the equatorial radius (WGS72), in km."""
        return self.semi_major_axis_km * (1.0 - self.eccentricity) - WGS72_RADIUS_KM

    @property
    def apogee_alt_km(self) -> float:
        """Return the apogee height above the equatorial radius (WGS72), in km."""
        return self.semi_major_axis_km * (1.0 + self.eccentricity) - WGS72_RADIUS_KM


def detect_format(payload: bytes) -> str:
    """Return the GP format of ``payload``: one of ``FORMATS``.

    Raises :class:`ElementsError` that quotes the start of the payload when it is
    none of them (an HTML page, a CelesTrak notice, an empty body).
    """
    text = _decode(payload, "payload").lstrip("\ufeff \t\r\n")
    head = text[:200].lower()
    if not text:
        raise ElementsError("payload is empty (0 bytes of element data)")
    if head.startswith(("<!doctype html", "<html")) or "<body" in head:
        raise ElementsError(f"payload is an HTML page, not element data: {_quote(text)}")
    if text[0] in "[{":
        return "json"
    if text.startswith("<"):
        return "xml"
    header = text.split("\n", 1)[0]
    if "OBJECT_NAME" in header and "EPOCH" in header and "," in header:
        return "csv"  # CelesTrak's header starts with OBJECT_NAME, Space-Track's with CCSDS_OMM_VERS
    lines = [line for line in text.splitlines() if line.strip()]
    if any(line.startswith("1 ") for line in lines) and any(line.startswith("2 ") for line in lines):
        return "tle"
    raise ElementsError(f"payload is not GP element data (JSON, CSV, XML or TLE): {_quote(text)}")


def parse(payload: bytes, fmt: str | None = None, *, source: str = "payload") -> list[ElementSet]:
    """Return the element sets in ``payload``, in the order given.

    ``fmt`` is one of ``FORMATS``; ``None`` detects it. ``source`` names the input
    in error messages (a URL or a file name). Raises :class:`ElementsError` on the
    first malformed record, naming the record and the field.
    """
    fmt = fmt or detect_format(payload)
    if fmt not in FORMATS:
        raise ElementsError(f"{source}: unknown format {fmt!r}; expected one of {FORMATS}")
    text = _decode(payload, source)
    try:
        records = list(_READERS[fmt](text))
    except ElementsError as exc:
        raise ElementsError(f"{source}: {exc}") from None
    except _MALFORMED as exc:
        raise ElementsError(f"{source}: malformed {fmt.upper()}: {exc!r}") from None
    if not records:
        raise ElementsError(f"{source}: {fmt.upper()} payload holds no element sets: {_quote(text)}")
    try:
        return [_element_set(fields, f"{source} record {i + 1}") for i, fields in enumerate(records)]
    except ElementsError:
        raise
    except _MALFORMED as exc:
        raise ElementsError(f"{source}: malformed {fmt.upper()} record: {exc!r}") from None


def _read_json(text: str) -> list[dict]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ElementsError(
            f"invalid or truncated JSON at line {exc.lineno} column {exc.colno} "
            f"({len(text)} characters received): {exc.msg}"
        ) from None
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise ElementsError("JSON is not a list of OMM objects")
    return data


def _read_csv(text: str) -> list[dict]:
    return list(omm.parse_csv(io.StringIO(text)))


def _read_xml(text: str) -> list[dict]:
    return list(omm.parse_xml(io.StringIO(text)))


def _read_tle(text: str) -> list[dict]:
    lines = [line.rstrip() for line in text.splitlines() if line.strip()]
    records = []
    i = 0
    while i < len(lines):
        name = None
        if not lines[i].startswith("1 "):
            name, i = lines[i].strip(), i + 1
            if name.startswith("0 "):
                name = name[2:]
        if i + 1 >= len(lines) or not lines[i].startswith("1 ") or not lines[i + 1].startswith("2 "):
            raise ElementsError(f"TLE line {i + 1}: expected a line 1 and a line 2 after {name!r}")
        line1, line2 = lines[i], lines[i + 1]
        for line in (line1, line2):
            _check_tle_checksum(line)
        if line1[2:7] != line2[2:7]:
            raise ElementsError(f"TLE catalog numbers differ: {line1[2:7]!r} vs {line2[2:7]!r}")
        sat = Satrec.twoline2rv(line1, line2, WGS72)
        fields = exporter.export_omm(sat, name or line1[2:7].strip())
        fields["NORAD_CAT_ID"] = _alpha5_to_int(line1[2:7])
        records.append(fields)
        i += 2
    return records


_READERS = {"json": _read_json, "csv": _read_csv, "xml": _read_xml, "tle": _read_tle}


def _check_tle_checksum(line: str) -> None:
    """Raise ElementsError when a TLE line's modulo-10 checksum (column 69) is wrong."""
    if len(line) < 69 or not line[68].isdigit():
        raise ElementsError(f"TLE line is {len(line)} characters, not 69: {line!r}")
    total = sum(int(c) if c.isdigit() else (1 if c == "-" else 0) for c in line[:68])
    if total % 10 != int(line[68]):
        raise ElementsError(f"TLE checksum fails (computed {total % 10}, line says {line[68]}): {line!r}")


def _alpha5_to_int(field: str) -> int:
    """Return the catalog number of a 5-character TLE field, Alpha-5 letters included."""
    field = field.strip()
    if field and field[0].isalpha():
        letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # I and O are skipped by Alpha-5
        return (letters.index(field[0].upper()) + 10) * 10_000 + int(field[1:])
    return int(field)


def _element_set(fields: dict, where: str) -> ElementSet:
    """Return an ElementSet from OMM fields, raising ElementsError naming ``where`` and the field."""
    if not isinstance(fields, dict):
        raise ElementsError(f"{where}: not an object")
    get = _FieldReader(fields, where)
    element_set = ElementSet(
        norad_cat_id=get.integer("NORAD_CAT_ID", 1, MAX_NORAD_CAT_ID),
        object_name=get.text("OBJECT_NAME", required=False),
        object_id=get.text("OBJECT_ID", required=False),
        epoch=get.epoch("EPOCH"),
        mean_motion_rev_per_day=get.number("MEAN_MOTION", *MEAN_MOTION_RANGE_REV_PER_DAY),
        eccentricity=get.number("ECCENTRICITY", 0.0, 0.999999),
        inclination_deg=get.number("INCLINATION", 0.0, 180.0),
        ra_of_asc_node_deg=get.number("RA_OF_ASC_NODE", 0.0, 360.0),
        arg_of_pericenter_deg=get.number("ARG_OF_PERICENTER", 0.0, 360.0),
        mean_anomaly_deg=get.number("MEAN_ANOMALY", 0.0, 360.0),
        bstar_per_earth_radius=get.number("BSTAR", -1.0, 1.0),
        mean_motion_dot=get.number("MEAN_MOTION_DOT", -1.0, 1.0),
        mean_motion_ddot=get.number("MEAN_MOTION_DDOT", -1.0, 1.0),
        classification_type=get.text("CLASSIFICATION_TYPE", required=False) or "U",
        ephemeris_type=get.integer("EPHEMERIS_TYPE", 0, 9, default=0),
        element_set_no=get.integer("ELEMENT_SET_NO", 0, 9999, default=999),
        rev_at_epoch=get.integer("REV_AT_EPOCH", 0, 10_000_000, default=0),
    )
    if element_set.satrec().error:
        raise ElementsError(f"{where} (NORAD {element_set.norad_cat_id}): SGP4 rejects the elements")
    return element_set


class _FieldReader:
    """Typed access to one record's OMM fields; every error names the record and the field."""

    def __init__(self, fields: dict, where: str):
        self.fields = fields
        self.where = where

    def _raw(self, key: str, required: bool = True):
        value = self.fields.get(key)
        if isinstance(value, str):
            value = value.strip()
        if value in (None, ""):
            if required:
                raise ElementsError(f"{self.where}: field {key} is missing")
            return None
        return value

    def _fail(self, key: str, value, what: str):
        raise ElementsError(f"{self.where}: field {key}={value!r} {what}")

    def text(self, key: str, required: bool = True) -> str:
        value = self._raw(key, required)
        return "" if value is None else str(value)

    def number(self, key: str, low: float, high: float) -> float:
        value = self._raw(key)
        if isinstance(value, bool):
            self._fail(key, value, "is not a number")
        try:
            number = float(value)
        except (TypeError, ValueError):
            self._fail(key, value, "is not a number")
        if not math.isfinite(number) or not low <= number <= high:
            self._fail(key, value, f"is outside [{low}, {high}]")
        return number

    def integer(self, key: str, low: int, high: int, default: int | None = None) -> int:
        value = self._raw(key, required=default is None)
        if value is None:
            return default
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            self._fail(key, value, "is not an integer")
        try:
            number = int(value)
        except (TypeError, ValueError):
            self._fail(key, value, "is not an integer")
        if not low <= number <= high:
            self._fail(key, value, f"is outside [{low}, {high}]")
        return number

    def epoch(self, key: str) -> datetime:
        value = self._raw(key)
        text = str(value).rstrip("Z")
        for pattern in ("%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"):
            try:
                return datetime.strptime(text, pattern).replace(tzinfo=timezone.utc)
            except ValueError:
                continue
        self._fail(key, value, "is not an ISO-8601 UTC time")


def _decode(payload: bytes, source: str) -> str:
    if isinstance(payload, str):
        return payload
    try:
        return payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ElementsError(f"{source}: not UTF-8 text (byte {exc.start}: {payload[exc.start:exc.start + 1]!r})") from None


def _quote(text: str, limit: int = 120) -> str:
    """Return the start of ``text`` on one line, for error messages."""
    flat = " ".join(text.split())
    return repr(flat[:limit] + ("..." if len(flat) > limit else ""))
