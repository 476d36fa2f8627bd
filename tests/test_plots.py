"""Every figure has a title from the battle's data, labelled axes and a source line built
from the claims; the saved SVG, PNG and PDF files carry no dates or software versions; and
each figure shows what it promises (the total panel, the deaths on no day, one matrix row
per disagreeing copy, legible timeline labels, the infobox's provenance, every rule).

Saving is tested where a build does it, in the figures notebook's kernel: under nbval the
repository's conftest.py compares every file that notebook saves, for every event, with
the committed one, byte for byte (byte-identical from run to run, and not stale), and
test_edge_event.py has it save every figure of a made-up battle without infobox."""

import json

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.patches import FancyArrowPatch, Rectangle
from PIL import Image

from analysis import derive, plots
from analysis.battle import UNSTATED_TOTAL
from analysis.load import load_dataset
from analysis.reconcile import reconcile_all
from conftest import DATA, ROOT, claim, make_event


@pytest.fixture(scope="module")
def ds():
    return load_dataset(DATA)


@pytest.fixture(scope="module")
def results(ds):
    return reconcile_all(ds)


@pytest.fixture(scope="module")
def figures(ds, results):
    return plots.all_figures(ds, results["hierarchy"], results)


def texts(fig) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def test_every_figure_is_drawn(figures):
    assert list(figures) == plots.FIGURES
    assert {"provenance", "rule-comparison"} <= set(plots.FIGURES)


def test_titles_axes_and_source_lines(figures, ds):
    for name, fig in figures.items():
        assert fig.get_suptitle().startswith(ds.battle.name), name
        for ax in fig.axes:
            assert ax.get_ylabel(), name
        assert any(ax.get_xlabel() for ax in fig.axes), name
        source = fig.get_supxlabel()
        assert source.startswith("Source:") and "SOHR" in source, name
        assert "data/" not in source and ".csv" not in source, name


def test_no_battle_is_typed_into_the_code():
    code = (ROOT / "src" / "analysis" / "plots.py").read_text()
    battle = json.loads((DATA / "battle.json").read_text())
    for word in (battle["name"], battle["battle_id"], battle["period_start"][:4], "Haffah"):
        assert word not in code
    salt = plots.STYLE["svg.hashsalt"]
    assert battle["battle_id"] not in salt and "haffah" not in salt.lower()


@pytest.mark.parametrize("folder", ["figures", "events/al-qubeir/output/figures"])
def test_figure_files_carry_no_dates_or_software_versions(folder):
    """The committed figures, which nbval's run of the figures notebook finds byte for byte
    equal to what it saves now (the repository's conftest.py: byte-identical from run to
    run), carry nothing that changes between runs."""
    assert plots.FORMATS == ("svg", "png", "pdf")  # the order `plots.save` writes and returns them in
    found = 0
    for svg in sorted((ROOT / folder).glob("*.svg")):
        png, pdf = svg.with_suffix(".png").read_bytes(), svg.with_suffix(".pdf").read_bytes()
        assert b"<dc:date>" not in svg.read_bytes() and b"matplotlib" not in png[:400].lower(), svg.name
        assert b"CreationDate" not in pdf and b"Producer" not in pdf and b"Matplotlib" not in pdf, svg.name
        found += 1
    assert found == len(plots.FIGURES)


@pytest.mark.parametrize("folder", ["figures", "events/al-qubeir/output/figures"])
def test_nothing_drawn_is_cut_by_the_figures_edge(folder):
    """In every committed PNG (what a build saves: nbval compares them byte for byte) the
    outermost two pixels all round are background: no legend, label or title runs past the
    edge and is cut off there."""
    pngs = sorted((ROOT / folder).glob("*.png"))
    assert len(pngs) == len(plots.FIGURES)
    for png in pngs:
        pixels = np.asarray(Image.open(png).convert("L"))
        edges = {"top": pixels[:2], "bottom": pixels[-2:], "left": pixels[:, :2], "right": pixels[:, -2:]}
        assert {side: int(edge.min()) for side, edge in edges.items()} == dict.fromkeys(edges, 255), png.name


def test_sides_differ_by_more_than_colour():
    sides = ["a", "b", "c"]
    styles = [plots.side_style(sides, s) for s in sides]
    for key in ("hatch", "linestyle", "marker"):
        assert len({s[key] for s in styles}) == 3


def test_daily_deaths_has_the_total_panel_and_the_deaths_on_no_day(figures, ds, results):
    total = ds.battle.total_group
    assert total == "all" and set(ds.battle.members(total)) == set(ds.battle.leaves)
    fig = figures["daily-deaths"]
    assert [ax.get_title(loc="left") for ax in fig.axes] == [*ds.battle.sides, total]
    ax = fig.axes[-1]
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    r = results["hierarchy"]
    first = r.daily[(r.daily["side"] == total) & (r.daily["measure"] == "killed")].sort_values("date")["best"].iloc[0]
    unplaced = r.totals[(r.totals["side"] == total) & (r.totals["measure"] == "killed")]["unplaced"].iloc[0]
    assert bars[0].get_height() == first == 33
    assert bars[-1].get_height() == unplaced == 67 and bars[-1].get_hatch() == plots.UNPLACED_HATCH
    assert ax.get_xticklabels()[-1].get_text() == "on no\nday"
    # bars only where the claims place deaths: one per day with a best above zero, plus the unplaced bar
    placed = (r.daily[(r.daily["side"] == total) & (r.daily["measure"] == "killed")]["best"] > 0).sum()
    assert len(bars) == placed + 1


def test_claimant_totals_never_pair_figures_of_different_copies(ds):
    t = derive.claimant_totals(ds.claims, ds.battle, ds.sources)
    assert "source_id" in t.columns
    claims = ds.claims.set_index("claim_id")
    assert (t["source_id"] == t["claim_id"].map(claims["source_id"])).all()
    sohr = t[(t["claimant"] == "SOHR") & (t["measure"] == "killed")]
    rows = {src: dict(zip(g["side"], g["value"])) for src, g in sohr.groupby("source_id")}
    assert rows["sauress-spa"] == {"government forces": 68, "rebels": 29, "civilians": 23, "all": 120}
    assert rows["france24-2012-06-12"] == {"civilians": 29, "all": 120}
    assert sohr["copies_disagree"].all()
    assert not t.duplicated(["claimant", "measure", "source_id", "side"]).any()


def test_claimant_matrix_has_a_row_per_disagreeing_copy(figures):
    ax = figures["claimant-matrix"].axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[:2] == ["SOHR (fr copy)", "SOHR (ar copy)"]
    assert "Wikipedia editor" in labels


def test_claims_timeline_labels_do_not_overlap_and_copies_are_counted(figures, results):
    ax = figures["claims-timeline"].axes[0]
    spots = [(round(float(t.xy[0]), 4), round(float(t.xy[1]), 4)) for t in ax.texts]
    assert len(spots) == len(set(spots))
    labels = texts(figures["claims-timeline"])
    assert "120 ×3" in labels and "2 ×2" in labels
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    revised = {v.old for v in results["hierarchy"].evidence.revisions}
    assert revised and len(arrows) >= len(revised)  # one arrow at least per figure revised


@pytest.mark.parametrize("event", ["flagship", "al-qubeir"])
def test_no_two_timeline_labels_overlap_as_drawn(event, figures):
    """The labels as rendered, each against every other (boxes in pixels): both events, the
    flagship's days wide and few marks each, al-Qubeir's one day with 95 marks. Identified
    counts and figures for one place are marked (NAMED, PART) and the legend says so."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from analysis.reconcile import reconcile

    if event == "flagship":
        fig = figures["claims-timeline"]
    else:
        second = load_dataset(ROOT / "events" / "al-qubeir" / "data")
        fig = plots.figure_timeline(second, revisions=reconcile(second).evidence.revisions)
    FigureCanvasAgg(fig).draw()
    [ax] = fig.axes
    boxes = [(t.get_text(), t.get_window_extent()) for t in ax.texts]
    touching = [(a, b) for k, (a, box) in enumerate(boxes) for b, other in boxes[k + 1 :] if box.overlaps(other)]
    assert touching == []
    labels = [t.get_text() for t in ax.texts]
    legend = ax.get_legend().get_title().get_text()
    assert f"{plots.NAMED}: victims identified by name" in legend and f"{plots.PART}: a figure for one place" in legend
    if event == "al-qubeir":  # SOHR's 49 victims named, and the 6 of a nearby village
        assert any(t.startswith(f"49{plots.NAMED}") for t in labels) and any(
            t.startswith(f"6{plots.PART}") for t in labels
        )


def test_derived_totals_are_marked(figures):
    assert any("derived" in t and UNSTATED_TOTAL in t for t in texts(figures["cumulative-deaths"]))
    legend = [
        t.get_text() for ax in figures["rule-comparison"].axes if ax.get_legend() for t in ax.get_legend().get_texts()
    ]
    assert any("derived" in t for t in legend)


def test_provenance_traces_the_infobox(figures):
    found = texts(figures["provenance"])
    assert sum("no source read for this dataset" in t for t in found) == 2  # strength 780 and >300
    assert any(t.startswith("derived: 120 (all) − 68 − 29") for t in found)
    assert any(t.startswith("H086: 68") for t in found) and "AFP" in found and "SOHR" in found


def test_rule_comparison_draws_every_rule(figures, ds, results):
    fig = figures["rule-comparison"]
    assert len(fig.axes) == len(ds.battle.reconciled_measures)
    labels = [t.get_text() for t in fig.axes[-1].get_legend().get_texts()]
    assert labels[: len(results)] == list(results)
    markers = [line for ax in fig.axes for line in ax.get_lines() if line.get_marker() not in (None, "None", "")]
    assert len(markers) == len(results) * len(ds.battle.counted_names) * len(ds.battle.reconciled_measures)


def test_rule_comparison_says_a_low_below_the_best_in_numbers(figures, results):
    """A low a few below the best hides under the marker (envelope's 117 under 120): the
    label then gives the range as the tables do; a low at the best gives the best alone."""
    from analysis.reconcile import figure_text

    fig = figures["rule-comparison"]
    drawn = {ax.get_title(loc="left"): {t.get_text() for t in ax.texts} for ax in fig.axes}
    below = 0
    for result in results.values():
        for row in result.totals.itertuples():
            said = drawn[row.measure]
            if row.low < row.best:
                below += 1
                assert figure_text(int(row.low), row.best, row.high) in said, (result.rule.name, row.side)
            else:
                assert str(int(row.best)) in said
    assert below  # the flagship has such rows (envelope)


def test_a_battle_without_infobox_says_so(second_battle):
    ds = load_dataset(second_battle)
    figs = plots.all_figures(ds, reconcile_all(ds)["hierarchy"])
    assert list(figs) == plots.FIGURES
    assert any("no infobox figures" in t for t in texts(figs["provenance"]))
    assert figs["daily-deaths"].get_suptitle().startswith("Test event (1–3 March 2020)")
    # Saved, every figure in every format, by the figures notebook on the edge event of
    # test_edge_event.py, also a battle without infobox figures.


def test_the_timeline_marks_sub_groups_apart(tmp_path):
    day = "2020-03-01"
    ds = load_dataset(
        make_event(
            tmp_path / "e",
            [claim(i, "Monitor", day, day, side, 5) for i, side in (("C", "children"), ("W", "women"), ("A", "army"))],
            sides=("army", "civilians"),
            subgroups={"civilians": ["children", "women"]},
        )
    )
    fig = plots.figure_timeline(ds)
    marks = {
        line.get_label(): (line.get_marker(), line.get_color())
        for ax in fig.axes
        for line in ax.get_lines()
        if line.get_label() in ("children", "women", "army")
    }
    assert len(marks) == 3 and len(set(marks.values())) == 3


def test_daily_deaths_says_what_a_days_total_places_on_no_side(unsided_day):
    ds = load_dataset(unsided_day)
    fig = plots.figure_daily(reconcile_all(ds)["hierarchy"], ds)
    assert "7 on\nno side" in texts(fig)


def test_the_daily_figure_names_what_it_counts(tmp_path):
    day = "2020-03-01"
    data = make_event(
        tmp_path / "e", [claim("W", "Monitor", day, day, "army", 9, measure="wounded")], measures=["wounded"]
    )
    ds = load_dataset(data)
    fig = plots.figure_daily(reconcile_all(ds)["hierarchy"], ds)
    legend = [t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts()]
    words = " ".join([*texts(fig), *legend, *(ax.get_xlabel() for ax in fig.axes)])
    assert "people wounded the accepted claims require" in words and "deaths" not in words


def test_a_rule_that_accepts_no_claim_is_drawn_as_such(second_battle):
    """No claimant of the second battle is an encyclopedia: the wikipedia rule accepts no
    claim, and the figure says so rather than drawing its zeros as totals."""
    ds = load_dataset(second_battle)
    results = reconcile_all(ds)
    fig = plots.figure_rules(results, ds)
    names = len(ds.battle.counted_names)
    killed = fig.axes[list(ds.battle.reconciled_measures).index("killed")]
    markers = [line for line in killed.get_lines() if line.get_marker() not in (None, "None", "")]
    assert len(markers) == (len(results) - 1) * names
    assert [t.get_text() for t in killed.texts].count("wikipedia: no claim accepted") == names


def test_a_days_bar_no_claim_states_is_labelled_derived(tmp_path):
    """all 10 and army 3 on one day leave the militia 7: its bar says it is derived; the
    army's and the total's do not."""
    from analysis.load import load_dataset
    from analysis.reconcile import reconcile
    from conftest import claim, make_event

    day = "2020-03-01"
    rows = [claim("T", "Monitor", day, day, "all", 10), claim("A", "Monitor", day, day, "army", 3)]
    ds = load_dataset(make_event(tmp_path / "e", rows, period=(day, day)))
    fig = plots.figure_daily(reconcile(ds), ds)
    labels = {ax.get_title(loc="left"): [t.get_text() for t in ax.texts] for ax in fig.axes}
    assert "7 derived:\nstated by no accepted claim\nfor the whole area" in labels["militia"]
    assert "3" in labels["army"] and "10" in labels["all"]
    assert not any("derived" in t for t in labels["army"] + labels["all"])
    # the longer label of a day near the y axis runs rightwards, inside its panel
    FigureCanvasAgg(fig)
    fig.draw_without_rendering()
    [panel] = [ax for ax in fig.axes if ax.get_title(loc="left") == "militia"]
    [label] = [t for t in panel.texts if "derived" in t.get_text()]
    assert label.get_window_extent().x0 >= panel.get_window_extent().x0


def test_a_side_whose_day_one_sub_group_states_is_not_labelled_derived(tmp_path):
    """6 children on a day are 6 civilians: that bar is stated, not derived."""
    from analysis.load import load_dataset
    from analysis.reconcile import reconcile
    from conftest import claim, make_event

    day = "2020-03-01"
    rows = [claim("K", "Monitor", day, day, "children", 6)]
    folder = make_event(
        tmp_path / "e", rows, period=(day, day), sides=("army", "civilians"), subgroups={"civilians": ["children"]}
    )
    ds = load_dataset(folder)
    fig = plots.figure_daily(reconcile(ds), ds)
    labels = {ax.get_title(loc="left"): [t.get_text() for t in ax.texts] for ax in fig.axes}
    assert "6" in labels["civilians"] and not any("derived" in t for t in labels["civilians"])


def test_a_derived_totals_label_hides_no_marker_of_a_claimant(tmp_path):
    """all 10 and army 3 leave the militia a derived 7: its label goes above the star, or
    below it where a claimant's reported figure of the last days (the army's 9, set aside
    by the hierarchy) lies above the total."""
    from analysis.load import load_dataset
    from analysis.reconcile import reconcile
    from conftest import claim, make_event

    start, end = "2020-03-01", "2020-03-03"
    rows = [claim("T", "Monitor", start, end, "all", 10), claim("A", "Monitor", start, end, "army", 3)]

    def label(rows, folder, period=(start, end)):
        ds = load_dataset(make_event(tmp_path / folder, rows, period=period))
        fig = plots.all_figures(ds, reconcile(ds))["cumulative-deaths"]
        [ax] = [ax for ax in fig.axes if ax.get_title(loc="left") == "militia"]
        [text] = [t for t in ax.texts if "derived" in t.get_text()]
        return text.get_text().split(":")[0], text.get_position()[1], text.get_va()

    assert label(rows, "alone") == ("7", 8, "bottom")
    level = claim("L", "Army", start, end, "militia", 7, "more than")  # a marker at the total's height is not above it
    assert label([*rows, level], "level") == ("7", 8, "bottom")
    above = claim("M", "Army", start, end, "militia", 9, "at least")
    assert label([*rows, above], "marker") == ("7", -8, "top")
    # the marker counts where it reports one of the last two days, not before
    early = {**above, "period_end": "2020-03-02"}
    assert label([*rows, early], "second-last-day") == ("7", -8, "top")
    assert label([*rows, early], "four-days", period=(start, "2020-03-04")) == ("7", 8, "bottom")


def test_a_direct_link_passes_the_wire_column_clear_of_its_boxes():
    """Outlet at 4, claimant at 0, columns 0, 1, 2: the straight line crosses the middle
    column at 2; a wire box there pushes it towards the outlet until 0.4 clear of the box."""
    assert plots._past_boxes(4.0, 0.0, [0.0, 1.0, 2.0], [5.0]) == 2.0
    moved = plots._past_boxes(4.0, 0.0, [0.0, 1.0, 2.0], [2.1])
    assert 2.5 <= moved < 2.6
    assert plots._past_boxes(0.0, 4.0, [0.0, 1.0, 2.0], [1.9]) <= 1.5


def test_a_derived_side_is_shown_as_a_subtraction_only_from_stated_figures(tmp_path):
    """The militia's 3 of the first day is its whole total, derived; the total of all (13)
    is itself derived from the sides, so "13 (all) − 10" would explain the 3 by itself:
    the label says only that the reconciliation derives it. With the total stated (13 for
    the whole period), the subtraction stands."""
    d1, d2 = "2020-03-01", "2020-03-02"
    rows = [claim("A", "Monitor", d1, d2, "army", 10), claim("M", "Monitor", d1, d1, "militia", 3)]

    def reason(claims, name):
        ds = load_dataset(make_event(tmp_path / name, claims, period=(d1, d2)))
        return plots._derived_reason(reconcile_all(ds)["hierarchy"], ds.battle, "killed", "militia", 3)

    assert reason(rows, "sides") == f"derived by the reconciliation from other figures; {UNSTATED_TOTAL}"
    stated = [rows[0], claim("T", "Monitor", d1, d2, "all", 13)]
    assert reason(stated, "total") == f"derived: 13 (all) − 10; {UNSTATED_TOTAL}"
