"""A made-up event at the edges of what the data can say, run through every notebook: one
day, no dated events, no encyclopedia infobox, a total group not called "all", a
sub-group inside a side, and only the wounded reconciled (no killed); its names are those
a table's own headings use ("total" for the group and a claimant, "date" and "claimant"
for sides). Nothing in its outputs may name another event.

The notebooks' cells run as a build runs them (a kernel with ANALYSIS_DATA pointing at
the event's data and ANALYSIS_FIGURES at a fresh figures folder, the notebook's folder as
working folder), but in one kernel rather than one per notebook: the templates' cells, in
order, each notebook's after a `%reset -f` that empties the namespace, so that a notebook
relying on a name another one defined still fails. The build machinery itself is tested
with a stand-in notebook (test_build.py, test_safety.py)."""

import asyncio
import hashlib
import os

import nbformat
import pytest

from analysis import outputs, paths, plots
from analysis.build import clean_metadata, notebook_files
from analysis.load import load_dataset
from conftest import ROOT, claim, make_event, source_row

RESET = "%reset -f"
PROJECT = ("data", "notebooks", "figures", "derived")


def snapshot() -> dict:
    return {
        str(p.relative_to(ROOT)): hashlib.sha256(p.read_bytes()).hexdigest()
        for name in PROJECT
        for p in sorted((ROOT / name).rglob("*"))
        if p.is_file()
    }


def every_notebook_in_one(templates: list) -> nbformat.NotebookNode:
    """The templates' cells in order, each notebook's preceded by a reset cell; every
    cell's metadata names the notebook it comes from."""
    cells = []
    for path in templates:
        reset = nbformat.v4.new_code_cell(RESET)
        for cell in [reset, *nbformat.read(path, as_version=4).cells]:
            cell.metadata["notebook"] = path.name
            cells.append(cell)
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


@pytest.fixture(scope="module")
def edge_event(tmp_path_factory):
    """Every template notebook's cells run on the edge event; (the executed cells, the
    templates, the figures folder, the data folder, the project's state before)."""
    from nbclient import NotebookClient

    root = tmp_path_factory.mktemp("edge-event")
    day = "2021-07-04"
    data = make_event(
        root / "data",
        [
            claim("E1", "Monitor", day, day, "total", 40, "at least", measure="wounded"),
            claim("E2", "Monitor", day, day, "villagers", 30, measure="wounded"),
            claim("E3", "Monitor", day, day, "minors", 12, measure="wounded"),
            claim("E4", "total", day, day, "date", 3, measure="wounded"),
            claim("E5", "total", day, day, "date", 2, measure="killed"),
        ],
        sources=[source_row("s1", published="2021-07-06")],
        period=(day, day),
        sides=("villagers", "date", "claimant"),
        claimants=("Monitor", "total"),
        groups={"total": ["villagers", "date", "claimant"]},
        subgroups={"villagers": ["minors"]},
        events=[],
        measures=["wounded"],
    )
    templates = notebook_files(ROOT / "notebooks")
    nb = every_notebook_in_one(templates)
    figures, workdir = root / "out" / "figures", root / "out" / "notebooks"
    figures.mkdir(parents=True)
    workdir.mkdir()
    env = {**os.environ, paths.DATA_VARIABLE: str(data), paths.FIGURES_VARIABLE: str(figures)}
    before = snapshot()
    client = NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        record_timing=False,
        shutdown_kernel="immediate",
        extra_arguments=["--IPKernelApp.log_level=ERROR"],
        resources={"metadata": {"path": str(workdir)}},
    )
    asyncio.run(client.async_execute(env=env))  # a cell that raises fails the test here, naming it
    clean_metadata(nb)
    return nb, templates, figures, data, before


def test_an_edge_event_runs_through_every_notebook_and_names_no_other_event(edge_event):
    nb, templates, figures, data, before = edge_event
    ran = {c.metadata["notebook"] for c in nb.cells if c.cell_type == "code" and c.execution_count}
    assert sorted(ran) == [p.name for p in templates] == [p.name for p in notebook_files(paths.NOTEBOOKS)]
    assert all(c.execution_count for c in nb.cells if c.cell_type == "code")
    assert not [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    text = nbformat.writes(nb)
    assert "Test event" in text and "there is no day 2" in text
    assert "Wounded per day:" in text and "Killed per day:" not in text  # one daily table per reconciled measure
    for other in ("Haffah", "Haffa", "Qubeir", "SOHR", "H082", "Q110"):
        assert other not in text, other
    assert snapshot() == before  # the project's data and outputs: not a byte changed


def test_an_edge_event_without_infobox_gets_every_figure_file(edge_event):
    """Every figure in every format, none empty, for a battle without infobox figures
    (the saving half of test_plots' figures for a battle without infobox)."""
    nb, _, figures, data, _ = edge_event
    assert plots.infobox_claims(load_dataset(data)).empty
    assert f"{3 * len(plots.FIGURES)} files written, {len(plots.FIGURES)} figures" in nbformat.writes(nb)
    files = {p.name: p.stat().st_size for p in figures.iterdir()}
    wanted = {f"{stem}.{ext}" for stem in paths.FIGURE_NAMES for ext in ("svg", "png", "pdf")}
    assert wanted <= set(files)
    assert len(files) == 3 * len(plots.FIGURES) and all(files.values())


def test_an_edge_event_gets_every_table_a_build_writes(edge_event, tmp_path):
    """The build's other half: the tables, the same files as the flagship's derived/, the
    total group under its own name and the sub-group beside its side."""
    from analysis.publish import write_tables

    _, _, _, data, _ = edge_event
    written = write_tables(load_dataset(data), tmp_path / "derived")
    committed = {p.name for p in (ROOT / "derived").iterdir()} - {outputs.MARKER}
    assert {p.name for p in written} == committed
    assert all(p.stat().st_size for p in written)
    totals = (tmp_path / "derived" / "battle_totals-hierarchy.csv").read_text(encoding="utf-8")
    assert ",wounded,total,40," in totals and ",wounded,minors,12," in totals
    assert ",killed," not in totals  # counted in the ledger, not reconciled
