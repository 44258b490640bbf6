"""The calendar's script builds every text of the server's (run ids, DAG ids, states,
reasons) with textContent: a run id is an operator's input the day an administrator
relaxes Airflow's ``allowed_run_id_pattern`` (stored XSS through innerHTML)."""

import re

from tests.support.data import REPO

SCRIPT = REPO / "plugins" / "constops_airflow" / "operations" / "static" / "calendar.js"


def test_the_calendar_script_never_writes_markup_from_strings():
    text = SCRIPT.read_text(encoding="utf-8")
    assert re.findall(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write", text) == []
    assert "textContent" in text
