"""The story the notebooks and the README tell matches what the library computes from the
data: the committed outputs are read back and compared with sentences computed now, and
the flagship's key figures are checked against the reconciliation itself."""

import dataclasses
import json
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from analysis import story, summaries
from analysis.battle import DERIVED_FROM
from analysis.checks import run_checks
from analysis.evidence import report_key
from analysis.load import load_dataset
from analysis.reconcile import NO_CLAIM, reconcile, reconcile_all, rules_without_claims, sensitivity, split_ids
from conftest import CLAIMS, DATA, ROOT, add_claims, claim, make_event, rows_of, source_row, write_rows

EVENTS = {
    "flagship": (DATA, ROOT / "notebooks"),
    "al-qubeir": (ROOT / "events" / "al-qubeir" / "data", ROOT / "events" / "al-qubeir" / "output" / "notebooks"),
}


@pytest.fixture(scope="module", params=sorted(EVENTS))
def event(request):
    data, notebooks = EVENTS[request.param]
    ds = load_dataset(data)
    results = reconcile_all(ds)
    return ds, results, run_checks(ds, results["hierarchy"]), notebooks


def printed(notebook: Path) -> str:
    """Everything a notebook printed (its stream outputs), as one text."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    return "".join(
        o.get("text", "") if isinstance(o.get("text"), str) else "".join(o.get("text", []))
        for cell in nb["cells"]
        for o in cell.get("outputs", [])
        if o.get("output_type") == "stream"
    )


def test_readme_findings_are_what_the_data_says(event):
    ds, results, found, _ = event
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for sentence in story.findings(ds, results, found):
        assert sentence in readme, f"README no longer says: {sentence}"


def test_notebooks_print_the_sentences_the_library_computes(event):
    ds, results, found, notebooks = event
    result = results["hierarchy"]
    assert story.day_toll(ds, result, 0) in printed(notebooks / "02-compare-first-days.ipynb")
    text = printed(notebooks / "03-trace-totals.ipynb")
    for sentence in (story.totals(ds, result), story.derived(found), story.copies(result)):
        assert sentence in text


def test_no_event_output_names_the_other_event():
    flagship = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "notebooks").glob("*.ipynb"))
    other = "".join(p.read_text(encoding="utf-8") for p in EVENTS["al-qubeir"][1].glob("*.ipynb"))
    assert other and "Haffah" not in other and "Haffa" not in other
    assert "Qubeir" not in flagship and "Qubair" not in flagship


def test_the_flagship_story_holds():
    ds = load_dataset(DATA)
    results = reconcile_all(ds)
    r = results["hierarchy"]
    day1 = r.daily[(r.daily["measure"] == "killed") & (r.daily["date"] == pd.Timestamp(ds.battle.period_start))]
    best = day1.set_index("side")["best"]
    assert best["all"] == best["government forces"] + best["rebels"] + best["civilians"] == 33
    assert (best["government forces"], best["rebels"], best["civilians"]) == (22, 9, 2)
    t = r.totals[r.totals["measure"] == "killed"].set_index("side")
    assert (t.loc["government forces", "best"], t.loc["civilians", "best"], t.loc["rebels", "best"]) == (68, 29, 23)
    assert bool(t.loc["rebels", "derived"]) and not bool(t.loc["government forces", "derived"])
    assert t.loc["all", "unplaced"] == 67
    copies = {(d.kind, d.kept, d.dropped) for d in r.evidence.disagreements}
    french = ("H083", "H308")
    assert ("swap", french, ("H087",)) in copies and ("disagree", french, ("H088",)) in copies
    recapture = run_checks(ds, r).query("check == 'event_dates' and subject == 'recapture'")["figures"].iloc[0]
    assert "2012-06-12" in recapture and "2012-06-13" in recapture


def test_readme_states_each_rule_as_the_code_defines_it():
    from analysis.rules import RULES

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for rule in RULES.values():
        assert f"| `{rule.name}`" in readme and rule.definition in readme, rule.name


def test_the_readme_paragraph_on_the_12_june_copies_holds():
    """The README's reading of SOHR's 12 June copies, NOW Lebanon's 52 and the event
    dates, sentence by sentence against the ledger."""
    ds = load_dataset(DATA)
    c = ds.claims.set_index("claim_id")
    lang = ds.sources.set_index("source_id")["language"].astype(str)

    def says(claim_id):
        row = c.loc[claim_id]
        return str(row["side"]), int(row["value"]), lang[row["source_id"]]

    report = c[c["report_id"] == "sohr-2012-06-12-toll"]
    french = {says(i)[:2] for i in report.index if says(i)[2] == "fr"}
    arabic = {says(i)[:2] for i in report.index if says(i)[2] == "ar"}
    assert french == {("all", 120), ("civilians", 29)}
    assert arabic == {("all", 120), ("government forces", 68), ("rebels", 29), ("civilians", 23)}
    assert says("H079")[:2] == ("all", 52) and says("H080")[:2] == ("civilians", 29) and 120 - 68 == 52
    # the same claimant on the same wire the same day as the French copy: no independent check
    src = ds.sources.set_index("source_id")
    now, french_copy = src.loc[c.loc["H079", "source_id"]], src.loc[c.loc["H083", "source_id"]]
    assert c.loc["H079", "claimant"] == c.loc["H083", "claimant"] == "SOHR" and lang[c.loc["H079", "source_id"]] == "en"
    assert now["wire_agency"] == french_copy["wire_agency"] == "AFP" and now["published"] == french_copy["published"]
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert "carries the same claimant's figures on the same wire and is no independent check" in readme
    found = run_checks(ds)
    withdrawal = found.query("check == 'event_dates' and subject == 'rebel withdrawal'")["figures"].iloc[0]
    assert all(day in withdrawal for day in ("2012-06-12", "2012-06-13", "2012-06-14"))
    untraced = found.query("check == 'untraced' and verdict == 'untraced'")["figures"].str.cat(sep=" ")
    assert "780" in untraced and "300" in untraced


def test_the_readme_on_state_media_and_the_envelope_rule_holds():
    """The README dates state media's recapture to their announcement of 13 June, and
    gives the envelope rule's 5 June soldiers (5 [2–15], under SOHR's "at least 22",
    because the day's total is capped at SOHR's "at least 19") as an example: both
    against the ledger and the reconciliation."""
    ds = load_dataset(DATA)
    recapture = ds.events[ds.events["event"] == "recapture"]
    state = recapture[recapture["claimant"].isin(["SANA", "Syrian state TV", "Syrian government"])]
    assert len(state) == 3 and set(state["date"].dt.strftime("%Y-%m-%d")) == {"2012-06-13"}
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert "announced on 13 June that the town was cleared, naming no other day, so the ledger dates" in readme
    envelope = reconcile_all(ds)["envelope"]
    day = envelope.daily.set_index(["date", "measure", "side"])
    soldiers = day.loc[(pd.Timestamp("2012-06-05"), "killed", "government forces")]
    everyone = day.loc[(pd.Timestamp("2012-06-05"), "killed", "all")]
    assert (soldiers["best"], soldiers["low"], soldiers["high"], everyone["high"]) == (5, 2, 15, 19)
    c = ds.claims.set_index("claim_id")
    sohr = c[(c["claimant"] == "SOHR") & (c["period_start"] == "2012-06-05") & (c["period_end"] == "2012-06-05")]
    stated = {(str(r.side), int(r.value), str(r.qualifier)) for r in sohr.itertuples()}
    assert {("government forces", 22, "at least"), ("all", 19, "at least")} <= stated
    assert "H040" in {x.claim_id for x in envelope.accepted}
    assert "soldiers 5 [2–15] although SOHR says at least 22" in readme and '"at least 19"' in readme


def test_the_overview_and_measures_count_what_the_ledger_holds(tmp_path):
    day = "2020-03-01"
    one = [
        claim("A1", "Monitor", day, day, "army", 5),
        claim("A2", "Monitor", day, day, "army", 7, in_scope="false", scope_reason="another town"),
    ]
    ds = load_dataset(make_event(tmp_path / "one", one, sources=[source_row("s1"), source_row("s2")]))
    assert story.measures(ds) == (
        "1 measure is counted in the ledger's claims; of the reconciled measures, killed is counted by 2 claims (1 "
        "of them in the event's scope), and no claim counts wounded."
    )
    assert "the ledger holds 2 claims by 1 claimant, taken from 1 of the 2 documents read from 1 outlet; 1 of " in (
        story.overview(ds)
    )
    more = [*one, claim("A3", "Army", day, day, "army", 300, measure="strength")]
    ds = load_dataset(make_event(tmp_path / "two", more, sources=[source_row("s1")]))
    assert story.measures(ds) == (
        "2 measures are counted in the ledger's claims; of the reconciled measures, killed is counted by 2 claims (1 "
        "of them in the event's scope), and no claim counts wounded; the other is kept for the record."
    )
    assert "taken from the 1 document read from 1 outlet" in story.overview(ds)
    ds = load_dataset(make_event(tmp_path / "three", one[:1]))
    assert story.measures(ds).endswith(
        "killed is counted by 1 claim (it is in the event's scope), and no claim counts wounded."
    )
    ds = load_dataset(make_event(tmp_path / "outside", one[1:], sources=[source_row("s1"), source_row("s2")]))
    assert story.measures(ds).endswith(
        "killed is counted by 1 claim (it is not in the event's scope), and no claim counts wounded."
    )
    ds = load_dataset(make_event(tmp_path / "four", more[2:]))
    assert story.measures(ds) == (
        "1 measure is counted in the ledger's claims; no claim counts any reconciled measure, killed or wounded; it "
        "is kept for the record."
    )


def test_relayed_figures_are_told_by_what_the_check_found():
    ds = load_dataset(DATA)  # an event with claimants that relay others

    def found(*verdicts, accepted=()):
        return pd.DataFrame(
            [("untraced", v, "reason" if i in accepted else "") for i, v in enumerate(verdicts)]
            + [("derived_figures", "derived", "")],
            columns=["check", "verdict", "accepted"],
        )

    assert story.relayed(ds, found()) == "Every relayed figure repeats a number some primary claimant gives."
    head = "no number a primary claimant gives for the same side and measure: "
    assert (
        story.relayed(ds, found("untraced"))
        == f"1 relayed figure repeats {head}it traces to no claim read for this dataset."
    )
    assert story.relayed(ds, found("derived", "derived")) == (
        f"2 relayed figures repeat {head}all follow from {DERIVED_FROM}."
    )
    assert story.relayed(ds, found("untraced", "sum of parts", "untraced", "derived", accepted=(2,))) == (
        f"4 relayed figures repeat {head}1 is the sum of primary claimants' figures for the sides, 1 follows from "
        f"{DERIVED_FROM} and 2 trace to no claim read for this dataset; 1 of those not traced to their side "
        "is accepted as an exception in battle.json."
    )
    assert story.relayed(ds, found("untraced", "other side", "other side")) == (
        f"3 relayed figures repeat {head}2 repeat a number a primary claimant gives for another side and 1 traces "
        "to no claim read for this dataset."
    )


def test_untraced_figures_are_listed_as_matched_on_number_side_and_measure():
    ds = load_dataset(DATA)
    columns = ["check", "verdict", "accepted", "subject", "figures", "claims"]
    row = ("untraced", "untraced", "", "Outlet: killed, army", "exact 9; no primary claimant gives this number", "X1")
    assert story.untraced(ds, pd.DataFrame([row], columns=columns)) == (
        "No primary claimant read for this dataset gives these relayed figures, number, side and measure alike: "
        "killed, army exact 9 (X1)."
    )
    assert story.untraced(ds, pd.DataFrame([], columns=columns)) == (
        "Every relayed figure repeats a number a primary claimant gives for its side and measure."
    )
    # a figure that only follows from primary claimants' figures is traced, but not as repeated
    derived = ("untraced", "derived", "", "Outlet: killed, army", "exact 23; it follows from others", "X2")
    assert story.untraced(ds, pd.DataFrame([derived], columns=columns)) == (
        "Every relayed figure traces to primary claimants' figures; those that repeat none of them for their side "
        f"and measure: 1 follows from {DERIVED_FROM}."
    )


def test_an_event_where_no_claimant_relays_others_has_nothing_to_trace(tmp_path):
    day = "2020-03-01"
    ds = load_dataset(make_event(tmp_path / "e", [claim("K", "Monitor", day, day, "all", 4)], period=(day, day)))
    found = run_checks(ds)
    assert story.relayed(ds, found) == story.untraced(ds, found) == story.NOTHING_RELAYED
    # a claimant that relays others, all of whose claims are out of the event's scope
    wire = claim("W", "Wire", day, day, "all", 9, in_scope="false", scope_reason="wider", area="province")
    ds = load_dataset(
        make_event(
            tmp_path / "w",
            [claim("K", "Monitor", day, day, "all", 4), wire],
            claimants=("Monitor", "Wire"),
            relays=("Wire",),
            period=(day, day),
        )
    )
    assert story.untraced(ds, run_checks(ds)) == (
        "Wire relays others' figures, but no claim of theirs is in the event's scope: nothing to trace."
    )


def test_a_days_toll_says_what_its_total_places_on_no_side(unsided_day):
    ds = load_dataset(unsided_day)
    assert story.day_toll(ds, reconcile_all(ds)["hierarchy"], 0).endswith(
        "the day's reconciled best is 10 killed (army 3 and 7 on no side)."
    )


def test_a_figure_replaced_by_several_copies_of_one_report_counts_once(tmp_path):
    sources = [source_row("s1", published="2020-03-04"), source_row("s2", published="2020-03-06")]
    later = {"source_id": "s2", "report_id": "r2", "supersedes": "O"}
    ds = load_dataset(
        make_event(
            tmp_path / "e",
            [
                claim("O", "Monitor", "2020-03-01", "2020-03-03", "army", 10),
                claim("N1", "Monitor", "2020-03-01", "2020-03-03", "army", 14, **later),
                claim("N2", "Monitor", "2020-03-01", "2020-03-03", "army", 14, **later),
            ],
            sources=sources,
        )
    )
    result = reconcile_all(ds)["hierarchy"]
    assert story.revisions(result) == (
        "1 figure was replaced by the same claimant's later figure: 1 linked in the ledger (2 links in all, one per "
        "copy of the later report)."
    )
    assert set(summaries.revisions(ds, result)["claimant"]) == {"Monitor"}


def test_figures_of_no_claimant_are_not_the_most_carried_claimant(tmp_path):
    day = "2020-03-01"
    data = make_event(
        tmp_path / "e",
        [
            claim("U1", "Monitor", day, day, "army", 5, source_id="s1"),
            claim("U2", "Monitor", day, day, "army", 5, source_id="s2"),
            claim("A1", "Army", day, day, "army", 4, source_id="s1"),
        ],
        sources=[source_row("s1"), source_row("s2")],
    )
    assert story.outlets(load_dataset(data)).startswith("The most widely carried claimant is Monitor (2 documents)")
    rows = rows_of(data / "claimants.csv")
    column = rows[0].index("claimant_type")
    write_rows(
        data / "claimants.csv",
        [rows[0], *([*r[:column], "none", *r[column + 1 :]] if r[0] == "Monitor" else r for r in rows[1:])],
    )
    ds = load_dataset(data)
    assert story.outlets(ds).startswith("The most widely carried claimant is Army (1 document)")
    # every count and ranking of claimants leaves the unattributed figures out, and says so
    assert "the ledger holds 3 claims (2 unattributed, the rest by 1 claimant)," in story.overview(ds)
    assert story.claims_by(ds).startswith(
        "The claimant with the most claims in scope is Army (1 of 3); 2 of the 3 are unattributed;"
    )
    assert story.day_toll(ds, reconcile_all(ds)["hierarchy"], 0).startswith(
        "On 1 March 2020, 3 figures were given about the killed for that day alone, 1 by 1 claimant and 2 unattributed;"
    )
    add_claims(
        data, claim("T1", "Monitor", day, "2020-03-03", "all", 9), claim("T2", "Army", day, "2020-03-03", "army", 4)
    )
    assert story.latest_totals(load_dataset(data)).startswith(
        "1 claimant and unattributed figures reported a running total or a figure for the whole period;"
    )
    rows = rows_of(data / CLAIMS)
    write_rows(data / CLAIMS, [r for r in rows if r[0] not in ("A1", "T1", "T2")])
    alone = load_dataset(data)
    assert story.day_toll(alone, reconcile_all(alone)["hierarchy"], 0).startswith(
        "On 1 March 2020, 2 figures were given about the killed for that day alone, none attributed;"
    )


def test_copies_are_told_as_the_reconciliation_reads_them(tmp_path):
    day = "2020-03-01"
    copies = [
        claim(c, "Monitor", day, day, "army", v, source_id=s, report_id="r1")
        for c, v, s in (("E", 5, "s1"), ("F", 6, "s2"))
    ]
    sources = [source_row("s1", language="en"), source_row("s2", language="fr")]
    ds = load_dataset(make_event(tmp_path / "e", copies, sources=sources))
    assert story.copies(reconcile_all(ds)["hierarchy"]) == (
        "Among the figures the reconciliation reads (in scope, revisions applied), 1 disagreement between copies of "
        "one report (1 report); the copy read is the one in the preferred language, then the earliest published, "
        "then the first by claim ID."
    )
    ds = load_dataset(make_event(tmp_path / "same", copies[:1], sources=sources))
    assert story.copies(reconcile_all(ds)["hierarchy"]).endswith("the copies of every report agree.")


def test_day_sentences_hold_without_a_total_group_and_with_one_of_everything(tmp_path):
    day = "2020-03-01"
    sides = ("army", "militia")
    two = [claim("A", "Monitor", day, day, "army", 3), claim("M", "Monitor", day, day, "militia", 2)]
    ds = load_dataset(make_event(tmp_path / "nogroup", two, sides=sides, groups={}))
    assert story.day_toll(ds, reconcile_all(ds)["hierarchy"], 0).endswith(
        "the day's reconciled bests (killed) are army 3 and militia 2; no group covers every side."
    )
    one = [
        claim("T", "Monitor", day, day, "all", 3),
        claim("O", "Monitor", day, day, "army", 1, in_scope="false", scope_reason="another town"),
    ]
    ds = load_dataset(make_event(tmp_path / "one", one, sides=("army", "militia", "civilians")))
    assert story.day_toll(ds, reconcile_all(ds)["hierarchy"], 0).endswith("best is 3 killed (3 on no side).")
    assert story.overview(ds).endswith("; 1 of them is in the event's scope.")
    assert story.scope(ds).startswith("1 claim stays out of the totals")


def test_parts_fit_says_how_many_totals_had_parts():
    def found(*verdicts):
        rows = [("parts_vs_whole", v, "") for v in verdicts] + [("copies_disagree", "disagree", "")]
        return pd.DataFrame(rows, columns=["check", "verdict", "accepted"])

    assert story.parts_fit(found()).startswith("No document gives a total together with any of its parts")
    assert story.parts_fit(found("agree")) == "1 total comes with parts in the same document, and the parts fit it."
    assert story.parts_fit(found("agree", "incomplete")) == (
        "2 totals come with parts in the same document, and the parts fit every one (1 with some parts not given)."
    )
    assert story.parts_fit(found("agree", "disagree")) == "1 total does not fit the parts its document gives."


def test_the_first_days_table_keeps_the_row_of_what_falls_on_no_day(unsided_day):
    result = reconcile_all(load_dataset(unsided_day))["hierarchy"]
    table = summaries.daily_table(result, days=1)
    assert table["date"].tolist() == ["01 Mar", "on no day"]
    assert table.columns.tolist() == summaries.daily_table(result).columns.tolist()


def test_a_rule_that_accepts_no_claim_is_left_out_of_the_spread(tmp_path):
    """No claimant of this event is an encyclopedia: the wikipedia rule accepts nothing,
    and its 0 is no total."""
    day, end = "2020-03-01", "2020-03-03"
    spread = [
        claim("M1", "Monitor", day, day, "army", 5),
        claim("M2", "Monitor", day, end, "all", 20),
        claim("A2", "Army", day, end, "all", 12),
    ]
    ds = load_dataset(make_event(tmp_path / "spread", spread))
    assert story.rules_spread(ds, reconcile_all(ds)) == (
        "The rules' best totals run from 12 (conservative and envelope) to 20 (hierarchy and latest) killed; the "
        "wikipedia rule accepts no claim of this event about the killed."
    )
    ds = load_dataset(make_event(tmp_path / "same", spread[:2]))
    assert story.rules_spread(ds, reconcile_all(ds)) == (
        "Every rule that accepts a claim gives the same best total, 20 killed; under each it rests on a single "
        "report; the wikipedia rule accepts no claim of this event about the killed."
    )
    two = [spread[1], claim("A3", "Army", day, end, "all", 20, source_id="s2")]
    ds2 = load_dataset(make_event(tmp_path / "two", two, sources=[source_row("s1"), source_row("s2")]))
    assert story.rules_spread(ds2, reconcile_all(ds2)) == (  # the hierarchy sets the army's 20 aside
        "Every rule that accepts a claim gives the same best total, 20 killed; under the hierarchy rule it rests on "
        "a single report; the wikipedia rule accepts no claim of this event about the killed."
    )
    results = reconcile_all(ds)
    assert story.rules_spread(ds, {r: results[r] for r in ("hierarchy", "wikipedia")}) == (
        "Only the hierarchy rule accepts a claim of this event about the killed; its best total is 20 killed."
    )
    assert story.rules_spread(ds, {"wikipedia": results["wikipedia"]}) == (
        "No rule accepts a claim of this event about the killed, so there is no total to compare across rules."
    )
    assert rules_without_claims(results, "killed") == ["wikipedia"]
    assert rules_without_claims(results, "wounded") == list(results)
    # the table of every rule's totals gives no zero to cite where a rule accepts no claim
    table = sensitivity(results).set_index(["measure", "side"])
    assert set(table.loc["killed", "wikipedia"]) == {NO_CLAIM} != set(table.loc["killed", "hierarchy"])
    assert set(table.loc["wounded"].to_numpy().ravel()) == {NO_CLAIM}


def test_sentences_hold_at_the_edges_of_what_an_event_says(tmp_path):
    day, end = "2020-03-01", "2020-03-03"
    ds = load_dataset(
        make_event(
            tmp_path / "e",
            [
                claim("T", "local monitor", day, end, "all", 20, source_id="s1"),
                claim("U", "local monitor", day, end, "all", 21, source_id="s2"),
                claim("A", "army", day, end, "army", 4, source_id="s1"),
                claim("O1", "army", day, end, "army", 9, in_scope="false", scope_reason="wider", area="province"),
                claim("O2", "army", day, end, "army", 9, in_scope="false", scope_reason="wider", area="province"),
                claim("O3", "army", day, end, "army", 9, in_scope="false", scope_reason="no date", area="abroad"),
            ],
            claimants=("local monitor", "army"),
            sources=[source_row("s1"), source_row("s2")],
        )
    )
    result = reconcile_all(ds)["hierarchy"]
    assert story.day_toll(ds, result, 0).startswith(
        "On 1 March 2020, no claimant gave a figure about the killed for that day alone; under the hierarchy rule"
    )
    assert story.outlets(ds).startswith("The most widely carried claimant is local monitor (2 documents); ")
    assert story.claims_by(ds) == (
        "The claimant with the most claims in scope is local monitor (2 of 3); the side or group claimed most often "
        "is 'all' (2 claims)."
    )
    assert story.scope(ds) == (
        "3 claims stay out of the totals, each for the reason the ledger gives; the areas they are coded to, "
        "whatever the reason: province 2 and abroad 1."
    )
    assert story.measures(ds) == (
        "1 measure is counted in the ledger's claims; of the reconciled measures, killed is counted by 6 claims (3 "
        "of them in the event's scope), and no claim counts wounded."
    )


def test_an_event_whose_claims_are_all_out_of_scope_reads_without_zero_clauses(tmp_path):
    day = "2020-03-01"
    claims = [claim("O", "Monitor", day, day, "army", 9, in_scope="false", scope_reason="wider", area="province")]
    ds = load_dataset(make_event(tmp_path / "e", claims, period=(day, day)))
    results = reconcile_all(ds)
    result = results["hierarchy"]
    # the rule accepts no claim: its zeros are no totals (as in rules_spread)
    no_claim = "the hierarchy rule accepts no claim of this event about the killed"
    assert story.totals(ds, result) == f"There are no best totals (killed): {no_claim}."
    assert story.total_claims(ds, result) == f"No claim is behind the hierarchy totals (killed): {no_claim}."
    assert (
        story.rules_spread(ds, {"hierarchy": result}) == "No rule accepts a claim of this event about the killed, "
        "so there is no total to compare across rules."
    )


def test_the_spread_of_one_rule_is_its_total(tmp_path):
    day = "2020-03-01"
    ds = load_dataset(make_event(tmp_path / "e", [claim("K", "Monitor", day, day, "all", 4)], period=(day, day)))
    one = {"hierarchy": reconcile_all(ds)["hierarchy"]}
    assert story.rules_spread(ds, one) == "The hierarchy rule gives a best total of 4 killed."


def test_notebook_03_tells_event_dates_in_the_storys_words():
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_notebooks", ROOT / "tools" / "make_notebooks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    code = "\n".join(c.source for c in module.NOTEBOOKS["03-trace-totals"] if c.cell_type == "code")
    assert "story.say(story.event_dates(found))" in code
    assert "dated the same way" not in code


def test_an_implied_rate_over_a_base_of_zero_is_not_infinite(tmp_path):
    day, end = "2020-03-01", "2020-03-03"
    ds = load_dataset(
        make_event(
            tmp_path / "e",
            [
                claim("K", "Monitor", day, end, "army", 5),
                claim("S0", "Army", day, end, "army", 0, measure="strength"),
                claim("S1", "Army", day, end, "army", 50, measure="strength"),
            ],
        )
    )
    rates = summaries.implied_rates(ds, reconcile_all(ds)["hierarchy"])
    assert rates["rate (best)"].tolist() == ["n/a (denominator 0)", "10%"]
    assert story.rates(rates).startswith("1 rate follows from 1 claimed force or population;")
    assert story.rates(rates.iloc[:1]).startswith("No claim read gives")
    assert story.rates(pd.DataFrame()).startswith("No claim read gives")  # no row, no column


def test_an_implied_rate_is_written_out_whatever_its_size(tmp_path):
    """A rate above 100 % (more dead than the force a claim gives) or below 1 % is written
    as a plain number, never in scientific notation nor rounded to a tenth of its size."""
    from analysis.reconcile import reconcile

    day, end = "2020-03-01", "2020-03-03"
    ds = load_dataset(
        make_event(
            tmp_path / "e",
            [
                claim("K", "Monitor", day, end, "army", 150),
                claim("S1", "Army", day, end, "army", 100, measure="strength"),
                claim("S2", "Army", day, end, "army", 20000, measure="strength"),
                claim("S3", "Army", day, end, "army", 1234, measure="strength"),
            ],
        )
    )
    rates = summaries.implied_rates(ds, reconcile(ds))
    assert rates["rate (best)"].tolist() == ["150%", "0.75%", "12.2%"]
    assert story.rates(rates) == (
        "3 rates follow from 3 claimed forces or populations; each is no firmer than the figure it divides by."
    )
    assert story.rates(rates.iloc[:1]).startswith("1 rate follows from 1 claimed force or population;")
    assert story.rates(rates.iloc[:0]).startswith("No claim read gives a force or population")
    one_base = pd.concat([rates.iloc[:1], rates.iloc[:1].assign(measure="wounded")])  # two rates, one figure
    assert story.rates(one_base).startswith("2 rates follow from 1 claimed force or population;")


def test_a_tiny_rate_is_written_out_too():
    from analysis.summaries import percent

    assert [percent(x) for x in (100 * 5 / 21_000_000, 100 / 1e8, 0.0)] == ["0.000024%", "0.000001%", "0%"]


def test_ties_name_every_claimant_and_side_that_leads(tmp_path):
    day = "2020-03-01"
    tie = [claim("A", "Monitor", day, day, "army", 1), claim("B", "Army", day, day, "militia", 1)]
    ds = load_dataset(make_event(tmp_path / "tie", tie))
    assert story.outlets(ds) == (
        "The most widely carried claimants are Army and Monitor (1 document each); no document carried a wire story."
    )
    assert story.claims_by(ds) == (
        "The claimants with the most claims in scope are Army and Monitor (1 of 2 each); the sides or groups claimed "
        "most often are 'army' and 'militia' (1 claim each)."
    )
    # one claimant leads, the sides still tie
    ds = load_dataset(make_event(tmp_path / "lead", [*tie, claim("C", "Army", day, day, "army", 2)]))
    assert story.claims_by(ds) == (
        "The claimant with the most claims in scope is Army (2 of 3); the side or group claimed most often is "
        "'army' (2 claims)."
    )
    ds = load_dataset(make_event(tmp_path / "sides", [*tie, claim("C", "Army", day, day, "all", 2)]))
    assert story.claims_by(ds).endswith(
        "; the sides or groups claimed most often are 'all', 'army' and 'militia' (1 claim each)."
    )


def test_a_ledger_without_claims_gets_no_vacuous_or_contradictory_sentence(tmp_path):
    """The header-only ledger `python -m analysis new` writes: each sentence says there is
    nothing, none says "every" of nothing, and no zero of an empty model is a total."""
    data = make_event(tmp_path / "empty", [], events=[])
    ds = load_dataset(data)
    results = reconcile_all(ds)
    result = results["hierarchy"]
    found = run_checks(ds, result)
    no_claim = "the hierarchy rule accepts no claim of this event about the killed"
    assert story.overview(ds) == (
        "Test event (1 March 2020 to 3 March 2020, 3 days): the ledger holds no claim yet; the source register lists "
        "1 document from 1 outlet."
    )
    assert story.scope(ds) == "The ledger holds no claim yet, so none stays out of the totals."
    assert story.day_toll(ds, result, 0) == (
        f"On 1 March 2020, no claimant gave a figure about the killed for that day alone; {no_claim}, so the day has "
        "no reconciled figure."
    )
    assert story.totals(ds, result) == f"There are no best totals (killed): {no_claim}."
    assert story.total_claims(ds, result) == f"No claim is behind the hierarchy totals (killed): {no_claim}."
    assert story.derived(found) == f"No reconciled total follows only from {DERIVED_FROM}."
    assert story.copies(result) == "The reconciliation reads no figure, so there are no copies of a report to compare."
    assert story.conflicts(result) == "The hierarchy rule accepts no claim of this event, so there is no conflict."
    assert story.event_dates(found) == "No event is dated differently by different claims."
    for sentence in story.findings(ds, results, found):
        assert "every" not in sentence.lower() and " 0 " not in sentence, sentence
    write_rows(data / "sources.csv", rows_of(data / "sources.csv")[:1])
    assert story.overview(load_dataset(data)).endswith(
        ": the ledger holds no claim and the source register no document yet."
    )


def test_a_rule_that_accepts_no_claim_has_no_totals_and_no_conflict(tmp_path):
    day = "2020-03-01"
    ds = load_dataset(make_event(tmp_path / "e", [claim("K", "Monitor", day, day, "army", 4)]))
    wikipedia = reconcile_all(ds)["wikipedia"]  # no claimant of this event is an encyclopedia
    assert story.totals(ds, wikipedia) == (
        "There are no best totals (killed): the wikipedia rule accepts no claim of this event about the killed."
    )
    assert story.conflicts(wikipedia) == "The wikipedia rule accepts no claim of this event, so there is no conflict."


def test_a_day_with_figures_of_another_measure_names_the_measure_it_counts(tmp_path):
    day = "2020-03-01"
    ds = load_dataset(make_event(tmp_path / "e", [claim("W", "Monitor", day, day, "army", 4, measure="wounded")]))
    result = reconcile_all(ds)["hierarchy"]
    assert story.day_toll(ds, result, 0) == (
        "On 1 March 2020, no claimant gave a figure about the killed for that day alone; the hierarchy rule accepts "
        "no claim of this event about the killed, so the day has no reconciled figure."
    )
    assert story.day_toll(ds, result, 0, "wounded") == (
        "On 1 March 2020, 1 claimant gave 1 figure about the wounded for that day alone; under the hierarchy rule "
        "the day's reconciled best is 4 wounded (army 4)."
    )


def test_a_days_figures_say_how_many_reports_they_come_from_when_copies_are_among_them(tmp_path):
    """Two copies of one report and one other report: 3 figures in 2 distinct reports; with
    no copies among them, the figures are the reports and nothing is added."""
    day = "2020-03-01"
    rows = [
        claim("A1", "Monitor", day, day, "army", 4, source_id="s1", report_id="r1"),
        claim("A2", "Monitor", day, day, "army", 4, source_id="s2", report_id="r1"),
        claim("B", "Army", day, day, "army", 3, source_id="s1"),
    ]
    sources = [source_row("s1"), source_row("s2")]
    ds = load_dataset(make_event(tmp_path / "copies", rows, sources=sources))
    result = reconcile_all(ds)["hierarchy"]
    assert story.day_toll(ds, result, 0).startswith(
        "On 1 March 2020, 2 claimants gave 3 figures about the killed for that day alone "
        "(copies of one report among them: 2 distinct reports); "
    )
    ds = load_dataset(make_event(tmp_path / "apart", [rows[0], rows[2]], sources=sources))
    assert story.day_toll(ds, reconcile_all(ds)["hierarchy"], 0).startswith(
        "On 1 March 2020, 2 claimants gave 2 figures about the killed for that day alone; "
    )
    # one document's range for a side ("at least 3", "up to 5") is two figures of one report, no copies
    pair = [
        claim("L", "Monitor", day, day, "army", 3, "at least", source_id="s1", report_id="r1"),
        claim("U", "Monitor", day, day, "army", 5, "up to", source_id="s1", report_id="r1"),
    ]
    ds = load_dataset(make_event(tmp_path / "range", pair, sources=sources))
    assert story.day_toll(ds, reconcile_all(ds)["hierarchy"], 0).startswith(
        "On 1 March 2020, 1 claimant gave 2 figures about the killed for that day alone; "
    )


def test_a_side_whose_claims_place_no_death_is_told_apart_from_a_side_with_no_claim(tmp_path):
    """The militia's 0 on the first of two days leaves its total 0 but not forced (the
    second day is unknown): its claims place no death, which is not "no claim"."""
    d1, d2 = "2020-03-01", "2020-03-02"
    rows = [claim("A", "Monitor", d1, d1, "army", 1), claim("M", "Monitor", d1, d1, "militia", 0)]
    ds = load_dataset(make_event(tmp_path / "e", rows, period=(d1, d2)))
    assert story.totals(ds, reconcile_all(ds)["hierarchy"]).startswith(
        "Under the hierarchy rule the best totals (killed) are army 1 (derived: "
    )
    assert "and militia 0 (its accepted claims place no death on it);" in story.totals(
        ds, reconcile_all(ds)["hierarchy"]
    )
    ds = load_dataset(make_event(tmp_path / "f", rows[:1], period=(d1, d2)))
    assert "and militia 0 (no accepted claim gives a figure for it);" in story.totals(
        ds, reconcile_all(ds)["hierarchy"]
    )


def test_the_totals_place_one_death_in_the_singular(tmp_path):
    day = "2020-03-01"
    ds = load_dataset(make_event(tmp_path / "e", [claim("A", "Monitor", day, day, "army", 1)], period=(day, day)))
    assert story.totals(ds, reconcile_all(ds)["hierarchy"]) == (
        "Under the hierarchy rule the best totals (killed) are army 1 and militia 0 (no accepted claim gives a figure "
        "for it); of the 1 in all, 1 is placed on a day and 0 on no day."
    )


def test_a_zero_the_claims_force_is_a_total_like_any_other(tmp_path):
    # all exactly the army's 1: the militia's 0 is forced, not merely unstated
    day = "2020-03-01"
    rows = [claim("A", "Monitor", day, day, "army", 1), claim("B", "Monitor", day, day, "all", 1, count_status="final")]
    ds = load_dataset(make_event(tmp_path / "e", rows, period=(day, day)))
    assert story.totals(ds, reconcile_all(ds)["hierarchy"]).startswith(
        "Under the hierarchy rule the best totals (killed) are army 1 and militia 0; of the 1 in all"
    )


def test_one_conflict_is_told_in_the_singular(tmp_path):
    day, next_day = "2020-03-01", "2020-03-02"
    one = [claim("A", "Monitor", day, day, "army", 5), claim("T", "Army", day, day, "all", 3)]
    ds = load_dataset(make_event(tmp_path / "one", one))
    assert story.conflicts(reconcile_all(ds)["hierarchy"]) == (
        "Under the hierarchy rule 1 minimal set of accepted claims could not all hold; in it the claim that gives "
        "way is named with the reason."
    )
    two = [*one, claim("B", "Monitor", next_day, next_day, "army", 5), claim("U", "Army", next_day, next_day, "all", 3)]
    ds = load_dataset(make_event(tmp_path / "two", two))
    assert story.conflicts(reconcile_all(ds)["hierarchy"]) == (
        "Under the hierarchy rule 2 minimal sets of accepted claims could not all hold; in each the claim that gives "
        "way is named with the reason."
    )


def test_one_failing_finding_is_told_in_the_singular():
    columns = ["check", "subject", "verdict", "figures", "claims", "accepted"]
    dated = ("event_dates", "recapture", "conflict", "2020-03-01: A; 2020-03-02: B", "E1;E2", "reason")
    found = pd.DataFrame([dated], columns=columns)
    assert story.event_dates(found) == (
        "An event dated differently: recapture (2020-03-01: A; 2020-03-02: B); it is accepted as an exception, with "
        "the reason, in battle.json."
    )
    one_of_two = pd.DataFrame([dated, (*dated[:-1], "")], columns=columns)
    assert story.event_dates(one_of_two).startswith(
        "Events dated differently: recapture (2020-03-01: A; 2020-03-02: B); recapture"
    )
    assert story.finding_count(one_of_two, "event_dates", "", "{n} events", "") == (
        "2 events; 1 of them accepted as an exception, with the reason, in battle.json."
    )
    assert story.finding_count(found, "event_dates", "{n} event", "{n} events", "none") == (
        "1 event; it is accepted as an exception, with the reason, in battle.json."
    )
    assert story.finding_count(pd.DataFrame([dated, dated], columns=columns), "event_dates", "", "{n} events", "") == (
        "2 events; 2 of them accepted as exceptions, with the reason, in battle.json."
    )


def test_one_accepted_relayed_figure_is_told_in_the_singular():
    ds = load_dataset(DATA)  # an event with claimants that relay others

    def found(*verdicts, accepted=()):
        return pd.DataFrame(
            [("untraced", v, "reason" if i in accepted else "") for i, v in enumerate(verdicts)],
            columns=["check", "verdict", "accepted"],
        )

    assert story.relayed(ds, found("untraced", accepted=(0,))).endswith(
        ": it traces to no claim read for this dataset; it is accepted as an exception in battle.json."
    )
    assert story.relayed(ds, found("untraced", "derived", accepted=(0,))).endswith(
        "and 1 traces to no claim read for this dataset; the one not traced to its side is accepted as an exception "
        "in battle.json."
    )


def test_counted_nouns_and_lists_are_english_for_0_1_and_many():
    from analysis.words import and_list, count, unused

    assert [count(n, "claim") for n in (0, 1, 2)] == ["0 claims", "1 claim", "2 claims"]
    assert count(2, "copy", "copies") == "2 copies" and count(1, "copy", "copies") == "1 copy"
    assert [and_list(x) for x in ([], ["a"], ["a", "b"], ["a", "", "b", "c"])] == ["", "a", "a and b", "a, b and c"]
    assert and_list(["a", "b"], "or") == "a or b"
    assert unused("total", ["all", "army"]) == "total" and unused("total", ["total", "(total)"]) == "((total))"


def test_a_days_side_no_claim_states_is_called_derived(tmp_path):
    """all 10 and army 3 on one day leave the militia 7, which no claim states."""
    day = "2020-03-01"
    rows = [claim("T", "Monitor", day, day, "all", 10), claim("A", "Monitor", day, day, "army", 3)]
    ds = load_dataset(make_event(tmp_path / "e", rows, period=(day, day)))
    said = story.day_toll(ds, reconcile_all(ds)["hierarchy"], 0)
    assert said.endswith(
        "the day's reconciled best is 10 killed (army 3 and militia 7); militia 7 is derived: no accepted claim for "
        "that day and the whole area states it."
    )


def test_the_readme_paragraph_on_al_qubeirs_copies_holds():
    """The README's reading of the second event's hierarchy split, against its ledger and
    reconciliation: the civilians rest on one later copy of SOHR's 7 June statement that
    gives 48 where the others give 49 named, read as a count so far like the statement, so
    what the toll leaves is on no side; children 4 is SOHR's first count, a count so far,
    set before the larger figures; SOHR's 87 and "more than 86" are one report, revised,
    after a first count of 24; `latest` rests on witnesses' 8 June and an undated activist
    report, and its rebels are what they leave beside the National Council's 80 civilians;
    `conservative` on state television's nine."""
    data = ROOT / "events" / "al-qubeir" / "data"
    ds = load_dataset(data)
    c = ds.claims.set_index("claim_id")
    published = ds.sources.set_index("source_id")["published"]
    statement = c[c["report_id"] == "sohr-2012-06-07"]
    q098 = c.loc["Q098"]
    assert (q098["report_id"], q098["side"], int(q098["value"]), pd.isna(q098["identified"])) == (
        "sohr-2012-06-07",
        "civilians",
        48,
        True,
    )
    assert f"{published[q098['source_id']]:%Y-%m-%d}" == "2012-06-08"
    named = statement[statement["identified"].fillna(False).astype(bool)]
    assert set(named["value"]) == {49} and set(named["side"]) == {"all"}
    assert {("all", 55, "at least")} <= {(r.side, int(r.value), r.qualifier) for r in statement.itertuples()}
    assert set(statement.loc[["Q070", "Q098"], "count_status"]) == {"running"}
    assert (c.loc["Q034", "report_id"], c.loc["Q034", "side"], int(c.loc["Q034", "value"])) == (
        "sohr-2012-06-06-first",
        "children",
        4,
    )
    assert c.loc["Q034", "count_status"] == "running" and int(c.loc["Q033", "value"]) == 24
    first = c[c["report_id"] == "sohr-2012-06-06-87"]
    assert {int(v) for v in first["value"]} == {86, 87} and "Q143" in first.index
    assert set(first["supersedes"].dropna()) <= {"Q033"} and "Q060" in set(c["supersedes"].dropna())
    results = reconcile_all(ds)
    h = results["hierarchy"].totals.set_index(["measure", "side"])
    assert h.loc[("killed", "civilians"), "claims"] == "Q098" and pd.isna(h.loc[("killed", "civilians"), "high"])
    assert int(h.loc[("killed", "rebels"), "best"]) == 0 and h.loc[("killed", "children"), "claims"] == "Q034"
    day = results["hierarchy"].daily.set_index(["measure", "side"])
    sides = ("civilians", "government forces", "rebels")
    assert int(day.loc[("killed", "all"), "best"]) - sum(int(day.loc[("killed", x), "best"]) for x in sides) == 5
    assert {a.claim_id for a in results["hierarchy"].set_aside.itertuples() if "(Q034)" in a.reason} >= {"Q074", "Q089"}
    t = results["latest"].totals.set_index(["measure", "side"])
    latest = t.loc[("killed", "all"), "claims"].split(";")
    assert {(int(c.loc[i, "value"]), c.loc[i, "qualifier"]) for i in latest} == {(100, "about"), (100, "at least")}
    dates = {str(c.loc[i, "claimant"]): published[c.loc[i, "source_id"]] for i in latest}
    assert f"{dates['resident']:%Y-%m-%d}" == "2012-06-08" and pd.isna(dates["local activists"])
    assert t.loc[("killed", "civilians"), "claims"] == "Q073" and c.loc["Q073", "claimant"] == "Syrian National Council"
    assert (int(t.loc[("killed", "rebels"), "best"]), bool(t.loc[("killed", "rebels"), "derived"])) == (18, True)
    cons = results["conservative"].totals.set_index(["measure", "side"]).loc[("killed", "all")]
    assert (int(cons["best"]), c.loc[cons["claims"], "claimant"]) == (9, "Syrian state TV")
    q095 = c.loc["Q095"]
    assert (q095["claimant"], int(q095["value"]), q095["qualifier"]) == ("LCC", 86, "at least")
    assert f"{published[q095['source_id']]:%Y-%m-%d}" == "2012-06-10" and "Hama province" in q095["note"]
    conflicts = results["latest"].conflicts
    decisive = conflicts[conflicts["reason"].str.contains(r"than Q095 \(LCC\)", regex=True)]
    dropped = split_ids(decisive["dropped"].iloc[0])
    assert {(int(c.at[i, "value"]), c.at[i, "qualifier"], c.at[i, "side"]) for i in dropped} == {(78, "exact", "all")}
    assert len({report_key(c.at[i, "report_id"], c.at[i, "source_id"], c.at[i, "claimant"]) for i in dropped}) == 6
    without = ds.claims.copy()
    without.loc[without["claim_id"] == "Q095", "in_scope"] = False
    alone = reconcile(dataclasses.replace(ds, claims=without), "latest").totals.set_index(["measure", "side"])
    assert int(alone.loc[("killed", "all"), "best"]) == 78
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert "the Epoch Times' of 8 June (Q098), which prints 48 civilians" in readme
    assert "leaves 18 rebels: derived, given by no source" in readme and "first count of 24" in readme
    assert "LCC's \"at least 86\" as a blog's copy of a German newspaper text gives it on 10 June (Q095)" in readme


def test_the_data_readmes_counts_of_new_claims_and_untitled_documents_hold():
    """data/README.md and the README give the claims the dossier missed (H301–H310) and
    the documents without a headline (14 of 49), and the README what the new claims say:
    each against the ledger."""
    ds = load_dataset(DATA)
    c = ds.claims.set_index("claim_id")
    beyond = sorted(i for i in c.index if pd.isna(c.at[i, "dossier_ref"]) and i.startswith("H3"))
    assert beyond == [f"H3{k:02d}" for k in range(1, 11)]
    untitled, documents = int(ds.sources["title"].isna().sum()), len(ds.sources)
    dictionary = " ".join((DATA / "README.md").read_text(encoding="utf-8").split())
    assert f"{untitled} of the {documents} al-Haffah documents" in dictionary and "(H301–H310)" in dictionary
    said = {i: (str(c.at[i, "side"]), int(c.at[i, "value"]), f"{c.at[i, 'period_start']:%d %B}") for i in beyond}
    assert said["H301"] == ("government forces", 15, "05 June") and c.at["H301", "qualifier"] == "about"
    assert said["H302"] == ("all", 10, "09 June") and said["H303"] == ("children", 6, "09 June")
    assert said["H306"] == ("all", 3, "12 June") and said["H307"] == ("civilians", 3, "12 June")
    assert said["H308"] == ("civilians", 29, "05 June") and c.at["H308", "report_id"] == c.at["H084", "report_id"]
    assert c.at["H308", "source_id"] == c.at["H084", "source_id"] and int(c.at["H084", "value"]) == 120
    assert said["H309"] == ("government forces", 15, "05 June") and said["H310"] == ("civilians", 1, "05 June")
    assert {c.at[i, "source_id"] for i in ("H309", "H310")} == {c.at["H033", "source_id"]}
    assert {c.at[i, "report_id"] for i in ("H309", "H310", "H033")} == {"sohr-2012-06-05-early"}
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert (
        "the shell that killed ten people, six of them children, on 9 June, the three dead of 12 June, the 29" in readme
        and "the soldiers and the civilian of the early toll in AFP's Spanish copy, whose rebels alone it kept"
        in readme
    )


def test_a_total_of_zero_is_not_said_to_rest_on_the_claims_that_only_bound_it(tmp_path):
    # all at most 10 and the army 4: the militia's best is 0 (no claim states a death for
    # it), its high 6 rests on both claims, which must not read as support for the zero
    day = "2020-03-01"
    claims = [claim("A", "Monitor", day, day, "all", 10, "up to"), claim("B", "Monitor", day, day, "army", 4)]
    ds = load_dataset(make_event(tmp_path / "e", claims, period=(day, day)))
    sentence = story.total_claims(ds, reconcile_all(ds)["hierarchy"])
    assert "militia 0, which no accepted claim states (A, B only bound it: at most 6)" in sentence
    assert "army 4 rests on B (1 report)" in sentence
    # a zero the claims force (all exactly the army's 4) rests on them
    claims = [claim("A", "Monitor", day, day, "all", 4), claim("B", "Monitor", day, day, "army", 4)]
    ds = load_dataset(make_event(tmp_path / "f", claims, period=(day, day)))
    assert "militia 0 rests on A, B (1 report)" in story.total_claims(ds, reconcile_all(ds)["hierarchy"])


def test_one_wire_story_is_not_said_to_be_counted_many_times(tmp_path):
    day = "2020-03-01"
    rows = [claim("A", "Monitor", day, day, "army", 1, source_id="w1")]
    one = [source_row("w1", wire="AFP")]
    ds = load_dataset(make_event(tmp_path / "one", rows, sources=one))
    assert story.outlets(ds).endswith("; 1 document carried a wire story (AFP).")
    other = [*one, source_row("w2", wire="Reuters", publisher="Other Post")]
    ds = load_dataset(make_event(tmp_path / "other", rows, sources=other))
    assert story.outlets(ds).endswith("; 2 documents carried a wire story (AFP and Reuters).")
    two = [*one, source_row("w2", wire="AFP", publisher="Other Post")]
    ds = load_dataset(make_event(tmp_path / "two", rows, sources=two))
    assert story.outlets(ds).endswith(
        "; 2 documents carried a wire story (AFP), so counting outlets would count one report many times."
    )


def test_the_caveats_on_opposition_tolls_and_population_figures_hold():
    """The al-Qubeir dictionary's range of the monitor's and opposition's tolls of the
    hamlet (SOHR's first counts, 23 named and 24, to 140) and the README's account of
    al-Haffah's strength and population figures (no source; unnamed opposition sources, an
    agency in its own words and a reporter; about 30,000 or more than 20,000), against the
    ledgers."""
    qubeir = load_dataset(ROOT / "events" / "al-qubeir" / "data")
    c, kinds = qubeir.claims, qubeir.claimants.set_index("claimant")["claimant_type"]
    tolls = c[
        (c["measure"] == "killed")
        & (c["side"] == "all")
        & (c["area"] == "village")
        & c["claimant"].astype(str).map(kinds).isin(["monitor", "opposition body", "activist"])
    ]
    least = tolls.nsmallest(2, "value").set_index("claim_id")
    assert set(least["claimant"]) == {"SOHR"} and sorted(least["value"]) == [23, 24]
    assert least["identified"].fillna(False).astype(bool).tolist() == [int(v) == 23 for v in least["value"]]
    assert int(tolls["value"].max()) == 140
    dictionary = " ".join((ROOT / "events" / "al-qubeir" / "data" / "README.md").read_text(encoding="utf-8").split())
    assert "run from SOHR's first counts (23 named, 24 in all) to 140" in dictionary
    haffah = load_dataset(DATA).claims
    strength = haffah[haffah["measure"] == "strength"]
    assert set(strength["claimant"]) == {"Wikipedia editor"}  # an infobox that cites no source
    population = haffah[haffah["measure"] == "population"]
    assert {(r.claimant, "" if pd.isna(r.claimant_detail) else r.claimant_detail) for r in population.itertuples()} >= {
        ("opposition (unnamed)", "opposition"),
        ("opposition (unnamed)", "opposition source"),
        ("unattributed", ""),
        ("journalist", "LA Times"),
    }
    assert {(int(r.value), r.qualifier) for r in population.itertuples()} == {
        (30000, "about"),
        (30000, "exact"),
        (20000, "more than"),
    }
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert "the strength figures trace to no source, and the population figures come from unnamed opposition" in readme
    assert "sources, a news agency in its own words and a reporter, who give about 30,000" in readme


def test_a_sub_groups_figure_states_its_sides_figure_for_the_day(tmp_path):
    """6 children killed on a day are 6 civilians that day, stated, not derived: a side's
    day is stated by a figure for a sub-group that holds all its known dead."""
    from analysis.reconcile import derived_days

    day = "2020-03-01"
    ds = load_dataset(
        make_event(
            tmp_path / "e",
            [claim("C", "Monitor", day, day, "children", 6)],
            sides=("army", "militia", "civilians"),
            subgroups={"civilians": ["children"]},
            period=(day, day),
        )
    )
    result = reconcile_all(ds)["hierarchy"]
    assert (pd.Timestamp(day), "civilians") not in derived_days(result, ds.battle, "killed")
    assert "civilians 6 is derived" not in story.day_toll(ds, result, 0)
    totals = result.totals.set_index(["measure", "side"])
    assert (int(totals.loc[("killed", "civilians"), "best"]), bool(totals.loc[("killed", "civilians"), "derived"])) == (
        6,
        False,
    )  # so is the total's


def test_claims_that_only_cap_a_total_are_named_apart_from_those_it_rests_on(tmp_path):
    """About 30 in all, at least 12 civilians, at least 5 soldiers and exactly 4
    militiamen: the army's 5 rests on its own claim; the others only cap it (at
    33 - 12 - 4 = 17), and the totals table says which (`capping`)."""
    day = "2020-03-01"
    claims = [
        claim("ALL", "Monitor", day, day, "all", 30, "about"),
        claim("CIV", "Monitor", day, day, "civilians", 12, "at least"),
        claim("ARMY", "Monitor", day, day, "army", 5, "at least"),
        claim("MIL", "Monitor", day, day, "militia", 4),
    ]
    ds = load_dataset(make_event(tmp_path / "e", claims, sides=("army", "militia", "civilians"), period=(day, day)))
    result = reconcile_all(ds)["hierarchy"]
    totals = result.totals.set_index(["measure", "side"])
    army = totals.loc[("killed", "army")]
    assert (int(army["best"]), int(army["high"]), army["claims"], army["capping"]) == (
        5,
        17,
        "ALL;ARMY;CIV;MIL",
        "ALL;CIV;MIL",
    )
    assert totals.loc[("killed", "militia"), "capping"] == ""  # exactly 4: its claim binds all three
    sentence = story.total_claims(ds, result)
    assert "army 5 rests on ARMY, with ALL, CIV, MIL capping it at 17 (1 report in all)" in sentence
    assert "militia 4 rests on MIL (1 report)" in sentence
    day_one = result.daily.set_index(["measure", "side"]).loc[("killed", "army")]
    assert (day_one["claims"], day_one["capping"]) == ("ALL;ARMY;CIV;MIL", "ALL;CIV;MIL")  # the day says so too
    lineage = summaries.lineage(ds, *summaries.claims_behind(result, "army", day=0)).set_index("claim_id")
    assert lineage["binds"].to_dict() == {
        "ALL": "the high only",
        "CIV": "the high only",
        "ARMY": "low, best or high",
        "MIL": "the high only",
    }


def test_a_derived_total_follows_from_the_claims_it_rests_on_not_those_that_only_cap_it():
    """al-Qubeir under `latest`: the rebels' 18 is what the civilians' 80, the soldiers' 2
    and a toll of 100 leave; a further claim only caps it at 28 and is not named as what it
    follows from, in the findings or the derived_figures check."""
    ds = load_dataset(ROOT / "events" / "al-qubeir" / "data")
    result = reconcile_all(ds)["latest"]
    rebels = result.totals.set_index(["measure", "side"]).loc[("killed", "rebels")]
    assert (int(rebels["best"]), int(rebels["high"]), bool(rebels["derived"])) == (18, 28, True)
    capping = rebels["capping"].split(";")
    assert capping and set(capping) < set(rebels["claims"].split(";"))
    sentence = story.totals(ds, result)  # no other total of this rule is derived
    assert "rebels 18 (derived: " in sentence and not any(i in sentence for i in capping)
    found = run_checks(ds, result)
    derived = found[(found["check"] == "derived_figures") & found["subject"].str.startswith("killed, rebels")]
    assert derived["claims"].tolist() == [";".join(i for i in rebels["claims"].split(";") if i not in capping)]


def test_an_open_high_names_the_days_no_claim_caps(tmp_path):
    """A total with no upper bound says why: the days no accepted claim caps."""
    start, end = "2020-03-01", "2020-03-03"
    capped_two_days = [
        claim("T", "Monitor", start, "2020-03-02", "all", 10),
        claim("D", "Monitor", end, end, "army", 2, "at least"),
    ]
    ds = load_dataset(make_event(tmp_path / "open", capped_two_days))
    assert story.open_high(ds, reconcile_all(ds)["hierarchy"]) == (
        "The total for all (killed) has no upper bound: no accepted claim caps it on 3 March 2020 (its other days "
        "are capped)."
    )
    capped = [*capped_two_days[:1], claim("E", "Monitor", end, end, "all", 2)]
    ds = load_dataset(make_event(tmp_path / "capped", capped))
    assert (
        story.open_high(ds, reconcile_all(ds)["hierarchy"])
        == "The accepted claims cap the total for all (killed) at 12."
    )
    one_day = [claim("L", "Monitor", start, start, "army", 4, "at least")]
    ds = load_dataset(make_event(tmp_path / "one", one_day, period=(start, start)))
    assert story.open_high(ds, reconcile_all(ds)["hierarchy"]) == (
        "The total for all (killed) has no upper bound: no accepted claim caps it on 1 March 2020, its only day."
    )
    # no total group: each side, capped or not
    sides = [
        claim("A", "Monitor", start, end, "army", 5),
        claim("M", "Monitor", start, start, "militia", 3, "at least"),
    ]
    ds = load_dataset(make_event(tmp_path / "sides", sides, groups={}))
    assert story.open_high(ds, reconcile_all(ds)["hierarchy"]) == (
        "Of the killed, the accepted claims cap army at 5; militia has no upper bound: no accepted claim caps it on "
        "any of its days."
    )
    two_open = [
        *sides[:1],
        claim("M", "Monitor", start, start, "militia", 1),
        claim("B", "Monitor", end, end, "army", 0),
    ]
    two_open[0] = claim("A", "Monitor", start, start, "army", 2)
    ds = load_dataset(make_event(tmp_path / "two", two_open, groups={}))
    assert story.open_high(ds, reconcile_all(ds)["hierarchy"]) == (
        "Of the killed, army has no upper bound: no accepted claim caps it on 2 March 2020 (its other days are "
        "capped); militia has no upper bound: no accepted claim caps it on 2 March 2020 and 3 March 2020 (its other "
        "days are capped)."
    )


def test_a_figure_its_claims_force_has_no_capping_claims(tmp_path):
    """Where the high is the best (a zero the claims force, an exact figure), the claims
    that cap it force it: the figure rests on them, and none is said only to cap it."""
    day = "2020-03-01"
    claims = [
        claim("T", "Monitor", day, day, "all", 7),
        claim("A", "Monitor", day, day, "army", 0),
        claim("M", "Monitor", day, day, "militia", 4, "at least"),
        claim("C", "Monitor", day, day, "civilians", 3),
    ]
    ds = load_dataset(make_event(tmp_path / "e", claims, sides=("army", "militia", "civilians"), period=(day, day)))
    result = reconcile_all(ds)["hierarchy"]
    for frame in (result.totals, result.daily):
        rows = frame.set_index(["measure", "side"])
        for side in ("army", "militia"):
            row = rows.loc[("killed", side)]
            assert int(row["high"]) == int(row["best"]) and row["capping"] == "", (side, row["claims"])
    sentence = story.total_claims(ds, result)
    assert "army 0 rests on A" in sentence and "militia 4 rests on C, M, T (1 report)" in sentence
    lineage = summaries.lineage(ds, *summaries.claims_behind(result, "militia", day=0))
    assert set(lineage["binds"]) == {"low, best or high"}


def test_the_second_events_dictionary_counts_the_rows_its_tables_hold():
    folder = ROOT / "events" / "al-qubeir" / "data"
    text = (folder / "README.md").read_text(encoding="utf-8")
    for table in ("casualties.csv", "events.csv"):
        stated = int(text.split(f"| `{table}` |", 1)[1].split(" rows)", 1)[0].rsplit("(", 1)[1])
        assert stated == len(rows_of(folder / table)) - 1, table


def test_the_sentences_under_the_first_days_checks_latest_totals_and_figures_follow_the_data(tmp_path):
    """A three-day event: the monitor gives army 3 and 2 on the first days, 5 over both and
    all 10 over the three days (so 5 lie on no single day); the army gives itself 5 over the
    three days (so the militia's 5 is derived); a relay's army 4 over the first two days
    matches nothing a primary claimant gives."""
    d1, d2, d3 = "2020-03-01", "2020-03-02", "2020-03-03"
    rows = [
        claim("A1", "Monitor", d1, d1, "army", 3),
        claim("A2", "Monitor", d2, d2, "army", 2),
        claim("T", "Monitor", d1, d3, "all", 10),
        claim("S", "Monitor", d1, d2, "army", 5),
        claim("R", "Army", d1, d3, "army", 5),
        claim("B", "Box", d1, d2, "army", 4, source_id="s2"),
    ]
    sources = [source_row("s1"), source_row("s2")]
    claimants = ("Monitor", "Army", "Box")
    ds = load_dataset(make_event(tmp_path / "e", rows, sources=sources, claimants=claimants, relays=("Box",)))
    result = reconcile_all(ds)["hierarchy"]
    found = run_checks(ds, result)
    assert story.first_days(ds, result) == (
        "The daily bests (killed) of the first 2 days: all 3 and 2; over the whole event the claims require more "
        "that they place on no single day: all 5."
    )
    assert story.first_day_claims(ds, result).startswith("On 1 March 2020 (killed, hierarchy rule): all 3 rests on A1")
    assert story.daily_against_totals(found) == (
        "2 totals set against the same claimant's daily figures for its days: 1 matches the sum of the daily figures "
        "and 1 leaves a remainder the claimant places on no day."
    )
    assert story.checks_summary(found) == (
        "The checks give 4 findings from 3 checks: 1 failing; the other 3 agree or inform."
    )
    assert story.checks_summary(found[found["check"] == "daily_vs_cumulative"]) == (
        "The checks give 2 findings from 1 check: none fails; all 2 agree or inform."
    )
    assert story.checks_summary(found.iloc[0:0]) == "The consistency checks find nothing to report."
    assert story.latest_totals(ds) == (
        "3 claimants reported a running total or a figure for the whole period; the copies of each one's latest "
        "report agree."
    )
    copies = [
        claim("C1", "Monitor", d1, d3, "all", 10, source_id="s1", report_id="r"),
        claim("C2", "Monitor", d1, d3, "all", 12, source_id="s2", report_id="r"),
    ]
    split = load_dataset(make_event(tmp_path / "copies", copies, sources=sources))
    assert story.latest_totals(split) == (
        "1 claimant reported a running total or a figure for the whole period; the copies of the latest report of "
        "Monitor disagree, so each copy has rows of its own."
    )
    # a total given with no claimant named is no claimant's
    folder = make_event(tmp_path / "nobody", copies[:1], sources=sources)
    register = rows_of(folder / "claimants.csv")
    write_rows(
        folder / "claimants.csv",
        [register[0], *[[r[0], "none", *r[2:]] if r[0] == "Monitor" else r for r in register[1:]]],
    )
    assert story.latest_totals(load_dataset(folder)) == (
        "Only unattributed figures reported a running total or a figure for the whole period; the copies of each "
        "one's latest report agree."
    )
    assert story.figures_drawn(result, 18).startswith(
        "6 figures drawn under the hierarchy rule and saved as SVG, PNG and PDF (18 files); the line under each "
        "names the claimants it draws on and counts their claims, reports and outlets."
    )
    assert story.figures_drawn(result, 18).endswith("marked where shown): militia 5 (killed).")
    one = load_dataset(make_event(tmp_path / "one", rows[:2], sources=sources, period=(d1, d2)))
    alone = reconcile_all(one)["hierarchy"]
    assert story.first_days(one, alone).endswith("the claims place every death they require over the event on a day.")
    stated = load_dataset(make_event(tmp_path / "stated", [rows[2]], sources=sources))
    assert story.figures_drawn(reconcile_all(stated)["hierarchy"], 18).endswith(
        "No total they show is derived: an accepted claim states each one above 0."
    )
    empty = load_dataset(make_event(tmp_path / "empty", [], sources=sources))
    assert story.figures_drawn(reconcile_all(empty)["hierarchy"], 18).endswith(
        "The hierarchy rule accepts no claim of this event: they show no total."
    )
    none = load_dataset(make_event(tmp_path / "none", [claim("Z", "Monitor", d1, d3, "all", 0)], sources=sources))
    assert story.figures_drawn(reconcile_all(none)["hierarchy"], 18).endswith(
        "Every total they show is 0, so none is derived."
    )
    one_day = [claim("X", "Monitor", d1, d1, "all", 3)]
    single = story.figures_drawn(reconcile_all(load_dataset(make_event(tmp_path / "single", one_day)))["hierarchy"], 18)
    assert single.endswith(
        "Derived total under this rule (no accepted claim gives it as a total for the whole area; marked where shown): "
        "all 3 (killed)."
    )
    assert story.daily_against_totals(run_checks(one, alone)) == (
        "No claimant gives both a total and daily figures inside its days: there is nothing to set against."
    )


def test_the_new_sentences_at_their_edges(tmp_path):
    """What the review of the new sentences found untested: a report giving two sides is no
    copy; every finding failing and one accepted; an event with no total group, one day, or
    no claim about the headline measure; a file count that is not figures times formats."""
    d1, d2, d3 = "2020-03-01", "2020-03-02", "2020-03-03"
    two_sides = [claim("A", "Monitor", d1, d1, "army", 3), claim("M", "Monitor", d1, d1, "militia", 2)]
    ds = load_dataset(make_event(tmp_path / "two-sides", two_sides))
    assert story.day_toll(ds, reconcile_all(ds)["hierarchy"], 0).startswith(
        "On 1 March 2020, 1 claimant gave 2 figures about the killed for that day alone; "
    )
    # no total group: the sides, and only those with deaths on no day
    rows = [*two_sides, claim("T", "Monitor", d1, d3, "army", 10)]
    ds = load_dataset(make_event(tmp_path / "no-group", rows, groups={}))
    result = reconcile_all(ds)["hierarchy"]
    assert story.first_days(ds, result) == (
        "The daily bests (killed) of the first 2 days: army 3 and 0; militia 2 and 0; over the whole event the "
        "claims require more that they place on no single day: army 7."
    )
    assert story.first_day_claims(ds, result) == (
        "On 1 March 2020 (killed, hierarchy rule): army 3 rests on A (1 report); militia 2 rests on M (1 report)."
    )
    one = load_dataset(make_event(tmp_path / "one-day", two_sides, period=(d1, d1)))
    assert "of the first day: all 5;" in story.first_days(one, reconcile_all(one)["hierarchy"])
    wounded = load_dataset(
        make_event(tmp_path / "wounded", [claim("W", "Monitor", d1, d1, "army", 4, measure="wounded")])
    )
    nothing = reconcile_all(wounded)["hierarchy"]
    no_claim = "the hierarchy rule accepts no claim of this event about the killed"
    assert story.first_days(wounded, nothing) == f"The first days have no reconciled figure: {no_claim}."
    assert story.first_day_claims(wounded, nothing) == f"No claim is behind the first day (killed): {no_claim}."
    assert "(5 files)" in story.figures_drawn(nothing, 5)
    # a claimant's total below its own daily figures, accepted in battle.json
    folder = make_event(
        tmp_path / "accepted",
        [
            claim("D1", "Monitor", d1, d1, "army", 3),
            claim("D2", "Monitor", d2, d2, "army", 2),
            claim("S", "Monitor", d1, d2, "army", 4),
            claim("X1", "Army", d1, d1, "militia", 1),
            claim("X2", "Army", d1, d2, "militia", 3),
        ],
    )
    battle = json.loads((folder / "battle.json").read_text())
    battle["accepted_exceptions"] = [{"check": "daily_vs_cumulative", "claims": ["S"], "reason": "test"}]
    (folder / "battle.json").write_text(json.dumps(battle))
    ds = load_dataset(folder)
    found = run_checks(ds, reconcile_all(ds)["hierarchy"])
    mine = found[found["check"] == "daily_vs_cumulative"]
    accepted = "; it is accepted as an exception, with the reason, in battle.json"
    assert story.daily_against_totals(found) == (
        "2 totals set against the same claimant's daily figures for its days: 1 leaves a remainder the claimant places "
        f"on no day and 1 disagrees with them{accepted}."
    )
    assert story.checks_summary(mine) == (
        f"The checks give 2 findings from 1 check: 1 failing{accepted}; the other agrees or informs."
    )
    failing = mine[mine["verdict"] == "disagree"]
    assert story.checks_summary(failing) == f"The checks give 1 finding from 1 check: 1 failing{accepted}."
    assert story.checks_summary(mine[mine["verdict"] != "disagree"]).endswith("none fails; it agrees or informs.")
    # a total of 0 rests on no report: no rule's total is "a single report"
    zero = load_dataset(make_event(tmp_path / "zero", [claim("Z", "Monitor", d1, d3, "army", 0)]))
    assert "single report" not in story.rules_spread(zero, reconcile_all(zero))


def test_claims_by_brackets_its_own_headings_where_the_data_uses_them(tmp_path):
    """A side called "claimant" and a claimant called "total": the table's heading of its
    rows becomes "(claimant)" and its margins "(total)", beside the data's own names."""
    d1 = "2020-03-01"
    rows = [claim("C", "total", d1, d1, "claimant", 2), claim("V", "Monitor", d1, d1, "villagers", 1)]
    ds = load_dataset(make_event(tmp_path / "e", rows, sides=("villagers", "claimant"), claimants=("Monitor", "total")))
    table = summaries.claims_by(ds, "claimant", "side")
    assert list(table.columns) == ["(claimant)", "claimant", "villagers", "(total)"]
    assert list(table["(claimant)"]) == ["Monitor", "total", "(total)"]
    assert list(table["(total)"]) == [1, 1, 2]


def test_the_claims_set_aside_are_counted_by_kind_of_reason(tmp_path):
    d1 = "2020-03-01"
    rows = [
        claim("M", "Monitor", d1, d1, "army", 5),
        claim("A", "Army", d1, d1, "army", 7),
        claim("B", "Box", d1, d1, "army", 5, source_id="s2"),
        claim("C", "Box", d1, d1, "militia", 2, source_id="s2"),
    ]
    ds = load_dataset(
        make_event(
            tmp_path / "e",
            rows,
            sources=[source_row("s1"), source_row("s2")],
            claimants=("Monitor", "Army", "Box"),
            relays=("Box",),
        )
    )
    results = reconcile_all(ds)
    assert story.set_aside(results["hierarchy"]) == (
        "The hierarchy rule sets 3 claims aside, each with its reason; the 2 kinds of reason: its claimant relays "
        "others' figures (2) and a higher-ranked claimant states a figure of the same kind for the same side and "
        "days (1)."
    )
    assert story.set_aside(results["latest"]).endswith("the reason: its claimant relays others' figures (2).")
    one = load_dataset(
        make_event(
            tmp_path / "one",
            rows[:1] + rows[2:3],
            sources=[source_row("s1"), source_row("s2")],
            claimants=("Monitor", "Box"),
            relays=("Box",),
        )
    )
    assert story.set_aside(reconcile_all(one)["hierarchy"]) == (
        "The hierarchy rule sets 1 claim aside: its claimant relays others' figures."
    )


def test_the_set_aside_sentence_names_the_three_commonest_kinds_and_every_tie():
    def said(counts: dict[str, int]) -> str:
        kinds = [kind for kind, n in counts.items() for _ in range(n)]
        frame = pd.DataFrame({"claim_id": [f"C{i}" for i in range(len(kinds))], "reason": kinds, "kind": kinds})
        return story.set_aside(SimpleNamespace(rule=SimpleNamespace(name="hierarchy"), set_aside=frame))

    assert said({"a": 3, "b": 2, "c": 2, "d": 1}).endswith(
        "the commonest of 4 kinds of reason: a (3), b (2) and c (2)."
    )
    assert said({"a": 3, "b": 2, "c": 1, "d": 1}).endswith("the 4 kinds of reason: a (3), b (2), c (1) and d (1).")
