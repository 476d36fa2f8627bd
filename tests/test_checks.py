"""Each named check fires on the real ledger where the dossier says it should, and on an
edited copy where it should not pass; accepted exceptions are honoured."""

import json

import pytest

from analysis import checks, story
from analysis.battle import CHECK_NAMES, INFORMATION_CHECKS
from analysis.load import load_dataset
from conftest import DATA, add_claims, claim, make_event, set_claim, source_row


@pytest.fixture(scope="module")
def found():
    return checks.run_checks(load_dataset(DATA))


def of(findings, check, verdict):
    return findings[(findings["check"] == check) & (findings["verdict"] == verdict)]


def test_parts_against_whole_day_one(found):
    hit = of(found, "parts_vs_whole", "agree")
    assert any("all 33 vs government forces 22 + rebels 9 + civilians 2" in f for f in hit["figures"])


def test_parts_against_whole_can_disagree(data_copy):
    set_claim(data_copy, "H008", value=21)
    found = checks.run_checks(load_dataset(data_copy))
    assert "H008" in of(found, "parts_vs_whole", "disagree")["claims"].iloc[0]


def test_daily_against_cumulative_leaves_67_with_no_day(found):
    hit = of(found, "daily_vs_cumulative", "remainder")
    row = hit[hit["claims"].str.contains("H082")].iloc[0]
    assert "on 4 of 8 days sum to ≥53" in row["figures"] and "placed on no day: 67" in row["figures"]


def test_daily_against_cumulative_can_disagree(data_copy):
    set_claim(data_copy, "H086", value=10)  # fewer soldiers in all than on day one alone
    found = checks.run_checks(load_dataset(data_copy))
    assert "H086" in of(found, "daily_vs_cumulative", "disagree")["claims"].iloc[0]


def test_cumulative_decreasing_fires_only_when_a_total_falls(found, data_copy):
    assert of(found, "cumulative_decreasing", "decrease").empty
    set_claim(data_copy, "H086", value=50)  # 58 by 10 June, then 50 by 12 June
    found = checks.run_checks(load_dataset(data_copy))
    assert of(found, "cumulative_decreasing", "decrease")["claims"].tolist() == ["H062;H086", "H067;H086"]


def test_derived_23_rebels(found):
    hit = of(found, "derived_figures", "derived")
    row = hit[hit["subject"].str.contains("rebels")].iloc[0]
    assert row["figures"].startswith("23 follows")
    # one claimant, named once, each claim with its days
    assert row["figures"].endswith(
        "given only by Wikipedia editor (H003, 2012-06-05..2012-06-13; H019, 2012-06-05..2012-06-13; "
        "H204, 2012-06-05..2012-06-11)"
    )


def test_arabic_copy_swaps_29(found):
    assert of(found, "copies_disagree", "swap")["claims"].tolist() == ["H083;H087;H308"]
    assert "H083;H088;H308" in of(found, "copies_disagree", "disagree")["claims"].tolist()


def test_infobox_pairs_figures_of_different_days(found):
    row = of(found, "paired_dates", "mixed dates").iloc[0]
    assert "to 2012-06-10 (H063)" in row["figures"] and "to 2012-06-12 (H086)" in row["figures"]


def test_recapture_dated_12_and_13_june(found):
    row = found[(found["check"] == "event_dates") & (found["subject"] == "recapture")].iloc[0]
    assert row["verdict"] == "conflict" and "2012-06-12" in row["figures"] and "2012-06-13" in row["figures"]


def test_untraced_strengths_and_traced_sums(found):
    u = found[found["check"] == "untraced"].set_index("claims")
    assert u.loc["H001", "verdict"] == u.loc["H002", "verdict"] == "untraced"
    assert u.loc["H003", "verdict"] == "derived"
    assert any(k.startswith("H007;") and v == "sum of parts" for k, v in u["verdict"].items())


def test_untraced_stops_firing_once_a_source_is_found(data_copy):
    add_claims(
        data_copy,
        claim(
            "H902",
            "FSA",
            "2012-06-05",
            "2012-06-13",
            "government forces",
            780,
            figure_type="point-in-time",
            measure="strength",
            source_id="wapo-2012-06-13",
        ),
    )
    found = checks.run_checks(load_dataset(data_copy))
    assert "H002" not in set(found.loc[found["check"] == "untraced", "claims"])


def test_accepted_exceptions_are_marked_and_can_be_withdrawn(found, data_copy):
    jagran = found[(found["check"] == "copies_disagree") & found["claims"].str.contains("H045")].iloc[0]
    assert "Jagran" in jagran["accepted"]
    battle = json.loads((data_copy / "battle.json").read_text())
    battle["accepted_exceptions"] = []
    (data_copy / "battle.json").write_text(json.dumps(battle))
    again = checks.run_checks(load_dataset(data_copy))
    assert again["accepted"].eq("").all()


def test_an_exception_no_failing_finding_matches_is_reported_unused(found, data_copy):
    assert found[found["check"] == "accepted_exceptions"].empty  # every exception of the ledger is in use
    battle = json.loads((data_copy / "battle.json").read_text())
    kept = battle["accepted_exceptions"][0]
    battle["accepted_exceptions"] = [
        kept,
        {"check": "copies_disagree", "claims": ["H001"], "reason": "a report H001 is not part of"},
        {"check": "parts_vs_whole", "claims": ["H008"], "reason": "a document whose parts fit its total"},
    ]
    (data_copy / "battle.json").write_text(json.dumps(battle))
    again = checks.run_checks(load_dataset(data_copy))
    unused = of(again, "accepted_exceptions", "unused")
    assert unused["claims"].tolist() == ["H001", "H008"]
    assert unused["subject"].tolist() == [
        "accepted_exceptions[1] of battle.json (copies_disagree)",
        "accepted_exceptions[2] of battle.json (parts_vs_whole)",
    ]
    assert again["accepted"].ne("").sum() == 1  # the first exception still marks its finding


def test_the_checks_are_those_an_exception_may_name_and_those_that_only_inform(found):
    names = [c.__name__ for c in [*checks.LEDGER_CHECKS, *checks.RESULT_CHECKS]]
    assert sorted(names) == sorted([*CHECK_NAMES, *INFORMATION_CHECKS])
    informing = found[found["check"].isin(INFORMATION_CHECKS)]
    assert not informing.empty and not informing["verdict"].isin(checks.FAILING).any()


def test_summary_counts_every_finding(found):
    s = checks.summary(found)
    assert s["findings"].sum() == len(found)
    assert s.loc[s["failing"], "verdict"].isin(checks.FAILING).all()


def test_a_number_every_copy_gives_to_the_same_sides_or_to_a_group_and_its_part_is_no_swap(tmp_path):
    day = "2020-03-01"
    sources = [source_row("s1"), source_row("s2", language="fr")]
    copy = {"report_id": "r1"}
    ds = load_dataset(
        make_event(
            tmp_path / "e",
            [
                *(
                    claim(f"{s}{side[0]}", "Monitor", day, day, side, 20, source_id=s, **copy)
                    for s in ("s1", "s2")
                    for side in ("army", "militia")
                ),
                claim("G", "Monitor", day, day, "all", 9, source_id="s1", **copy),
                claim("P", "Monitor", day, day, "army", 9, source_id="s2", **copy),
                claim("X", "Army", day, day, "army", 7, source_id="s1", report_id="r2"),
                claim("Y", "Army", day, day, "militia", 7, source_id="s2", report_id="r2"),
            ],
            sources=sources,
        )
    )
    swaps = [f.subject for f in checks.copies_disagree(ds) if f.verdict == "swap"]
    assert swaps == ["r2: killed, the number 7"]


def test_a_swap_is_found_whatever_else_the_report_gives_that_number_and_only_within_one_figure(tmp_path):
    # r1's copies move 10 from army to militia; s1 also gives 10 wounded, another measure,
    # which must not hide the swap. In r2 the number 4 is army on one day and militia on
    # another: two figures, no swap.
    sources = [source_row("s1"), source_row("s2", language="fr")]
    day, next_day = "2020-03-01", "2020-03-02"
    ds = load_dataset(
        make_event(
            tmp_path / "e",
            [
                claim("A", "Monitor", day, day, "army", 10, source_id="s1", report_id="r1"),
                claim("B", "Monitor", day, day, "militia", 10, source_id="s2", report_id="r1"),
                claim("W", "Monitor", day, day, "army", 10, source_id="s1", report_id="r1", measure="wounded"),
                claim("C", "Monitor", day, day, "army", 4, source_id="s1", report_id="r2"),
                claim("D", "Monitor", next_day, next_day, "militia", 4, source_id="s2", report_id="r2"),
            ],
            sources=sources,
        )
    )
    swaps = [(f.subject, f.claims) for f in checks.copies_disagree(ds) if f.verdict == "swap"]
    assert swaps == [("r1: killed, the number 10", "A;B")]


def test_a_copy_of_a_revised_figure_is_not_read_as_a_falling_total(tmp_path):
    # report r1, in two outlets, gives 12 soldiers for two days; the claimant revises the
    # French copy to 9 for three days: neither copy is current, so nothing falls
    later = "2020-03-05"
    sources = [source_row("en"), source_row("fr", language="fr"), source_row("later", published=later)]
    ds = load_dataset(
        make_event(
            tmp_path / "e",
            [
                claim("E", "Monitor", "2020-03-01", "2020-03-02", "army", 12, source_id="en", report_id="r1"),
                claim("F", "Monitor", "2020-03-01", "2020-03-02", "army", 12, source_id="fr", report_id="r1"),
                claim("N", "Monitor", "2020-03-01", "2020-03-03", "army", 9, source_id="later", supersedes="F"),
            ],
            sources=sources,
        )
    )
    assert of(checks.run_checks(ds), "cumulative_decreasing", "decrease").empty


def test_a_count_of_identified_victims_is_no_falling_total(tmp_path):
    ds = load_dataset(
        make_event(
            tmp_path / "e",
            [
                claim("T", "Monitor", "2020-03-01", "2020-03-02", "all", 100),
                claim("I", "Monitor", "2020-03-01", "2020-03-03", "all", 40, identified="true"),
            ],
        )
    )
    assert not [f for f in checks.cumulative_decreasing(ds) if f.verdict == "decrease"]
    assert [f.claims for f in checks.cumulative_decreasing(ds)] == []  # one toll: nothing to compare
    ds = load_dataset(
        make_event(
            tmp_path / "f",
            [
                claim("T", "Monitor", "2020-03-01", "2020-03-02", "all", 100),
                claim("U", "Monitor", "2020-03-01", "2020-03-03", "all", 40),
            ],
        )
    )
    assert [f.verdict for f in checks.cumulative_decreasing(ds)] == ["decrease"]


def test_sub_groups_are_checked_against_their_side(tmp_path):
    day = "2020-03-01"
    ds = load_dataset(
        make_event(
            tmp_path / "e",
            [claim("C", "Monitor", day, day, "civilians", 10), claim("K", "Monitor", day, day, "children", 12)],
            sides=("army", "civilians"),
            subgroups={"civilians": ["children"]},
        )
    )
    found = [(f.subject.split(",")[0], f.verdict, f.figures) for f in checks.parts_vs_whole(ds)]
    assert ("Monitor", "disagree", "civilians 10 vs children 12 (other civilians not given)") in found


def test_a_range_entered_as_two_rows_is_read_whole_against_the_parts(tmp_path):
    """A document gives all as "at least 50" and "up to 55" (two rows of one range): the
    parts' 40 + 20 = 60 do not fit it, though they fit its first row alone."""
    day = "2020-03-01"
    rows = [
        claim("L", "Monitor", day, day, "all", 50, "at least"),
        claim("H", "Monitor", day, day, "all", 55, "up to"),
        claim("A", "Monitor", day, day, "army", 40),
        claim("M", "Monitor", day, day, "militia", 20),
    ]
    ds = load_dataset(make_event(tmp_path / "e", rows))
    [found] = checks.parts_vs_whole(ds)
    assert (found.verdict, found.figures, found.claims) == ("disagree", "all 50–55 vs army 40 + militia 20", "A;H;L;M")


def test_copies_of_one_figure_disagree_in_qualifier_and_other_figures_of_a_report_are_no_copies(tmp_path):
    """ "about 100" and "100" in two copies of one report disagree; a report's daily and
    running figures for one side, or its toll and its count of named victims, are two
    figures, not two copies of one."""
    day, later = "2020-03-01", "2020-03-03"
    sources = [source_row("s1"), source_row("s2", language="fr")]
    ds = load_dataset(
        make_event(
            tmp_path / "e",
            [
                claim("A", "Monitor", day, day, "army", 100, "about", source_id="s1", report_id="r1"),
                claim("B", "Monitor", day, day, "army", 100, source_id="s2", report_id="r1"),
                claim("D", "Monitor", later, later, "militia", 5, source_id="s1", report_id="r2"),
                claim("R", "Monitor", day, later, "militia", 12, source_id="s2", report_id="r2"),
                claim("T", "Monitor", day, later, "army", 40, source_id="s1", report_id="r3"),
                claim("N", "Monitor", day, later, "army", 31, source_id="s2", report_id="r3", identified="true"),
            ],
            sources=sources,
        )
    )
    found = checks.copies_disagree(ds)
    assert [(f.subject, f.verdict, f.claims) for f in found] == [("r1: killed, army", "disagree", "A;B")]
    assert found[0].figures == f"about 100 for {day} in Test Post (en); 100 for {day} in Test Post (fr)"


def test_an_exception_must_name_only_claims_of_the_finding_it_accepts(data_copy):
    """An exception matches a failing finding that holds every claim it names: one more
    claim, from elsewhere, and it accepts nothing (and is reported unused)."""
    battle = json.loads((data_copy / "battle.json").read_text())
    first = battle["accepted_exceptions"][0]
    battle["accepted_exceptions"] = [{**first, "claims": [*first["claims"], "H001"]}]
    (data_copy / "battle.json").write_text(json.dumps(battle))
    found = checks.run_checks(load_dataset(data_copy))
    assert found["accepted"].eq("").all()
    assert of(found, "accepted_exceptions", "unused")["claims"].tolist() == [
        ";".join(sorted([*first["claims"], "H001"]))
    ]


def test_daily_figures_that_add_up_to_the_claimants_total_agree(tmp_path):
    ds = load_dataset(
        make_event(
            tmp_path / "e",
            [
                claim("D1", "Monitor", "2020-03-01", "2020-03-01", "army", 3),
                claim("D2", "Monitor", "2020-03-02", "2020-03-02", "army", 2),
                claim("T", "Monitor", "2020-03-01", "2020-03-02", "army", 5),
            ],
        )
    )
    assert [(f.verdict, f.claims) for f in checks.daily_vs_cumulative(ds)] == [("agree", "D1;D2;T")]


def test_a_total_the_daily_figures_can_account_for_is_covered_not_a_remainder(tmp_path):
    """'At least 5' over two days whose figures sum to 5, and '0 to 9' over them, ask for no
    death on no day; 'at least 6' where only the first day's 3 is given asks for 3 more.
    The days' 3 and 2, made after the days (final), hold with neither 'at least 8' nor
    'up to 4'."""
    days = ("2020-03-01", "2020-03-02")
    ds = load_dataset(
        make_event(
            tmp_path / "e",
            [
                claim("D1", "Monitor", days[0], days[0], "army", 3),
                claim("D2", "Monitor", days[1], days[1], "army", 2),
                claim("L", "Monitor", *days, "army", 5, "at least"),
                claim("U", "Monitor", *days, "army", 9, "up to", source_id="s2"),
                claim("R", "Monitor", *days, "army", 8, "at least", source_id="s3"),
                claim("X", "Monitor", *days, "army", 4, "up to", source_id="s4"),
                claim("M1", "Monitor", days[0], days[0], "militia", 3),
                claim("M", "Monitor", *days, "militia", 6, "at least"),
            ],
            sources=[
                source_row("s1"),
                source_row("s2", published="2020-03-05"),
                source_row("s3", published="2020-03-06"),
                source_row("s4", published="2020-03-07"),
            ],
        )
    )
    got = {f.claims: (f.verdict, f.figures.split("; ")[1:]) for f in checks.daily_vs_cumulative(ds)}
    assert got == {
        "D1;D2;L": ("covered", ["daily figures on 2 of 2 days sum to 5", "placed on no day: ≥0"]),
        "D1;D2;U": ("covered", ["daily figures on 2 of 2 days sum to 5", "placed on no day: 0–4"]),
        "M;M1": ("remainder", ["daily figures on 1 of 2 days sum to 3", "placed on no day: ≥3"]),
        "D1;D2;R": ("disagree", ["daily figures on 2 of 2 days sum to 5"]),
        "D1;D2;X": ("disagree", ["daily figures on 2 of 2 days sum to 5"]),
    }
    assert story.daily_against_totals(checks.run_checks(ds)) == (
        "5 totals set against the same claimant's daily figures for its days: 2 require no more than the daily "
        "figures, 1 leaves a remainder the claimant places on no day and 2 disagree with them."
    )


def test_counts_made_on_their_day_under_a_later_total_are_no_contradiction(tmp_path):
    """3 and 2 counted on their own days (running counts), then 8 for both: the total
    leaves 3 on no day. An 'up to' count of the day caps nothing either."""
    days = ("2020-03-01", "2020-03-02")
    sources = [source_row("d1", published=days[0]), source_row("d2", published=days[1]), source_row("t")]
    ds = load_dataset(
        make_event(
            tmp_path / "e",
            [
                claim("D1", "Monitor", days[0], days[0], "army", 3, source_id="d1"),
                claim("D2", "Monitor", days[1], days[1], "army", 2, "up to", source_id="d2"),
                claim("T", "Monitor", *days, "army", 8, source_id="t"),
            ],
            sources=sources,
        )
    )
    [found] = checks.daily_vs_cumulative(ds)
    assert (found.verdict, found.figures.split("; ")[1:]) == (
        "remainder",
        ["daily figures on 2 of 2 days sum to 3–5", "placed on no day: 5"],
    )


def test_about_figures_are_set_against_a_total_as_their_band(tmp_path):
    """Daily "about 10" and "about 20" (9–11, 18–22) against a total of 30: the total
    requires 3 deaths beyond the days' least (27)."""
    days = ("2020-03-01", "2020-03-02")
    ds = load_dataset(
        make_event(
            tmp_path / "e",
            [
                claim("D1", "Monitor", days[0], days[0], "army", 10, "about"),
                claim("D2", "Monitor", days[1], days[1], "army", 20, "about"),
                claim("T", "Monitor", *days, "army", 30),
            ],
        )
    )
    [found] = checks.daily_vs_cumulative(ds)
    assert found.verdict == "remainder"
    assert found.figures == (
        "army 30 in 2020-03-01..2020-03-02; daily figures on 2 of 2 days sum to 27–33; placed on no day: 3"
    )


def test_copies_of_one_total_are_set_against_the_days_once(tmp_path):
    """One report's total of 5, carried by two outlets, is one finding naming both copies."""
    days = ("2020-03-01", "2020-03-02")
    ds = load_dataset(
        make_event(
            tmp_path / "e",
            [
                claim("D1", "Monitor", days[0], days[0], "army", 3),
                claim("T1", "Monitor", *days, "army", 5, source_id="s1", report_id="r1"),
                claim("T2", "Monitor", *days, "army", 5, source_id="s2", report_id="r1"),
            ],
            sources=[source_row("s1"), source_row("s2", publisher="Other Post")],
        )
    )
    assert [(f.verdict, f.claims) for f in checks.daily_vs_cumulative(ds)] == [("remainder", "D1;T1;T2")]


def test_figures_shown_together_from_different_days_are_a_failing_finding(tmp_path):
    """A relay's document gives two totals over the same days whose origins end on
    different days (the 200 wounded of 10 March beside the 68 killed of 12 March)."""
    ds = load_dataset(
        make_event(
            tmp_path / "e",
            [
                claim("K", "Monitor", "2020-03-01", "2020-03-03", "army", 68, source_id="s1"),
                claim("W", "Monitor", "2020-03-01", "2020-03-02", "army", 200, measure="wounded", source_id="s1"),
                claim("BK", "Box", "2020-03-01", "2020-03-03", "army", 68, source_id="s2"),
                claim("BW", "Box", "2020-03-01", "2020-03-03", "army", 200, measure="wounded", source_id="s2"),
            ],
            sources=[source_row("s1"), source_row("s2")],
            claimants=("Monitor", "Army", "Box"),
            relays=("Box",),
        )
    )
    found = checks.run_checks(ds)
    mixed = of(found, "paired_dates", "mixed dates")
    assert mixed["claims"].tolist() == ["BK;BW;K;W"]
    summary = checks.summary(found)
    assert summary.loc[summary["check"] == "paired_dates", "failing"].tolist() == [True]


def test_a_relayed_number_a_primary_claimant_gives_for_another_side_is_named_with_it(tmp_path):
    """A relay's 9 army dead that the monitor gives for the militia: `other side`, failing,
    with both claims; its 15 wounded that no primary claimant gives at all: `untraced`."""
    ds = load_dataset(
        make_event(
            tmp_path / "e",
            [
                claim("M", "Monitor", "2020-03-01", "2020-03-01", "militia", 9),
                claim("BK", "Box", "2020-03-01", "2020-03-02", "army", 9),
                claim("BW", "Box", "2020-03-01", "2020-03-02", "army", 15, measure="wounded"),
            ],
            claimants=("Monitor", "Army", "Box"),
            relays=("Box",),
        )
    )
    found = checks.run_checks(ds)
    u = found[found["check"] == "untraced"]
    assert [(v, c) for v, c in zip(u["verdict"], u["claims"])] == [("other side", "BK;M"), ("untraced", "BW")]
    assert "Monitor gives it for militia (M)" in u["figures"].iloc[0]
    summary = checks.summary(found)
    assert summary.loc[summary["verdict"] == "other side", "failing"].tolist() == [True]
    assert story.untraced(ds, found) == (
        "No primary claimant read for this dataset gives these relayed figures, number, side and measure alike: "
        "wounded, army exact 15 (BW). This relayed figure repeats a number and measure a primary claimant gives "
        "for another side: killed, army exact 9 (BK), which Monitor gives for militia (M)."
    )


def test_copies_of_one_figure_that_start_on_different_days_disagree(tmp_path):
    """Two outlets carry one report's 50 dead to the third day, one counting from the
    first day and one from the second: the same end, a different figure."""
    first, second, third = "2020-03-01", "2020-03-02", "2020-03-03"
    ds = load_dataset(
        make_event(
            tmp_path / "e",
            [
                claim("A", "Monitor", first, third, "army", 50, source_id="s1", report_id="r1"),
                claim("B", "Monitor", second, third, "army", 50, source_id="s2", report_id="r1"),
            ],
            sources=[source_row("s1"), source_row("s2", language="fr")],
        )
    )
    found = checks.copies_disagree(ds)
    assert [(f.subject, f.verdict, f.claims) for f in found] == [("r1: killed, army", "disagree", "A;B")]
    assert found[0].figures == (
        f"50 for {first}..{third} in Test Post (en); 50 for {second}..{third} in Test Post (fr)"
    )
    # a copy that gives only its last day is compared on that day
    ends = make_event(
        tmp_path / "ends",
        [
            claim("A", "Monitor", "", second, "army", 50, source_id="s1", report_id="r1", in_scope="false"),
            claim("B", "Monitor", first, third, "army", 50, source_id="s2", report_id="r1"),
        ],
        sources=[source_row("s1"), source_row("s2", language="fr")],
    )
    assert [f.claims for f in checks.copies_disagree(load_dataset(ends))] == ["A;B"]


def test_figures_shown_together_are_not_mixed_when_one_day_ends_an_origin_of_each(tmp_path):
    """The relay's 68 killed is given by the Monitor to the second day and again to the
    third; its 200 wounded to the third: one day ends an origin of both, no mixed dates.
    Without the later 68, the only origins end on different days; a document of the second
    day can repeat no count that ends on the third."""
    d1, d2, d3 = "2020-03-01", "2020-03-02", "2020-03-03"
    rows = [
        claim("K2", "Monitor", d1, d2, "army", 68, source_id="s1"),
        claim("W3", "Monitor", d1, d3, "army", 200, measure="wounded", source_id="s1"),
        claim("BK", "Box", d1, d3, "army", 68, source_id="s2"),
        claim("BW", "Box", d1, d3, "army", 200, measure="wounded", source_id="s2"),
        claim("K3", "Monitor", d1, d3, "army", 68, source_id="s3"),
    ]

    def mixed(claims, name, relayed="2020-03-04"):
        folder = make_event(
            tmp_path / name,
            claims,
            sources=[source_row("s1"), source_row("s2", published=relayed), source_row("s3")],
            claimants=("Monitor", "Army", "Box"),
            relays=("Box",),
        )
        return [(f.claims, f.figures) for f in checks.paired_dates(load_dataset(folder))]

    assert mixed(rows, "both") == []
    # a document of the second day carries counts to the first and the second day, not to
    # the third, which the two numbers share: their origins are mixed
    early = [
        claim("K1", "Monitor", d1, d1, "army", 68, source_id="s1"),
        claim("K3", "Monitor", d1, d3, "army", 68, source_id="s3"),
        claim("W2", "Monitor", d1, d2, "army", 200, measure="wounded", source_id="s1"),
        claim("W3", "Monitor", d1, d3, "army", 200, measure="wounded", source_id="s3"),
        claim("BK", "Box", d1, d2, "army", 68, source_id="s2"),
        claim("BW", "Box", d1, d2, "army", 200, measure="wounded", source_id="s2"),
    ]
    assert [claims for claims, _ in mixed(early, "early", relayed=d2)] == ["BK;BW;K1;W2"]
    assert mixed(rows[:4], "apart") == [
        (
            "BK;BW;K2;W3",
            "killed army 68 traces to Monitor to 2020-03-02 (K2); "
            "wounded army 200 traces to Monitor to 2020-03-03 (W3)",
        )
    ]


@pytest.mark.parametrize("speaker, falls", [("Monitor", True), ("Activists", False), ("Box", False)])
def test_a_total_falls_only_in_one_speakers_running_count(tmp_path, speaker, falls):
    """30 dead by the second day, 20 by the third, in two documents: a fall for one
    monitor, none for a name that pools speakers (two activists) or relays others."""
    d1, d2, d3 = "2020-03-01", "2020-03-02", "2020-03-03"
    ds = load_dataset(
        make_event(
            tmp_path / "e",
            [
                claim("E", speaker, d1, d2, "army", 30, source_id="s1"),
                claim("L", speaker, d1, d3, "army", 20, source_id="s2"),
            ],
            sources=[source_row("s1"), source_row("s2", published="2020-03-05")],
            claimants=("Monitor", "Army", "Activists", "Box"),
            pooled=("Activists",),
            relays=("Box",),
        )
    )
    assert [(f.verdict, f.claims) for f in checks.cumulative_decreasing(ds)] == ([("decrease", "E;L")] if falls else [])
