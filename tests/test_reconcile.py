"""Reconciliation of the real ledger, of edited copies, and of a second battle: the
seed's figures come out of the data, every figure names its claims, rules differ."""

import pandas as pd
import pytest

from analysis.load import load_dataset
from analysis.reconcile import reconcile, sensitivity
from analysis.rules import RULES
from conftest import DATA, add_claims, claim, set_claim


@pytest.fixture(scope="module")
def ds():
    return load_dataset(DATA)


@pytest.fixture(scope="module")
def default(ds):
    return reconcile(ds)


def cell(frame, **where):
    rows = frame
    for k, v in where.items():
        rows = rows[rows[k] == (pd.Timestamp(v) if k == "date" else v)]
    assert len(rows) == 1, where
    return rows.iloc[0]


def test_day_one_is_33_split_22_9_2(default, ds):
    day = str(ds.battle.period_start)
    got = {s: cell(default.daily, date=day, measure="killed", side=s)["best"]
           for s in ["all", "government forces", "rebels", "civilians"]}
    assert got == {"all": 33, "government forces": 22, "rebels": 9, "civilians": 2}
    assert cell(default.daily, date=day, measure="killed", side="government forces")["claims"].startswith("H040")


def test_totals_68_29_23_with_23_derived(default):
    t = default.totals[default.totals["measure"] == "killed"].set_index("side")
    assert t.loc["government forces", ["low", "best"]].tolist() == [68, 68]
    assert t.loc["civilians", ["low", "best"]].tolist() == [29, 29]
    assert t.loc["rebels", ["low", "best"]].tolist() == [23, 23]
    assert bool(t.loc["rebels", "derived"]) and not bool(t.loc["government forces", "derived"])
    assert set(t.loc["rebels", "claims"].split(";")) >= {"H082", "H083", "H086"}


def test_uncapped_high_is_open(default):
    # no accepted claim covers the battle's last day, so no total has a ceiling
    assert default.totals["high"].isna().all()


def test_arabic_swap_is_a_reported_conflict(default):
    assert set(default.conflicts["dropped"]) == {"H087", "H088"}
    assert all("H083" in c for c in default.conflicts["claims_in_conflict"])


def test_every_nonzero_figure_names_its_claims(default):
    for frame in (default.daily, default.totals):
        nonzero = frame[frame["low"] > 0]
        assert len(nonzero) and nonzero["claims"].str.len().gt(0).all()


def test_low_best_high_order(ds):
    for name in RULES:
        r = reconcile(ds, name)
        for frame in (r.daily, r.totals):
            assert (frame["low"] <= frame["best"] + 1e-9).all()
            capped = frame[frame["high"].notna()]
            assert (capped["best"] <= capped["high"].astype(float) + 1e-9).all()


def test_rules_differ_and_sensitivity_shows_them_side_by_side(ds):
    table = sensitivity(ds).set_index(["measure", "side"])
    assert list(table.columns) == list(RULES)
    rebels = table.loc[("killed", "rebels")]
    assert rebels["hierarchy"].startswith("23 ")
    assert rebels["conservative"].startswith("29 ")  # the Arabic split survives: it asserts fewer civilians
    assert table.loc[("killed", "all"), "wikipedia"] == "120 [120–120]"


def test_hierarchy_sets_aside_lower_ranked_claimants(default):
    aside = default.set_aside.set_index("claim_id")["reason"]
    assert "SOHR ranks higher" in aside["H032"]  # SANA's 2 soldiers on day one
    assert "relays" in aside["H003"]  # Wikipedia's 23 is traced, not counted


def test_a_new_claim_changes_the_result_without_code(data_copy):
    add_claims(data_copy, claim("H901", "SOHR", "2012-06-13", "2012-06-13", "government forces", 5,
                                source_id="pakistantoday-2012-06-13", claimant_detail="test"))
    r = reconcile(load_dataset(data_copy))
    gov = cell(r.totals, measure="killed", side="government forces")
    assert (gov["low"], gov["best"], gov["high"]) == (73, 73, 73)
    assert "H901" in gov["claims"]


def test_an_edited_claim_changes_the_result(data_copy):
    set_claim(data_copy, "H086", value=70)
    r = reconcile(load_dataset(data_copy))
    assert cell(r.totals, measure="killed", side="rebels")["best"] == 21


def test_a_second_battle_needs_only_data(second_battle):
    ds = load_dataset(second_battle)
    r = reconcile(ds)
    # Monitor: army day 1 = 5, all days = 20, militia = 8 -> army total 12; Army's 1 gives way
    assert cell(r.totals, measure="killed", side="army")[["low", "best", "high"]].tolist() == [12, 12, 12]
    assert cell(r.daily, date="2020-03-01", measure="killed", side="army")["best"] == 5
    assert "A1" in set(r.set_aside["claim_id"])
    latest = reconcile(ds, "latest")
    assert latest.conflicts["dropped"].tolist() == ["A1"]  # same day: the lower-ranked claimant gives way


def test_a_second_battle_gets_every_table_and_figure(second_battle, tmp_path):
    """New data, no new code: every table and figure, even for a rule that accepts nothing
    (this battle has no encyclopedia claims) and a measure nobody claimed (wounded)."""
    from analysis import plots
    from analysis.publish import write_tables

    ds = load_dataset(second_battle)
    written = write_tables(ds, tmp_path / "derived")
    assert len(written) == 41
    wiki = (tmp_path / "derived" / "battle_totals-wikipedia.csv").read_text().splitlines()
    assert "wikipedia,killed,army,0,0,open,False," in wiki
    assert list(plots.all_figures(ds, reconcile(ds))) == plots.FIGURES
