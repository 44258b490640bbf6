"""The documentation tells the truth about configuration: every setting of defaults.toml and
every environment variable the code reads is in docs/operators.md; links and cited files exist."""

import re

from constops.defaults import DEFAULTS
from tests.support.data import REPO

OPERATORS = (REPO / "docs" / "operators.md").read_text()
CODE = [p for folder in ("include", "plugins", "dags", "scripts") for p in (REPO / folder).rglob("*.py")]
#: Airflow's own configuration variables (AIRFLOW__SECTION__KEY) are documented by Airflow.
AIRFLOW_CONFIG = re.compile(r"^AIRFLOW__")


def documented_names() -> set[str]:
    """Return the first-column names of the tables of docs/operators.md (backquoted)."""
    return set(re.findall(r"^\| `([^`]+)`", OPERATORS, flags=re.M))


def test_every_setting_of_the_defaults_file_is_documented():
    names = documented_names()
    keys = {f"{section}.{key}" for section, table in DEFAULTS.items() if isinstance(table, dict)
            and section not in ("regions", "constellations") for key in table}
    assert keys - names == set()
    assert {"regions.<id>", "constellations.<id>", "[[stations]]"} <= names


def read_environment_variables() -> set[str]:
    """Return the environment variables the code reads, by name: literal os.environ look-ups,
    ``*_ENV = "NAME"`` constants, connections (``*_CONN_ID``) and the settings' override prefix."""
    found = set()
    for path in CODE:
        text = path.read_text()
        found |= set(re.findall(r"environ(?:\.get)?[\(\[]\s*\"([A-Z][A-Z0-9_]+)\"", text))
        found |= set(re.findall(r"^[A-Z_]+_ENV = \"([A-Z][A-Z0-9_]+)\"", text, flags=re.M))
        found |= {f"AIRFLOW_CONN_{conn.upper()}" for conn in re.findall(r"^[A-Z_]+_CONN_ID = \"(\w+)\"", text, flags=re.M)}
        if 'OVERRIDE_PREFIX = "CONSTOPS__"' in text:
            found.add("CONSTOPS__<SECTION>__<KEY>")
    return {name for name in found if not AIRFLOW_CONFIG.match(name)}


def test_every_environment_variable_the_code_reads_is_documented():
    read = read_environment_variables()
    assert {"CONSTOPS_ALERTS_FILE", "CONSTOPS_SETTINGS", "AIRFLOW_CONN_CELESTRAK", "AIRFLOW_HOME"} <= read
    assert read - documented_names() == set()


def test_links_between_the_documents_and_files_the_tests_cite_exist():
    for doc in [REPO / "README.md", *(REPO / "docs").glob("*.md")]:
        for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", doc.read_text()):
            if not target.startswith("http"):
                assert (doc.parent / target).exists(), f"{doc.name} links to {target}"
    for test in (REPO / "tests").rglob("*.py"):
        for cited in re.findall(r"\b((?:docs|data)/[\w./-]+\.md)\b", test.read_text()):
            assert (REPO / cited).exists(), f"{test.name} cites {cited}, which is not in the repository"


def test_the_development_guide_lists_every_library_module_once():
    development = (REPO / "docs" / "development.md").read_text()
    listed = re.findall(r"^\| [├└] `([\w/]+\.py)` \|", development, flags=re.M)
    library = REPO / "include" / "constops"
    on_disk = sorted(str(p.relative_to(library)) for p in library.rglob("*.py"))
    assert sorted(listed) == on_disk


def test_make_run_listens_on_this_machine_only_unless_told_otherwise():
    """`make run` binds 127.0.0.1 (the README speaks of localhost); HOST= opens it."""
    import os
    import subprocess

    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    read = "source scripts/airflow-env.sh && echo $AIRFLOW__API__HOST $AIRFLOW__CORE__EXECUTION_API_SERVER_URL"
    shown = subprocess.run(["bash", "-c", read], cwd=REPO, env=env, capture_output=True, text=True, check=True)
    assert shown.stdout.split() == ["127.0.0.1", "http://127.0.0.1:8080/execution/"]
    opened = subprocess.run(["make", "-n", "run", "HOST=0.0.0.0"], cwd=REPO, env=env, capture_output=True, text=True)
    assert "export AIRFLOW__API__HOST=0.0.0.0;" in opened.stdout
    assert "make run HOST=0.0.0.0" in (REPO / "README.md").read_text(encoding="utf-8")
