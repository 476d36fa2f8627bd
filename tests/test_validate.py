"""The validator accepts the real data and rejects each kind of bad input, naming the
file, the line and the column. Each case corrupts a copy of data/ in one way."""

import csv
import hashlib
import io
import json
import shutil
import subprocess
import sys

import pytest

from analysis import package, read
from analysis.battle import parse_battle
from analysis.cli import main
from analysis.validate import validate
from conftest import CLAIMS, DATA, ROOT, claim, line_of, make_event, rows_of, set_cell, source_row, write_rows


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


def _ragged(d):
    rows = rows_of(d / CLAIMS)
    rows[4] = rows[4][:-2]
    write_rows(d / CLAIMS, rows)


def _empty_row(d):
    """A row of commas, as a spreadsheet leaves one, in the middle of the ledger (line 6)."""
    rows = rows_of(d / CLAIMS)
    write_rows(d / CLAIMS, [*rows[:5], [""] * len(rows[0]), *rows[5:]])


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


def battle_edit(change):
    """A case that edits battle.json as parsed JSON."""

    def corrupt(d):
        battle = json.loads((d / "battle.json").read_text())
        change(battle)
        (d / "battle.json").write_text(json.dumps(battle))

    return corrupt


def package_edit(change):
    def corrupt(d):
        package = json.loads((d / "datapackage.json").read_text())
        change(package)
        (d / "datapackage.json").write_text(json.dumps(package))

    return corrupt


def table_cell(name, row, column, value):
    def corrupt(d):
        set_cell(d, row, column, value, name=name)

    return corrupt


def _start_after_publication(d):
    """H082 with no end day, its first day after its document appeared."""
    set_cell(d, line_of("H082"), "period_end", "")
    set_cell(d, line_of("H082"), "period_start", "2012-06-14")


def _loop(d):
    set_cell(d, line_of("H029"), "supersedes", "H040")


def _fifo(d):
    import os

    (d / "events.csv").unlink()
    os.mkfifo(d / "events.csv")


def _folder(d):
    (d / "claimants.csv").unlink()
    (d / "claimants.csv").mkdir()


def _link_to_device(d):
    (d / "sources.csv").unlink()
    (d / "sources.csv").symlink_to("/dev/zero")


def _not_json(d):
    (d / "battle.json").write_text("{not json")


def _events_header_problem(d):
    rows = rows_of(d / "events.csv")
    rows[0][rows[0].index("date")] = "day"
    write_rows(d / "events.csv", rows)


def _thousands_comma(d):
    """H082's 120 written as 1,200 and left unquoted, as a spreadsheet exports it."""
    lines = (d / CLAIMS).read_text(encoding="utf-8").split("\n")
    assert ",killed,120,exact," in lines[H082 - 1]
    lines[H082 - 1] = lines[H082 - 1].replace(",killed,120,exact,", ",killed,1,200,exact,")
    (d / CLAIMS).write_text("\n".join(lines), encoding="utf-8")


def _about_band_twice(d):
    """battle.json with `about_band` given a second time on the line after the first."""
    lines = (d / "battle.json").read_text(encoding="utf-8").split("\n")
    i = next(i for i, line in enumerate(lines) if line.strip().startswith('"about_band"'))
    lines.insert(i + 1, '  "about_band": 0.5,')
    (d / "battle.json").write_text("\n".join(lines), encoding="utf-8")


ABOUT_BAND_TWICE = 2 + next(
    i for i, line in enumerate((DATA / "battle.json").read_text().split("\n")) if '"about_band"' in line
)


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
    "ragged row": (_ragged, CLAIMS, 5, None, "cells"),
    "unquoted thousands comma": (_thousands_comma, CLAIMS, H082, "value", "thousands comma (1,200)?"),
    "quoted newline": (_quoted_newline, CLAIMS, 6, None, "line break"),
    "row of commas": (_empty_row, CLAIMS, 6, None, "every cell of the row is blank"),
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
    "fullwidth digits": (cell("H082", "value", "１２０"), CLAIMS, H082, "value", "not a number (in the digits 0-9)"),
    "Arabic-Indic digits": (cell("H082", "value", "١٢٠"), CLAIMS, H082, "value", "not a number (in the digits 0-9)"),
    "negative value": (cell("H082", "value", "-120"), CLAIMS, H082, "value", "negative"),
    "fractional value": (cell("H082", "value", "12.5"), CLAIMS, H082, "value", "whole number"),
    "unknown side": (cell("H082", "side", "aliens"), CLAIMS, H082, "side", "not a side"),
    "unknown qualifier": (cell("H082", "qualifier", "roughly"), CLAIMS, H082, "qualifier", "not an allowed value"),
    # a closed list: nothing to add to in the package (the code reads each qualifier's meaning)
    "unknown qualifier, closed": (cell("H082", "qualifier", "roughly"), CLAIMS, H082, "qualifier", "exact, "),
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
    # text and numbers that would pass a schema but break what follows
    "NUL in text": (cell("H082", "note", "before\x00after"), CLAIMS, H082, "note", "control character"),
    "control character in text": (cell("H082", "place_as_named", "Haff\x07"), CLAIMS, H082, "place_as_named", "U+0007"),
    "absurdly large count": (cell("H082", "value", str(10**20)), CLAIMS, H082, "value", "above the maximum"),
    "unknown count status": (cell("H082", "count_status", "closing"), CLAIMS, H082, "count_status", "not an allowed"),
    "unknown cause": (cell("H082", "cause", "magic"), CLAIMS, H082, "cause", "not an allowed"),
    "bad identified flag": (cell("H082", "identified", "yes"), CLAIMS, H082, "identified", "not one of"),
    "unknown figure type": (cell("H082", "figure_type", "weekly"), CLAIMS, H082, "figure_type", "not an allowed"),
    "unknown measure": (cell("H082", "measure", "injured"), CLAIMS, H082, "measure", "not an allowed"),
    "bad claim id": (cell("H082", "claim_id", "H 082"), CLAIMS, H082, "claim_id", "pattern"),
    "revisions in a loop": (_loop, CLAIMS, line_of("H029"), "supersedes", "loop"),
    # the other tables
    "unknown language": (
        table_cell("sources.csv", 2, "language", "zz"),
        "sources.csv",
        2,
        "language",
        "not an allowed",
    ),
    "published in the future": (
        table_cell("sources.csv", 3, "published", "2099-01-01"),
        "sources.csv",
        3,
        "published",
        "after the day it was read",
    ),
    "claim after its document": (
        cell("H082", "period_end", "2012-06-13"),  # France 24's copy appeared on 12 June
        CLAIMS,
        H082,
        "period_end",
        "is after the day its document 'france24-2012-06-12' was published (2012-06-12",
    ),
    "claim with no end after its document": (
        _start_after_publication,
        CLAIMS,
        H082,
        "period_start",
        "2012-06-14 is after the day its document 'france24-2012-06-12' was published",
    ),
    "event after its document": (
        table_cell("events.csv", 5, "date", "2099-05-04"),  # E04, from a story of 12 June 2012
        "events.csv",
        5,
        "date",
        "is after the day its document 'ynet-2012-06-12' was published",
    ),
    "read in the future": (
        table_cell("sources.csv", 3, "accessed", "2099-01-01"),
        "sources.csv",
        3,
        "accessed",
        "future",
    ),
    "unknown source kind": (table_cell("sources.csv", 2, "kind", "tweet"), "sources.csv", 2, "kind", "not an allowed"),
    "blank publisher": (table_cell("sources.csv", 2, "publisher", ""), "sources.csv", 2, "publisher", "blank"),
    "duplicate source": (
        table_cell("sources.csv", 3, "source_id", "wp-article"),
        "sources.csv",
        3,
        "source_id",
        "duplicate",
    ),
    "claimant type typo": (
        table_cell("claimants.csv", 2, "claimant_type", "monitr"),
        "claimants.csv",
        2,
        "claimant_type",
        "not an allowed",
    ),
    "bad relays flag": (
        table_cell("claimants.csv", 2, "relays_others", "maybe"),
        "claimants.csv",
        2,
        "relays_others",
        "not one of",
    ),
    "duplicate claimant": (
        table_cell("claimants.csv", 3, "claimant", "SOHR"),
        "claimants.csv",
        3,
        "claimant",
        "duplicate",
    ),
    "unknown event": (
        table_cell("events.csv", 2, "event", "parade"),
        "events.csv",
        2,
        "event",
        "not an allowed value (recapture, ",  # the list, and where a new event type is declared
    ),
    "unknown event, open to new ones": (
        table_cell("events.csv", 2, "event", "parade"),
        "events.csv",
        2,
        "event",
        "; a new one goes in this field's enum in the folder's datapackage.json",
    ),
    "event of an unknown claimant": (
        table_cell("events.csv", 2, "claimant", "Nobody"),
        "events.csv",
        2,
        "claimant",
        "not a claimant",
    ),
    "event with a bad date": (table_cell("events.csv", 2, "date", "June 12"), "events.csv", 2, "date", "YYYY-MM-DD"),
    "renamed event column": (_events_header_problem, "events.csv", 1, "date", "missing"),
    # special files
    "a FIFO in place of a table": (_fifo, "events.csv", None, None, "FIFO"),
    "a folder in place of a table": (_folder, "claimants.csv", None, None, "a folder"),
    "a link to a device": (_link_to_device, "sources.csv", None, None, "a device"),
    # battle.json, key by key
    "battle.json is not JSON": (_not_json, "battle.json", 1, None, "not valid JSON, at character 2"),
    "sides listed twice": (
        battle_edit(lambda b: b["sides"].append(b["sides"][0])),
        "battle.json",
        None,
        "sides",
        "more than once",
    ),
    "group named like a side": (
        battle_edit(lambda b: b["side_groups"].update({b["sides"][0]: b["sides"][1:]})),
        "battle.json",
        None,
        "side_groups.government forces",
        "already the name",
    ),
    "group of unknown names": (
        battle_edit(lambda b: b["side_groups"].update({"odd": ["nobody"]})),
        "battle.json",
        None,
        "side_groups.odd",
        "names no side",
    ),
    "group inside itself": (
        battle_edit(lambda b: b["side_groups"].update({"loop": ["loop", "rebels"]})),
        "battle.json",
        None,
        "side_groups.loop",
        "contains itself",
    ),
    "side group not a list": (
        battle_edit(lambda b: b["side_groups"].update({"all": "everyone"})),
        "battle.json",
        None,
        "side_groups.all",
        "non-empty list",
    ),
    "a side listed as an other actor": (
        battle_edit(lambda b: b["other_actors"].append(b["sides"][1])),
        "battle.json",
        None,
        "other_actors",
        "'rebels' is already the name of a side or sub-group",
    ),
    "a sub-group listed as an other actor": (
        battle_edit(lambda b: b["other_actors"].append("children")),
        "battle.json",
        None,
        "other_actors",
        "'children' is already the name",
    ),
    "a period of more than a century": (
        battle_edit(lambda b: b.update(period_start="0001-06-05")),
        "battle.json",
        None,
        "period_start",
        "days (100 years)",
    ),
    "a key given twice": (_about_band_twice, "battle.json", ABOUT_BAND_TWICE, "about_band", "key given twice"),
    "a control character in a name": (
        battle_edit(lambda b: b.update(name="Battle\tof the test")),
        "battle.json",
        None,
        "name",
        "control character",
    ),
    "a control character in a side group's member": (
        battle_edit(lambda b: b["side_groups"]["all"].append("re\x07bels")),
        "battle.json",
        None,
        "side_groups.all[3]",
        "control character",
    ),
    "a preferred language that is no language code": (
        battle_edit(lambda b: b.update(language_preference=["english"])),
        "battle.json",
        None,
        "language_preference",
        "'english' is not a language code",
    ),
    "a reconciled measure the ledger does not allow": (
        battle_edit(lambda b: b.update(reconciled_measures=["killed", "injured"])),
        "battle.json",
        None,
        "reconciled_measures",
        "'injured' is not a measure the ledger allows",
    ),
    "sub-groups of an unknown side": (
        battle_edit(lambda b: b.update(subgroups={"aliens": ["small aliens"]})),
        "battle.json",
        None,
        "subgroups.aliens",
        "not a side",
    ),
    "sub-group named like a side": (
        battle_edit(lambda b: b.update(subgroups={"civilians": ["rebels"]})),
        "battle.json",
        None,
        "subgroups.civilians",
        "already the name",
    ),
    "claimant ranked twice": (
        battle_edit(lambda b: b["claimant_hierarchy"].append("SOHR")),
        "battle.json",
        None,
        "claimant_hierarchy",
        "more than once",
    ),
    "no reconciled measure": (
        battle_edit(lambda b: b.update(reconciled_measures=[])),
        "battle.json",
        None,
        "reconciled_measures",
        "at least one",
    ),
    "area without flags": (
        battle_edit(lambda b: b["areas"].update({"moon": {"in_scope": "yes"}})),
        "battle.json",
        None,
        "areas.moon",
        "boolean",
    ),
    "about band out of range": (
        battle_edit(lambda b: b.update(about_band=2)),
        "battle.json",
        None,
        "about_band",
        "fraction",
    ),
    "exceptions not a list": (
        battle_edit(lambda b: b.update(accepted_exceptions={"check": "x"})),
        "battle.json",
        None,
        "accepted_exceptions",
        "must be a list",
    ),
    "period end before start": (
        battle_edit(lambda b: b.update(period_end="2012-06-01")),
        "battle.json",
        None,
        "period_end",
        "before period_start",
    ),
    "sides of the wrong type": (battle_edit(lambda b: b.update(sides="rebels")), "battle.json", None, "sides", "type"),
    # the data package
    "package with no resources": (
        package_edit(lambda p: p.update(resources=[])),
        "datapackage.json",
        None,
        "resources",
        "lacks the resource",
    ),
    "package path leaving the folder": (
        package_edit(lambda p: p["resources"][0].update(path="../casualties.csv")),
        "datapackage.json",
        None,
        "resources[0].path",
        "leaves the data folder",
    ),
}


@pytest.mark.parametrize("kind", list(CASES))
def test_rejects_bad_input(kind, data_copy):
    corrupt, file, line, column, words = CASES[kind]
    corrupt(data_copy)
    before = {p.name: p.read_bytes() for p in data_copy.iterdir() if p.is_file() and not p.is_symlink()}
    problems = validate(data_copy)
    assert before == {p.name: p.read_bytes() for p in data_copy.iterdir() if p.is_file() and not p.is_symlink()}
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
    label = "key" if file.endswith(".json") else "column"  # the place in a JSON file is a key
    where = f"{file}" + (f", line {line}" if line is not None else "") + (f", {label} {column}" if column else "")
    assert any(where in row and words in row for row in err.splitlines()), err
    assert "Traceback" not in err


def test_cli_reports_file_line_column_and_exits_1(data_copy):
    cell("H082", "value", "-1")(data_copy)
    run = subprocess.run(
        [sys.executable, "-m", "analysis", "validate", str(data_copy)], capture_output=True, text=True, cwd=ROOT
    )
    assert run.returncode == 1
    assert f"casualties.csv, line {H082}, column value: '-1' is negative" in run.stderr
    assert "Traceback" not in run.stderr


def test_validate_takes_the_folder_as_the_other_commands_do_and_counts_in_words(data_copy, capsys):
    """`validate --data-dir X` is `validate X` (not both at once); the count at the end is
    "1 problem", "2 problems"."""
    cell("H082", "value", "-1")(data_copy)
    assert main(["validate", "--data-dir", str(data_copy)]) == 1
    err = capsys.readouterr().err
    assert err.splitlines()[-1] == f"1 problem in {data_copy}"
    assert main(["validate", str(data_copy)]) == 1 and capsys.readouterr().err == err
    cell("H083", "value", "-2")(data_copy)
    assert main(["validate", "--data-dir", str(data_copy)]) == 1
    assert capsys.readouterr().err.splitlines()[-1] == f"2 problems in {data_copy}"
    with pytest.raises(SystemExit) as end:
        main(["validate", str(data_copy), "--data-dir", str(data_copy)])
    assert end.value.code == 2 and "not allowed with argument" in capsys.readouterr().err


def test_cli_accepts_real_data():
    run = subprocess.run([sys.executable, "-m", "analysis", "validate"], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr


# -- a large ledger: streamed in chunks, with the same problems in the same places ----------


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of three rows and blocks of 64 bytes: the boundaries of a million-row ledger
    on a 100-row one."""
    monkeypatch.setattr(read, "CHUNK_ROWS", 3)
    monkeypatch.setattr(read, "BLOCK", 64)


@pytest.mark.parametrize("kind", list(CASES))
def test_rejects_bad_input_read_in_small_chunks(kind, data_copy, small_chunks):
    corrupt, file, line, column, words = CASES[kind]
    corrupt(data_copy)
    problems = validate(data_copy)
    assert any(
        p.file.endswith(file) and p.line == line and p.column == column and words in p.message for p in problems
    ), "\n".join(map(str, problems))


def test_small_chunks_change_nothing(data_copy, small_chunks, monkeypatch):
    """Problems everywhere: the same list whatever the size of chunks and blocks."""
    for line, column, value in [
        (2, "value", "x"),
        (5, "claim_id", "H001"),
        (9, "supersedes", "H009"),
        (50, "side", ""),
    ]:
        set_cell(data_copy, line, column, value)
    set_cell(data_copy, line_of("H082"), "supersedes", "H032")
    small = validate(data_copy)
    monkeypatch.setattr(read, "CHUNK_ROWS", 100_000)
    monkeypatch.setattr(read, "BLOCK", 1 << 20)
    assert small == validate(data_copy) and len(small) >= 5


def big_ledger(data_dir, rows: int) -> list[list[str]]:
    """Grow the ledger to `rows` rows by repeating its rows under new claim IDs."""
    header, *data = rows_of(data_dir / CLAIMS)
    ids, sup = header.index("claim_id"), header.index("supersedes")
    grown = [header]
    for k in range(rows):
        row = list(data[k % len(data)])
        row[ids], row[sup] = f"X{k:07d}", ""
        grown.append(row)
    battle = json.loads((data_dir / "battle.json").read_text())
    battle["accepted_exceptions"] = []
    (data_dir / "battle.json").write_text(json.dumps(battle))
    write_rows(data_dir / CLAIMS, grown)
    return grown


def test_a_big_ledger_is_valid(data_copy):
    big_ledger(data_copy, 5000)
    assert validate(data_copy) == []


def test_a_bad_byte_deep_in_a_big_file_names_its_line(data_copy):
    big_ledger(data_copy, 20_000)  # about 5 MB: many blocks
    raw = (data_copy / CLAIMS).read_bytes()
    lines = raw.split(b"\n")
    lines[17_000] = lines[17_000].replace(b",", b",\xe9", 1)
    (data_copy / CLAIMS).write_bytes(b"\n".join(lines))
    problems = validate(data_copy)
    assert [(p.line, p.message) for p in problems if p.file.endswith(CLAIMS)] == [
        (17_001, "byte 0xe9 is not UTF-8: save the file as UTF-8")
    ]


def test_a_bad_byte_comes_before_a_header_problem(data_copy):
    """Reading stops at a bad header, but the encoding of the whole file is checked first."""
    _rename_column(data_copy)
    _latin1(data_copy)
    problems = [p for p in validate(data_copy) if p.file.endswith(CLAIMS)]
    assert [(p.line, p.column) for p in problems] == [(H082, None)] and "not UTF-8" in problems[0].message


def test_a_file_of_blank_lines_is_empty(data_copy, small_chunks):
    (data_copy / CLAIMS).write_text("\n" * 500)
    problems = validate(data_copy)
    assert [p for p in problems if p.file.endswith(CLAIMS)][0].message.startswith("file is empty")


def test_a_quoted_carriage_return_is_a_line_break(data_copy):
    set_cell(data_copy, 6, "note", "MARK")
    text = (data_copy / CLAIMS).read_text()
    (data_copy / CLAIMS).write_text(text.replace("MARK", '"first part\rsecond part"'), newline="")
    problems = validate(data_copy)
    assert any(p.line == 6 and p.column is None and "line break" in p.message for p in problems), problems


def test_a_duplicate_far_apart_names_the_first_line(data_copy, small_chunks):
    big_ledger(data_copy, 300)
    set_cell(data_copy, 250, "claim_id", "X0000001")
    problems = validate(data_copy)
    assert [str(p) for p in problems] == [
        f"{data_copy / CLAIMS}, line 250, column claim_id: duplicate 'X0000001': already on line 3"
    ]


def test_a_column_with_many_problems_lists_the_first_hundred(data_copy):
    rows = big_ledger(data_copy, 1500)
    column = rows[0].index("qualifier")
    for row in rows[1:]:
        row[column] = "roughly"
    write_rows(data_copy / CLAIMS, rows)
    problems = [p for p in validate(data_copy) if p.column == "qualifier"]
    assert [p.line for p in problems[:100]] == list(range(2, 102))
    assert len(problems) == 101 and problems[100].line == 102
    assert problems[100].message.startswith("1,400 more problems in this column from this line on are not listed")


def test_a_thousand_problems_in_a_column_are_all_listed(data_copy):
    rows = big_ledger(data_copy, 1500)
    column = rows[0].index("qualifier")
    for row in rows[1:1001]:
        row[column] = "roughly"
    write_rows(data_copy / CLAIMS, rows)
    problems = [p for p in validate(data_copy) if p.column == "qualifier"]
    assert len(problems) == 1000 and all("not an allowed value" in p.message for p in problems)


def test_a_pattern_that_is_not_a_regular_expression_is_a_package_problem(data_copy):
    package = json.loads((data_copy / "datapackage.json").read_text())
    package["resources"][0]["schema"]["fields"][0]["constraints"]["pattern"] = "[A-Z"
    (data_copy / "datapackage.json").write_text(json.dumps(package))
    (problem,) = validate(data_copy)
    assert (
        problem.file.endswith("datapackage.json")
        and problem.column == "resources[0].schema.fields[0].constraints.pattern"
    )
    assert problem.message.startswith("'[A-Z' is not a valid regular expression: ")


def test_loops_of_revisions(data_copy):
    short = ["H001", "H002", "H003"]
    for claim_id, target in zip(short, short[1:] + short[:1]):
        set_cell(data_copy, line_of(claim_id), "supersedes", target)
    loops = [p.message for p in validate(data_copy) if "loop" in p.message]
    assert "revisions form a loop: H001 -> H002 -> H003 -> H001" in loops and len(loops) == 3
    # a long loop is named by its ends, not spelled out claim by claim
    rows = rows_of(data_copy / CLAIMS)
    ids, sup = rows[0].index("claim_id"), rows[0].index("supersedes")
    for row, following in zip(rows[1:], rows[2:] + rows[1:2]):
        row[sup] = following[ids]
    write_rows(data_copy / CLAIMS, rows)
    loops = [p.message for p in validate(data_copy) if "loop" in p.message]
    assert len(loops) == len(rows) - 1
    assert loops[0] == (
        f"revisions form a loop of {len(rows) - 1} claims: H001 -> H002 -> H003 -> H004 -> H005 -> H006 -> ... -> "
        f"{' -> '.join(r[ids] for r in rows[-6:])} -> H001"
    )


# -- the root cause first: a small event made in the test, broken in one place -------------


@pytest.fixture
def event(tmp_path):
    """A made-up three-day event: claims of two claimants on two sides, one revision, a side
    split into sub-groups, and a source with no publication date (line 3)."""
    return make_event(
        tmp_path / "event",
        [
            claim("A1", "Monitor", "2020-03-01", "2020-03-01", "army", 5),
            claim("A2", "Monitor", "2020-03-01", "2020-03-03", "all", 20, supersedes=""),
            claim("A3", "Monitor", "2020-03-01", "2020-03-03", "all", 22, supersedes="A2"),
            claim("A4", "Army", "2020-03-02", "2020-03-02", "officers", 1),
        ],
        subgroups={"army": ["officers"]},
        sources=[source_row("s1"), source_row("s2", published="")],
    )


def problems_of(folder):
    """Each problem as (file name, line, column, message)."""
    return [(p.file.rsplit("/", 1)[-1], p.line, p.column, p.message) for p in validate(folder)]


def test_the_small_event_is_valid(event):
    assert validate(event) == []


def _rename(key, new, inside=lambda b: b):
    def change(battle):
        obj = inside(battle)
        obj[new] = obj.pop(key)

    return change


@pytest.mark.parametrize(
    "change, column, message",
    [
        (
            _rename("accepted_exceptions", "accepted_exception"),
            "accepted_exception",
            "unknown key 'accepted_exception': did you mean 'accepted_exceptions'?",
        ),
        # the sub-group 'officers' of claim A4 is not echoed as an unknown side
        (_rename("subgroups", "subgroup"), "subgroup", "unknown key 'subgroup': did you mean 'subgroups'?"),
        # a renamed required key: not also reported as missing
        (_rename("period_end", "period_ends"), "period_ends", "unknown key 'period_ends': did you mean 'period_end'?"),
        (_rename("sides", "sides "), "sides ", "unknown key 'sides ': did you mean 'sides'?"),
        (
            lambda b: b.update(notes="draft"),
            "notes",
            "unknown key 'notes': battle.json holds only battle_id, name, place, period_start, period_end, sides, "
            "side_groups, other_actors, reconciled_measures, areas, claimant_hierarchy, language_preference, "
            "about_band, accepted_exceptions, subgroups",
        ),
        # objects inside battle.json with a fixed set of keys: an area, an accepted exception
        (
            _rename("in_scope", "inscope", lambda b: b["areas"]["battle area"]),
            "areas.battle area.inscope",
            "unknown key 'inscope': did you mean 'in_scope'?",
        ),
        (
            lambda b: b["areas"]["battle area"].update(colour="red"),
            "areas.battle area.colour",
            "unknown key 'colour': an area holds only in_scope, whole, description",
        ),
        (
            lambda b: b.update(accepted_exceptions=[{"check": "copies_disagree", "claim": ["A1"], "reason": "why"}]),
            "accepted_exceptions[0].claim",
            "unknown key 'claim': did you mean 'claims'?",
        ),
        # an exception for a check that does not exist could never be matched
        (
            lambda b: b.update(accepted_exceptions=[{"check": "copies_disagre", "claims": ["A1"], "reason": "why"}]),
            "accepted_exceptions[0].check",
            "'copies_disagre' is not a check: did you mean 'copies_disagree'?",
        ),
        # a check with no failing verdict: an exception for it could never be used
        (
            lambda b: b.update(accepted_exceptions=[{"check": "derived_figures", "claims": ["A1"], "reason": "why"}]),
            "accepted_exceptions[0].check",
            "'derived_figures' only informs (no failing verdict): nothing to accept",
        ),
    ],
)
def test_an_unknown_key_of_battle_json_is_the_one_problem(event, change, column, message):
    battle_edit(change)(event)
    assert problems_of(event) == [("battle.json", None, column, message)]
    assert main(["validate", str(event)]) == 1


def test_every_battle_json_the_project_writes_holds_only_known_keys(tmp_path):
    from analysis import synthetic
    from analysis.scaffold import battle_template

    written = [
        json.loads((DATA / "battle.json").read_text(encoding="utf-8")),
        json.loads((ROOT / "events" / "al-qubeir" / "data" / "battle.json").read_text(encoding="utf-8")),
        battle_template("new event"),
        synthetic.battle_json(1),
    ]
    for raw in written:
        assert parse_battle(raw)[1] == []
    assert main(["new", str(tmp_path / "new")]) == 0
    assert [p for p in validate(tmp_path / "new") if p.file.endswith("battle.json")] == []


@pytest.mark.parametrize(
    "column, value, message",
    [
        ("period_start", "2012-06-31", "'2012-06-31' is not a real calendar date"),
        ("period_start", "05/06/2012", "'05/06/2012' is not a date in YYYY-MM-DD form"),
        # a date Python reads (ISO 8601 basic form) but the schema does not: not compared either
        ("period_end", "20200229", "'20200229' is not a date in YYYY-MM-DD form"),
        ("period_end", "2020-03-01 ", "'2020-03-01 ' has leading or trailing spaces"),
    ],
)
def test_an_unreadable_date_is_not_echoed_by_the_rules_that_read_it(event, column, value, message):
    """A1 is a daily, in-scope figure: its period is judged only once its dates can be read."""
    set_cell(event, line_of("A1", data_dir=event), column, value)
    assert problems_of(event) == [(CLAIMS, 2, column, message)]


@pytest.mark.parametrize(
    "name, line, column, value, message",
    [
        # the side and area of a claim are looked up in battle.json only when readable
        (CLAIMS, 2, "side", "army ", "'army ' has leading or trailing spaces"),
        (CLAIMS, 2, "area", "battle\x07area", "holds the control character U+0007: remove it"),
        # a foreign key is looked up only when its cell is readable ...
        (CLAIMS, 2, "claimant", "Monitor\x07", "holds the control character U+0007: remove it"),
        (CLAIMS, 4, "supersedes", "A 2", "'A 2' does not match the pattern ^[A-Za-z0-9][A-Za-z0-9_.-]*$"),
        # ... and when the column it points at is (else every claim of Monitor and the
        # hierarchy of battle.json would be reported, before the cause)
        ("claimants.csv", 2, "claimant", "Monitor ", "'Monitor ' has leading or trailing spaces"),
        # a revision is compared with the claim it revises only on readable cells
        (CLAIMS, 3, "measure", "kiled", "'kiled' is not an allowed value"),
        # the basis of a publication date is judged only when both are readable
        ("sources.csv", 3, "published", "not known", "'not known' is not a date in YYYY-MM-DD form"),
        ("sources.csv", 3, "published_basis", "unknwn", "'unknwn' is not an allowed value (stated, inferred, unknown)"),
    ],
)
def test_a_rejected_cell_is_the_only_problem_it_causes(event, name, line, column, value, message):
    set_cell(event, line, column, value, name=name)
    found = problems_of(event)
    assert len(found) == 1 and found[0][:3] == (name, line, column) and found[0][3].startswith(message), found


def test_an_exception_naming_a_claim_whose_id_is_rejected_is_not_echoed(event):
    exception = {"check": "copies_disagree", "claims": ["A1"], "reason": "A1 stands alone"}
    battle_edit(lambda b: b.update(accepted_exceptions=[exception]))(event)
    assert validate(event) == []
    set_cell(event, 2, "claim_id", "A 1")
    assert [p[:3] for p in problems_of(event)] == [(CLAIMS, 2, "claim_id")]


@pytest.mark.parametrize("command", ["validate", "reconcile", "build"])
def test_a_data_folder_that_is_missing_or_a_file_is_named_as_such(event, tmp_path, capsys, command):
    missing, file = tmp_path / "nowhere", event / CLAIMS
    expected = {
        missing: f"{missing}: no such folder: give the data folder, the one holding datapackage.json, "
        "battle.json and the CSV tables",
        file: f"{file}: is a file, not a folder: give the data folder that holds it, {event}",
    }
    for folder, message in expected.items():
        assert [str(p) for p in validate(folder)] == [message]
        args = [str(folder)] if command == "validate" else ["--data-dir", str(folder), "--out", str(tmp_path / "out")]
        assert main([command, *args]) == 1
        err = capsys.readouterr().err
        assert err.splitlines()[0] == message and "Traceback" not in err
        assert not (tmp_path / "out").exists()
    # with no --out, the folder is still the first thing said (then the count, as validate says it)
    if command != "validate":
        assert main([command, "--data-dir", str(missing)]) == 1
        assert capsys.readouterr().err.splitlines() == [expected[missing], f"1 problem in {missing}"]


@pytest.mark.parametrize("ending", ["\n", "\n\n\n", "\r\n"])
def test_blank_lines_at_the_end_of_a_table_are_not_part_of_it(event, small_chunks, ending):
    for name in (CLAIMS, "sources.csv", "events.csv", "claimants.csv"):
        with (event / name).open("a", encoding="utf-8", newline="") as fh:
            fh.write(ending)
    assert validate(event) == []


def test_a_blank_line_between_rows_is_inside_the_table(event, small_chunks):
    lines = (event / CLAIMS).read_text(encoding="utf-8").splitlines(keepends=True)
    (event / CLAIMS).write_text("".join([*lines[:3], "\n", "\n", *lines[3:], "\n"]), encoding="utf-8")
    assert problems_of(event) == [
        (CLAIMS, 4, None, "blank line inside the table"),
        (CLAIMS, 5, None, "blank line inside the table"),
    ]


def test_a_byte_order_mark_changes_nothing(event, tmp_path):
    """Excel's "CSV UTF-8" starts the file with a byte-order mark: validate, load and
    reconcile read the same tables as without it."""
    from pandas.testing import assert_frame_equal

    from analysis.load import load_dataset

    plain = tmp_path / "plain"
    shutil.copytree(event, plain)
    for name in (CLAIMS, "sources.csv", "events.csv", "claimants.csv"):
        (event / name).write_bytes(b"\xef\xbb\xbf" + (event / name).read_bytes())
    assert validate(event) == []
    with_bom, without = load_dataset(event), load_dataset(plain)
    assert with_bom.battle == without.battle
    for table in ("claims", "events", "sources", "claimants"):
        assert_frame_equal(getattr(with_bom, table), getattr(without, table))
    for folder, out in ((event, "out-bom"), (plain, "out-plain")):
        assert main(["reconcile", "--data-dir", str(folder), "--out", str(tmp_path / out)]) == 0
    written = {p.name: p.read_bytes() for p in (tmp_path / "out-plain").iterdir()}
    assert written and written == {p.name: p.read_bytes() for p in (tmp_path / "out-bom").iterdir()}


@pytest.mark.parametrize("name", ["datapackage.json", "battle.json"])
def test_a_byte_order_mark_in_a_json_file_is_named(event, name):
    """The JSON files are read as plain UTF-8 beyond the validator (`analysis.load`,
    `analysis.outputs.event_of`): a BOM there is refused, clearly, not half read."""
    (event / name).write_bytes(b"\xef\xbb\xbf" + (event / name).read_bytes())
    assert problems_of(event) == [(name, 1, None, "file starts with a byte-order mark: save it as UTF-8 without BOM")]


# -- JSON files: a key is named as a key, a bad byte or a syntax error by its line -----------


def test_a_problem_of_a_json_file_names_a_key_not_a_column(event):
    battle_edit(lambda b: b.update(about_band="wide"))(event)
    assert [str(p) for p in validate(event)] == [
        f'{event / "battle.json"}, key about_band: must be of type number, not "wide"'
    ]
    package_edit(lambda p: p["resources"][1].pop("schema"))(event)
    assert [str(p) for p in validate(event)] == [f"{event / 'datapackage.json'}, key resources[1].schema: missing"]


def test_battle_json_is_named_by_the_path_its_resource_gives(event):
    (event / "battle.json").rename(event / "event.json")
    package_edit(lambda p: p["resources"][4].update(path="event.json"))(event)
    assert validate(event) == []
    battle = json.loads((event / "event.json").read_text())
    battle["claimant_hierarchy"].append("Nobody")
    battle["accepted_exceptions"] = [{"check": "copies_disagree", "claims": ["Z9"], "reason": "why"}]
    (event / "event.json").write_text(json.dumps(battle))
    assert problems_of(event) == [
        ("event.json", None, "accepted_exceptions[0]", "'Z9' is not a claim_id or event_id"),
        ("event.json", None, "claimant_hierarchy", "'Nobody' is not a claimant of claimants.csv"),
    ]


@pytest.mark.parametrize("name", ["battle.json", "datapackage.json"])
def test_a_json_file_that_is_not_utf8_names_the_line_of_the_bad_byte(event, name):
    """As for a CSV table: the byte and its line, and what to do about it."""
    lines = json.dumps(json.loads((event / name).read_text()), indent=2).encode().split(b"\n")
    line = next(i for i, text in enumerate(lines, start=1) if b'"name": "' in text)
    lines[line - 1] = lines[line - 1].replace(b'"name": "', b'"name": "\xe2\x28', 1)  # a cut-off en dash
    (event / name).write_bytes(b"\n".join(lines))
    assert line > 1 and problems_of(event) == [(name, line, None, "byte 0xe2 is not UTF-8: save the file as UTF-8")]
    assert [str(p) for p in validate(event)] == [
        f"{event / name}, line {line}: byte 0xe2 is not UTF-8: save the file as UTF-8"
    ]


AT = "not valid JSON, at character"


@pytest.mark.parametrize("name", ["battle.json", "datapackage.json"])
@pytest.mark.parametrize(
    "text, line, message",
    [
        ("{not json", 1, "not valid JSON, at character 2 of the line: expected a key in double quotes"),
        # the value after the missing comma opens a line: the comma belongs at the end of the line before
        ('{\n  "a": 1\n  "b": 2\n}', 2, "not valid JSON: a comma is missing at the end of this line"),
        ('{"a": [1, 2\n}', 2, f"{AT} 1 of the line: expected a comma, or the end of the list or object"),
        # a list left open before the next key: no comma would mend it
        ('{\n "s": ["a"\n "n": 1\n}', 3, f"{AT} 2 of the line: expected a comma, or the end of the list or object"),
        ('{\n "a": 1\n x\n}', 3, f"{AT} 2 of the line: expected a comma, or the end of the list or object"),
        (
            '{\n  "a": "one\ntwo"\n}',
            2,
            f"{AT} 12 of the line: a text in double quotes breaks across lines: close it on its line "
            "(write a line break as \\n)",
        ),
        ('{"a": 1}\n{"b": 2}\n', 2, f"{AT} 1 of the line: more text after the end of the JSON data"),
        ('{"a": [1, 2}', 1, f"{AT} 12 of the line: expected a comma, or the end of the list or object"),
        ('{"a": [1, 2,]}', 1, f"{AT} 13 of the line: a comma too many before the closing bracket or brace"),
        (
            '{"a": [1, 2',
            1,
            f"{AT} 12 of the line: the file ends before the JSON data does: a bracket, brace or quote is not closed",
        ),
        ("{'a': 1}", 1, f"{AT} 2 of the line: expected a key in double quotes"),
    ],
)
def test_json_that_is_not_json_names_the_line_and_character(event, name, text, line, message):
    (event / name).write_text(text)
    assert problems_of(event) == [(name, line, None, message)]
    assert str(validate(event)[0]) == f"{event / name}, line {line}: {message}"


@pytest.mark.parametrize("name", ["battle.json", "datapackage.json"])
def test_an_empty_json_file_is_said_to_be_empty(event, name):
    (event / name).write_text("\n")
    assert problems_of(event) == [(name, None, None, "file is empty: expected a JSON object")]


def _fk(i):
    """The i-th foreign key of the ledger (0: source_id, 1: claimant, 2: supersedes)."""
    return lambda p: p["resources"][0]["schema"]["foreignKeys"][i]


def _field(i):
    """The i-th field of the ledger (2: dossier_ref, 6: figure_type, 11: value, 15: in_scope)."""
    return lambda p: p["resources"][0]["schema"]["fields"][i]


def _set(where, **values):
    return lambda p: where(p).update(values)


def _drop(where, key):
    return lambda p: where(p).pop(key)


FK = "resources[0].schema.foreignKeys"
FIELDS = "resources[0].schema.fields"


@pytest.mark.parametrize(
    "change, key, message",
    [
        (lambda p: p["resources"][1].pop("schema"), "resources[1].schema", "missing"),
        (lambda p: p["resources"][1].update(schema=[]), "resources[1].schema", "must be an object"),
        (lambda p: p.update(resources={"battle": {}}), "resources", "must be a list"),
        (lambda p: p.pop("resources"), "resources", "missing"),
        (lambda p: p["resources"].__setitem__(2, "sources.csv"), "resources[2]", "must be an object"),
        (lambda p: p["resources"][2].pop("path"), "resources[2].path", "missing"),
        (lambda p: p["resources"][2].update(path=["sources.csv"]), "resources[2].path", "must be a string"),
        (lambda p: p["resources"][2].pop("name"), "resources[2].name", "missing"),
        (
            lambda p: p["resources"][3].update(name="sources"),
            "resources[3].name",
            "'sources' names resources[2] already",
        ),
        (lambda p: p["resources"][0]["schema"].update(fields=[]), FIELDS, "must be a non-empty list"),
        (_drop(_field(2), "name"), f"{FIELDS}[2].name", "missing"),
        (_set(_field(2), name=2), f"{FIELDS}[2].name", "must be a string"),
        (_set(_field(2), name="claim_id"), f"{FIELDS}[2].name", "'claim_id' names fields[0] already"),
        (
            _set(_field(11), type="int"),
            f"{FIELDS}[11].type",
            "'int' is not a type this validator checks (string, integer, date, boolean)",
        ),
        (_set(_field(2), constraints="required"), f"{FIELDS}[2].constraints", "must be an object"),
        (_set(_field(6), constraints={"enum": "daily"}), f"{FIELDS}[6].constraints.enum", "must be a list"),
        (_set(_field(11), constraints={"minimum": "0"}), f"{FIELDS}[11].constraints.minimum", "must be a number"),
        (_set(_field(2), constraints={"pattern": 3}), f"{FIELDS}[2].constraints.pattern", "must be a string"),
        (_set(_field(15), trueValues="true"), f"{FIELDS}[15].trueValues", "must be a list of strings"),
        (lambda p: p["resources"][0]["schema"].update(foreignKeys={}), FK, "must be a list"),
        (_drop(_fk(1), "reference"), f"{FK}[1].reference", "missing"),
        (_drop(_fk(1), "fields"), f"{FK}[1].fields", "missing"),
        # both ends of several columns: one cause, said once
        (
            _set(_fk(1), fields=["claimant", "source_id"], reference={"resource": "x", "fields": ["a", "b"]}),
            f"{FK}[1].fields",
            "a foreign key on several columns is not supported",
        ),
        (
            _set(_fk(1), reference={"resource": "claimants", "fields": ["claimant", "claimant_type"]}),
            f"{FK}[1].reference.fields",
            "a foreign key on several columns is not supported",
        ),
        (_set(_fk(1), fields=[]), f"{FK}[1].fields", "must name one column"),
        (_set(_fk(1), fields=["claimnt"]), f"{FK}[1].fields", "'claimnt' is not a field of resource 'casualties'"),
        (
            _set(_fk(1), reference={"resource": "claimant", "fields": ["claimant"]}),
            f"{FK}[1].reference.resource",
            "'claimant' is not a table of the package (casualties, events, sources, claimants)",
        ),
        (
            _set(_fk(1), reference={"resource": "claimants", "fields": ["name"]}),
            f"{FK}[1].reference.fields",
            "'name' is not a field of resource 'claimants'",
        ),
        (
            _set(_fk(2), reference={"resource": "", "fields": ["claim"]}),
            f"{FK}[2].reference.fields",
            "'claim' is not a field of resource 'casualties'",
        ),
        # not read by this validator, but by other Data Package tools (frictionless)
        (
            lambda p: p["resources"][0]["schema"].update(primaryKey="nope"),
            "resources[0].schema.primaryKey",
            "'nope' is not a field of this resource",
        ),
        (lambda p: p.update(name=5), "name", "must be a string"),
        (
            lambda p: p["resources"][0]["schema"].update(primaryKey=[]),
            "resources[0].schema.primaryKey",
            "must name one column",
        ),
        (
            lambda p: p["resources"][0]["schema"].update(primaryKey=["claim_id", "source_id"]),
            "resources[0].schema.primaryKey",
            "a key on several columns is not supported",
        ),
        (_set(_field(0), constraints=None), f"{FIELDS}[0].constraints", "must be an object"),
        # the key's uniqueness is what the field's constraint makes this validator check
        (
            _set(_field(0), constraints={"required": True}),
            "resources[0].schema.primaryKey",
            "its field 'claim_id' must be declared unique (constraints.unique), as checked",
        ),
    ],
)
def test_a_malformed_data_package_names_the_key_and_the_cause(event, change, key, message):
    package_edit(change)(event)
    assert problems_of(event) == [("datapackage.json", None, key, message)]
    assert main(["validate", str(event)]) == 1


def _qualifiers(p):
    return _field(12)(p)["constraints"]["enum"]


@pytest.mark.parametrize(
    "change, key, message",
    [
        (lambda p: _qualifiers(p).append("roughly"), f"{FIELDS}[12].constraints.enum", "adds 'roughly'"),
        (_set(_field(7), type="string"), f"{FIELDS}[7].type", "'string': the project's schema has 'date'"),
        (_set(_field(15), type="string"), f"{FIELDS}[15].type", "'string': the project's schema has 'boolean'"),
        (lambda p: _field(11)(p)["constraints"].pop("required"), f"{FIELDS}[11].constraints.required", "None"),
        (_set(_field(11), type="string"), f"{FIELDS}[11].type", "'string': the project's schema has 'integer'"),
        (lambda p: p["resources"][0]["schema"]["fields"].pop(2), FIELDS, "lacks the field 'dossier_ref'"),
        (lambda p: p["resources"][0]["schema"].pop("foreignKeys"), FK, "differs from the project's schema"),
        # "no" would be read as true: the loader knows only the project's true and false
        (_set(_field(15), trueValues=["true", "yes"]), f"{FIELDS}[15].trueValues", "the project's schema has"),
        (
            lambda p: p["resources"][0]["schema"].update(missingValues=["", "NA", "0"]),
            "resources[0].schema.missingValues",
            "only a blank cell is missing",
        ),
    ],
)
def test_a_data_package_that_departs_from_the_projects_schema_is_refused(event, change, key, message):
    """The code reads the tables as the project's one schema defines them: a package that
    widens a closed list of values, changes a type or drops a requirement would pass its
    own checks and then break the reconciliation (each of these did, with a traceback)."""
    package_edit(change)(event)
    [(file, line, where, said)] = problems_of(event)
    assert (file, line, where) == ("datapackage.json", None, key) and message in said
    assert main(["validate", str(event)]) == 1


def test_a_data_package_may_add_a_measure_and_word_its_descriptions(event):
    """Open vocabularies (what is counted, events, kinds of document) may grow; titles and
    descriptions are the event's own; Table Schema's defaults may be written out or left
    out (as other Data Package tools write them)."""

    def change(p):
        _field(10)(p)["constraints"]["enum"].append("missing")
        _field(10)(p)["description"] = "What this event's sources count."
        # what Table Schema's defaults mean, written out or left out
        _field(5)(p).pop("type")  # claimant_detail: a string
        _field(5)(p)["constraints"] = {"required": False, "unique": False}
        _field(7)(p)["format"] = "default"  # period_start: YYYY-MM-DD
        _fk(2)(p)["reference"]["resource"] = "casualties"  # supersedes: a key to its own table

    package_edit(change)(event)
    assert validate(event) == []


def test_a_key_repeated_where_other_objects_use_it_too_gets_no_wrong_line(event):
    """`whole` is a key of every area: repeated inside one of them, the problem names the
    key but no line rather than the line of another area's `whole`."""
    text = (event / "battle.json").read_text(encoding="utf-8")
    assert text.count('"whole"') > 2
    (event / "battle.json").write_text(text.replace('"whole": false', '"whole": false, "whole": true', 1))
    assert problems_of(event) == [
        ("battle.json", None, "whole", "key given twice in one object: keep one of its values")
    ]


def test_a_data_package_that_is_not_an_object_is_said_to_be_so(event):
    (event / "datapackage.json").write_text("[]")
    assert problems_of(event) == [("datapackage.json", None, None, "must be a JSON object, with a list of resources")]


def test_a_foreign_key_may_name_its_column_as_a_string(event):
    """Table Schema allows `"fields": "claimant"` for a key on one column."""
    package_edit(_set(_fk(1), fields="claimant", reference={"resource": "claimants", "fields": "claimant"}))(event)
    assert validate(event) == []
    set_cell(event, 2, "claimant", "Nobody")
    assert problems_of(event) == [(CLAIMS, 2, "claimant", "'Nobody' is not a claimant of claimants.csv")]


def test_a_claim_that_supersedes_itself_is_one_problem(event):
    set_cell(event, 4, "supersedes", "A3")
    assert problems_of(event) == [(CLAIMS, 4, "supersedes", "a claim cannot supersede itself")]
    battle_edit(lambda b: b.update(about_band=2))(event)  # said even when battle.json cannot be read
    assert (CLAIMS, 4, "supersedes", "a claim cannot supersede itself") in problems_of(event)


@pytest.mark.parametrize(
    "name, column, value, message",
    [
        # case alone: the value meant, however long the list of allowed ones
        (
            "sources.csv",
            "language",
            "PT",
            "'PT' is not an allowed value (one of {languages} in datapackage.json): did you mean 'pt'?",
        ),
        ("claimants.csv", "relays_others", "TRUE", "'TRUE' is not one of true, false: did you mean 'true'?"),
        # a near spelling, with the short list
        (
            CLAIMS,
            "qualifier",
            "at lest",
            "'at lest' is not an allowed value (exact, at least, about, more than, up to): did you mean 'at least'?",
        ),
        # nothing near: no guess, and a long list is not printed
        (
            "sources.csv",
            "language",
            "Portuguese",
            "'Portuguese' is not an allowed value (one of {languages} in datapackage.json)",
        ),
        # two equally near ('en' and 'ng'), or too short to tell: no guess
        ("sources.csv", "language", "eng", "'eng' is not an allowed value (one of {languages} in datapackage.json)"),
        ("sources.csv", "language", "x", "'x' is not an allowed value (one of {languages} in datapackage.json)"),
    ],
)
def test_a_value_close_to_an_allowed_one_gets_a_guess(event, name, column, value, message):
    # the count of languages is the schema's, not typed in
    (field,) = [f for f in package.schemas()["sources"]["fields"] if f["name"] == "language"]
    message = message.replace("{languages}", str(len(field["constraints"]["enum"])))
    set_cell(event, 2, column, value, name=name)
    found = [p for p in problems_of(event) if p[2] == column]
    assert [p[3] for p in found] == [message]


def test_an_unknown_side_is_guessed_or_pointed_to_the_subgroups(event):
    set_cell(event, 2, "side", "Army")
    set_cell(event, 3, "side", "children")
    found = {p[1]: p[3] for p in problems_of(event) if p[2] == "side"}
    where = "is not a side, sub-group, side group or other actor of battle.json"
    assert found == {
        2: f"'Army' {where}: did you mean 'army'?",
        3: f"'children' {where} (a part of a side is declared in its subgroups)",
    }


def _swap_headers(folder, a, b):
    rows = rows_of(folder / "casualties.csv")
    i, j = rows[0].index(a), rows[0].index(b)
    rows[0][i], rows[0][j] = b, a
    write_rows(folder / "casualties.csv", rows)


def test_swapped_headers_are_named_first_on_the_header_line(event):
    _swap_headers(event, "value", "qualifier")
    found = problems_of(event)
    assert found[0][:3] == ("casualties.csv", 1, "qualifier")
    assert found[0][3].startswith("the headers qualifier and value look swapped")
    assert "(from line 2)" in found[0][3]
    assert [p for p in found if p[1] == 1] == found[:1]
    assert {p[2] for p in found[1:]} == {"qualifier", "value"}  # each cell's own problem still listed


def test_two_columns_that_are_wrong_apart_are_not_called_swapped(event):
    rows = rows_of(event / "casualties.csv")
    header = rows[0]
    for row in rows[1:]:
        row[header.index("value")] = "many"  # fits neither column
        row[header.index("qualifier")] = "roughly"
    write_rows(event / "casualties.csv", rows)
    found = problems_of(event)
    assert found and all(line != 1 for _, line, _, _ in found)
    assert not any("swapped" in message for *_, message in found)


def test_a_few_rows_typed_the_wrong_way_round_are_no_header_problem(event):
    """Two of the four rows with value and qualifier transposed: the cells are the problem
    (half the rows, not more), not the header."""
    rows = rows_of(event / "casualties.csv")
    header = rows[0]
    v, q = header.index("value"), header.index("qualifier")
    for row in rows[1:3]:
        row[v], row[q] = row[q], row[v]
    write_rows(event / "casualties.csv", rows)
    found = problems_of(event)
    assert {(line, column) for _, line, column, _ in found} == {(n, c) for n in (2, 3) for c in ("value", "qualifier")}


def test_swapped_headers_are_found_whatever_the_chunks(data_copy, small_chunks):
    _swap_headers(data_copy, "value", "qualifier")
    first = validate(data_copy)[0]
    assert (first.file.endswith(CLAIMS), first.line, first.column) == (True, 1, "qualifier")
    assert first.message.startswith("the headers qualifier and value look swapped") and "(from line 2)" in first.message


def _report_ledger(tmp_path, second_claimant):
    """Two outlets' copies of one report (r1) and a third row of the same document, by
    `second_claimant`, under the same report_id."""
    return make_event(
        tmp_path / "event",
        [
            claim("A1", "Monitor", "2020-03-01", "2020-03-01", "army", 5, report_id="r1"),
            claim("A2", "Monitor", "2020-03-01", "2020-03-01", "army", 5, report_id="r1", source_id="s2"),
            claim("A3", second_claimant, "2020-03-01", "2020-03-01", "militia", 3, report_id="r1"),
        ],
        sources=[source_row("s1"), source_row("s2")],
    )


def test_a_report_names_one_claimant(tmp_path):
    assert validate(_report_ledger(tmp_path, "Monitor")) == []
    assert problems_of(_report_ledger(tmp_path / "two", "Army")) == [
        (
            "casualties.csv",
            4,
            "report_id",
            "report 'r1' names the claimant 'Monitor' on line 2 and 'Army' here: copies of one report name its "
            "claimant (each outlet's wording goes in claimant_detail); a story that quotes several claimants gives "
            "each its own report_id",
        )
    ]


@pytest.mark.parametrize("later", [False, True], ids=["to the end", "to a later row"])
def test_an_unclosed_quote_is_named_on_the_line_it_opens(event, later):
    path = event / "casualties.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert len(lines) == 5 and '"' not in lines[2]
    lines[2] = lines[2].replace("test claim", '"test claim', 1)
    if later:  # the quote closes inside line 4, where a comma should follow it
        lines[3] = lines[3].replace("Town", 'To"wn', 1)
    path.write_text("".join(lines), encoding="utf-8")
    [(file, line, column, message)] = problems_of(event)
    assert (file, line, column) == ("casualties.csv", 3, None)
    assert message.startswith("row is not valid CSV: a quote opened on this line is not closed where it should be")
    assert "(read on to line " in message


def test_a_renamed_column_is_one_problem_the_rename(data_copy):
    _rename_column(data_copy)
    found = [p for p in validate(data_copy) if p.file.endswith(CLAIMS)]
    assert [(p.line, p.column) for p in found] == [(1, "value")]
    assert found[0].message.endswith("renamed?)")


@pytest.mark.parametrize(
    "column, typed, hint",
    [
        ("claimant", "monitr", ": did you mean 'Monitor'?"),
        ("claimant", "Nobody at all", ""),
        ("source_id", "S1", ": did you mean 's1'?"),
    ],
)
def test_an_unknown_key_gets_the_nearest_known_one(event, column, typed, hint):
    set_cell(event, 2, column, typed)
    target = "claimants.csv" if column == "claimant" else "sources.csv"
    assert problems_of(event) == [
        ("casualties.csv", 2, column, f"{typed!r} is not a {column} of {target}{hint}"),
    ]


def test_the_limits_themselves_are_accepted(tmp_path):
    """The schema's maximum count is allowed, and so is a document read on the day it
    was published."""
    day = "2020-03-01"
    folder = make_event(
        tmp_path / "e",
        [claim("A1", "Monitor", day, day, "army", 100_000_000)],
        sources=[source_row("s1", published="2025-01-01")],  # read (accessed) on 2025-01-01 too
    )
    assert validate(folder) == []
    set_cell(folder, 2, "value", "100000001")
    assert [(p.line, p.column) for p in validate(folder)] == [(2, "value")]


def _revision(tmp_path, **changed):
    day, end = "2020-03-01", "2020-03-03"
    rows = [
        claim("A1", "Monitor", day, end, "all", 20),
        claim("A2", "Monitor", day, end, changed.get("side", "all"), 22, supersedes="A1", **changed.get("extra", {})),
    ]
    return [(p.line, p.column, p.message) for p in validate(make_event(tmp_path, rows))]


def test_a_revision_keeps_the_side_and_the_measure(tmp_path):
    assert _revision(tmp_path / "same") == []
    assert _revision(tmp_path / "measure", extra={"measure": "wounded"}) == [
        (3, "supersedes", "supersedes A1, whose measure is 'killed', not 'wounded'")
    ]
    assert _revision(tmp_path / "side", side="army") == [
        (3, "supersedes", "supersedes A1, whose side is 'all', not 'army'")
    ]
    # a figure outside the event's scope would silently retire one the totals count
    outside = {"in_scope": "false", "scope_reason": "the province", "area": "province"}
    assert _revision(tmp_path / "scope", extra=outside) == [
        (3, "supersedes", "supersedes A1, whose in_scope is 'true', not 'false'")
    ]


def test_a_report_is_named_once_whatever_the_chunks(data_copy, small_chunks):
    """A copy far down the ledger names another claimant than the report's first copy:
    one problem, on that copy's line, naming both, across any number of chunks."""
    rows = rows_of(data_copy / CLAIMS)
    header = rows[0]
    report, claimant = header.index("report_id"), header.index("claimant")
    copies = [n for n, row in enumerate(rows) if row[report] == "sohr-2012-06-12-toll"]
    assert len(copies) >= 3 and copies[-1] - copies[0] > 3  # more than one chunk of three rows apart
    for n in copies[1:]:
        rows[n][claimant] = "FSA"
    write_rows(data_copy / CLAIMS, rows)
    found = [p for p in validate(data_copy) if p.column == "report_id"]
    assert [(p.line, p.message.split(":")[0]) for p in found] == [
        (
            copies[1] + 1,
            f"report 'sohr-2012-06-12-toll' names the claimant 'SOHR' on line {copies[0] + 1} and 'FSA' here",
        )
    ]


@pytest.mark.parametrize("copy", [0, -1], ids=["first copy", "last copy"])
def test_a_claimant_the_key_rejects_is_not_also_a_report_problem(data_copy, copy):
    rows = rows_of(data_copy / CLAIMS)
    header = rows[0]
    report, claimant = header.index("report_id"), header.index("claimant")
    n = [n for n, row in enumerate(rows) if row[report] == "sohr-2012-06-12-toll"][copy]
    rows[n][claimant] = "SOHRR"
    write_rows(data_copy / CLAIMS, rows)
    assert [(p.line, p.column) for p in validate(data_copy)] == [(n + 1, "claimant")]


@pytest.mark.parametrize("chunks", [512, 3])
@pytest.mark.parametrize("name, value", [("source_id", "wp-article-{k:03d}"), ("claimant", "SOHR {k:03d}")])
def test_only_the_first_unknown_keys_get_a_hint(data_copy, monkeypatch, chunks, name, value):
    """Each hint compares a value with every known one: the first HINTS unknown values (in
    file order) get one, the others are named without, however the file is chunked and
    whatever other rules look at the same cells (all rows here are one report)."""
    from analysis.validate import HINTS

    monkeypatch.setattr(read, "CHUNK_ROWS", chunks)
    rows = rows_of(data_copy / CLAIMS)
    column, report = rows[0].index(name), rows[0].index("report_id")
    for k, row in enumerate(rows[1:]):
        row[column] = value.format(k=k)
        row[report] = "one-report"
    write_rows(data_copy / CLAIMS, rows)
    found = [p for p in validate(data_copy) if p.column == name]
    assert len(found) == len(rows) - 1 > HINTS
    hinted = ["did you mean" in p.message for p in found]
    assert hinted == [True] * HINTS + [False] * (len(found) - HINTS)


def test_whether_headers_look_swapped_does_not_depend_on_the_chunks(data_copy, monkeypatch):
    """Rows 1-60 typed with value and qualifier the wrong way round, rows 61-70 wrong in
    both some other way: the same verdict in chunks of 512 rows as in chunks of 3."""
    rows = rows_of(data_copy / CLAIMS)
    v, q = rows[0].index("value"), rows[0].index("qualifier")
    for row in rows[1:61]:
        row[v], row[q] = row[q], row[v]
    for row in rows[61:71]:
        row[v], row[q] = "many", "roughly"
    write_rows(data_copy / CLAIMS, rows)
    whole = validate(data_copy)
    monkeypatch.setattr(read, "CHUNK_ROWS", 3)
    assert validate(data_copy) == whole
    assert whole[0].line == 1 and "look swapped" in whole[0].message  # the first rows both reject decide


def test_a_row_of_commas_is_one_problem_and_the_rows_after_it_keep_their_lines(data_copy):
    _empty_row(data_copy)
    set_cell(data_copy, 8, "value", "x")
    problems = validate(data_copy)
    assert [(p.line, p.column) for p in problems] == [(6, None), (8, "value")], "\n".join(map(str, problems))


def test_only_an_open_vocabulary_says_a_new_value_goes_in_the_package(data_copy):
    cell("H082", "qualifier", "roughly")(data_copy)
    cell("H082", "measure", "injured")(data_copy)
    said = {p.column: p.message for p in validate(data_copy)}
    assert "datapackage.json" in said["measure"] and "a new one goes in" in said["measure"]
    assert "a new one goes in" not in said["qualifier"]


def test_a_publication_date_that_cannot_be_read_is_its_only_problem(data_copy):
    """France 24's date written 12/06/2012: the date is reported, and no claim of that
    document is judged against it (as text it sorts before every real date)."""
    table_cell("sources.csv", line_of("france24-2012-06-12", "sources.csv"), "published", "12/06/2012")(data_copy)
    problems = validate(data_copy)
    assert [(p.file.endswith("sources.csv"), p.column) for p in problems] == [(True, "published")], problems


def test_a_row_whose_first_cell_alone_is_blank_is_no_empty_row(data_copy):
    cell("H082", "claim_id", "")(data_copy)
    problems = validate(data_copy)
    assert (H082, "claim_id", "required value is blank") in {(p.line, p.column, p.message) for p in problems}
    assert not any("every cell of the row is blank" in p.message for p in problems)


def test_problems_on_one_line_come_in_the_order_of_the_files_columns(data_copy):
    """A row whose two dates are both malformed, and which is then outside the event: the
    dates first, start before end, then the columns after them (not in alphabetical order,
    which would put period_end before period_start and in_scope first)."""
    line = line_of("H007")
    set_cell(data_copy, line, "period_start", "05/06/2012")
    set_cell(data_copy, line, "period_end", "13/06/2012")
    set_cell(data_copy, line + 1, "period_end", "2026-12-01")
    problems = [p for p in validate(data_copy) if p.line in (line, line + 1)]
    assert [(p.line - line, p.column) for p in problems] == [
        (0, "period_start"),
        (0, "period_end"),
        (1, "period_end"),
        (1, "in_scope"),
    ]
