"""Every figure has a title, labelled axes, a source line naming claimants, and saves
byte-identically twice."""

import pytest

from analysis import plots
from analysis.load import load_dataset
from analysis.reconcile import reconcile
from conftest import DATA


@pytest.fixture(scope="module")
def figures():
    ds = load_dataset(DATA)
    return plots.all_figures(ds, reconcile(ds))


def test_every_figure_is_drawn(figures):
    assert list(figures) == plots.FIGURES


def test_titles_axes_and_source_lines(figures):
    for name, fig in figures.items():
        assert fig.get_suptitle(), name
        for ax in fig.axes:
            assert ax.get_ylabel(), name
        assert any(ax.get_xlabel() for ax in fig.axes), name
        source = [t.get_text() for t in fig.texts if t.get_text().startswith("Source:")]
        assert source and "SOHR" in source[0], name


def test_drawing_and_saving_twice_gives_identical_bytes(tmp_path):
    ds = load_dataset(DATA)
    result = reconcile(ds)
    runs = []
    for name in ("a", "b"):
        fig = plots.all_figures(ds, result)["claimant-matrix"]
        runs.append([p.read_bytes() for p in plots.save(fig, "m", tmp_path / name)])
    first, second = runs
    assert first == second
    assert b"<dc:date>" not in first[0] and b"matplotlib" not in first[1][:400]


def test_sides_differ_by_more_than_colour():
    sides = ["a", "b", "c"]
    styles = [plots.side_style(sides, s) for s in sides]
    for key in ("hatch", "linestyle", "marker"):
        assert len({s[key] for s in styles}) == 3
