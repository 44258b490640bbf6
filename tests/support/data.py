"""The repository's real data and settings, as the tests read them."""

from __future__ import annotations

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
