"""The build: committed outputs are what a build makes now (so a stale figure, table or
notebook fails), `build --out` leaves the project's own folders alone, and a failed build
changes no byte of the outputs.

One real build (every notebook on the project's data) runs per session, into a temporary
folder; the other tests use a one-cell stand-in notebook, which exercises the same
machinery in a second or two."""

import hashlib
import json
import os
import shutil
import subprocess
import sys

import nbformat
import pytest
from conftest import DATA, ROOT, STUB, notebook, quiet, set_claim

from analysis import outputs
from analysis.build import BuildError, Layout, build, notebook_files

OUTPUTS = ("notebooks", "figures", "derived")
PROJECT = ("data", "notebooks", "figures", "derived")


def snapshot(root, names=OUTPUTS):
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for name in names
        for p in sorted((root / name).rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="session")
def real_build(tmp_path_factory):
    """`python -m analysis build --out OUT`, once: every notebook on the project's data.
    Returns OUT and a snapshot of the project's folders taken before the build."""
    out = tmp_path_factory.mktemp("real-build") / "out"
    before = snapshot(ROOT, PROJECT)
    run = subprocess.run(
        [sys.executable, "-m", "analysis", "build", "--out", str(out)], capture_output=True, text=True, cwd=ROOT
    )
    assert run.returncode == 0, run.stderr[-3000:]
    return out, before


@pytest.fixture
def project(tmp_path):
    """A copy of the project's layout (stand-in notebook, committed figures and tables)
    to build into in place."""
    for name in ("figures", "derived"):
        shutil.copytree(ROOT / name, tmp_path / name)
    notebook(STUB, folder=tmp_path / "notebooks")
    return tmp_path


def layout(root, data=DATA):
    return Layout(data=data, root=root)


def test_a_build_reproduces_every_committed_output_byte_for_byte(real_build):
    out, _ = real_build
    built, committed = snapshot(out), snapshot(ROOT)
    changed = sorted(k for k in committed if committed[k] != built.get(k))
    assert not changed, f"stale or non-deterministic outputs (rerun `make build`): {changed}"
    extra = sorted(set(built) - set(committed) - {"notebooks/.analysis-output"})
    assert not extra, f"outputs a build makes that are not committed (rerun `make build`): {extra}"


def test_build_out_never_touches_the_projects_folders(real_build):
    out, before = real_build
    assert snapshot(ROOT, PROJECT) == before
    assert outputs.read_marker(out) == {}
    for name in OUTPUTS:
        assert (out / name / outputs.MARKER).is_file()
    assert not [p for p in ROOT.iterdir() if p.name.startswith(".analysis")]


def test_a_build_in_place_replaces_notebooks_figures_and_tables(project):
    before = snapshot(project)
    build(layout(project), log=quiet)
    after = snapshot(project)
    assert after != before
    executed = json.loads((project / "notebooks" / "00-stub.ipynb").read_text())
    name = json.loads((DATA / "battle.json").read_text(encoding="utf-8"))["name"]
    assert f"event: {name}" in json.dumps(executed["cells"][1]["outputs"], ensure_ascii=False)
    files = {p.name for p in (project / "figures").iterdir()} - {outputs.MARKER}
    assert outputs.read_marker(project / "figures").keys() == files
    assert sorted(p.name for p in project.iterdir()) == ["derived", "figures", "notebooks"]


def test_bad_data_changes_nothing(project, data_copy):
    set_claim(data_copy, "H082", value="many")
    before = snapshot(project)
    with pytest.raises(BuildError, match="casualties.csv, line .*column value"):
        build(layout(project, data_copy), log=quiet)
    assert snapshot(project) == before


def test_a_notebook_that_raises_changes_nothing_and_is_named(project):
    notebook("x = 1", "raise ValueError('boom')", name="01-broken.ipynb", folder=project / "notebooks")
    before = snapshot(project)
    with pytest.raises(BuildError, match=r"01-broken.ipynb, cell 3: ValueError: boom"):
        build(layout(project), log=quiet)
    assert snapshot(project) == before
    assert not [p for p in project.rglob(".*staging*")]


def test_a_full_disk_changes_nothing(project, monkeypatch):
    real, calls = outputs.write_bytes, []

    def fill_up(path, data, **kwargs):
        calls.append(path)
        if len(calls) > 5:
            raise OSError(28, "No space left on device")
        real(path, data, **kwargs)

    monkeypatch.setattr(outputs, "write_bytes", fill_up)
    before = snapshot(project)
    with pytest.raises(BuildError, match="No space left on device"):
        build(layout(project), log=quiet)
    assert snapshot(project) == before
    assert sorted(p.name for p in project.iterdir()) == ["derived", "figures", "notebooks"]


def test_an_unwritable_output_place_changes_nothing(project):
    # A file where the output folder's parent should be: nothing can be staged there.
    blocker = project / "blocked"
    blocker.write_text("not a folder")
    before = snapshot(project)
    with pytest.raises(BuildError, match="cannot write the outputs"):
        build(Layout.into(blocker / "out", templates=project / "notebooks"), log=quiet)
    assert snapshot(project) == before


def test_build_command_reports_failure_without_traceback(tmp_path, data_copy):
    (data_copy / "casualties.csv").write_text("")
    run = subprocess.run(
        [sys.executable, "-m", "analysis", "build", "--data-dir", str(data_copy), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert run.returncode == 1
    assert "FAILED" in run.stderr and "casualties.csv, line 1" in run.stderr and "Traceback" not in run.stderr


def test_nbval_fails_when_a_claim_changes_until_rebuilt(data_copy, tmp_path):
    """Notebook outputs are regression-tested: edit one claim and nbval fails."""
    set_claim(data_copy, "H040", value=23)
    env = {**os.environ, "ANALYSIS_DATA": str(data_copy), "ANALYSIS_FIGURES": str(tmp_path)}
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--nbval",
            "-q",
            "-p",
            "no:cacheprovider",
            "--nbval-sanitize-with",
            "tests/nbval-sanitize.cfg",
            "notebooks/02-compare-first-days.ipynb",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
    )
    assert run.returncode == 1, run.stdout[-1500:]
    assert "failed" in run.stdout


def test_notebooks_are_thin_and_open_with_purpose_inputs_outputs():
    for path in notebook_files(ROOT / "notebooks"):
        nb = json.loads(path.read_text())
        first = nb["cells"][0]
        assert first["cell_type"] == "markdown", path.name
        text = "".join(first["source"])
        for word in ("Purpose", "Inputs", "Outputs"):
            assert word in text, (path.name, word)
        assert nb["metadata"]["kernelspec"]["name"] == "python3"
        for cell in nb["cells"]:
            if cell["cell_type"] != "code":
                continue
            src = "".join(cell["source"])
            assert cell["execution_count"] is not None, (path.name, "committed without outputs")
            for line in src.splitlines():
                assert not line.lstrip().startswith(("def ", "class ", "for ", "while ", "if ")), (path.name, line)
                if line.startswith(("import ", "from ")):
                    assert line.startswith(("from analysis", "import analysis", "from IPython.display")), (
                        path.name,
                        line,
                    )
            assert "lambda" not in src


def test_html_renders_every_notebook_with_an_index(tmp_path):
    from analysis.html import render

    pages = render(ROOT / "notebooks", tmp_path / "html")
    index = (tmp_path / "html" / "index.html").read_text()
    for path in notebook_files(ROOT / "notebooks"):
        assert f'href="{path.stem}.html"' in index
        assert (tmp_path / "html" / f"{path.stem}.html").stat().st_size > 10_000
    assert len(pages) == len(notebook_files(ROOT / "notebooks")) + 1
    assert (tmp_path / "html" / outputs.MARKER).is_file()


def test_volatile_notebook_details_are_normalised():
    from analysis.build import clean_metadata

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(table)")])
    cell = nb.cells[0]
    cell.metadata["execution"] = {"iopub.status.busy": "2026-01-01T00:00:00"}
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="a table"),
        nbformat.v4.new_output("stream", name="stdout", text="\n"),
        nbformat.v4.new_output("stream", name="stderr", text="warning\n"),
    ]
    clean_metadata(nb)
    assert "execution" not in cell.metadata
    assert [(o.name, o.text) for o in cell.outputs] == [("stdout", "a table\n"), ("stderr", "warning\n")]


def test_the_build_checks_for_every_figure_the_notebooks_draw():
    from analysis import paths, plots

    assert paths.FIGURE_NAMES == plots.FIGURES
