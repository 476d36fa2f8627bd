"""Behaviour of the evidence model and the rules on small ledgers built in each test:
copies of one report, running counts, revisions, nested groups, unplaced deaths, and
what each rule's definition promises."""

import pandas as pd
import pytest

from analysis import evidence, summaries
from analysis.evidence import face_value, gather, interval, stated_text
from analysis.load import load_dataset
from analysis.reconcile import reconcile
from conftest import claim, make_event, source_row

DAY = "2020-03-01"


def _read(tmp_path, claims, sources):
    """A made-up event of these claims and sources, loaded as the tool loads data."""
    return load_dataset(make_event(tmp_path / "e", claims, sources=sources))


def total(result, side, measure="killed"):
    t = result.totals
    return t[(t["side"] == side) & (t["measure"] == measure)].iloc[0]


def day(result, side, date=DAY, measure="killed"):
    d = result.daily
    return d[(d["side"] == side) & (d["measure"] == measure) & (d["date"] == pd.Timestamp(date))].iloc[0]


@pytest.mark.parametrize(
    "qualifier, expected",
    [
        ("exact", (20, 20)),
        ("at least", (20, None)),
        ("more than", (21, None)),
        ("up to", (0, 20)),
        ("about", (18, 22)),
    ],
)
def test_each_qualifier_allows_its_range(qualifier, expected):
    assert interval(20, qualifier, 0.1) == expected


def test_about_rounds_inwards_and_a_part_of_the_area_caps_nothing():
    assert interval(17, "about", 0.1) == (16, 18)
    assert interval(20, "exact", 0.1, whole=False) == (20, None)


def test_a_figure_in_words_gives_its_qualifier_unless_exact():
    assert [stated_text(22, q) for q in ("exact", "at least", "about")] == ["22", "at least 22", "about 22"]


def test_face_value_is_the_stated_number():
    assert [face_value(22, q) for q in ("exact", "at least", "about", "up to")] == [22, 22, 22, 22]
    assert face_value(300, "more than") == 301


def test_copies_at_different_specificity_give_the_specific_reading_once(tmp_path):
    # one wire, two outlets: "3 killed" and "3 militia killed" are one figure about the militia
    sources = [source_row("a", published="2020-03-05"), source_row("b", published="2020-03-05", publisher="Other Post")]
    ds = _read(
        tmp_path,
        [
            claim("R1", "Monitor", DAY, DAY, "all", 3, source_id="a", report_id="wire-1"),
            claim("R2", "Monitor", DAY, DAY, "militia", 3, source_id="b", report_id="wire-1"),
        ],
        sources,
    )
    r = reconcile(ds)
    assert [c.claim_id for c in r.accepted] == ["R2"]
    assert "more specific reading" in r.set_aside.set_index("claim_id").loc["R1", "reason"]
    # the army is not forced to zero by a copy that only left the side out
    assert pd.isna(day(r, "army")["high"]) and day(r, "militia")["best"] == 3
    # the part is read whatever the languages: here the group's copy is in the preferred one
    preferred = ds.battle.language_preference[0]
    other = next(code for code in ("ar", "fr", "de", "en") if code != preferred)
    sources = [source_row("a", language=preferred), source_row("b", language=other, publisher="Other Post")]
    rows = [
        claim("R1", "Monitor", DAY, DAY, "all", 3, source_id="a", report_id="wire-1"),
        claim("R2", "Monitor", DAY, DAY, "militia", 3, source_id="b", report_id="wire-1"),
    ]
    assert [c.claim_id for c in reconcile(_read(tmp_path / "languages", rows, sources)).accepted] == ["R2"]


def test_copies_that_disagree_are_reported_and_the_preferred_language_is_read(tmp_path):
    sources = [source_row("en", published="2020-03-05"), source_row("fr", published="2020-03-05", language="fr")]
    ds = _read(
        tmp_path,
        [
            claim("C1", "Monitor", DAY, "2020-03-03", "army", 29, source_id="fr", report_id="toll"),
            claim("C2", "Monitor", DAY, "2020-03-03", "militia", 29, source_id="en", report_id="toll"),
            claim("C3", "Monitor", DAY, "2020-03-03", "army", 23, source_id="en", report_id="toll"),
        ],
        sources,
    )
    r = reconcile(ds)
    kinds = {d.kind: d for d in r.evidence.disagreements}
    assert kinds["swap"].kept == ("C2",) and kinds["swap"].dropped == ("C1",)
    assert {c.claim_id for c in r.accepted} == {"C2", "C3"}
    reasons = r.set_aside.set_index("claim_id")["reason"]
    assert reasons["C1"] == "copies of report toll give 29 to other sides: the copy in en (en, C2) is read"
    assert r.conflicts.empty  # two readings of one report are never enforced together


def test_a_copy_with_another_figure_for_the_side_is_set_aside_saying_so(tmp_path):
    sources = [source_row("en", published="2020-03-05"), source_row("fr", published="2020-03-05", language="fr")]
    ds = _read(
        tmp_path,
        [
            claim("C1", "Monitor", DAY, "2020-03-03", "army", 29, source_id="fr", report_id="toll"),
            claim("C2", "Monitor", DAY, "2020-03-03", "army", 23, source_id="en", report_id="toll"),
        ],
        sources,
    )
    r = reconcile(ds)
    assert [(d.kind, d.subject, d.kept, d.dropped) for d in r.evidence.disagreements] == [
        ("disagree", "army", ("C2",), ("C1",))
    ]
    reasons = r.set_aside.set_index("claim_id")["reason"]
    assert reasons["C1"] == "copies of report toll give army other figures: the copy in en (en, C2) is read"


def test_same_day_running_counts_from_different_wires_do_not_conflict(tmp_path):
    # a morning "6" and a later "at least 11", both published on the day they count
    sources = [
        source_row("afp", published=DAY, wire="AFP"),
        source_row("efe", published=DAY, wire="EFE", language="es"),
    ]
    ds = _read(
        tmp_path,
        [
            claim("M6", "Monitor", DAY, DAY, "militia", 6, source_id="afp"),
            claim("M11", "Monitor", DAY, DAY, "militia", 11, "at least", source_id="efe"),
        ],
        sources,
    )
    r = reconcile(ds)
    assert r.conflicts.empty
    assert (day(r, "militia")["low"], day(r, "militia")["best"]) == (11, 11)
    assert all(c.running for c in r.accepted)


def test_a_count_is_running_if_its_report_was_made_on_the_day_whatever_copy_is_read(tmp_path):
    # report r1 went out on the day (French copy) and was repeated the next day in English,
    # the preferred language: the count is still a running one, a lower bound
    sources = [source_row("en", published="2020-03-02"), source_row("fr", published=DAY, language="fr")]
    ds = _read(
        tmp_path,
        [
            claim("E", "Monitor", DAY, DAY, "army", 12, source_id="en", report_id="r1"),
            claim("F", "Monitor", DAY, DAY, "army", 12, source_id="fr", report_id="r1"),
        ],
        sources,
    )
    r = reconcile(ds)
    assert [c.claim_id for c in r.accepted] == ["E"] and r.accepted[0].running
    assert int(day(r, "army")["low"]) == 12 and pd.isna(day(r, "army")["high"])


def test_a_final_status_in_the_ledger_makes_a_same_day_figure_a_cap(tmp_path):
    sources = [source_row("afp", published=DAY)]
    ds = load_dataset(
        make_event(
            tmp_path / "e",
            [claim("M6", "Monitor", DAY, DAY, "militia", 6, source_id="afp", count_status="final")],
            sources=sources,
        )
    )
    assert day(reconcile(ds), "militia")["high"] == 6


def test_a_later_report_supersedes_an_earlier_one_without_a_link(tmp_path):
    sources = [source_row("old", published="2020-03-04"), source_row("new", published="2020-03-06", language="es")]
    ds = _read(
        tmp_path,
        [
            claim("O", "Monitor", DAY, "2020-03-03", "army", 10, source_id="old"),
            claim("N", "Monitor", DAY, "2020-03-03", "army", 14, source_id="new"),
        ],
        sources,
    )
    r = reconcile(ds)
    assert [c.claim_id for c in r.accepted] == ["N"]
    assert [(v.old, v.new, v.inferred) for v in r.evidence.revisions] == [("O", "N", True)]
    assert "inferred" in r.set_aside.set_index("claim_id").loc["O", "reason"]


def test_no_revision_is_inferred_between_two_relays(tmp_path):
    """Two outlets' unattributed figures are no one's later word on their own figure: a
    relaying claimant's later report replaces nothing unless the ledger links it."""
    sources = [source_row("old", published="2020-03-04"), source_row("new", published="2020-03-06")]
    rows = [
        claim("O", "Wire", DAY, "2020-03-03", "army", 10, source_id="old"),
        claim("N", "Wire", DAY, "2020-03-03", "army", 14, source_id="new"),
    ]
    folder = make_event(tmp_path / "relays", rows, sources=sources, claimants=("Monitor", "Wire"), relays=("Wire",))
    evidence = gather(load_dataset(folder))
    assert evidence.revisions == [] and {c.claim_id for c in evidence.claims} == {"O", "N"}


def test_no_revision_is_inferred_between_two_reports_of_a_pooled_name(tmp_path):
    """Two activists' figures under one pooled name (`pooled`) are different people's: the
    later does not replace the earlier, and both are read; a ledger link still replaces."""
    sources = [source_row("old", published="2020-03-04"), source_row("new", published="2020-03-06")]
    rows = [
        claim("O", "Activists", DAY, "2020-03-03", "army", 10, source_id="old"),
        claim("N", "Activists", DAY, "2020-03-03", "army", 14, source_id="new"),
        claim("P", "Activists", DAY, DAY, "militia", 2, source_id="old"),
        claim("L", "Activists", DAY, DAY, "militia", 3, source_id="new", supersedes="P"),
    ]
    folder = make_event(
        tmp_path / "pooled", rows, sources=sources, claimants=("Monitor", "Activists"), pooled=("Activists",)
    )
    evidence = gather(load_dataset(folder))
    assert [(v.old, v.new, v.inferred) for v in evidence.revisions] == [("P", "L", False)]
    assert {c.claim_id for c in evidence.claims} == {"O", "N", "L"}


def test_a_days_claims_name_the_claim_that_replaced_each_linked_or_inferred(tmp_path):
    sources = [source_row("old", published="2020-03-04"), source_row("new", published="2020-03-06")]
    ds = _read(
        tmp_path,
        [
            claim("O", "Monitor", DAY, DAY, "army", 10, source_id="old", report_id="m1"),
            claim("O2", "Monitor", DAY, DAY, "army", 10, source_id="other", report_id="m1"),  # O in another outlet
            claim("N", "Monitor", DAY, DAY, "army", 14, source_id="new"),
            claim("P", "Army", DAY, DAY, "militia", 3, source_id="old", report_id="a1"),
            claim("P2", "Army", DAY, DAY, "militia", 3, source_id="other", report_id="a1"),  # P in another outlet
            claim("Q", "Army", DAY, DAY, "militia", 4, source_id="new", supersedes="P"),
        ],
        [*sources, source_row("other", published="2020-03-05")],
    )
    r = reconcile(ds)
    shown = summaries.day_claims(ds, 0, revisions=r.evidence.revisions).set_index("claim_id")["revised_by"]
    assert shown.to_dict() == {
        "N": "",
        "O": "N (inferred)",
        "O2": "N (inferred)",
        "P": "Q",
        "P2": "Q (copy of P)",
        "Q": "",
    }
    assert summaries.day_claims(ds, 0).set_index("claim_id")["revised_by"].to_dict()["O"] == ""


def test_a_report_is_as_old_as_its_earliest_copy_whichever_copy_is_read(tmp_path):
    """Under `latest` the older report gives way: report r1, read in its English copy of
    4 March, first appeared in French on 2 March, before Army's report of 3 March."""
    sources = [
        source_row("en", published="2020-03-04"),
        source_row("fr", published="2020-03-02", language="fr"),
        source_row("army", published="2020-03-03"),
    ]
    ds = _read(
        tmp_path,
        [
            claim("E", "Monitor", DAY, DAY, "army", 10, source_id="en", report_id="r1"),
            claim("F", "Monitor", DAY, DAY, "army", 10, source_id="fr", report_id="r1"),
            claim("A", "Army", DAY, DAY, "army", 5, source_id="army", report_id="r2"),
        ],
        sources,
    )
    r = reconcile(ds, "latest")
    assert [c.claim_id for c in r.accepted] == ["A"]
    assert r.conflicts["reason"].tolist() == ["is an older report than A (Army)"]


@pytest.mark.parametrize(
    "a_published, dropped, reason",
    [
        ("2020-03-05", "C", "is an older report than A (Monitor)"),
        ("2020-03-02", "A;B", "A is an older report than C (Army)"),
    ],
)
def test_a_figure_given_by_several_reports_is_as_new_as_the_newest(tmp_path, a_published, dropped, reason):
    """Two reports giving one figure are one constraint, as strong as the stronger of them
    (under `latest`, the newer: an undated report beside it does not make it old); where
    it gives way, the conflict names that reading."""
    sources = [source_row("a", published=a_published), source_row("b", published=""), source_row("c")]
    ds = _read(
        tmp_path,
        [
            claim("A", "Monitor", DAY, DAY, "army", 10, source_id="a", report_id="ra"),
            claim("B", "Monitor", DAY, DAY, "army", 10, source_id="b", report_id="rb"),
            claim("C", "Army", DAY, DAY, "army", 5, source_id="c", report_id="rc"),
        ],
        sources,
    )
    r = reconcile(ds, "latest")
    assert r.conflicts[["dropped", "reason"]].values.tolist() == [[dropped, reason]]


def test_an_explicit_link_wins_over_publication_order(tmp_path):
    sources = [source_row("a", published="2020-03-06"), source_row("b", published="2020-03-04")]
    ds = _read(
        tmp_path,
        [
            claim("A", "Monitor", DAY, "2020-03-03", "army", 10, source_id="a"),
            claim("B", "Monitor", DAY, "2020-03-03", "army", 14, source_id="b", supersedes="A"),
        ],
        sources,
    )
    r = reconcile(ds)
    assert [c.claim_id for c in r.accepted] == ["B"]
    assert [(v.old, v.new, v.inferred) for v in r.evidence.revisions] == [("A", "B", False)]


def test_a_link_to_one_copy_supersedes_every_copy_of_that_figure(tmp_path):
    # report r1 in two outlets gives 12 soldiers for the first day; the claimant's later
    # report lowers its count for the first two days to 9 and names only the French copy
    # as revised: the English copy is retired with it, and nothing conflicts
    sources = [source_row("en", published="2020-03-02"), source_row("fr", published="2020-03-02", language="fr")]
    sources.append(source_row("later", published="2020-03-05"))
    later = "2020-03-02"
    ds = _read(
        tmp_path,
        [
            claim("E", "Monitor", DAY, DAY, "army", 12, source_id="en", report_id="r1", count_status="final"),
            claim("F", "Monitor", DAY, DAY, "army", 12, source_id="fr", report_id="r1", count_status="final"),
            claim("M", "Monitor", DAY, DAY, "militia", 3, source_id="en", report_id="r1", count_status="final"),
            claim("N", "Monitor", DAY, later, "army", 9, source_id="later", supersedes="F"),
        ],
        sources,
    )
    r = reconcile(ds)
    assert [c.claim_id for c in r.accepted] == ["M", "N"]
    assert r.conflicts.empty
    reasons = dict(zip(r.set_aside["claim_id"], r.set_aside["reason"]))
    assert "(N)" in reasons["F"] and "(F, superseded by N)" in reasons["E"] and "copy" in reasons["E"]
    assert int(total(r, "army")["best"]) == 9


def test_a_link_within_one_document_retires_only_the_figure_it_names(tmp_path):
    # one page gives 12 soldiers and, corrected further down, 14: the link names the 12
    ds = _read(
        tmp_path,
        [
            claim("E", "Monitor", DAY, DAY, "army", 12, count_status="final"),
            claim("F", "Monitor", DAY, DAY, "army", 14, count_status="final", supersedes="E"),
        ],
        [source_row("s1")],
    )
    r = reconcile(ds)
    assert [c.claim_id for c in r.accepted] == ["F"] and list(r.set_aside["claim_id"]) == ["E"]
    assert int(total(r, "army")["best"]) == 14


def test_a_later_copy_linked_as_the_correction_of_another_copy_stands(tmp_path):
    # report r1's first outlet says 12 soldiers; a second outlet's copy, linked as its
    # correction, says 14: the correction is read, not retired as a copy of what it corrects
    sources = [source_row("a", published="2020-03-02"), source_row("b", published="2020-03-03")]
    ds = _read(
        tmp_path,
        [
            claim("E", "Monitor", DAY, DAY, "army", 12, source_id="a", report_id="r1", count_status="final"),
            claim(
                "F",
                "Monitor",
                DAY,
                DAY,
                "army",
                14,
                source_id="b",
                report_id="r1",
                count_status="final",
                supersedes="E",
            ),
        ],
        sources,
    )
    r = reconcile(ds)
    assert [c.claim_id for c in r.accepted] == ["F"] and int(total(r, "army")["best"]) == 14


def test_a_link_retires_a_copy_that_gives_the_number_for_a_group_of_the_side(tmp_path):
    # one outlet prints report r1's 12 as soldiers, another as 12 killed in all: one
    # figure; revising the soldiers' copy retires both, inventing no militia deaths
    sources = [source_row("a", published="2020-03-02"), source_row("b", published="2020-03-02", language="fr")]
    sources.append(source_row("later", published="2020-03-05"))
    ds = _read(
        tmp_path,
        [
            claim("A", "Monitor", DAY, DAY, "army", 12, source_id="a", report_id="r1", count_status="final"),
            claim("B", "Monitor", DAY, DAY, "all", 12, source_id="b", report_id="r1", count_status="final"),
            claim("N", "Monitor", DAY, "2020-03-02", "army", 9, source_id="later", supersedes="A"),
        ],
        sources,
    )
    r = reconcile(ds)
    assert [c.claim_id for c in r.accepted] == ["N"]
    assert int(total(r, "militia")["best"]) == 0 and int(total(r, "militia")["low"]) == 0


def test_a_link_leaves_another_outlets_own_total_and_the_outlets_copies_of_a_correction(tmp_path):
    # report r1: outlet a gives 12 soldiers (A); outlet b gives 10 soldiers and 12 in all
    # (its own total, not a copy of A's 12). A later report revises A to 9: b's total stands.
    sources = [source_row("a", published="2020-03-02"), source_row("b", published="2020-03-02", language="fr")]
    sources += [source_row("later", published="2020-03-05"), source_row("c", published="2020-03-03")]
    final = {"count_status": "final"}
    ds = _read(
        tmp_path,
        [
            claim("A", "Monitor", DAY, DAY, "army", 12, source_id="a", report_id="r1", **final),
            claim("B1", "Monitor", DAY, DAY, "army", 10, source_id="b", report_id="r1", **final),
            claim("B2", "Monitor", DAY, DAY, "all", 12, source_id="b", report_id="r1", **final),
            claim("N", "Monitor", DAY, "2020-03-02", "army", 9, source_id="later", supersedes="A"),
            # report r2 corrected within itself (F corrects E), F's 14 printed again by outlet c
            claim("E", "Army", DAY, DAY, "militia", 2, source_id="a", report_id="r2", **final),
            claim("F", "Army", DAY, DAY, "militia", 4, source_id="b", report_id="r2", supersedes="E", **final),
            claim("G", "Army", DAY, DAY, "militia", 4, source_id="c", report_id="r2", **final),
        ],
        sources,
    )
    r = reconcile(ds)
    aside = set(r.set_aside["claim_id"])
    assert "B2" not in aside and {"A", "E"} <= aside and not {"F", "G"} & aside
    assert int(day(r, "all")["best"]) == 12  # b's total for the day


def test_a_link_retires_a_group_copy_even_where_the_parts_outlet_gives_its_own_total(tmp_path):
    # report m: outlet a gives 3 killed in all; outlet b gives 3 soldiers and 5 in all. a's
    # 3 is b's 3 soldiers printed as a total (a gives no side), so revising b's soldiers
    # retires it, and b's own 5 in all stands
    sources = [source_row(x, published="2020-03-02", language=g) for x, g in (("a", "en"), ("b", "fr"))]
    sources.append(source_row("later", published="2020-03-05"))
    final = {"count_status": "final"}
    ds = _read(
        tmp_path,
        [
            claim("A", "Monitor", DAY, DAY, "all", 3, source_id="a", report_id="m", **final),
            claim("B1", "Monitor", DAY, DAY, "army", 3, source_id="b", report_id="m", **final),
            claim("B2", "Monitor", DAY, DAY, "all", 5, source_id="b", report_id="m", **final),
            claim("N", "Monitor", DAY, DAY, "army", 1, source_id="later", supersedes="B1", **final),
        ],
        sources,
    )
    r = reconcile(ds)
    assert {"A", "B1"} <= set(r.set_aside["claim_id"]) and int(day(r, "all")["best"]) == 5


@pytest.mark.parametrize("named", ["F", "G"])
def test_a_link_to_a_correction_or_another_outlets_copy_of_it_retires_both(tmp_path, named):
    # report r2: F (outlet b) corrects E (outlet a); outlet c prints F's 4 (G); a later
    # report names F, or G, as revised: F and G go together, and no conflict is left
    sources = [source_row(x, published="2020-03-02") for x in ("a", "b", "c")]
    sources.append(source_row("later", published="2020-03-05"))
    final = {"count_status": "final"}
    ds = _read(
        tmp_path,
        [
            claim("E", "Army", DAY, DAY, "militia", 2, source_id="a", report_id="r2", **final),
            claim("F", "Army", DAY, DAY, "militia", 4, source_id="b", report_id="r2", supersedes="E", **final),
            claim("G", "Army", DAY, DAY, "militia", 4, source_id="c", report_id="r2", **final),
            claim("N", "Army", DAY, "2020-03-02", "militia", 1, source_id="later", supersedes=named, **final),
        ],
        sources,
    )
    r = reconcile(ds)
    assert {"E", "F", "G"} <= set(r.set_aside["claim_id"]) and r.conflicts.empty


def test_a_link_retires_the_same_figure_printed_twice_by_one_outlet_and_no_other_name(tmp_path):
    # outlet a prints report r's 12 soldiers twice (A1, A2); outlet b gives 12 for
    # "soldiers", a group of the army alone: the same leaves, another name, another figure
    sources = [source_row("a", published="2020-03-02"), source_row("b", published="2020-03-02", language="fr")]
    sources.append(source_row("later", published="2020-03-05"))
    final = {"count_status": "final"}
    ds = load_dataset(
        make_event(
            tmp_path / "e",
            [
                claim("A1", "Monitor", DAY, DAY, "army", 12, source_id="a", report_id="r", **final),
                claim("A2", "Monitor", DAY, DAY, "army", 12, source_id="a", report_id="r", **final),
                claim("B", "Monitor", DAY, DAY, "soldiers", 12, source_id="b", report_id="r", **final),
                claim("N", "Monitor", DAY, "2020-03-02", "army", 9, source_id="later", supersedes="A1", **final),
            ],
            sources=sources,
            groups={"all": ["army", "militia"], "soldiers": ["army"]},
        )
    )
    r = reconcile(ds)
    aside = set(r.set_aside["claim_id"])
    assert {"A1", "A2"} <= aside and not any("A2 is an older" in x for x in r.conflicts["reason"])
    assert not any("copy of" in x for x in r.set_aside.loc[r.set_aside["claim_id"] == "B", "reason"])


def test_the_days_claims_and_the_set_aside_name_the_same_revision(tmp_path):
    # two copies of a later report (Z9, Z10) both name O as revised: one name everywhere
    sources = [source_row("o", published="2020-03-02"), source_row("z", published="2020-03-05")]
    sources.append(source_row("z2", published="2020-03-05", language="fr"))
    ds = _read(
        tmp_path,
        [
            claim("O", "Monitor", DAY, DAY, "army", 10, source_id="o", count_status="final"),
            claim("Z9", "Monitor", DAY, DAY, "army", 12, source_id="z", report_id="z", supersedes="O"),
            claim("Z10", "Monitor", DAY, DAY, "army", 12, source_id="z2", report_id="z", supersedes="O"),
        ],
        sources,
    )
    r = reconcile(ds)
    shown = summaries.day_claims(ds, 0, revisions=r.evidence.revisions).set_index("claim_id")["revised_by"]
    reason = r.set_aside.set_index("claim_id").loc["O", "reason"]
    assert shown["O"] == "report z" and reason.endswith("(report z)")


def test_language_never_settles_a_conflict_between_different_reports(tmp_path):
    # two claimants, the higher-ranked one in a less-preferred language: rank decides
    sources = [source_row("ar", published="2020-03-05", language="ar"), source_row("en", published="2020-03-05")]
    ds = _read(
        tmp_path,
        [
            claim("H", "Monitor", DAY, DAY, "all", 5, source_id="ar"),
            claim("L", "Army", DAY, DAY, "army", 9, source_id="en"),
        ],
        sources,
    )
    r = reconcile(ds)
    assert r.conflicts["dropped"].tolist() == ["L"]
    assert "ranks lower in the claimant hierarchy" in r.conflicts["reason"].iloc[0]


def test_best_places_nothing_the_claims_do_not_place(tmp_path):
    sources = [source_row("s1", published="2020-03-09")]
    ds = _read(
        tmp_path,
        [
            claim("D1", "Monitor", DAY, DAY, "army", 22, "at least"),
            claim("T", "Monitor", DAY, "2020-03-03", "army", 40),
        ],
        sources,
    )
    r = reconcile(ds)
    assert [day(r, "army", d)["best"] for d in ("2020-03-01", "2020-03-02", "2020-03-03")] == [22, 0, 0]
    army = total(r, "army")
    assert (army["best"], army["placed"], army["unplaced"]) == (40, 22, 18)


@pytest.fixture
def massacre(tmp_path):
    """One day; civilians with children and women inside; UN, monitor and government."""
    sources = [source_row("s1", published="2020-03-03")]
    return load_dataset(
        make_event(
            tmp_path / "m",
            [
                claim("U1", "UN", DAY, DAY, "all", 80, "at least"),
                claim("M1", "Monitor", DAY, DAY, "civilians", 78),
                claim("M2", "Monitor", DAY, DAY, "children", 20),
                claim("M3", "Monitor", DAY, DAY, "women", 20),
                claim("G1", "Government", DAY, DAY, "government forces", 9),
            ],
            sources=sources,
            claimants=("UN", "Monitor", "Government"),
            period=(DAY, DAY),
            sides=("civilians", "government forces", "rebels"),
            subgroups={"civilians": ["children", "women"]},
        )
    )


def test_nested_groups_constrain_sub_groups_and_the_remainder(massacre):
    r = reconcile(massacre)
    assert [total(r, s)["best"] for s in ("civilians", "children", "women", "other civilians")] == [78, 20, 20, 38]
    assert total(r, "other civilians")["low"] == 38 and total(r, "other civilians")["high"] == 38


def test_a_massacre_ledger_invents_no_deaths(massacre):
    r = reconcile(massacre)
    rebels = total(r, "rebels")
    assert (rebels["low"], rebels["best"]) == (0, 0) and pd.isna(rebels["high"])
    assert total(r, "all")["best"] == 87
    # the government's count of its own dead is kept: the UN states no figure for that side
    assert total(r, "government forces")["best"] == 9 and "G1" in {c.claim_id for c in r.accepted}


def test_a_side_no_claim_names_keeps_only_what_the_claims_force(tmp_path):
    sources = [source_row("s1", published="2020-03-03")]
    ds = load_dataset(
        make_event(
            tmp_path / "e",
            [claim("A", "Monitor", DAY, DAY, "all", 100), claim("B", "Monitor", DAY, DAY, "army", 90)],
            sources=sources,
            period=(DAY, DAY),
        )
    )
    r = reconcile(ds)
    assert total(r, "militia")["best"] == 10  # forced by 100 - 90: a derived figure, flagged
    assert bool(total(r, "militia")["derived"])
    ds = load_dataset(
        make_event(
            tmp_path / "f",
            [claim("A", "Monitor", DAY, DAY, "all", 100, "about"), claim("B", "Monitor", DAY, DAY, "army", 80)],
            sources=sources,
            period=(DAY, DAY),
        )
    )
    r = reconcile(ds)
    militia = total(r, "militia")
    assert militia["best"] == militia["low"] == 10  # what the band forces, not the face value's 20
    assert total(r, "all")["best"] == 100


def test_hierarchy_keeps_a_lower_claim_where_the_higher_one_says_nothing_of_that_side(tmp_path):
    sources = [source_row("s1", published="2020-03-09")]
    ds = _read(
        tmp_path,
        [
            claim("M", "Monitor", DAY, "2020-03-03", "all", 30),
            claim("A", "Army", DAY, "2020-03-03", "army", 12),
            claim("A2", "Army", DAY, "2020-03-03", "all", 25),
        ],
        sources,
    )
    r = reconcile(ds)
    assert {c.claim_id for c in r.accepted} == {"M", "A"}
    assert (
        "states a figure of the same kind for the same side and days (M)"
        in r.set_aside.set_index("claim_id").loc["A2", "reason"]
    )


def test_an_unranked_claimant_is_reported_not_ranked_last(tmp_path):
    sources = [source_row("s1", published="2020-03-09")]
    ds = load_dataset(
        make_event(tmp_path / "e", [claim("A", "Army", DAY, DAY, "army", 3)], sources=sources, hierarchy=["Monitor"])
    )
    r = reconcile(ds)
    assert r.evidence.unranked == ("Army",)
    assert "not in battle.json's claimant_hierarchy" in r.set_aside.set_index("claim_id").loc["A", "reason"]


def _conflicting(tmp_path):
    sources = [source_row("s1", published="2020-03-09")]
    return _read(
        tmp_path,
        [
            claim("BIG", "Monitor", DAY, "2020-03-03", "all", 120),
            claim("SMALL", "Army", DAY, "2020-03-03", "all", 52, "at least"),
            claim("P1", "Army", DAY, "2020-03-03", "army", 100),
            claim("P2", "Monitor", DAY, "2020-03-03", "militia", 30),
        ],
        sources,
    )


def test_conservative_drops_the_claim_whose_removal_gives_the_lowest_total(tmp_path):
    ds = _conflicting(tmp_path)
    r = reconcile(ds, "conservative")
    # army 100 + militia 30 cannot fit in 120: dropping the 100 leaves the lowest total
    assert r.conflicts["dropped"].tolist() == ["P1"]
    assert "removal gives the lowest total" in r.conflicts["reason"].iloc[0]
    assert total(r, "all")["best"] == total(r, "all")["low"] <= 120


def test_envelope_is_the_band_of_stated_figures_and_keeps_the_cap(tmp_path):
    sources = [source_row("s1", published="2020-03-09")]
    ds = _read(
        tmp_path,
        [
            claim("BIG", "Monitor", DAY, "2020-03-03", "all", 120),
            claim("SMALL", "Army", DAY, "2020-03-03", "all", 52, "at least"),
        ],
        sources,
    )
    r = reconcile(ds, "envelope")
    t = total(r, "all")
    assert (t["low"], t["high"]) == (52, 120)


def test_every_conflict_says_why_the_loser_gave_way(tmp_path):
    """Army's 100 soldiers and Monitor's 30 rebels cannot fit in Monitor's 120 dead: one
    claim gives way, with the reason its rule gives (both reports of one day: the
    hierarchy decides under `latest` too)."""
    ds = _conflicting(tmp_path)
    ranked = "ranks lower in the claimant hierarchy than BIG (Monitor)"
    expected = {
        "hierarchy": ("BIG;P1;P2", ranked),
        "latest": ("BIG;P1;P2", ranked),
        "conservative": ("BIG;P1;P2", "its removal gives the lowest total (120) of the readings in conflict"),
        "envelope": ("BIG;P1;P2;SMALL", ranked),
    }
    for rule, (together, reason) in expected.items():
        conflicts = reconcile(ds, rule).conflicts
        assert conflicts[["claims_in_conflict", "dropped", "reason"]].values.tolist() == [[together, "P1", reason]], (
            rule
        )


def test_an_undated_report_that_gives_way_is_called_undated_not_older(tmp_path):
    # under `latest` an undated report counts as the oldest; its reason must not call it older
    sources = [source_row("dated", published="2020-03-05"), source_row("nodate", published="", publisher="Other")]
    ds = _read(
        tmp_path,
        [
            claim("D", "Monitor", DAY, DAY, "army", 4, source_id="dated"),
            claim("U", "Army", DAY, DAY, "army", 9, source_id="nodate"),
        ],
        sources,
    )
    (row,) = reconcile(ds, "latest").conflicts.itertuples()
    assert row.dropped == "U"
    assert row.reason == "is a report of no known date, counted as older than D (Monitor)"


def test_a_figure_superseded_by_a_report_with_copies_names_the_report(tmp_path):
    # the link names one copy of the later report; the reason names the report too, since
    # that copy need not be the one read. A later claim in no shared report is named alone.
    sources = [
        source_row("a", published="2020-03-04"),
        source_row("b", published="2020-03-06", publisher="Other"),
        source_row("c", published="2020-03-06", publisher="Third"),
    ]
    ds = _read(
        tmp_path,
        [
            claim("OLD", "Monitor", DAY, DAY, "army", 3, source_id="a"),
            claim("N1", "Monitor", DAY, DAY, "army", 5, source_id="b", report_id="later", supersedes="OLD"),
            claim("N2", "Monitor", DAY, DAY, "army", 5, source_id="c", report_id="later"),
            claim("M0", "Army", DAY, DAY, "militia", 1, source_id="a"),
            claim("M1", "Army", DAY, DAY, "militia", 2, source_id="b", supersedes="M0"),
        ],
        sources,
    )
    reasons = dict(reconcile(ds).set_aside[["claim_id", "reason"]].itertuples(index=False))
    assert reasons["OLD"] == "superseded by a later claim of the same claimant (N1, report later)"
    assert reasons["M0"] == "superseded by a later claim of the same claimant (M1)"


def test_corroboration_counts_reports_not_copies(tmp_path):
    sources = [source_row("a", published="2020-03-05"), source_row("b", published="2020-03-05", publisher="Other")]
    ds = _read(
        tmp_path,
        [
            claim("X1", "Monitor", DAY, DAY, "army", 4, source_id="a", report_id="w"),
            claim("X2", "Monitor", DAY, DAY, "army", 4, source_id="b", report_id="w"),
        ],
        sources,
    )
    row = day(reconcile(ds), "army")
    assert row["reports"] == 1 and bool(row["single_source"])
    assert set(row["claims"].split(";")) == {"X1", "X2"}


def test_claimants_named_like_missing_values_are_kept_as_names(tmp_path):
    sources = [source_row("s1", published="2020-03-09")]
    ds = load_dataset(
        make_event(
            tmp_path / "e",
            [claim("A", "NA", DAY, DAY, "army", 3), claim("B", "null", DAY, DAY, "militia", 2)],
            sources=sources,
            claimants=("NA", "null"),
        )
    )
    r = reconcile(ds)
    assert {c.claimant for c in r.accepted} == {"NA", "null"}
    assert day(r, "army")["best"] == 3


def test_a_number_every_copy_gives_to_the_same_two_sides_is_not_swapped(tmp_path):
    # both copies print 20 for the army and 20 for the militia (al-Qubeir's snc-2012-06-06:
    # 20 women and 20 children in every copy); a later report revises the militia figure of
    # one copy and the army figure of the other by explicit links. What remains of each
    # copy then names one side only, but neither copy gave the 20 to one side and not the
    # other: no swap. A copy that really moves the number (C1/C2) still is one.
    sources = [
        source_row("a", published="2020-03-04"),
        source_row("b", published="2020-03-04", publisher="Other Post"),
        source_row("c", published="2020-03-06", publisher="Late Post"),
    ]
    ds = _read(
        tmp_path,
        [
            claim("A1", "Monitor", DAY, DAY, "army", 20, source_id="a", report_id="first"),
            claim("A2", "Monitor", DAY, DAY, "militia", 20, source_id="a", report_id="first"),
            claim("B1", "Monitor", DAY, DAY, "army", 20, source_id="b", report_id="first"),
            claim("B2", "Monitor", DAY, DAY, "militia", 20, source_id="b", report_id="first"),
            claim("N1", "Monitor", DAY, DAY, "army", 22, source_id="c", report_id="later", supersedes="B1"),
            claim("N2", "Monitor", DAY, DAY, "militia", 21, source_id="c", report_id="later", supersedes="A2"),
            claim("C1", "Monitor", "2020-03-02", "2020-03-02", "army", 7, source_id="a", report_id="other"),
            claim("C2", "Monitor", "2020-03-02", "2020-03-02", "militia", 7, source_id="b", report_id="other"),
        ],
        sources,
    )
    r = reconcile(ds)
    assert [(d.report, d.kind, d.subject) for d in r.evidence.disagreements] == [("other", "swap", "the number 7")]
    assert not any(reason.startswith("copies of report first ") for reason in r.set_aside["reason"])
    assert any(reason.startswith("copies of report other give 7 to other sides") for reason in r.set_aside["reason"])


def test_a_group_figure_stays_where_its_own_copy_gives_the_part_too(tmp_path):
    """A copy's figure for a group is read as another copy's more specific figure only
    when its own copy does not give that part itself: outlet a's `all 5` beside its own
    `militia 3` is a total of its own, not outlet b's `militia 5` said less precisely."""
    sources = [source_row("a", published="2020-03-05"), source_row("b", published="2020-03-05", language="fr")]
    day = "2020-03-01"
    ds = load_dataset(
        make_event(
            tmp_path / "e",
            [
                claim("R1", "Monitor", day, day, "all", 5, source_id="a", report_id="w"),
                claim("R2", "Monitor", day, day, "militia", 3, source_id="a", report_id="w"),
                claim("R3", "Monitor", day, day, "militia", 5, source_id="b", report_id="w"),
            ],
            sources=sources,
        )
    )
    assert {c.claim_id for c in reconcile(ds).accepted} == {"R1", "R2"}


def _two_reports(tmp_path, rows, published=("2020-03-09", "2020-03-09")):
    sources = [source_row("s1", published=published[0]), source_row("s2", published=published[1], publisher="O")]
    return load_dataset(make_event(tmp_path / "e", rows, sources=sources))


def test_about_is_more_exact_than_at_least_when_reports_of_one_day_conflict(tmp_path):
    """Between two reports of one claimant published the same day, the less exact gives
    way: exact, then about, then at least, more than or up to."""
    ds = _two_reports(
        tmp_path,
        [
            claim("A1", "Monitor", "2020-03-01", "2020-03-03", "all", 15, "at least", source_id="s1"),
            claim("B1", "Monitor", "2020-03-01", "2020-03-03", "all", 10, "about", source_id="s2"),
        ],
    )
    conflicts = reconcile(ds).conflicts
    assert conflicts["dropped"].tolist() == ["A1"] and "is less exact than B1" in conflicts["reason"].iloc[0]


def test_under_the_hierarchy_the_older_report_gives_way_before_the_less_exact(tmp_path):
    """Two reports of one claimant in conflict: the older gives way, even to a less exact
    figure (report date decides before exactness)."""
    ds = _two_reports(
        tmp_path,
        [
            claim("OLD", "Monitor", "2020-03-01", "2020-03-03", "all", 10, source_id="s1"),
            claim("NEW", "Monitor", "2020-03-01", "2020-03-01", "army", 15, "at least", source_id="s2"),
        ],
        published=("2020-03-05", "2020-03-06"),
    )
    conflicts = reconcile(ds).conflicts
    assert conflicts["dropped"].tolist() == ["OLD"] and "is an older report than NEW" in conflicts["reason"].iloc[0]


def test_a_count_of_identified_victims_is_no_copy_of_the_reports_toll(tmp_path):
    """A report's toll in one outlet and its count of named victims in another: two
    figures of one report, both read, not copies that disagree."""
    sources = [source_row("a"), source_row("b", language="fr")]
    day = "2020-03-01"
    ds = load_dataset(
        make_event(
            tmp_path / "e",
            [
                claim("T", "Monitor", day, day, "all", 12, source_id="a", report_id="r"),
                claim("N", "Monitor", day, day, "all", 9, source_id="b", report_id="r", identified="true"),
            ],
            sources=sources,
        )
    )
    assert gather(ds).disagreements == []
    assert {c.claim_id for c in reconcile(ds).accepted} == {"T", "N"}


def test_what_replaces_a_claim_several_links_name():
    links = [("A", "O", "r1"), ("B", "O", "r2"), ("C", "P", "r3"), ("D", "Q", "r4"), ("E", "Q", "r4")]
    assert evidence.replacements(links, shared={"r3", "r4"}) == {"O": "A, B", "P": "C, report r3", "Q": "report r4"}


def test_a_replacement_names_a_report_only_by_the_ledgers_report_id():
    # N1 and N2 share a document and a claimant but no report_id: N1 is named alone;
    # R1 shares report "r" with R2, so the report is named with it
    claims = pd.DataFrame(
        {
            "claim_id": ["N1", "N2", "R1", "R2", "N3", "N4"],
            "supersedes": ["O1", None, "O2", None, "O3", "O3"],
            "report_id": [None, None, "r", "r", None, None],
            "source_id": ["s", "s", "t", "u", "v", "v"],
            "claimant": ["Monitor"] * 6,
        }
    )
    # N3 and N4, two rows of one document with no report_id, both name O3: their IDs
    assert evidence.replaced_by(claims) == {"O1": "N1", "O2": "R1, report r", "O3": "N3, N4"}
