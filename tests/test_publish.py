"""Citable tables: content, determinism, spreadsheet safety, BibTeX, the GED-shaped event
export, the reconcile command, and nothing half-written when a step fails."""

import re

import pandas as pd
import pytest

from analysis import outputs
from analysis.build import BuildError, Layout, build
from analysis.load import load_dataset
from analysis.outputs import MARKER
from analysis.paths import FIGURE_NAMES
from analysis.publish import (
    FORMULA_START,
    GED_COLUMNS,
    _date_prec,
    bib_author,
    ged_events,
    ged_sides,
    safe_cell,
    tables,
    tidy,
)
from analysis.reconcile import reconcile
from analysis.rules import RULES
from conftest import DATA, ROOT, claim, make_event, notebook, quiet


@pytest.fixture(scope="module")
def files():
    return tables(load_dataset(DATA))


def test_every_rule_has_daily_and_totals_in_three_formats(files):
    for rule in RULES:
        for stem in ("reconciled_daily", "battle_totals"):
            for ext in ("csv", "md", "tex"):
                assert f"{stem}-{rule}.{ext}" in files


def test_totals_rows_carry_rule_and_claims(files):
    lines = files["battle_totals-hierarchy.csv"].splitlines()
    assert lines[0] == "rule,measure,side,low,best,high,placed,unplaced,derived,reports,single_source,claims,capping"
    rebels = next(line for line in lines if line.startswith("hierarchy,killed,rebels,"))
    assert rebels.startswith("hierarchy,killed,rebels,23,23,open,10,13,True,")
    assert {"H082", "H083", "H086"} <= set(rebels.split(",")[-2].split(";")) and rebels.endswith(",")  # high open


def test_tables_are_deterministic(files, tmp_path):
    """The tables computed in this run, staged and marked as a build publishes derived/,
    are the committed derived/ byte for byte, marker included: an earlier run (the build)
    wrote the same bytes, and no committed table is stale, missing or extra. (test_build.py
    does the same through `write_tables` for the second event.)"""
    with outputs.output_dir(tmp_path / "derived") as stage:
        for name, text in sorted(files.items()):
            outputs.write_text(stage / name, text)
    written = {p.name: p.read_bytes() for p in (tmp_path / "derived").iterdir()}
    committed = {p.name: p.read_bytes() for p in (ROOT / "derived").iterdir()}
    assert MARKER in committed
    changed = sorted(name for name in committed.keys() | written.keys() if committed.get(name) != written.get(name))
    assert not changed, f"stale, missing or extra tables (rerun `make build`): {changed}"


@pytest.mark.parametrize("text", ["=SUM(A1)", "+1", "-2", "@cmd", "\tx", "\rx"])
def test_formula_like_text_is_defused(text):
    assert safe_cell(text) == "'" + text
    assert safe_cell("plain") == "plain" and safe_cell(-3) == -3


def test_no_exported_cell_starts_like_a_formula(files):
    for name, text in files.items():
        if name.endswith(".csv"):
            frame = pd.read_csv(pd.io.common.StringIO(text), dtype=str, keep_default_na=False)
            starts = frame.map(lambda v: v.startswith(FORMULA_START)).to_numpy()
            assert not starts.any(), name


def test_hostile_ledger_text_is_defused_on_export():
    frame = tidy(pd.DataFrame({"note": ['=HYPERLINK("x")', "ok"]}))
    assert frame["note"].tolist() == ['\'=HYPERLINK("x")', "ok"]


def test_bibtex_has_every_source(files):
    ds = load_dataset(DATA)
    for source_id in ds.sources["source_id"]:
        assert f"@misc{{{ds.battle.battle_id}:{source_id}," in files["sources.bib"]


def test_bibtex_titles_come_from_the_register_only(files):
    ds = load_dataset(DATA)
    bib = files["sources.bib"]
    prefix = f"{ds.battle.battle_id}:"
    entries = {e.split(",", 1)[0].removeprefix(prefix): e for e in bib.split("@misc{")[1:]}
    for s in ds.sources.itertuples():
        entry = entries[s.source_id]
        assert ("title = {{" in entry) == pd.notna(s.title), s.source_id
        assert ("headline not seen" in entry) == pd.isna(s.title), s.source_id
        assert f"archived copy read {s.accessed:%Y-%m-%d}" in entry and "urldate" not in entry
        if pd.notna(s.url):
            assert "howpublished = {\\url{" in entry
    assert "author = {Mariam Karouny}" in entries["reuters-2012-06-05"]
    assert "author = {{Reuters Staff}}" in entries["reuters-2012-06-13"]


def test_ged_events_add_up_to_the_battle_totals(files):
    ged = pd.read_csv(pd.io.common.StringIO(files["ged_events.csv"]), dtype=str, keep_default_na=False)
    assert list(ged.columns) == [*GED_COLUMNS, "rule", "claims"]
    assert set(ged["rule"]) == {"hierarchy"}
    days, unplaced = ged.iloc[:-1], ged.iloc[-1]
    assert len(days) == 9 and (days["date_start"] == days["date_end"]).all() and set(days["date_prec"]) == {"1"}
    first = days.iloc[0]
    assert (first["date_start"], first["best"], first["low"], first["high"]) == ("2012-06-05", "33", "33", "98")
    by_side = (first["deaths_a"], first["deaths_b"], first["deaths_civilians"], first["deaths_unknown"])
    assert by_side == ("22", "9", "2", "0")
    assert first["side_a"] == "government forces" and first["side_b"] == "rebels"
    assert unplaced["id"].endswith("-unplaced") and unplaced["event_clarity"] == "2" and unplaced["date_prec"] == "4"
    assert (unplaced["date_start"], unplaced["date_end"]) == ("2012-06-05", "2012-06-13")
    assert ged["best"].astype(int).sum() == 120 and ged["low"].astype(int).sum() == 120
    columns = ["deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown"]
    deaths = ged[columns].astype(int)
    assert (deaths.sum(axis=1) == ged["best"].astype(int)).all()  # GED's own rule, row by row
    # 9 June holds 4 of the shell's 10 dead on no side (6 are children: civilians); they are
    # some side's, and each side's unplaced deaths count them: on the unplaced row a side
    # has its unplaced deaths less 4, and deaths_unknown the rest
    shell = days[days["date_start"] == "2012-06-09"].iloc[0]
    assert (shell["best"], shell["deaths_civilians"], shell["deaths_unknown"]) == ("10", "6", "4")
    assert [int(unplaced[c]) for c in columns] == [46 - 4, 13 - 4, 12 - 4, 67 - (42 + 9 + 8)]
    assert deaths.sum().tolist() == [68 - 4, 23 - 4, 29 - 4, 4 + 8]
    assert "SOHR" in first["source_original"] and "AFP" in first["source_office"]
    assert ged["where_description"].str.contains("Latakia").all() and set(ged["where_prec"]) == {"2"}
    assert days.iloc[-1]["high"] == ""  # no claim caps the last day: left open, not invented


def test_ged_events_have_an_unplaced_row_only_where_it_holds_something(tmp_path, second_battle):
    """A row for deaths on no day where the claims require or allow some; none where every
    death is placed and capped, and none for a one-day battle."""

    def ids(data):
        ds = load_dataset(data)
        return list(ged_events(ds, reconcile(ds))["id"])

    placed = [claim(f"D{d}", "Monitor", f"2020-03-0{d}", f"2020-03-0{d}", "all", d, source_id="s1") for d in (1, 2, 3)]
    assert ids(make_event(tmp_path / "placed", placed)) == [
        "test-event-20200301",
        "test-event-20200302",
        "test-event-20200303",
    ]
    one_day = [claim("O", "Monitor", "2020-03-01", "2020-03-01", "army", 4)]
    assert ids(make_event(tmp_path / "one", one_day, period=("2020-03-01", "2020-03-01"))) == ["test-event-20200301"]
    ds = load_dataset(second_battle)
    ged = ged_events(ds, reconcile(ds))
    assert ged["id"].iloc[-1].endswith("-unplaced") and int(ged["best"].iloc[-1]) > 0


def test_ged_events_put_what_a_day_total_leaves_beyond_its_sides_in_deaths_unknown(tmp_path):
    # 10 killed in all on the day, 4 of them soldiers: how the other 6 divide between
    # militia and civilians is not stated, so they go to no side, none invented for either
    day = "2020-03-01"
    claims = [claim("T", "Monitor", day, day, "all", 10), claim("A", "Monitor", day, day, "army", 4)]
    ds = load_dataset(make_event(tmp_path / "e", claims, period=(day, day), sides=("army", "militia", "civilians")))
    row = ged_events(ds, reconcile(ds)).iloc[0]
    by_side = [row[c] for c in ("best", "deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown")]
    assert by_side == [10, 4, 0, 0, 6]  # best, army (a), militia (b), civilians, no side


def test_ged_side_mapping_follows_the_battle():
    from types import SimpleNamespace

    battle = SimpleNamespace(sides=("army", "Civilian residents", "militia", "gang"))
    assert ged_sides(battle) == {
        "army": "deaths_a",
        "Civilian residents": "deaths_civilians",
        "militia": "deaths_b",
        "gang": "deaths_unknown",
    }


def test_reconcile_command_prints_totals_and_writes_files(tmp_path, capsys):
    from analysis.cli import main

    out = tmp_path / "derived"
    assert main(["reconcile", "--rule", "conservative", "--out", str(out)]) == 0
    stdout = capsys.readouterr().out
    assert "rule 'conservative'" in stdout and "rebels" in stdout
    written = (out / "battle_totals-conservative.csv").read_text().splitlines()[0].split(",")
    # the printed table has the written one's columns (less the rule), no others
    assert stdout.splitlines()[1].split() == written[1:]


def test_reconcile_on_bad_data_exits_1_and_writes_nothing(tmp_path, data_copy, capsys):
    from analysis.cli import main

    (data_copy / "casualties.csv").write_text("")
    out = tmp_path / "derived"
    assert main(["reconcile", "--data-dir", str(data_copy), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "casualties.csv, line 1" in err and "Traceback" not in err
    assert not out.exists()


def test_output_dir_keeps_the_old_folder_when_the_step_fails(tmp_path):
    """A step failing inside `output_dir` leaves the folder it replaces as it was and
    nothing of its staging behind; the next step that succeeds replaces it whole."""
    target = tmp_path / "out"

    def publish(text, fail=False):
        with outputs.output_dir(target) as stage:
            (stage / "table.csv").write_text(text)
            if fail:
                raise RuntimeError("step failed")

    publish("old\n")
    with pytest.raises(RuntimeError, match="step failed"):
        publish("new\n", fail=True)
    assert (target / "table.csv").read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
    assert sorted(p.name for p in target.iterdir()) == [MARKER, "table.csv"]
    publish("new\n")
    assert (target / "table.csv").read_text() == "new\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
    outputs.check_owned(target)


def test_reconcile_command_names_the_rules_when_one_is_unknown(capsys):
    from analysis.cli import main

    assert main(["reconcile", "--rule", "loudest"]) == 2
    assert "hierarchy, latest, conservative, envelope, wikipedia" in capsys.readouterr().err


def test_whole_counts_are_written_as_integers(tmp_path):
    from conftest import claim, make_event, source_row

    day = "2020-03-01"
    ds = load_dataset(
        make_event(
            tmp_path / "e",
            [claim("BIG", "Monitor", day, "2020-03-03", "army", 1234567)],
            sources=[source_row("s1", published="2020-03-09")],
        )
    )
    written = tables(ds)
    totals = written["battle_totals-hierarchy.csv"]
    assert "1234567" in totals and "e+" not in totals
    assert all("e+0" not in text for name, text in written.items() if name.endswith((".csv", ".md")))


def test_an_event_without_killed_exports_no_ged_deaths(tmp_path):
    day = "2020-03-01"
    ds = load_dataset(
        make_event(
            tmp_path / "e", [claim("W", "Monitor", day, day, "army", 9, measure="wounded")], measures=["wounded"]
        )
    )
    ged = ged_events(ds, reconcile(ds))
    assert list(ged.columns) == [*GED_COLUMNS, "rule", "claims"] and ged.empty
    ds = load_dataset(make_event(tmp_path / "k", [claim("K", "Monitor", day, day, "army", 9)], measures=["killed"]))
    assert ged_events(ds, reconcile(ds))["deaths_a"].astype(int).sum() == 9


def test_a_build_whose_notebooks_miss_a_figures_pdf_is_refused(no_kernel, second_battle, tmp_path):
    """Every figure in every format the README promises (svg, png and pdf): a notebook
    that writes all but one PDF fails the build, naming the file, and nothing is published;
    writing that one too, the same build succeeds."""
    missing = f"{FIGURE_NAMES[0]}.pdf"
    draw = (
        "from analysis.paths import FIGURE_NAMES, figures_dir\n"
        "for stem in FIGURE_NAMES:\n"
        "    for ext in ('svg', 'png', 'pdf'):\n"
        "        if f'{stem}.{ext}' != SKIP:\n"
        "            (figures_dir() / f'{stem}.{ext}').write_bytes(b'figure')"
    )
    templates = tmp_path / "templates"
    notebook(f"SKIP = {missing!r}", draw, name="01-draw.ipynb", folder=templates)
    out = tmp_path / "out"
    with pytest.raises(BuildError, match=f"did not write these figures: {re.escape(missing)}$"):
        build(Layout.into(out, data=second_battle, templates=templates), log=quiet)
    assert not (out / "figures").exists() and not (out / "notebooks").exists()
    notebook("SKIP = None", draw, name="01-draw.ipynb", folder=templates)
    build(Layout.into(out, data=second_battle, templates=templates), log=quiet)
    assert {p.name for p in (out / "figures").iterdir()} == {
        MARKER,
        *(f"{stem}.{ext}" for stem in FIGURE_NAMES for ext in ("svg", "png", "pdf")),
    }


def test_ged_date_precision_follows_the_length_of_the_period():
    """GED's date_prec: 1 one day, 2 two to six days, 3 exactly a week, 4 longer but inside
    one calendar month, 5 across months."""
    day = pd.Timestamp
    spans = [("2020-03-01", f"2020-03-0{n}") for n in (1, 2, 6, 7, 8)] + [("2020-03-25", "2020-04-02")]
    assert [_date_prec(day(a), day(b)) for a, b in spans] == [1, 2, 2, 3, 4, 5]


def test_a_bibtex_author_is_braced_whole_when_it_is_an_organisation():
    assert bib_author("Reuters", set()) == "{Reuters}"  # one word: no person's name
    assert bib_author("Jane Doe", set()) == "Jane Doe"  # a person: BibTeX parses first and last names
    assert bib_author("Gulf News", {"Gulf News"}) == "{Gulf News}"  # also a publisher in the register
    assert bib_author("AFP Staff", set()) == "{AFP Staff}"


def test_a_figure_no_claim_stands_behind_is_not_single_source(tmp_path):
    """single_source means one report, exactly: a total that rests on no claim (0 reports)
    is not called single-source."""
    day = "2020-03-01"
    ds = load_dataset(make_event(tmp_path / "e", [claim("A", "Monitor", day, day, "army", 4)]))
    totals = reconcile(ds).totals.set_index(["measure", "side"])
    assert (int(totals.loc[("killed", "army"), "reports"]), bool(totals.loc[("killed", "army"), "single_source"])) == (
        1,
        True,
    )
    militia = totals.loc[("killed", "militia")]
    assert (int(militia["reports"]), bool(militia["single_source"])) == (0, False)


def test_a_tables_note_names_its_event_the_days_it_leaves_out_and_what_parts_are(tmp_path):
    """The note under a reconciled table: the event whose CSV lists the claims (two events
    in one paper), where the deaths on no day went (daily tables), and, only for an event
    with sub-groups, that parts' rows need not add up and a part's 0 is no count of none."""
    from analysis.publish import table_note

    day = "2020-03-01"
    rows = [claim("A", "Monitor", day, day, "army", 3)]
    plain = load_dataset(make_event(tmp_path / "plain", rows)).battle
    parts = load_dataset(make_event(tmp_path / "parts", rows, subgroups={"militia": ["youths"]})).battle
    daily, totals = table_note(plain, "reconciled_daily-hierarchy", False), table_note(plain, "x", True)
    assert "reconciled_daily-hierarchy.csv of test-event" in daily and "see the totals' unplaced" in daily
    assert "unplaced" not in totals and "Derived:" in totals and "Derived:" not in daily
    assert "Rows of parts" not in daily + totals
    said = table_note(parts, "x", True)
    assert "Rows of parts (youths and other militia within militia)" in said and "not that none died" in said
