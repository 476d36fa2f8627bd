"""Behaviour of the derived tables (`analysis.derive`) on small events built in each test:
a side given as a whole beside sub-groups, totals of a one-day event, and daily claims read
as the evidence reads them."""

import pandas as pd

from analysis import derive, plots
from analysis.evidence import gather
from analysis.load import load_dataset
from conftest import claim, make_event, source_row

DAY = "2020-03-01"
ONE_DAY = (DAY, DAY)
LATER = "2020-03-05"  # published after the day: a closing count, capped as stated


def row(frame, **where):
    hits = frame
    for column, value in where.items():
        hits = hits[hits[column].astype(str) == str(value)]
    assert len(hits) == 1, hits
    return hits.iloc[0]


def nested_event(folder):
    """One day; civilians split into children and women; SANA gives civilians as a whole,
    Monitor gives civilians both as a whole and by sub-group."""
    return load_dataset(
        make_event(
            folder,
            [
                claim("S1", "SANA", DAY, DAY, "civilians", 9),
                claim("S2", "SANA", DAY, DAY, "army", 2),
                claim("M1", "Monitor", DAY, DAY, "civilians", 5, "at least"),
                claim("M2", "Monitor", DAY, DAY, "children", 4),
                claim("M3", "Monitor", DAY, DAY, "women", 3),
                claim("M4", "Monitor", DAY, DAY, "army", 1),
            ],
            sources=[source_row("s1", published=LATER)],
            claimants=("SANA", "Monitor"),
            period=ONE_DAY,
            sides=("civilians", "army"),
            subgroups={"civilians": ["children", "women"]},
        )
    )


def test_implied_totals_count_a_side_given_as_a_whole(tmp_path):
    ds = nested_event(tmp_path / "e")
    reading = derive.evidence_reading(ds)
    days = derive.claimant_days(ds.claims, ds.battle, reading)
    # SANA: civilians 9 as a whole and army 2 make all 11 (no figure for a sub-group)
    sana = row(days, claimant="SANA", side="all")
    assert (sana["low"], sana["high"], sana["claim_ids"]) == (11, 11, ("S1", "S2"))
    # Monitor: civilians at least 5 as a whole, 4 + 3 by sub-group: the larger, 7
    assert row(days, claimant="Monitor", side="civilians")["low"] == 7
    assert pd.isna(row(days, claimant="Monitor", side="civilians")["high"])  # other civilians not given
    assert row(days, claimant="Monitor", side="all")["low"] == 8
    implied = derive.cumulative_claims(ds.claims, ds.battle, reading)
    implied = implied[implied["basis"] == "implied by daily figures"]
    assert row(implied, claimant="SANA", side="all")["low"] == 11
    assert row(implied, claimant="Monitor", side="all")["low"] == 8
    # the ledger checks' reading adds up the same way
    assert row(derive.claimant_days(ds.claims, ds.battle), claimant="SANA", side="all")["low"] == 11


def test_a_cap_on_a_group_needs_every_part_capped_and_a_contradicted_cap_is_dropped(tmp_path):
    ds = load_dataset(
        make_event(
            tmp_path / "e",
            [
                # civilians 9 and army 2, both exact: all is 11 exactly, whatever the claimant's "up to 20"
                claim("A1", "Monitor", DAY, DAY, "civilians", 9),
                claim("A2", "Monitor", DAY, DAY, "army", 2),
                claim("A3", "Monitor", DAY, DAY, "all", 20, "up to"),
                # Army: all exactly 3, yet civilians at least 5: the cap contradicts the parts
                claim("B1", "Army", DAY, DAY, "all", 3),
                claim("B2", "Army", DAY, DAY, "civilians", 5, "at least"),
            ],
            sources=[source_row("s1", published=LATER)],
            period=ONE_DAY,
            sides=("civilians", "army"),
            subgroups={"civilians": ["children", "women"]},
        )
    )
    days = derive.claimant_days(ds.claims, ds.battle, derive.evidence_reading(ds))
    monitor = row(days, claimant="Monitor", side="all")
    assert (monitor["low"], monitor["high"]) == (11, 11)
    army = row(days, claimant="Army", side="all")
    assert army["low"] == 5 and pd.isna(army["high"])


def test_a_one_day_event_has_claimant_totals(tmp_path):
    ds = nested_event(tmp_path / "e")
    totals = derive.claimant_totals(ds.claims, ds.battle, ds.sources)
    sana = totals[totals["claimant"] == "SANA"].set_index("side")
    assert sana["value"].to_dict() == {"civilians": 9, "army": 2}
    assert set(totals["claimant"]) == {"SANA", "Monitor"}
    assert [label for label, _, _ in plots.matrix_rows(totals, ds.battle)] == ["SANA", "Monitor"]
    reported = derive.cumulative_claims(ds.claims, ds.battle, derive.evidence_reading(ds))
    reported = reported[reported["basis"] == "reported"]
    assert set(reported["claim_ids"].map(lambda ids: ids[0])) == {"S1", "S2", "M1", "M2", "M3", "M4"}


def test_totals_are_claims_over_the_whole_period_for_the_whole_area(tmp_path):
    def totals(name, period, claims):
        folder = make_event(tmp_path / name, claims, sources=[source_row("s1", published=LATER)], period=period)
        ds = load_dataset(folder)
        return derive.claimant_totals(ds.claims, ds.battle, ds.sources)["claim_id"].tolist()

    later = "2020-03-02"
    # one day of two is no total; a figure for part of the area or for identified victims neither
    assert totals(
        "two-days",
        (DAY, later),
        [
            claim("T1", "Monitor", DAY, DAY, "army", 5),
            claim("T2", "Monitor", DAY, later, "militia", 4, area="part of battle area"),
            claim("T3", "Monitor", DAY, later, "all", 3, identified="true"),
            claim("T4", "Army", DAY, later, "army", 2),
        ],
    ) == ["T4"]
    assert totals(
        "one-day",
        ONE_DAY,
        [
            claim("T1", "Monitor", DAY, DAY, "army", 5),
            claim("T2", "Monitor", DAY, DAY, "militia", 4, area="part of battle area"),
            claim("T3", "Monitor", DAY, DAY, "all", 3, identified="true"),
        ],
    ) == ["T1"]


def three_day_event(folder):
    """Monitor's report of the first day (a running count, published that day, with an
    identical copy) and its later report for the same day, without a `supersedes` link;
    Army's count of identified victims."""
    return load_dataset(
        make_event(
            folder,
            [
                claim("R1", "Monitor", DAY, DAY, "army", 5, source_id="a", report_id="first"),
                claim("R2", "Monitor", DAY, DAY, "army", 5, source_id="b", report_id="first"),
                claim("R3", "Monitor", DAY, DAY, "army", 7, source_id="c"),
                claim("I1", "Army", DAY, DAY, "militia", 6, source_id="c", identified="true"),
            ],
            sources=[
                source_row("a", published=DAY),
                source_row("b", published=DAY, publisher="Other Post"),
                source_row("c", published="2020-03-03"),
            ],
        )
    )


def test_claims_daily_reads_claims_as_the_evidence_does(tmp_path):
    ds = three_day_event(tmp_path / "e")
    evidence = gather(ds)
    daily = derive.daily_claims(ds.claims, ds.battle, derive.evidence_reading(ds, evidence)).set_index("claim_id")
    # the later report revises the first (an inferred revision), identical copy included
    assert daily["superseded"].to_dict() == {"R1": True, "R2": True, "R3": False, "I1": False}
    revised = {a.claim_id for a in evidence.set_aside if a.reason.startswith("superseded")}
    assert set(daily.index[daily["superseded"]]) == revised
    # a running count and a count of identified victims are lower bounds, as in the evidence
    assert pd.isna(daily.at["R1", "high"]) and pd.isna(daily.at["I1", "high"])
    assert daily.at["R3", "high"] == 7
    highs = {c.claim_id: c.high for c in evidence.claims}
    assert {i: (None if pd.isna(h) else int(h)) for i, h in daily["high"].items() if i in highs} == highs
    # the days and implied totals follow that reading: the revised 5 no longer counts
    days = derive.claimant_days(ds.claims, ds.battle, derive.evidence_reading(ds, evidence))
    army = row(days, claimant="Monitor", side="army")
    assert (army["low"], army["high"], army["claim_ids"]) == (7, 7, ("R3",))
    militia = row(days, claimant="Army", side="militia")
    assert militia["low"] == 6 and pd.isna(militia["high"])


def test_grouped_rows_are_the_groups_of_a_groupby_in_its_order():
    """Groups in a sorted groupby's order (a category's order, not the alphabet's), rows
    in frame order, a row with a missing key in no group, nothing from an empty frame."""
    sides = pd.Categorical(["b", "a", "b", "c", None, "a"], categories=["c", "b", "a"])
    frame = pd.DataFrame({"side": sides, "day": [2, 1, 1, 1, 1, 1], "n": [1, 2, 3, 4, 5, 6]})
    groups = derive.grouped_rows(frame, ["side"])
    assert [[row.n for row in g] for g in groups] == [[4], [1, 3], [2, 6]]
    pairs = derive.grouped_rows(frame, ["side", "day"])
    expected = [list(g["n"]) for _, g in frame.groupby(["side", "day"], observed=True, sort=True)]
    assert [[row.n for row in g] for g in pairs] == expected == [[4], [3], [1], [2, 6]]
    assert derive.grouped_rows(frame.iloc[0:0], ["side"]) == []


def test_claimant_totals_flag_a_report_whose_copies_move_a_number_to_another_side(tmp_path):
    # r1: one copy gives 10 to the army, the other to the militia (a swap); r2: one copy
    # gives 6 to everyone, the other to the army alone (a refinement, no disagreement)
    sources = [source_row("s1", published=LATER), source_row("s2", published=LATER, language="fr")]

    def flags(name, claims):
        ds = load_dataset(make_event(tmp_path / name, claims, sources=sources, period=ONE_DAY))
        totals = derive.claimant_totals(ds.claims, ds.battle, ds.sources)
        return sorted(set(zip(totals["claimant"], totals["copies_disagree"])))

    assert flags(
        "swap",
        [
            claim("A", "Monitor", DAY, DAY, "army", 10, source_id="s1", report_id="r1"),
            claim("B", "Monitor", DAY, DAY, "militia", 10, source_id="s2", report_id="r1"),
        ],
    ) == [("Monitor", True)]
    assert flags(
        "refinement",
        [
            claim("A", "Monitor", DAY, DAY, "all", 6, source_id="s1", report_id="r2"),
            claim("B", "Monitor", DAY, DAY, "army", 6, source_id="s2", report_id="r2"),
        ],
    ) == [("Monitor", False)]


def test_the_battle_orders_claimants_languages_and_panels_for_every_table_and_figure():
    from analysis import synthetic

    battle = synthetic.battle(0)  # hierarchy Monitor, Agency, Army, Militia, Encyclopedia; languages en, fr
    assert battle.claimant_order(["Zed", "Army", "Alpha", "Monitor", "Army"]) == ["Monitor", "Army", "Alpha", "Zed"]
    assert [battle.language_rank(x) for x in ("fr", "en", "ar")] == [1, 0, 2]
    assert battle.sides_and_total == ["army", "militia", "civilians", "all"]


def test_a_link_to_one_copy_retires_every_copy_of_that_figure_in_the_claims_tables(tmp_path):
    # report r1 in two outlets gives 12 soldiers for the first day; a later report names
    # only the French copy as revised: neither copy is current in the claims tables
    sources = [source_row("en", published="2020-03-02"), source_row("fr", published="2020-03-02", language="fr")]
    sources.append(source_row("later", published="2020-03-05"))
    claims = [
        claim("E", "Monitor", DAY, DAY, "army", 12, source_id="en", report_id="r1", count_status="final"),
        claim("F", "Monitor", DAY, DAY, "army", 12, source_id="fr", report_id="r1", count_status="final"),
        claim("N", "Monitor", DAY, "2020-03-02", "army", 9, source_id="later", supersedes="F"),
    ]
    ds = load_dataset(make_event(tmp_path / "e", claims, sources=sources))
    assert derive.evidence_reading(ds).superseded == {"E", "F"}
    daily = derive.daily_claims(ds.claims, ds.battle, derive.evidence_reading(ds))
    assert daily.set_index("claim_id")["superseded"].to_dict() == {"E": True, "F": True}
