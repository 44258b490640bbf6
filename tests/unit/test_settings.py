"""Settings: one file of defaults, a user's file laid over it, single keys from the environment."""

import pytest

from constops.flags import FlagThresholds
from constops.fleet import FleetThresholds
from constops.settings import load_settings, override_name
from constops.validation import PayloadLimits


def test_the_thresholds_defaults_are_the_settings_file_defaults():
    settings = load_settings(environ={})
    assert settings.fleet == FleetThresholds() and settings.limits == PayloadLimits()
    assert settings.flags == FlagThresholds()


def test_a_users_file_holds_only_what_it_changes(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text('[ingest]\nmax_snapshot_age_days = 5.0\n\n[constellations.qianfan]\nstations = ["almaty"]\n\n'
                    '[[stations]]\nstation_id = "almaty"\nname = "Almaty"\n'
                    "lat_deg = 43.2\nlon_deg = 76.9\nalt_m = 800\nmin_elevation_deg = 10\n")
    settings = load_settings(path, environ={})
    defaults = load_settings(environ={})
    assert settings.limits.max_snapshot_age_days == 5.0
    assert settings.limits.max_set_aside_percent == defaults.limits.max_set_aside_percent
    assert [s.station_id for s in settings.stations] == ["almaty"]  # a list replaces the default list
    assert settings.of("qianfan").constellation.name == defaults.of("qianfan").constellation.name  # tables merge
    assert settings.masks_deg == defaults.masks_deg and settings.region_geojson == defaults.region_geojson


def test_one_key_from_the_environment_is_read_as_toml():
    environ = {override_name("ingest", "max_snapshot_age_days"): "4.5",
               override_name("coverage", "masks_deg"): "[10, 20]",
               override_name("pipeline", "contact"): "ops@example.kz"}
    settings = load_settings(environ=environ)
    assert settings.limits.max_snapshot_age_days == 4.5 and settings.masks_deg == (10.0, 20.0)
    assert settings.contact == "ops@example.kz"
    assert override_name("coverage", "threads") == "CONSTOPS__COVERAGE__THREADS"


@pytest.mark.parametrize("environ, says", [
    ({"CONSTOPS__INGEST": "5"}, "CONSTOPS__INGEST names no [section] key"),
    ({"CONSTOPS__COVERAGE__SHARD_SATELLITES": "0"}, "shard_satellites must be a whole number >= 1"),
    ({"CONSTOPS__FLEET__NO_SUCH_KEY": "1"}, "no_such_key"),
])
def test_a_bad_override_names_the_variable(environ, says):
    with pytest.raises(ValueError) as caught:
        load_settings(environ=environ)
    assert says in str(caught.value) and list(environ)[0] in str(caught.value)


@pytest.mark.parametrize("environ, says", [
    ({"CONSTOPS__PIPELINE__CONSTELLATIONS": "qianfan"}, "must be of the type of its default ['qianfan']"),
    ({"CONSTOPS__COVERAGE__MASK_DEG": "[10]"}, "[coverage] mask_deg is not a setting"),
    ({"CONSTOPS__COVERAGE__MASKS_DEG": "[10, 10]"}, "must be distinct elevations in [0, 90)"),
    ({"CONSTOPS__INGEST__MAX_BODY_BYTES": "2e7"}, "must be a whole number of bytes"),
])
def test_an_override_of_the_wrong_type_or_name_is_refused(environ, says):
    with pytest.raises(ValueError) as caught:
        load_settings(environ=environ)
    assert says in str(caught.value)


def test_a_files_error_is_blamed_on_the_file_and_the_overrides_in_force(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("[coverage]\nshard_satellites = 0\n")
    with pytest.raises(ValueError) as caught:
        load_settings(path, environ={"CONSTOPS__COVERAGE__THREADS": "1"})
    assert f"settings {path} with CONSTOPS__COVERAGE__THREADS" in str(caught.value)
