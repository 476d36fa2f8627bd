"""The validator accepts the real data and rejects each kind of bad input, naming the
file, the line and the column. Each case corrupts a copy of data/ in one way."""

import csv
import hashlib
import io
import json
import subprocess
import sys

import pytest
from conftest import CLAIMS, DATA, ROOT, line_of, rows_of, set_cell, write_rows

from analysis.cli import main
from analysis.validate import validate


def test_real_data_is_valid():
    assert validate(DATA) == []


def test_validation_never_modifies_data():
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in DATA.iterdir()}
    subprocess.run([sys.executable, "-m", "analysis", "validate", str(DATA)], check=True, capture_output=True)
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in DATA.iterdir()}
    assert before == after


# Each case: a function that corrupts the copy, then the (file, line, column, words) expected.
def _empty(d):
    (d / CLAIMS).write_text("")


def _header_only(d):
    (d / CLAIMS).write_text((DATA / CLAIMS).read_text().splitlines()[0] + "\n")


def _drop_column(d):
    write_rows(d / CLAIMS, [r[:-1] for r in rows_of(d / CLAIMS)])


def _extra_column(d):
    write_rows(d / CLAIMS, [r + (["comment"] if i == 0 else ["x"]) for i, r in enumerate(rows_of(d / CLAIMS))])


def _rename_column(d):
    rows = rows_of(d / CLAIMS)
    rows[0][rows[0].index("value")] = "count"
    write_rows(d / CLAIMS, rows)


def _semicolons(d):
    buf = io.StringIO()
    csv.writer(buf, delimiter=";", lineterminator="\n").writerows(rows_of(d / CLAIMS))
    (d / CLAIMS).write_text(buf.getvalue())


def _latin1(d):
    text = (d / CLAIMS).read_text().replace("Haffé", "Haff\u00e9", 1)
    (d / CLAIMS).write_bytes(text.encode("latin-1"))


def _bom(d):
    (d / CLAIMS).write_bytes(b"\xef\xbb\xbf" + (d / CLAIMS).read_bytes())


def _ragged(d):
    rows = rows_of(d / CLAIMS)
    rows[4] = rows[4][:-2]
    write_rows(d / CLAIMS, rows)


def _quoted_newline(d):
    set_cell(d, 6, "note", "first part\nsecond part")


def _swap_ids(d):
    set_cell(d, line_of("H004"), "claim_id", "H003")


def _claimant_mismatch(d):
    set_cell(d, line_of("H040"), "supersedes", "H032")


def _bad_battle(d):
    battle = json.loads((d / "battle.json").read_text())
    del battle["period_end"]
    (d / "battle.json").write_text(json.dumps(battle))


def _missing_file(d):
    (d / "sources.csv").unlink()


def _published_basis(d):
    set_cell(d, 2, "published_basis", "stated", name="sources.csv")


def _hierarchy(d):
    battle = json.loads((d / "battle.json").read_text())
    battle["claimant_hierarchy"].append("Nobody")
    (d / "battle.json").write_text(json.dumps(battle))


def cell(claim_id, column, value):
    def corrupt(d):
        set_cell(d, line_of(claim_id), column, value)

    return corrupt


H082 = line_of("H082")
CASES = {
    # structure
    "empty file": (_empty, CLAIMS, 1, None, "empty"),
    # a header-only ledger is a valid (new) ledger; here the exceptions then name lost claims
    "header only": (_header_only, "battle.json", None, "accepted_exceptions[0]", "is not a claim_id"),
    "missing column": (_drop_column, CLAIMS, 1, "note", "missing"),
    "extra column": (_extra_column, CLAIMS, 1, "comment", "unexpected column"),
    "renamed column": (_rename_column, CLAIMS, 1, "value", "renamed?"),
    "wrong delimiter": (_semicolons, CLAIMS, 1, None, "semicolon-separated"),
    "wrong encoding": (_latin1, CLAIMS, H082, None, "not UTF-8"),
    "byte-order mark": (_bom, CLAIMS, 1, None, "byte-order mark"),
    "ragged row": (_ragged, CLAIMS, 5, None, "cells"),
    "quoted newline": (_quoted_newline, CLAIMS, 6, None, "line break"),
    "missing file": (_missing_file, "sources.csv", None, None, "not found"),
    # values
    "bad date": (cell("H082", "period_end", "12/06/2012"), CLAIMS, H082, "period_end", "YYYY-MM-DD"),
    "impossible date": (
        cell("H082", "period_end", "2012-06-31"),
        CLAIMS,
        H082,
        "period_end",
        "not a real calendar date",
    ),
    "non-numeric value": (cell("H082", "value", "many"), CLAIMS, H082, "value", "not a number"),
    "negative value": (cell("H082", "value", "-120"), CLAIMS, H082, "value", "negative"),
    "fractional value": (cell("H082", "value", "12.5"), CLAIMS, H082, "value", "whole number"),
    "unknown side": (cell("H082", "side", "aliens"), CLAIMS, H082, "side", "not a side"),
    "unknown qualifier": (cell("H082", "qualifier", "roughly"), CLAIMS, H082, "qualifier", "not an allowed value"),
    "unknown area": (cell("H082", "area", "moon"), CLAIMS, H082, "area", "not an area"),
    "bad boolean": (cell("H082", "in_scope", "yes"), CLAIMS, H082, "in_scope", "not one of"),
    "blank required cell": (cell("H082", "claimant", ""), CLAIMS, H082, "claimant", "blank"),
    "trailing spaces": (cell("H082", "measure", "killed "), CLAIMS, H082, "measure", "spaces"),
    # relations
    "duplicate id": (_swap_ids, CLAIMS, line_of("H004"), "claim_id", "duplicate"),
    "unknown source": (cell("H082", "source_id", "nowhere"), CLAIMS, H082, "source_id", "not a source_id"),
    "unknown claimant": (cell("H082", "claimant", "Martians"), CLAIMS, H082, "claimant", "not a claimant"),
    "superseded claim missing": (cell("H082", "supersedes", "H999"), CLAIMS, H082, "supersedes", "not a claim_id"),
    "superseded claim of another claimant": (_claimant_mismatch, CLAIMS, line_of("H040"), "supersedes", "claimant"),
    "supersedes itself": (cell("H082", "supersedes", "H082"), CLAIMS, H082, "supersedes", "itself"),
    "end before start": (cell("H082", "period_start", "2012-06-13"), CLAIMS, H082, "period_end", "before period_start"),
    "daily figure spanning days": (cell("H082", "figure_type", "daily"), CLAIMS, H082, "period_end", "one day"),
    "in scope outside the period": (
        cell("H082", "period_end", "2012-06-20"),
        CLAIMS,
        H082,
        "in_scope",
        "outside the event's period",
    ),
    "in scope outside the area": (cell("H082", "area", "country"), CLAIMS, H082, "in_scope", "outside the battle"),
    "in scope with no end date": (cell("H082", "period_end", ""), CLAIMS, H082, "in_scope", "not fully given"),
    "publication date and basis disagree": (_published_basis, "sources.csv", 2, "published_basis", "unknown"),
    "battle file missing a key": (_bad_battle, "battle.json", None, "period_end", "missing"),
    "hierarchy names unknown claimant": (_hierarchy, "battle.json", None, "claimant_hierarchy", "Nobody"),
}


@pytest.mark.parametrize("kind", list(CASES))
def test_rejects_bad_input(kind, data_copy):
    corrupt, file, line, column, words = CASES[kind]
    corrupt(data_copy)
    problems = validate(data_copy)
    hits = [
        p for p in problems if p.file.endswith(file) and p.line == line and p.column == column and words in p.message
    ]
    assert hits, f"expected {file}:{line}:{column} '{words}', got:\n" + "\n".join(map(str, problems))


@pytest.mark.parametrize("kind", list(CASES))
def test_command_line_exits_1_naming_the_place_for_every_kind(kind, data_copy, capsys):
    corrupt, file, line, column, words = CASES[kind]
    corrupt(data_copy)
    assert main(["validate", str(data_copy)]) == 1
    err = capsys.readouterr().err
    where = f"{file}" + (f", line {line}" if line is not None else "") + (f", column {column}" if column else "")
    assert any(where in row and words in row for row in err.splitlines()), err


def test_cli_reports_file_line_column_and_exits_1(data_copy):
    cell("H082", "value", "-1")(data_copy)
    run = subprocess.run(
        [sys.executable, "-m", "analysis", "validate", str(data_copy)], capture_output=True, text=True, cwd=ROOT
    )
    assert run.returncode == 1
    assert f"casualties.csv, line {H082}, column value: '-1' is negative" in run.stderr
    assert "Traceback" not in run.stderr


def test_cli_accepts_real_data():
    run = subprocess.run([sys.executable, "-m", "analysis", "validate"], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
