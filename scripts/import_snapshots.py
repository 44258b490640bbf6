"""Import GP snapshot files (3-line TLE, OMM JSON, CSV or XML) into the raw archive.

    python scripts/import_snapshots.py data/snapshots/qianfan/*.tle [--group qianfan] [--acquired-at 2025-11-20T00:00Z]

Each file is archived byte for byte, its records triaged (loaded, flagged or set aside
with the reason, as the daily ingest does) and loaded as one snapshot of its
constellation: ``--group``, else the name of the file's folder when a constellation of
that id is configured (``data/snapshots/oneweb/...`` is OneWeb), else the first
configured constellation; its acquisition time is ``--acquired-at`` or, by default, the newest
element-set epoch in the file. Importing the same file again changes nothing.
Uses the same ``reporting_db`` connection and archive as the DAGs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import airflow  # noqa: F401  (puts the plugins folder on sys.path)

from constops.api import ElementsError, import_file, load_settings, parse_utc, stored_account
from constops_airflow.resources import raw_archive, reporting_engine


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", help="snapshot files")
    parser.add_argument("--group", dest="constellation_id", default=None, help="constellation id (default: the first configured)")
    parser.add_argument("--acquired-at", type=parse_utc, default=None, help="UTC download time (default: newest epoch)")
    args = parser.parse_args(argv)
    settings = load_settings()
    engine, archive = reporting_engine(), raw_archive()
    failures = 0
    for path in args.files:
        constellation_id = args.constellation_id or constellation_of(path, settings)
        try:
            snap = import_file(engine, archive, path, constellation_id, args.acquired_at, settings.limits, settings.of(constellation_id).flags)
        except (OSError, ElementsError) as exc:
            print(f"REJECTED {path}: {exc}", file=sys.stderr)
            failures += 1
            continue
        print(f"snapshot {snap.snapshot_id}: {constellation_id} {path} ({snap.format}, {snap.object_count} objects, "
              f"acquired {snap.acquired_at:%Y-%m-%d %H:%M:%S} UTC, sha256 {snap.sha256[:12]})")
        print(f"  {stored_account(engine, snap).describe()}")
    return 1 if failures else 0


def constellation_of(path: str, settings) -> str:
    """Return the constellation a file belongs to by its folder's name, else the first configured."""
    folder = Path(path).parent.name
    return folder if folder in settings.constellations else settings.constellation_ids[0]


if __name__ == "__main__":
    sys.exit(main())
