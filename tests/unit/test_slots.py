"""The runs at once of each DAG follow the task slots, read when the DAG files are parsed
without loading the settings: the same slots as the loaded settings, whichever layer sets them."""

import pytest

from constops.day.shard_plan import available_slots
from constops.settings import load_settings
from constops.slots import INGESTS_PER_SLOT, RUNS_PER_SLOT, configured_slots, ingests_at_once, runs_at_once


@pytest.mark.parametrize("layers", [
    {},
    {"file": "[pipeline]\nslots = 6\n"},
    {"file": "[pipeline]\nslots = 6\n", "env": "3"},
    {"env": "0"},
    {"file": "[coverage]\nthreads = 2\n"},
])
def test_the_slots_read_at_parse_time_are_the_loaded_settings_slots(tmp_path, layers):
    environ = {}
    if "file" in layers:
        path = tmp_path / "settings.toml"
        path.write_text(layers["file"])
        environ["CONSTOPS_SETTINGS"] = str(path)
    if "env" in layers:
        environ["CONSTOPS__PIPELINE__SLOTS"] = layers["env"]
    assert configured_slots(environ) == available_slots(load_settings(environ=environ))


def test_a_slots_value_that_is_not_a_number_is_named():
    with pytest.raises(ValueError, match=r"\[pipeline\] slots must be a whole number, not 'many'"):
        configured_slots({"CONSTOPS__PIPELINE__SLOTS": "many"})


def test_each_per_day_dag_runs_two_days_per_slot_and_the_ingest_six():
    assert [runs_at_once(n) for n in (1, 2, 16)] == [RUNS_PER_SLOT * n for n in (1, 2, 16)] == [2, 4, 32]
    assert [ingests_at_once(n) for n in (1, 2, 16)] == [INGESTS_PER_SLOT * n for n in (1, 2, 16)] == [6, 12, 96]
