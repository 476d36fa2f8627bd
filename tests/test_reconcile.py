"""Reconciliation of the real ledger, of edited copies, and of a second battle: the
seed's figures come out of the data, every figure names its claims, rules differ."""

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from analysis.load import load_dataset
from analysis.reconcile import derived_days, reconcile, reconcile_all, sensitivity
from analysis.rules import DEFAULT_RULE, RULES
from conftest import DATA, add_claims, claim, make_event, set_claim


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
    got = {
        s: cell(default.daily, date=day, measure="killed", side=s)["best"]
        for s in ["all", "government forces", "rebels", "civilians"]
    }
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


def test_copies_of_the_12_june_report_that_swap_29_and_23_are_reported_not_enforced(default):
    kinds = {(d.report, d.kind): d for d in default.evidence.disagreements}
    swap = kinds[("sohr-2012-06-12-toll", "swap")]
    assert swap.kept == ("H083", "H308") and swap.dropped == ("H087",)  # the French copies kept
    assert kinds[("sohr-2012-06-12-toll", "disagree")].dropped == ("H088",)
    accepted = {c.claim_id for c in default.accepted}
    assert {"H082", "H083", "H086"} <= accepted and not {"H087", "H088"} & accepted


def test_67_deaths_by_12_june_are_placed_on_no_day(default):
    t = default.totals[default.totals["measure"] == "killed"].set_index("side")
    assert (t.loc["all", "best"], t.loc["all", "placed"], t.loc["all", "unplaced"]) == (120, 53, 67)
    sides = ["government forces", "rebels", "civilians"]
    # 4 of the 10 the shell of 9 June killed are placed on that day but on no side: the
    # sides place them on no day instead
    assert sum(t.loc[s, "placed"] for s in sides) == 53 - 4 and sum(t.loc[s, "unplaced"] for s in sides) == 67 + 4


def test_daily_best_is_whole_and_never_spread(default):
    d = default.daily
    assert d["best"].dtype.kind == "i"  # whole numbers, stored as such
    later = d[(d["measure"] == "killed") & (d["date"] > pd.Timestamp("2012-06-06")) & (d["side"] == "all")]
    # only the shell of 9 June (10 dead, H302) and SOHR's 3 of 12 June (H306, H307) place deaths after 6 June
    assert later.loc[later["best"] > 0, ["date", "best"]].values.tolist() == [
        [pd.Timestamp("2012-06-09"), 10],
        [pd.Timestamp("2012-06-12"), 3],
    ]


def test_every_nonzero_figure_names_its_claims(default):
    """A figure above zero names claims, and each is an accepted reading (or a copy of
    one) of the figure's own measure."""
    measure_of = {i: c.measure for c in default.accepted for i in (c.claim_id, *c.copies)}
    for frame in (default.daily, default.totals):
        nonzero = frame[frame["low"] > 0]
        assert len(nonzero) and nonzero["claims"].str.len().gt(0).all()
        for measure, claims in zip(frame["measure"], frame["claims"]):
            assert {measure_of.get(i) for i in claims.split(";") if i} <= {measure}, claims


def test_low_best_high_order(ds):
    for name in RULES:
        r = reconcile(ds, name)
        for frame in (r.daily, r.totals):
            assert (frame["low"] <= frame["best"] + 1e-9).all()
            capped = frame[frame["high"].notna()]
            assert (capped["best"] <= capped["high"].astype(float) + 1e-9).all()


def test_rules_differ_and_sensitivity_shows_them_side_by_side(ds):
    wide = sensitivity(reconcile_all(ds))
    assert wide.columns.name is None  # no stray "rule" header above the columns when shown
    table = wide.set_index(["measure", "side"])
    assert list(table.columns) == list(RULES)
    assert table.loc[("killed", "rebels"), "hierarchy"].startswith("23* [")  # derived, marked
    assert table.loc[("killed", "government forces"), "hierarchy"].startswith("68 [")
    assert table.loc[("killed", "all"), "wikipedia"] == "120* [120–120]"  # the infobox states the sides only
    assert table.loc[("killed", "all"), "envelope"] == "120 [117–open]"


def test_conservative_and_envelope_never_exceed_the_highest_stated_total(ds):
    for rule in ("conservative", "envelope"):
        t = reconcile(ds, rule).totals.set_index(["measure", "side"])
        assert t.loc[("killed", "all"), "best"] <= 120
        assert t.loc[("killed", "all"), "low"] <= 120


def test_hierarchy_sets_aside_lower_ranked_claimants(default):
    aside = default.set_aside.set_index("claim_id")["reason"]
    assert "SOHR ranks higher" in aside["H032"]  # SANA's 2 soldiers on day one
    assert "relays" in aside["H003"]  # Wikipedia's 23 is traced, not counted


def test_a_new_claim_changes_the_result_without_code(data_copy):
    add_claims(
        data_copy,
        claim(
            "H901",
            "SOHR",
            "2012-06-13",
            "2012-06-13",
            "government forces",
            5,
            source_id="pakistantoday-2012-06-13",
            claimant_detail="test",
        ),
    )
    r = reconcile(load_dataset(data_copy))
    gov = cell(r.totals, measure="killed", side="government forces")
    # published the day it counts: a running count, a lower bound (no cap on the total)
    assert (gov["low"], gov["best"]) == (73, 73) and pd.isna(gov["high"])
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
    assert len(written) == 44
    wiki = (tmp_path / "derived" / "battle_totals-wikipedia.csv").read_text().splitlines()
    assert any(line.startswith("wikipedia,killed,army,0,0,open,0,0,False,") for line in wiki)
    assert list(plots.all_figures(ds, reconcile(ds))) == plots.FIGURES


@pytest.mark.parametrize("rule", ["hierarchy", "latest", "envelope"])
def test_a_reading_set_aside_for_one_that_gives_way_later_comes_back(tmp_path, rule):
    """Conflicts are settled one at a time: Z (the lowest rank) gives way to Y first, then
    Y gives way to X. Z does not conflict with X, so it comes back: adding Y, which gives
    way in the end, changes nothing else."""
    first, second = "2020-03-01", "2020-03-02"
    claims = [
        claim("Z", "Militia", first, second, "army", 3, "up to"),
        claim("Y", "Ministry", first, first, "army", 20),
        claim("X", "Monitor", first, second, "all", 10),
    ]
    names = ("Monitor", "Ministry", "Militia")
    r = reconcile(load_dataset(make_event(tmp_path / "e", claims, claimants=names, period=(first, second))), rule)
    assert r.conflicts["dropped"].tolist() == ["Y"]
    assert cell(r.totals, measure="killed", side="army")["high"] == 3  # Z holds
    without_y = make_event(tmp_path / "w", [claims[0], claims[2]], claimants=names, period=(first, second))
    assert_frame_equal(reconcile(load_dataset(without_y), rule).totals, r.totals)


@pytest.mark.parametrize("rule", ["hierarchy", "envelope"])
def test_no_reading_gives_way_to_a_weaker_one_whatever_the_order_conflicts_are_found_in(tmp_path, rule):
    """Ranks Bee > Ay > Arr > Dub. A (up to 3 in all) gives way to B (militia at least 6);
    R (army at least 4) conflicts with A and with W (all up to 8); R outranks W, so W gives
    way: with or without A, the kept readings are B and R, and no row cites A."""
    d1, d2 = "2020-03-01", "2020-03-02"
    rows = [
        claim("B", "Bee", d1, d1, "militia", 6, "at least"),
        claim("A", "Ay", d1, d2, "all", 3, "up to"),
        claim("R", "Arr", d1, d1, "army", 4, "at least"),
        claim("W", "Dub", d1, d1, "all", 8, "up to"),
    ]
    names = ("Bee", "Ay", "Arr", "Dub")
    for folder, ledger in (("with", rows), ("without", [rows[0], rows[2], rows[3]])):
        r = reconcile(load_dataset(make_event(tmp_path / folder, ledger, claimants=names, period=(d1, d2))), rule)
        assert sorted(c.claim_id for c in r.accepted) == ["B", "R"], folder
        assert "W" in r.conflicts["dropped"].tolist()
        kept_or_dropped = [set(row.claims_in_conflict.split(";")) - {row.dropped} for row in r.conflicts.itertuples()]
        assert all(others <= {"B", "R"} for others in kept_or_dropped)  # rows cite kept readings only


def test_a_total_is_stated_by_a_figure_counted_from_the_first_day_not_by_one_days_figure(tmp_path):
    """The army's 12 of day one is the whole army total (nothing else places any), but a
    figure for one day of three is no statement of the total; a running total of 12 to day
    two is; in a one-day event the day's figure is the total."""
    d1, d2, d3 = "2020-03-01", "2020-03-02", "2020-03-03"

    def derived(claims, period=(d1, d3)) -> bool:
        folder = make_event(tmp_path / f"e{len(list(tmp_path.iterdir()))}", claims, period=period)
        totals = reconcile(load_dataset(folder)).totals.set_index(["measure", "side"])
        return bool(totals.loc[("killed", "army"), "derived"])

    assert derived([claim("A", "Monitor", d1, d1, "army", 12)])
    assert not derived([claim("A", "Monitor", d1, d2, "army", 12)])
    assert derived([claim("A", "Monitor", d2, d3, "army", 12)])  # not counted from the first day
    assert not derived([claim("A", "Monitor", d1, d1, "army", 12)], period=(d1, d1))


def totals_of(folder, rule=DEFAULT_RULE) -> dict[str, tuple]:
    totals = reconcile(load_dataset(folder), rule).totals
    killed = totals[totals["measure"] == "killed"]
    return {row.side: (row.low, row.best, None if pd.isna(row.high) else int(row.high)) for row in killed.itertuples()}


def test_a_group_figure_is_the_best_of_that_group_and_of_no_side(tmp_path):
    """ "about 100 killed" alone: the event's total is 100 at face value, its band 90 to
    110; no side is named, so each gets its low, 0 (nothing spread); conservative keeps
    the low of the band."""
    folder = make_event(
        tmp_path / "e", [claim("T", "Monitor", "2020-03-01", "2020-03-03", "all", 100, "about")], sides=("a", "b", "c")
    )
    got = totals_of(folder)
    assert got["all"] == (90, 100, 110)
    assert [got[s][1] for s in ("a", "b", "c")] == [0, 0, 0]
    assert totals_of(folder, "conservative")["all"] == (90, 90, 110)


def test_a_group_figure_inside_a_larger_name_counts_at_face_value_but_is_not_handed_on(tmp_path):
    """a and b "about 50" together, all three 60: the whole event is 60 and a and b 50 at
    face value, while a two-side name around neither group figure (b and c) gets only its
    low, 5 (60 less 55), not the 10 the two figures leave at face value."""
    d1, d3 = "2020-03-01", "2020-03-03"
    folder = make_event(
        tmp_path / "e",
        [claim("G", "Monitor", d1, d3, "ab", 50, "about"), claim("T", "Monitor", d1, d3, "all", 60)],
        sides=("a", "b", "c"),
        groups={"all": ["a", "b", "c"], "ab": ["a", "b"], "bc": ["b", "c"]},
    )
    got = totals_of(folder)
    assert got["ab"] == (45, 50, 55)
    assert got["all"] == (60, 60, 60)
    assert got["bc"] == (5, 5, 60)
    # once a reading names b and c together (at least 1 on the first day), they are a named
    # group: at face value they hold what the two figures leave, 60 - 50, as a named side would
    named = make_event(
        tmp_path / "named",
        [
            claim("G", "Monitor", d1, d3, "ab", 50, "about"),
            claim("T", "Monitor", d1, d3, "all", 60),
            claim("B", "Monitor", d1, d1, "bc", 1, "at least"),
        ],
        sides=("a", "b", "c"),
        groups={"all": ["a", "b", "c"], "ab": ["a", "b"], "bc": ["b", "c"]},
    )
    assert totals_of(named)["bc"] == (5, 10, 60)
    # a name around a group a reading names holds that group's face value: all three are
    # 50 at face value with "a and b about 50" alone (their low is 45)
    inside = make_event(
        tmp_path / "inside",
        [claim("G", "Monitor", d1, d3, "ab", 50, "about")],
        sides=("a", "b", "c"),
        groups={"all": ["a", "b", "c"], "ab": ["a", "b"], "bc": ["b", "c"]},
    )
    assert totals_of(inside)["all"] == (45, 50, None)


@pytest.mark.parametrize("extra", [{"identified": "true"}, {"count_status": "running"}])
def test_an_about_figure_that_caps_nothing_is_its_number_at_face_value(tmp_path, extra):
    """ "about 20" identified by name, or counted so far: no cap, the low 18 of its band,
    and 20 at face value; another claimant's "about 30" (all claimants accepted) is no gap
    from a floor and stands at 30 (read as two-sided, 20 would pull the best down to 27)."""
    d1, d3 = "2020-03-01", "2020-03-03"
    alone = make_event(tmp_path / "alone", [claim("I", "Monitor", d1, d3, "army", 20, "about", **extra)])
    assert totals_of(alone)["army"] == (18, 20, None)
    more = make_event(
        tmp_path / "more",
        [claim("I", "Monitor", d1, d3, "army", 20, "about", **extra), claim("A", "Army", d1, d3, "army", 30, "about")],
    )
    assert totals_of(more, "latest")["army"] == (27, 30, 33)


@pytest.mark.parametrize("extra", [{"identified": "true"}, {"area": "part of battle area"}])
def test_a_higher_claimants_figure_of_another_kind_sets_aside_no_toll(tmp_path, extra):
    """Monitor outranks Army; its count of identified victims, or its figure for one
    village, is no toll of the whole event: Army's toll of 30 stays, and under it the
    Monitor's 20 is only a floor; a Monitor toll for the same days sets Army's aside."""
    d1, d3 = "2020-03-01", "2020-03-03"
    kinds = make_event(
        tmp_path / "kinds",
        [claim("M", "Monitor", d1, d3, "army", 20, **extra), claim("A", "Army", d1, d3, "army", 30)],
    )
    result = reconcile(load_dataset(kinds))
    assert sorted(c.claim_id for c in result.accepted) == ["A", "M"]
    assert totals_of(kinds)["army"] == (30, 30, 30)
    same = make_event(
        tmp_path / "same", [claim("M", "Monitor", d1, d3, "army", 20), claim("A", "Army", d1, d3, "army", 30)]
    )
    assert [c.claim_id for c in reconcile(load_dataset(same)).accepted] == ["M"]


def test_figures_for_two_villages_are_no_figures_of_one_kind(tmp_path):
    """Two parts of the area (one area code, two villages): the Monitor's 3 in one sets
    aside nothing of the Army's 8 in another, which stays a floor for the whole."""
    d1, d3 = "2020-03-01", "2020-03-03"
    part = {"area": "part of battle area"}
    folder = make_event(
        tmp_path / "e",
        [
            claim("V1", "Monitor", d1, d3, "army", 3, place_as_named="Village one", **part),
            claim("V2", "Army", d1, d3, "army", 8, place_as_named="Village two", **part),
        ],
    )
    assert sorted(c.claim_id for c in reconcile(load_dataset(folder)).accepted) == ["V1", "V2"]
    assert totals_of(folder)["army"] == (8, 8, None)


def test_one_places_figure_states_no_total_nor_day(tmp_path):
    """'up to 8' in one quarter, for the whole period and for the first day: at face value
    the civilians hold 8, but no figure for the whole area says so, so both the total and
    the day are derived."""
    d1, d3 = "2020-03-01", "2020-03-03"
    part = {"area": "part of battle area"}
    folder = make_event(
        tmp_path / "e",
        [
            claim("Q", "Monitor", d1, d3, "militia", 8, "up to", **part),
            claim("D", "Monitor", d1, d1, "army", 4, **part),
        ],
    )
    result = reconcile(load_dataset(folder))
    totals = result.totals.set_index(["measure", "side"])
    assert (totals.loc[("killed", "militia"), "best"], bool(totals.loc[("killed", "militia"), "derived"])) == (8, True)
    assert (pd.Timestamp(d1), "army") in derived_days(result, load_dataset(folder).battle, "killed")
