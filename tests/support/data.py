"""The repository's real data and settings, as the tests read them."""

from __future__ import annotations

import json
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SNAPSHOTS = REPO / "data" / "snapshots" / "qianfan"
FIXTURES = REPO / "tests" / "fixtures"


def sharded_settings(directory: Path, coverage_shard: int, passes_shard: int) -> Path:
    """Write a copy of the default settings with other shard sizes into ``directory``; return its path."""
    from constops.settings import DEFAULTS_PATH, load_settings

    defaults = load_settings(DEFAULTS_PATH)
    text = DEFAULTS_PATH.read_text()
    for old, new in ((f"shard_satellites = {defaults.coverage_shard_satellites}\n", f"shard_satellites = {coverage_shard}\n"),
                     (f"shard_satellites = {defaults.pass_shard_satellites}\n", f"shard_satellites = {passes_shard}\n"),
                     ('geojson = "data/', f'geojson = "{DEFAULTS_PATH.parent}/data/')):
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = directory / "sharded.toml"
    path.write_text(text)
    settings = load_settings(path)
    assert (settings.coverage_shard_satellites, settings.pass_shard_satellites) == (coverage_shard, passes_shard)
    return path


def snapshot_bytes(name: str) -> bytes:
    """Return the bytes of a bundled real CelesTrak snapshot, e.g. ``qianfan_2025-11-20.tle``."""
    return (SNAPSHOTS / name).read_bytes()


def decaying_copy(norad: int, mean_motion: float, bstar: float) -> bytes:
    """Return an OMM JSON answer of one real 2025-11-20 record made to re-enter during its
    day (a real decaying object's answer is not in the corpus): same epoch, orbit lowered
    to ``mean_motion`` rev/day, drag term ``bstar``."""
    record = {**json.loads(snapshot_bytes("qianfan_2025-11-20.json"))[0], "NORAD_CAT_ID": norad,
              "MEAN_MOTION": mean_motion, "BSTAR": bstar, "ECCENTRICITY": 0.001}
    return json.dumps([record]).encode()
