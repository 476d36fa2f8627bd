"""The command line says a problem the same way whichever command meets it: each problem
on a line of its own, then how many there are, from one place (`analysis.cli.report`);
a message of its own carries the program's name."""

import json

import pytest

from analysis import cli
from analysis.cli import main
from conftest import CLAIMS, claim, make_event, set_cell


@pytest.fixture
def bad_event(tmp_path):
    """A made-up event with two problems in its ledger."""
    folder = make_event(
        tmp_path / "event",
        [
            claim("A1", "Monitor", "2020-03-01", "2020-03-01", "army", 5),
            claim("A2", "Monitor", "2020-03-01", "2020-03-03", "all", 20),
        ],
    )
    set_cell(folder, 2, "value", "-5")
    set_cell(folder, 3, "claimant", "Nobody")
    return folder


def test_an_unknown_rule_is_said_with_the_program_name(bad_event, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["reconcile", "--rule", "foo", "--data-dir", str(bad_event), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err == f"{cli.PROG}: unknown rule 'foo'; rules: hierarchy, latest, conservative, envelope, wikipedia\n"
    assert not out.exists()
    assert main(["reconcile", "--rule", "Hierachy", "--data-dir", str(bad_event), "--out", str(out)]) == 2
    assert capsys.readouterr().err.startswith(f"{cli.PROG}: unknown rule 'Hierachy' (did you mean 'hierarchy'?); ")


@pytest.mark.parametrize("command", ["reconcile", "build"])
def test_bad_data_is_reported_as_validate_reports_it(bad_event, tmp_path, capsys, command):
    assert main(["validate", str(bad_event)]) == 1
    said = capsys.readouterr().err
    assert said.splitlines() == [
        f"{bad_event / CLAIMS}, line 2, column value: '-5' is negative: counts are zero or more",
        f"{bad_event / CLAIMS}, line 3, column claimant: 'Nobody' is not a claimant of claimants.csv",
        f"2 problems in {bad_event}",
    ]
    out = tmp_path / "out"
    assert main([command, "--data-dir", str(bad_event), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(said)
    if command == "build":  # then what the build did: nothing
        assert err[len(said) :].splitlines() == [
            "[build] FAILED: invalid data",
            "[build] nothing published: notebooks, figures and tables are as they were before",
        ]
    else:
        assert err == said
    assert not out.exists()


def test_report_prints_the_problems_and_their_count_and_gives_the_exit_status(bad_event, capsys):
    from analysis.validate import validate

    assert cli.report([], bad_event) == 0
    assert capsys.readouterr().err == ""
    problems = validate(bad_event)[:1]
    assert cli.report(problems, bad_event) == 1
    assert capsys.readouterr().err.splitlines() == [str(problems[0]), f"1 problem in {bad_event}"]


def test_claimants_the_hierarchy_leaves_out_are_noted_by_reconcile(tmp_path, capsys):
    # valid data, but the default rule would set their claims aside without a word; a
    # relay (traced, never counted) and a claimant battle.json accepts unranked are not named
    day = "2020-03-01"
    rows = [
        claim("A1", "Monitor", day, day, "army", 5),
        claim("A2", "Army", day, day, "militia", 2),
        claim("A3", "Wire", day, day, "army", 5),
        claim("A4", "Local", day, day, "militia", 1),
    ]
    folder = make_event(tmp_path / "event", rows, claimants=("Monitor", "Army", "Wire", "Local"), relays=("Wire",))
    battle = json.loads((folder / "battle.json").read_text())
    battle["claimant_hierarchy"] = []
    battle["accepted_exceptions"] = [{"check": "unranked_claimants", "claims": ["A4"], "reason": "a test"}]
    (folder / "battle.json").write_text(json.dumps(battle))
    note = (
        f"{cli.PROG}: note: Army and Monitor are not in battle.json's claimant_hierarchy, so the hierarchy rule "
        "(the default) sets their claims aside; rank them there to count them\n"
    )
    assert main(["validate", str(folder)]) == 0
    assert capsys.readouterr().err == ""  # validate reads the tables only
    assert main(["reconcile", "--data-dir", str(folder), "--out", str(tmp_path / "out")]) == 0
    assert capsys.readouterr().err == note
    ranked = make_event(tmp_path / "ranked", [claim("A1", "Monitor", day, day, "army", 5)])
    assert main(["reconcile", "--data-dir", str(ranked), "--out", str(tmp_path / "out2")]) == 0
    assert capsys.readouterr().err == ""
