"""Convert a CelesTrak OMM XML payload into CelesTrak's OMM JSON layout.

Used once to make ``data/snapshots/qianfan/qianfan_2025-11-20.json`` from the real
``qianfan_2025-11-20.xml`` (CelesTrak serves the same records as JSON; no JSON download
of that day was preserved). Field order and types follow CelesTrak's ``FORMAT=json``:
numbers as JSON numbers, integers as integers, one compact array.

    python scripts/omm_xml_to_json.py data/snapshots/qianfan/qianfan_2025-11-20.xml > out.json
"""

import json
import sys

from sgp4 import omm

FIELDS = [
    ("OBJECT_NAME", str), ("OBJECT_ID", str), ("EPOCH", str), ("MEAN_MOTION", float),
    ("ECCENTRICITY", float), ("INCLINATION", float), ("RA_OF_ASC_NODE", float),
    ("ARG_OF_PERICENTER", float), ("MEAN_ANOMALY", float), ("EPHEMERIS_TYPE", int),
    ("CLASSIFICATION_TYPE", str), ("NORAD_CAT_ID", int), ("ELEMENT_SET_NO", int),
    ("REV_AT_EPOCH", int), ("BSTAR", float), ("MEAN_MOTION_DOT", float), ("MEAN_MOTION_DDOT", float),
]


def main(path: str) -> None:
    with open(path, encoding="utf-8") as file:
        records = [{key: kind(fields[key]) for key, kind in FIELDS} for fields in omm.parse_xml(file)]
    sys.stdout.write(json.dumps(records, separators=(",", ":")))


if __name__ == "__main__":
    main(sys.argv[1])
