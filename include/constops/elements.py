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
from sgp4.api import SGP4_ERRORS, WGS72, Satrec

from .constants import SECONDS_PER_DAY, WGS72_MU_KM3_S2, WGS72_RADIUS_KM
from .errors import ElementsError

__all__ = [
    "ElementSet",
    "ElementsError",
    "FORMATS",
    "Records",
    "SET_ASIDE_RULES",
    "SetAside",
    "detect_format",
    "parse",
    "read_records",
]

FORMATS = ("json", "csv", "xml", "tle")

#: ``sgp4init`` stores the catalog number in Alpha-5, which ends at 339999.
#: Propagation does not depend on it, so larger numbers are initialised as 0.
_ALPHA5_MAX = 339_999
MAX_NORAD_CAT_ID = 999_999_999
#: Longest OBJECT_NAME kept (CelesTrak pads TLE names to 24; the reporting column holds 64).
MAX_NAME_LENGTH = 64
#: Earth orbits between re-entry and beyond GEO: 0.5 to 17.5 revolutions a day.
MEAN_MOTION_RANGE_REV_PER_DAY = (0.5, 17.5)
#: The mean motions SGP4/SDP4 is given at all, rev/day: anything that orbits (> 0) up to
#: 20 rev/day (a circular orbit at 20 rev/day would lie about 270 km below the surface).
#: What is merely unusual (a LEO group's satellite at 2 rev/day) is flagged, not refused.
MEAN_MOTION_DOMAIN_REV_PER_DAY = (0.0, 20.0)

#: Why a record is set aside (it cannot be propagated). ``future_epoch`` and ``duplicate``
#: are decided over the whole answer by :mod:`constops.triage`; the others here.
SET_ASIDE_RULES = (
    "malformed_tle", "checksum", "malformed_record", "missing_field", "unreadable_value", "out_of_domain",
    "sgp4_init", "future_epoch", "duplicate",
)


#: What the standard readers raise on text that is not what they expect (LookupError: an
#: XML declaration naming an unknown encoding; OverflowError: absurd numbers or dates).
_MALFORMED = (ValueError, ET.ParseError, csv.Error, LookupError, AttributeError, TypeError, OverflowError)



@dataclass(frozen=True)
class SetAside:
    """One record of an answer kept out of its snapshot, with the reason (see SET_ASIDE_RULES).

    ``record_no`` counts the answer's records from 1; ``norad_cat_id`` and ``object_name``
    are what the record says, when it says it readably (else None and "").
    """

    record_no: int
    norad_cat_id: int | None
    object_name: str
    rule: str
    field: str | None
    value: str | None
    message: str


@dataclass(frozen=True)
class Records:
    """What one answer holds: the element sets read, and the records set aside."""

    element_sets: list
    set_aside: list
    record_count: int


class _RecordError(ElementsError):
    """One record's fault: the rule it breaks, and the field and value when one is to blame."""

    def __init__(self, rule: str, message: str, field: str | None = None, value=None, norad=None, name: str = ""):
        super().__init__(message)
        self.rule, self.field, self.value, self.norad, self.name = rule, field, value, norad, name

    def set_aside(self, record_no: int, item) -> SetAside:
        """Return the SetAside of record ``record_no``, whose raw fields are ``item``."""
        norad, name = self.norad, self.name
        if isinstance(item, dict):
            norad = norad if norad is not None else _loose_int(item.get("NORAD_CAT_ID"))
            name = name or str(item.get("OBJECT_NAME") or "").strip()
        value = None if self.value is None else str(self.value)
        return SetAside(record_no, norad, name[:MAX_NAME_LENGTH], self.rule, self.field, value, str(self))


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
        n_rad_s = self.mean_motion_rev_per_day * 2.0 * math.pi / SECONDS_PER_DAY
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
    """Return the element sets in ``payload``, in the order given, refusing any bad record.

    The strict reader, for files that must be clean (tests, tools): it raises
    :class:`ElementsError` on a whole-answer fault (see :func:`read_records`) and on the
    first record that :func:`read_records` would set aside, naming the record and the field.
    """
    records = read_records(payload, fmt, source=source)
    if records.set_aside:
        raise ElementsError(f"{source} {records.set_aside[0].message}")
    return records.element_sets


def read_records(payload: bytes, fmt: str | None = None, *, source: str = "payload") -> Records:
    """Return the answer's records, each either an element set or set aside with its reason.

    ``fmt`` is one of ``FORMATS``; ``None`` detects it. ``source`` names the input in
    error messages (a URL or a file name). Only faults of the whole answer raise
    :class:`ElementsError`: not UTF-8, not GP data (an HTML page, a notice, an empty
    body), invalid or truncated JSON or XML, no record at all. A record that cannot be
    propagated (malformed TLE lines, a failed checksum, a missing field, a value that
    is not a number or outside its domain, elements SGP4 refuses) is set aside, and
    the others are read on.
    """
    fmt = fmt or detect_format(payload)
    if fmt not in FORMATS:
        raise ElementsError(f"{source}: unknown format {fmt!r}; expected one of {FORMATS}")
    text = _decode(payload, source)
    try:
        items = list(_READERS[fmt](text))
    except ElementsError as exc:
        raise ElementsError(f"{source}: {exc}") from None
    except _MALFORMED as exc:
        raise ElementsError(f"{source}: malformed {fmt.upper()}: {exc!r}") from None
    if not items:
        raise ElementsError(f"{source}: {fmt.upper()} payload holds no element sets: {_quote(text)}")
    element_sets, set_aside = [], []
    for record_no, item in enumerate(items, start=1):
        try:
            if isinstance(item, _RecordError):
                raise item
            element_sets.append(_element_set(item, f"record {record_no}"))
        except _RecordError as exc:
            set_aside.append(exc.set_aside(record_no, item))
        except _MALFORMED as exc:
            set_aside.append(_RecordError("malformed_record", f"record {record_no}: {exc!r}").set_aside(record_no, item))
    return Records(element_sets, set_aside, len(items))


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


def _read_tle(text: str) -> list:
    """Return one item per 3-line (or 2-line) set: its OMM fields, or the _RecordError that
    sets it aside. A broken set costs only itself: reading resumes at the next line 1."""
    lines = [line.rstrip() for line in text.splitlines() if line.strip()]
    items, i = [], 0
    while i < len(lines):
        name = None
        if lines[i].startswith("2 "):  # a line 2 whose line 1 is missing: the set is lost
            items.append(_RecordError("malformed_tle", f"TLE line {i + 1}: a line 2 without its line 1: {lines[i]!r}",
                                      norad=_loose_int(lines[i][2:7], alpha5=True)))
            i += 1
            continue
        if not lines[i].startswith("1 "):
            name, i = lines[i].strip(), i + 1
            name = name[2:] if name.startswith("0 ") else name
        if i + 1 < len(lines) and lines[i].startswith("1 ") and lines[i + 1].startswith("2 "):
            items.append(_tle_record(name, lines[i], lines[i + 1]))
            i += 2
            continue
        norad = _loose_int(lines[i][2:7], alpha5=True) if i < len(lines) and lines[i].startswith(("1 ", "2 ")) else None
        items.append(_RecordError("malformed_tle", f"TLE line {i + 1}: expected a line 1 and a line 2 after "
                                  f"{name!r}", norad=norad, name=name or ""))
        while i < len(lines) and lines[i].startswith(("1 ", "2 ")) and not (
                lines[i].startswith("1 ") and i + 1 < len(lines) and lines[i + 1].startswith("2 ")):
            i += 1  # skip the rest of the broken set
    return items


def _tle_record(name: str | None, line1: str, line2: str):
    """Return the OMM fields of one TLE set, or the _RecordError that sets it aside."""
    norad = _loose_int(line1[2:7], alpha5=True)
    try:
        for line in (line1, line2):
            _check_tle_checksum(line)
        if line1[2:7] != line2[2:7]:
            raise ElementsError(f"TLE catalog numbers differ: {line1[2:7]!r} vs {line2[2:7]!r}")
        sat = Satrec.twoline2rv(line1, line2, WGS72)
        fields = exporter.export_omm(sat, name or line1[2:7].strip())
    except _RecordError as exc:
        exc.norad, exc.name = norad, name or ""
        return exc
    except (ElementsError, *_MALFORMED) as exc:
        return _RecordError("malformed_tle", f"TLE set {name!r}: {exc}", norad=norad, name=name or "")
    fields["NORAD_CAT_ID"] = norad
    return fields


def _loose_int(value, alpha5: bool = False) -> int | None:
    """Return ``value`` as a catalog number when it reads as one (Alpha-5 if asked), else None."""
    try:
        return _alpha5_to_int(str(value)) if alpha5 else int(str(value).strip())
    except (TypeError, ValueError):
        return None


_READERS = {"json": _read_json, "csv": _read_csv, "xml": _read_xml, "tle": _read_tle}


def _check_tle_checksum(line: str) -> None:
    """Raise ElementsError when a TLE line's modulo-10 checksum (column 69) is wrong."""
    if len(line) < 69 or not line[68].isdigit():
        raise _RecordError("malformed_tle", f"TLE line is {len(line)} characters, not 69: {line!r}")
    total = sum(int(c) if c.isdigit() else (1 if c == "-" else 0) for c in line[:68])
    if total % 10 != int(line[68]):
        raise _RecordError("checksum", f"TLE checksum fails (computed {total % 10}, line says {line[68]}): {line!r}",
                           field=f"line {line[0]}", value=line)


def _alpha5_to_int(field: str) -> int:
    """Return the catalog number of a 5-character TLE field, Alpha-5 letters included."""
    field = field.strip()
    if field and field[0].isalpha():
        letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # I and O are skipped by Alpha-5
        return (letters.index(field[0].upper()) + 10) * 10_000 + int(field[1:])
    return int(field)


def _element_set(fields: dict, where: str) -> ElementSet:
    """Return an ElementSet from OMM fields, raising _RecordError naming ``where`` and the field.

    Values are checked against their domain only (what SGP4 can be given at all); drag
    terms of any finite size are accepted, as the TLE format and SGP4 accept them."""
    if not isinstance(fields, dict):
        raise _RecordError("malformed_record", f"{where}: not an object")
    get = _FieldReader(fields, where)
    element_set = ElementSet(
        norad_cat_id=get.integer("NORAD_CAT_ID", 1, MAX_NORAD_CAT_ID),
        object_name=get.text("OBJECT_NAME", required=False, max_length=MAX_NAME_LENGTH),
        object_id=get.text("OBJECT_ID", required=False, max_length=16),
        epoch=get.epoch("EPOCH"),
        mean_motion_rev_per_day=get.number("MEAN_MOTION", *MEAN_MOTION_DOMAIN_REV_PER_DAY),
        eccentricity=get.number("ECCENTRICITY", 0.0, 0.999999),
        inclination_deg=get.number("INCLINATION", 0.0, 180.0),
        ra_of_asc_node_deg=get.number("RA_OF_ASC_NODE", 0.0, 360.0),
        arg_of_pericenter_deg=get.number("ARG_OF_PERICENTER", 0.0, 360.0),
        mean_anomaly_deg=get.number("MEAN_ANOMALY", 0.0, 360.0),
        bstar_per_earth_radius=get.number("BSTAR"),
        mean_motion_dot=get.number("MEAN_MOTION_DOT"),
        mean_motion_ddot=get.number("MEAN_MOTION_DDOT"),
        classification_type=get.text("CLASSIFICATION_TYPE", required=False, max_length=1) or "U",
        ephemeris_type=get.integer("EPHEMERIS_TYPE", 0, 9, default=0),
        element_set_no=get.integer("ELEMENT_SET_NO", 0, 9999, default=999),
        rev_at_epoch=get.integer("REV_AT_EPOCH", 0, 10_000_000, default=0),
    )
    error = element_set.satrec().error
    if error:
        raise _RecordError("sgp4_init", f"{where} (NORAD {element_set.norad_cat_id}): SGP4 rejects the elements "
                           f"(error {error}: {SGP4_ERRORS.get(error, 'unknown')})", value=error)
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
                raise _RecordError("missing_field", f"{self.where}: field {key} is missing", field=key)
            return None
        return value

    def _fail(self, key: str, value, what: str, rule: str = "out_of_domain"):
        raise _RecordError(rule, f"{self.where}: field {key}={value!r} {what}", field=key, value=value)

    def text(self, key: str, required: bool = True, max_length: int | None = None) -> str:
        value = self._raw(key, required)
        text = "" if value is None else str(value)
        if max_length is not None and len(text) > max_length:
            self._fail(key, value, f"is longer than {max_length} characters")
        return text

    def number(self, key: str, low: float = -math.inf, high: float = math.inf) -> float:
        value = self._raw(key)
        if isinstance(value, bool):
            self._fail(key, value, "is not a number", "unreadable_value")
        try:
            number = float(value)
        except (TypeError, ValueError):
            self._fail(key, value, "is not a number", "unreadable_value")
        if not math.isfinite(number):
            self._fail(key, value, "is not a finite number", "unreadable_value")
        if not low <= number <= high:
            self._fail(key, value, f"is outside [{low}, {high}]")
        return number

    def integer(self, key: str, low: int, high: int, default: int | None = None) -> int:
        value = self._raw(key, required=default is None)
        if value is None:
            return default
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            self._fail(key, value, "is not an integer", "unreadable_value")
        try:
            number = int(value)
        except (TypeError, ValueError):
            self._fail(key, value, "is not an integer", "unreadable_value")
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
        self._fail(key, value, "is not an ISO-8601 UTC time", "unreadable_value")


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
