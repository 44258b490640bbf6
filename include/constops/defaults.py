"""The default of every setting, read from ``defaults.toml`` beside this module: the one place
where a default value is written. Dataclasses of thresholds take their field defaults from
here, and :func:`constops.settings.load_settings` overlays a user's file on it."""

from __future__ import annotations

import tomllib
from pathlib import Path

DEFAULTS_PATH = Path(__file__).with_name("defaults.toml")
#: The variable naming a settings file laid over the defaults.
SETTINGS_ENV = "CONSTOPS_SETTINGS"
#: Prefix of the environment variables that override one setting: CONSTOPS__INGEST__MAX_SNAPSHOT_AGE_DAYS.
OVERRIDE_PREFIX = "CONSTOPS__"
DEFAULTS: dict = tomllib.loads(DEFAULTS_PATH.read_text(encoding="utf-8"))


def default(section: str, key: str):
    """Return the default of ``[section] key`` (KeyError names a key the file lacks)."""
    return DEFAULTS[section][key]
