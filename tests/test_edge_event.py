"""A made-up event at the edges of what the data can say, built through every notebook by
the command line: one day, no dated events, a total group not called "all", a sub-group
inside a side. Nothing in its outputs may name another event."""

import subprocess
import sys

import pytest
from conftest import ROOT

from analysis.build import notebook_files


@pytest.fixture(scope="session")
def edge_build(tmp_path_factory):
    """A made-up event at the edges, built through every notebook: one day, no dated
    events, a total group not called "all", sub-groups inside a side."""
    from conftest import claim, make_event, source_row

    root = tmp_path_factory.mktemp("edge-event")
    day = "2021-07-04"
    data = make_event(
        root / "data",
        [
            claim("E1", "Monitor", day, day, "everyone", 40, "at least"),
            claim("E2", "Monitor", day, day, "villagers", 30),
            claim("E3", "Monitor", day, day, "minors", 12),
            claim("E4", "Army", day, day, "troops", 3),
        ],
        sources=[source_row("s1", published="2021-07-06")],
        period=(day, day),
        sides=("villagers", "troops", "fighters"),
        groups={"everyone": ["villagers", "troops", "fighters"]},
        subgroups={"villagers": ["minors"]},
        events=[],
    )
    out = root / "out"
    run = subprocess.run(
        [sys.executable, "-m", "analysis", "build", "--data-dir", str(data), "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    return out


def test_an_edge_event_builds_through_every_notebook_and_names_no_other_event(edge_build):
    notebooks = sorted((edge_build / "notebooks").glob("*.ipynb"))
    assert [p.name for p in notebooks] == [p.name for p in notebook_files(ROOT / "notebooks")]
    text = "".join(p.read_text(encoding="utf-8") for p in notebooks)
    assert "Test event" in text and "there is no day 2" in text
    for other in ("Haffah", "Haffa", "Qubeir", "SOHR", "H082", "Q110"):
        assert other not in text, other
    figures = {p.name for p in (edge_build / "figures").iterdir()}
    assert {f"{stem}.{ext}" for stem in paths_figure_names() for ext in ("svg", "png", "pdf")} <= figures


def paths_figure_names():
    from analysis.paths import FIGURE_NAMES

    return FIGURE_NAMES
