"""Project-level promises: environment files in step, the data package valid for
Frictionless, the loader's types, and the ledger's coverage of its sources."""

import json
import re
import subprocess
import sys
import tomllib

import pandas as pd
import pytest

from analysis.load import InvalidData, load_dataset
from conftest import DATA, ROOT, rows_of, write_rows


def _names(specs):
    return {re.split(r"[<>=\[ ]", s.strip(), maxsplit=1)[0].lower().replace("_", "-") for s in specs}


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = _names(project["dependencies"] + project["optional-dependencies"]["test"])
    section = (ROOT / "environment.yml").read_text().split("dependencies:", 1)[1]
    conda = [m for m in re.findall(r"^  - ([A-Za-z0-9_.-]+)", section, re.M) if m not in {"python", "pip"}]
    assert _names(conda) == wanted


def test_frictionless_accepts_the_data_package(monkeypatch):
    """What `frictionless validate datapackage.json` runs, in this process (a new one
    would spend seconds importing)."""
    from frictionless import validate

    monkeypatch.chdir(DATA)
    report = validate("datapackage.json")
    assert report.valid, [error.message for task in report.tasks for error in task.errors][:20]


def test_frictionless_and_validate_both_take_a_tables_columns_in_any_order(data_copy, monkeypatch):
    """A spreadsheet that moved a column: `validate` reads columns by name, and the package
    says so to frictionless too (`fieldsMatch: equal`)."""
    from frictionless import validate as frictionless_validate

    from analysis.validate import validate

    rows = rows_of(data_copy / "casualties.csv")
    order = [1, 0, *range(2, len(rows[0]))]
    write_rows(data_copy / "casualties.csv", [[row[k] for k in order] for row in rows])
    assert validate(data_copy) == []
    monkeypatch.chdir(data_copy)
    report = frictionless_validate("datapackage.json")
    assert report.valid, [error.message for task in report.tasks for error in task.errors][:20]


def test_loader_types():
    ds = load_dataset(DATA)
    c = ds.claims
    assert pd.api.types.is_datetime64_any_dtype(c["period_start"])
    assert isinstance(c["side"].dtype, pd.CategoricalDtype)
    assert isinstance(c["qualifier"].dtype, pd.CategoricalDtype)
    assert c["value"].dtype == "int64"
    assert c["in_scope"].dtype == bool
    assert pd.api.types.is_datetime64_any_dtype(ds.events["date"])
    assert ds.battle.period_start.isoformat() == "2012-06-05"


def test_loader_refuses_invalid_data(data_copy):
    (data_copy / "casualties.csv").write_text("")
    with pytest.raises(InvalidData) as err:
        load_dataset(data_copy)
    assert "casualties.csv, line 1" in str(err.value)


def test_every_source_is_cited_and_every_url_recorded():
    ds = load_dataset(DATA)
    cited = set(ds.claims["source_id"]) | set(ds.events["source_id"])
    assert set(ds.sources["source_id"]) == cited
    # a source without an address is named, with the reason, in the data dictionary
    dictionary = (DATA / "README.md").read_text(encoding="utf-8")
    no_url = ds.sources.loc[ds.sources["url"].isna(), "source_id"]
    assert not no_url.empty and all(f"`{source}`" in dictionary for source in no_url)


def test_deferred_iri_parser_still_checks_iris():
    """analysis.fastimport removes the parser's import cost without dropping the check."""
    code = (
        "import sys, analysis.fastimport, nbformat\n"
        "assert 'syntax_parser' not in vars(sys.modules['rfc3987_syntax']), 'parser built at import'\n"
        "from jsonschema import FormatChecker\n"
        "fc = FormatChecker()\n"
        "assert fc.conforms('http://example.org/a', 'iri') and not fc.conforms('no iri', 'iri')\n"
        "print('ok')"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.stdout.strip() == "ok", run.stderr


FLOW = [
    "paths",
    "package",
    "words",
    "outputs",
    "fastimport",
    "read",
    "battle",
    "validate",
    "load",
    "synthetic",
    "evidence",
    "derive",
    "model",
    "rules",
    "reconcile",
    "checks",
    "summaries",
    "story",
    "publish",
    "plots",
    "build",
    "html",
    "scaffold",
    "cli",
]


def test_the_package_states_the_flow_the_imports_follow():
    import analysis

    doc = re.sub(r"\([^)]*\)", "", analysis.__doc__.split("Data flow", 1)[1])  # asides dropped
    assert re.findall(r"[a-z]+", doc.split(":", 1)[1]) == FLOW


def test_modules_import_only_earlier_steps():
    """Data flows one way: no module imports one later in the flow (lazy imports included)."""
    import ast

    package = ROOT / "src" / "analysis"
    assert sorted(FLOW) == sorted(p.stem for p in package.glob("*.py") if p.stem not in {"__init__", "__main__"})
    for name in FLOW:
        tree = ast.parse((package / f"{name}.py").read_text())
        for node in ast.walk(tree):
            targets = []
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("analysis"):
                targets = [node.module.split(".")[1]] if "." in node.module else [a.name for a in node.names]
            elif isinstance(node, ast.Import):  # import analysis.x (as y)
                targets = [a.name.split(".")[1] for a in node.names if a.name.startswith("analysis.")]
            if targets:
                for target in targets:
                    if target == "__version__":  # the package's own metadata, not a step of the flow
                        continue
                    assert FLOW.index(target) < FLOW.index(name), f"{name} imports {target}"


def test_every_event_and_the_template_share_one_schema():
    """The schema is the project's, not an event's: every event's data package and the
    template `new` and the synthetic events copy hold the same resources."""
    from analysis import package
    from analysis.paths import events

    canonical = package.canonical()["resources"]
    for data, _ in events(ROOT):
        assert json.loads((data / "datapackage.json").read_text(encoding="utf-8"))["resources"] == canonical, data


def test_the_data_dictionary_names_every_key_of_battle_json_and_every_check():
    from analysis.battle import CHECK_NAMES, OPTIONAL_KEYS, REQUIRED_KEYS

    text = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    table = text.split("## `battle.json`: every key", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"`([a-z_]+)`", table))
    assert set(REQUIRED_KEYS) | set(OPTIONAL_KEYS) <= named
    assert set(CHECK_NAMES) <= named
