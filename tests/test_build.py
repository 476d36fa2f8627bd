"""The build: committed outputs are what a build makes now (so a stale figure, table or
notebook fails), and a failed build changes no byte of them."""

import hashlib
import json
import shutil
import subprocess
import sys

import nbformat
import pytest

from analysis import build as build_module
from analysis import outputs
from analysis.build import BuildError, Layout, build, notebook_files
from conftest import DATA, ROOT, set_claim

OUTPUTS = ("notebooks", "figures", "derived")


def snapshot(root):
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for name in OUTPUTS for p in sorted((root / name).rglob("*")) if p.is_file()}


@pytest.fixture
def project(tmp_path):
    """A copy of the committed notebooks, figures and derived tables to build into."""
    for name in OUTPUTS:
        shutil.copytree(ROOT / name, tmp_path / name)
    return tmp_path


def layout(root, data=DATA):
    return Layout(data=data, notebooks=root / "notebooks", figures=root / "figures", derived=root / "derived")


def test_a_build_reproduces_every_committed_output_byte_for_byte(project):
    before = snapshot(project)
    build(layout(project), jobs=2, log=lambda *_: None)
    after = snapshot(project)
    changed = sorted(k for k in before if before[k] != after.get(k))
    assert not changed, f"stale or non-deterministic outputs (rerun `make build`): {changed}"
    assert set(after) == set(before)


def test_bad_data_changes_nothing(project, data_copy):
    set_claim(data_copy, "H082", value="many")
    before = snapshot(project)
    with pytest.raises(BuildError, match="casualties.csv, line .*column value"):
        build(layout(project, data_copy), log=lambda *_: None)
    assert snapshot(project) == before


def test_a_notebook_that_raises_changes_nothing_and_is_named(project):
    for extra in notebook_files(project / "notebooks")[1:]:
        extra.unlink()
    bad = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# broken"),
                                          nbformat.v4.new_code_cell("x = 1"),
                                          nbformat.v4.new_code_cell("raise ValueError('boom')")])
    bad.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(bad, project / "notebooks" / "00-broken.ipynb")
    before = snapshot(project)
    with pytest.raises(BuildError, match=r"00-broken.ipynb, cell 3: ValueError: boom"):
        build(layout(project), log=lambda *_: None)
    assert snapshot(project) == before
    assert not [p for p in project.rglob(".*staging*")]


def test_a_full_disk_changes_nothing(project, monkeypatch):
    real, calls = outputs.write_bytes, []

    def fill_up(path, data):
        calls.append(path)
        if len(calls) > 5:
            raise OSError(28, "No space left on device")
        real(path, data)

    monkeypatch.setattr(outputs, "write_bytes", fill_up)
    before = snapshot(project)
    with pytest.raises(BuildError, match="No space left on device"):
        build(layout(project), log=lambda *_: None)
    assert snapshot(project) == before


def test_an_unwritable_output_place_changes_nothing(project):
    # A file where the derived folder's parent should be: nothing can be staged there.
    blocker = project / "blocked"
    blocker.write_text("not a folder")
    before = snapshot(project)
    with pytest.raises(BuildError, match="cannot write the outputs"):
        build(Layout(DATA, project / "notebooks", project / "figures", blocker / "derived"), log=lambda *_: None)
    assert snapshot(project) == before


def test_build_command_reports_failure_without_traceback(tmp_path, data_copy):
    (data_copy / "casualties.csv").write_text("")
    run = subprocess.run([sys.executable, "-m", "analysis", "build", "--data-dir", str(data_copy),
                          "--notebooks", str(tmp_path), "--figures", str(tmp_path / "f"), "--derived", str(tmp_path / "d")],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 1
    assert "FAILED" in run.stderr and "casualties.csv, line 1" in run.stderr and "Traceback" not in run.stderr


def test_nbval_fails_when_a_claim_changes_until_rebuilt(data_copy):
    """Notebook outputs are regression-tested: edit one claim and nbval fails."""
    set_claim(data_copy, "H040", value=23)
    env = {**__import__("os").environ, "HAFFAH_DATA": str(data_copy)}
    run = subprocess.run([sys.executable, "-m", "pytest", "--nbval", "-q", "-p", "no:cacheprovider",
                          "--nbval-sanitize-with", "tests/nbval-sanitize.cfg", "notebooks/02-compare-first-days.ipynb"],
                         capture_output=True, text=True, cwd=ROOT, env=env)
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
                    assert line.startswith(("from analysis", "import analysis", "from IPython.display")), (path.name, line)
            assert "lambda" not in src


def test_html_renders_every_notebook_with_an_index(tmp_path):
    from analysis.html import render

    pages = render(ROOT / "notebooks", tmp_path / "html")
    index = (tmp_path / "html" / "index.html").read_text()
    for path in notebook_files(ROOT / "notebooks"):
        assert f'href="{path.stem}.html"' in index
        assert (tmp_path / "html" / f"{path.stem}.html").stat().st_size > 10_000
    assert len(pages) == len(notebook_files(ROOT / "notebooks")) + 1


def test_volatile_notebook_details_are_normalised():
    from analysis.build import clean_metadata

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(table)")])
    cell = nb.cells[0]
    cell.metadata["execution"] = {"iopub.status.busy": "2026-01-01T00:00:00"}
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="a table"),
                    nbformat.v4.new_output("stream", name="stdout", text="\n"),
                    nbformat.v4.new_output("stream", name="stderr", text="warning\n")]
    clean_metadata(nb)
    assert "execution" not in cell.metadata
    assert [(o.name, o.text) for o in cell.outputs] == [("stdout", "a table\n"), ("stderr", "warning\n")]
