"""The build: committed outputs are what a build makes now (so a stale figure, table or
notebook fails), `build --out` leaves the project's own folders alone, and a failed build
changes no byte of the outputs.

No test here builds the real notebooks; what a full build would prove is proved in staged
parts, each by the cheapest run that shows it:

- tables: each event's tables, published into a scratch folder as the build publishes
  derived/, are the committed derived/ byte for byte, marker included (the flagship's in
  test_publish.py);
- figures: nbval runs every committed notebook of every event in `make test`; after the
  notebook that saves the figures, the repository's conftest.py compares the files it
  wrote with the committed figures byte for byte, marker included;
- notebooks: nbval compares every cell's outputs; here, each committed notebook is in the
  form a build writes (cells as the templates give them, execution counts, no timing,
  merged streams, the kernel's language version, images that are the committed figures);
- the set of files a build makes is the set committed;
- the build machinery runs on a one-cell stand-in notebook, in a second or two; so does
  `build --out` of the project's data, which must leave the project's folders alone
  (test_safety.py, `stub_build`)."""

import base64
import hashlib
import importlib.util
import json
import os
import platform
import re
import shutil
import subprocess
import sys

import nbformat
import pytest

from analysis import outputs, paths, plots
from analysis.build import BLAS_THREADS, BuildError, Layout, build, clean_metadata, kernel_environment, notebook_files
from analysis.cli import main
from analysis.html import project_events
from analysis.load import load_dataset
from analysis.publish import write_tables
from conftest import DATA, ROOT, STUB, claim, make_event, notebook, quiet, set_claim

OUTPUTS = ("notebooks", "figures", "derived")
EVENTS = {("flagship" if ev.data == DATA else ev.data.parent.name): ev for ev in project_events()}


def snapshot(root, names=OUTPUTS):
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for name in names
        for p in sorted((root / name).rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def project(tmp_path):
    """A copy of the project's layout (stand-in notebook, committed figures and tables)
    to build into in place."""
    for name in ("figures", "derived"):
        shutil.copytree(ROOT / name, tmp_path / name)
    notebook(STUB, folder=tmp_path / "notebooks")
    return tmp_path


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """A made-up three-day event: the machinery's tests need data, not the project's."""
    return make_event(
        tmp_path_factory.mktemp("small") / "data",
        [
            claim("M1", "Monitor", "2020-03-01", "2020-03-01", "army", 5),
            claim("M2", "Monitor", "2020-03-01", "2020-03-03", "all", 20),
        ],
    )


def layout(root, data):
    return Layout(data=data, root=root)


def test_the_projects_events_are_the_flagship_and_every_events_folder_al_qubeir_among_them():
    folders = sorted(p.parent.parent.name for p in (ROOT / "events").glob("*/data/battle.json"))
    assert sorted(EVENTS) == sorted(["flagship", *folders]) and "al-qubeir" in folders


@pytest.mark.parametrize("name", sorted(set(EVENTS) - {"flagship"}))
def test_the_tables_a_build_writes_now_are_the_committed_ones(tmp_path, name):
    """Each other event's derived/ as a build publishes it (`write_tables` into a staged
    folder that gets its marker), byte for byte: a stale table, a missing one or an extra
    one fails. (test_publish.py does the same for the flagship's.)"""
    event = EVENTS[name]
    with outputs.output_dir(tmp_path / "derived") as stage:
        write_tables(load_dataset(event.data), stage)
    built, committed = snapshot(tmp_path, ["derived"]), snapshot(event.root, ["derived"])
    changed = sorted(k for k in committed if committed[k] != built.get(k))
    assert not changed, f"stale or non-deterministic tables (rerun `make build`): {changed}"
    extra = sorted(set(built) - set(committed))
    assert not extra, f"tables a build makes that are not committed (rerun `make build`): {extra}"


@pytest.mark.parametrize("name", sorted(EVENTS))
def test_the_committed_files_are_the_files_a_build_makes(name):
    """Notebooks (one per template), figures (each figure in each format) and tables
    (test above): nothing missing, nothing extra, every marker listing its folder."""
    event = EVENTS[name]
    in_place = event.root == ROOT
    templates = [f"{stem}.ipynb" for stem in described().NOTEBOOKS]
    marker = set() if in_place else {outputs.MARKER}
    assert {p.name for p in (event.root / "notebooks").iterdir()} == {*templates, *marker}
    figures = {f"{stem}.{fmt}" for stem in paths.FIGURE_NAMES for fmt in plots.FORMATS}
    assert {p.name for p in (event.root / "figures").iterdir()} == {*figures, outputs.MARKER}
    for folder in ("figures", "derived") if in_place else OUTPUTS:
        files = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in (event.root / folder).iterdir()}
        files.pop(outputs.MARKER)
        assert outputs.read_marker(event.root / folder) == files, (name, folder)
    if not in_place:
        outputs.check_owned(event.root, root=True)


def described():
    """tools/make_notebooks.py, where every notebook's cells are described: the committed
    notebooks of each event are compared with it, not with the notebooks/ folder itself."""
    spec = importlib.util.spec_from_file_location("make_notebooks", ROOT / "tools" / "make_notebooks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def figure_shown(source: str) -> str | None:
    found = re.search(r"show_figure\(\"([^\"]+)\"\)", source)
    return found.group(1) if found else None


@pytest.mark.parametrize("name", sorted(EVENTS))
def test_the_committed_notebooks_are_in_the_form_a_build_writes(name):
    """What nbval does not compare: every cell as the template gives it, execution counts
    1, 2, 3..., no execution timing, streams merged, the file as the build serializes it,
    the kernel's Python version, and each figure image the committed PNG."""
    event, made = EVENTS[name], described()
    for stem in made.NOTEBOOKS:
        path = event.root / "notebooks" / f"{stem}.ipynb"
        text = path.read_text(encoding="utf-8")
        nb = nbformat.reads(text, as_version=4)
        source = made.notebook(stem)
        cells = [(c.cell_type, c.get("id"), c.source) for c in nb.cells]
        assert cells == [(c.cell_type, c.get("id"), c.source) for c in source.cells], path
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert [c.execution_count for c in code] == list(range(1, len(code) + 1)), path
        clean_metadata(nb)
        assert nbformat.writes(nb) + "\n" == text, f"{path} is not as a build writes it (rerun `make build`)"
        assert nb.metadata["language_info"]["version"] == platform.python_version(), path
        for cell in code:
            shown = figure_shown(cell.source)
            images = [o["data"]["image/png"] for o in cell.outputs if "image/png" in o.get("data", {})]
            if shown is None:
                assert images == [], (path, cell.source)
            else:
                png = (event.root / "figures" / f"{shown}.png").read_bytes()
                assert [base64.b64decode(i) for i in images] == [png], (path, shown)


def test_a_build_in_place_replaces_notebooks_figures_and_tables(project, small):
    before = snapshot(project)
    build(layout(project, small), log=quiet)
    after = snapshot(project)
    assert after != before
    executed = json.loads((project / "notebooks" / "00-stub.ipynb").read_text())
    name = json.loads((small / "battle.json").read_text(encoding="utf-8"))["name"]
    assert f"event: {name}" in json.dumps(executed["cells"][1]["outputs"], ensure_ascii=False)
    files = {p.name for p in (project / "figures").iterdir()} - {outputs.MARKER}
    assert outputs.read_marker(project / "figures").keys() == files
    assert sorted(p.name for p in project.iterdir()) == ["derived", "figures", "notebooks"]


def test_a_build_notes_the_claimants_the_hierarchy_leaves_out(no_kernel, project, tmp_path):
    day = "2020-03-01"
    rows = [claim("A1", "Monitor", day, day, "army", 5), claim("A2", "Army", day, day, "militia", 2)]
    data = make_event(tmp_path / "event" / "data", rows, hierarchy=("Monitor",))
    said: list[str] = []
    build(layout(project, data), log=said.append)
    notes = [m for m in said if "claimant_hierarchy" in m]
    assert notes == [
        "[build] note: Army is not in battle.json's claimant_hierarchy, so the hierarchy rule (the default) sets "
        "its claims aside; rank them there to count them"
    ]


def test_bad_data_changes_nothing(project, data_copy):
    set_claim(data_copy, "H082", value="many")
    before = snapshot(project)
    with pytest.raises(BuildError, match="casualties.csv, line .*column value"):
        build(layout(project, data_copy), log=quiet)
    assert snapshot(project) == before


def test_a_notebook_that_raises_changes_nothing_and_is_named(project, small):
    notebook("x = 1", "raise ValueError('boom')", name="01-broken.ipynb", folder=project / "notebooks")
    before = snapshot(project)
    with pytest.raises(BuildError, match=r"01-broken.ipynb, cell 3: ValueError: boom"):
        build(layout(project, small), log=quiet)
    assert snapshot(project) == before
    assert not [p for p in project.rglob(".*staging*")]


def test_a_kernel_that_dies_before_it_replies_is_started_once_more(tmp_path, monkeypatch):
    # two kernels started at once can take the same port and one dies before replying:
    # the notebook runs again in a fresh kernel; a second death, or another error, stands
    import nbclient

    from analysis.build import KERNEL_DIED, execute

    notebook("x = 1", name="01-x.ipynb", folder=tmp_path)
    deaths = []

    async def die_first(self, **kwargs):
        deaths.append(1)
        if len(deaths) < 2:
            raise RuntimeError(KERNEL_DIED)

    monkeypatch.setattr(nbclient.NotebookClient, "async_execute", die_first)
    assert execute(tmp_path / "01-x.ipynb", {}).cells[1].source == "x = 1" and len(deaths) == 2

    async def always(self, **kwargs):
        raise RuntimeError(KERNEL_DIED)

    monkeypatch.setattr(nbclient.NotebookClient, "async_execute", always)
    with pytest.raises(RuntimeError, match=KERNEL_DIED):
        execute(tmp_path / "01-x.ipynb", {})


def test_nbval_starts_a_kernel_once_more_if_it_dies_before_replying():
    from nbval import kernel

    from analysis.build import KERNEL_DIED

    spec = importlib.util.spec_from_file_location("repository_conftest", ROOT / "conftest.py")
    assert spec is not None and spec.loader is not None
    repository = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(repository)
    assert kernel.start_new_kernel.__module__ != "nbval.kernel"  # wrapped for this session
    calls = []

    def start(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise RuntimeError(KERNEL_DIED)
        return "kernel"

    assert repository.start_twice(start)(cwd="x") == "kernel" and calls == [{"cwd": "x"}, {"cwd": "x"}]

    def broken(**kwargs):
        raise RuntimeError("another failure")

    with pytest.raises(RuntimeError, match="another failure"):
        repository.start_twice(broken)()


def test_a_full_disk_changes_nothing(no_kernel, project, small, monkeypatch):
    real, calls = outputs.write_bytes, []

    def fill_up(path, data, **kwargs):
        calls.append(path)
        if len(calls) > 5:
            raise OSError(28, "No space left on device")
        real(path, data, **kwargs)

    monkeypatch.setattr(outputs, "write_bytes", fill_up)
    before = snapshot(project)
    with pytest.raises(BuildError, match="No space left on device"):
        build(layout(project, small), log=quiet)
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


def test_build_command_reports_failure_without_traceback(tmp_path, data_copy, capsys):
    (data_copy / "casualties.csv").write_text("")
    assert main(["build", "--data-dir", str(data_copy), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "FAILED" in err and "casualties.csv, line 1" in err and "Traceback" not in err
    assert err.splitlines()[-1] == "[build] nothing published: notebooks, figures and tables are as they were before"
    assert not (tmp_path / "out").exists()


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
            "-p",
            "no:xdist",
            "-p",
            "no:hypothesispytest",  # nbval only: these two take a second to load
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


def test_every_section_that_shows_a_table_says_what_it_holds_and_every_notebook_concludes():
    """As the README says: a section that shows a table ends with a sentence computed from
    the data (`story.say`), and each notebook closes with its conclusions."""
    for path in notebook_files(ROOT / "notebooks"):
        sections: list[tuple[str, str]] = []
        for cell in json.loads(path.read_text())["cells"]:
            text = "".join(cell["source"])
            if cell["cell_type"] == "markdown" and text.startswith("## "):
                sections.append((text.splitlines()[0], ""))
            elif cell["cell_type"] == "code" and sections:
                sections[-1] = (sections[-1][0], sections[-1][1] + text)
        for title, code in sections:
            if "s.show(" in code or "s.show_daily(" in code:
                assert "story.say(" in code, (path.name, title)
        assert sections[-1][0] == "## Conclusions" and "story.say(" in sections[-1][1], path.name


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


def test_kernels_get_one_blas_thread_unless_the_environment_sets_a_count():
    plain = kernel_environment({"PATH": "/bin"}, {"ANALYSIS_DATA": "d"})
    assert plain == {"PATH": "/bin", "ANALYSIS_DATA": "d", **{name: "1" for name in BLAS_THREADS}}
    chosen = kernel_environment({"OPENBLAS_NUM_THREADS": "4"}, {})
    assert chosen["OPENBLAS_NUM_THREADS"] == "4"
    assert {name: chosen[name] for name in BLAS_THREADS if name != "OPENBLAS_NUM_THREADS"} == {
        name: "1" for name in BLAS_THREADS if name != "OPENBLAS_NUM_THREADS"
    }
    assert kernel_environment({}, {"OMP_NUM_THREADS": "2"})["OMP_NUM_THREADS"] == "2"


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
